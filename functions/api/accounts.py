"""Routes for the user directory (`/v1/users`) and departments (`/v1/departments`)."""
from __future__ import annotations

from typing import TYPE_CHECKING, Any

from chalice.app import Blueprint, Response

from functions import authz, lazy
from functions.api.declaration import ARCHIVED, COMMUNITY_ID, DISTRICT_STAFF, Param, query, route
from functions.api.request import begin_write, delete_context, paging, tenant_context
from functions.tenancy import TENANT_ROLES

bp = Blueprint(__name__)
if TYPE_CHECKING:  # the real modules for readers and the type checker; loaded on first use at run time
    from functions.accounts import departments, users
else:
    departments, users = lazy.modules("functions.accounts", "departments", "users")

USER_MANAGERS = authz.roles(authz.MANAGE_USERS)
ROLE = Param("role", "只列有该角色的用户 / only users with this role", "enum", tuple(sorted(TENANT_ROLES)))
USER_STATUS = Param("status", "只列该状态的用户 / only users in this status", "enum", ("invited", "active", "disabled"))


@route(bp, "POST", "/v1/users", "添加用户 / Add a user", body="user", status=201, idempotent=True, roles=USER_MANAGERS, response="user")
def create_user() -> dict[str, Any]:
    """Add a user with roles and scopes; in AWS they are invited to sign in by SMS or email."""
    ctx, body = begin_write(bp.current_request)
    return users.create_user(ctx, body)


@route(bp, "GET", "/v1/users", "用户列表 / List users", query=(ROLE, USER_STATUS, COMMUNITY_ID), pages=True, roles=USER_MANAGERS, response="user-list")
def list_users() -> dict[str, Any]:
    """The users the caller manages: all for district admins, their communities' for community staff."""
    r = bp.current_request
    q = query(r)
    return users.list_users(tenant_context(r, roles=USER_MANAGERS), role=q["role"], status=q["status"],
                            community_id=q["community_id"], **paging(r))


@route(bp, "GET", "/v1/users/{user_id}", "查看用户 / Get a user", roles=USER_MANAGERS, response="user")
def get_user(user_id: str) -> dict[str, Any]:
    return users.get_user(tenant_context(bp.current_request, roles=USER_MANAGERS), user_id)


@route(bp, "PATCH", "/v1/users/{user_id}", "修改或停用用户 / Update or disable a user", body="update-user", roles=USER_MANAGERS, response="user")
def update_user(user_id: str) -> dict[str, Any]:
    """Change contact details, roles and scopes, or disable (their next request is refused) and enable."""
    ctx, body = begin_write(bp.current_request)
    return users.update_user(ctx, user_id, body)


@route(bp, "POST", "/v1/departments", "添加职能部门 / Add a department", body="department", status=201, idempotent=True, roles=DISTRICT_STAFF, response="department")
def create_department() -> dict[str, Any]:
    ctx, body = begin_write(bp.current_request)
    return departments.create_department(ctx, body)


@route(bp, "GET", "/v1/departments", "职能部门列表 / List departments", query=(ARCHIVED,), pages=True, response="department-list")
def list_departments() -> dict[str, Any]:
    r = bp.current_request
    return departments.list_departments(tenant_context(r), archived=bool(query(r)["archived"]), **paging(r))


@route(bp, "GET", "/v1/departments/{department_id}", "查看职能部门 / Get a department", response="department")
def get_department(department_id: str) -> dict[str, Any]:
    return departments.get_department(tenant_context(bp.current_request), department_id)


@route(bp, "PATCH", "/v1/departments/{department_id}", "修改职能部门 / Update a department", body="department#patch", roles=DISTRICT_STAFF, response="department")
def update_department(department_id: str) -> dict[str, Any]:
    ctx, body = begin_write(bp.current_request)
    return departments.update_department(ctx, department_id, body)


@route(bp, "POST", "/v1/departments/{department_id}/archive", "归档职能部门 / Archive a department", body="archive", roles=DISTRICT_STAFF, response="department")
def archive_department(department_id: str) -> dict[str, Any]:
    """No new action parts or users; 409 while actions not yet done or users still need it."""
    ctx, body = begin_write(bp.current_request)
    return departments.archive_department(ctx, department_id, body)


@route(bp, "POST", "/v1/departments/{department_id}/restore", "恢复职能部门 / Restore an archived department", body="restore", roles=DISTRICT_STAFF, response="department")
def restore_department(department_id: str) -> dict[str, Any]:
    ctx, body = begin_write(bp.current_request)
    return departments.restore_department(ctx, department_id, body)


@route(bp, "DELETE", "/v1/departments/{department_id}", "删除职能部门 / Delete a department", status=204, roles=DISTRICT_STAFF)
def delete_department(department_id: str) -> Response:
    """Only a department nothing names (entered by mistake); otherwise 409: archive it."""
    ctx, version = delete_context(bp.current_request)
    departments.delete_department(ctx, department_id, version)
    return Response(body="", status_code=204)
