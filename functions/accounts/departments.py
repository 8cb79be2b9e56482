"""Departments (职能部门: 环保、工商、市政 …) that take on the parts of joint-enforcement actions.

Actions name a department by id, never by name. A department's presence in a community (its
联络组 or 所) is a resident unit there naming it (`department_id` of `/v1/units`): that unit is
credited in assessments with the department's action parts in the community.

Keys (committees table): `<tenant>#department` / id.
"""
from __future__ import annotations

from typing import Any

from functions import authz, store
from functions.errors import FieldError, Text, Unprocessable
from functions.ids import new_id
from functions.models import CommitteesTable
from functions.tenancy import TenantContext

KIND = "department"


def must_exist(ctx: TenantContext, department_id: str, path: str = "/department_id") -> store.Require:
    """A transaction check that the tenant's department exists, failing as a 422 naming `path`."""
    error = Unprocessable(errors=[FieldError(path, Text("职能部门不存在", "No such department"))])
    return store.Require(CommitteesTable, ctx.key(KIND), department_id, error)


def create_department(ctx: TenantContext, body: dict[str, Any], item_id: str | None = None) -> dict[str, Any]:
    authz.require(ctx, authz.MANAGE_DISTRICT)
    return store.create(ctx, CommitteesTable, KIND, {"contacts": [], **body}, item_id=item_id or new_id())


def get_department(ctx: TenantContext, department_id: str) -> dict[str, Any]:
    return store.get(CommitteesTable, ctx, KIND, department_id).public()


def update_department(ctx: TenantContext, department_id: str, body: dict[str, Any]) -> dict[str, Any]:
    authz.require(ctx, authz.MANAGE_DISTRICT)
    item = store.get(CommitteesTable, ctx, KIND, department_id)
    data = {**item.fields(), **{k: v for k, v in body.items() if k != "version"}}
    return store.update(ctx, item, data, body["version"])


def list_departments(ctx: TenantContext, *, limit: int | None, cursor_text: str | None) -> dict[str, Any]:
    return store.list_kind(CommitteesTable, ctx, KIND, limit=limit, cursor_text=cursor_text)


def names(ctx: TenantContext, department_ids: list[str]) -> dict[str, dict[str, Any]]:
    """The tenant's departments with these ids as {id: fields} (one BatchGet); missing ones are absent."""
    return store.get_many(CommitteesTable, ctx, KIND, department_ids)
