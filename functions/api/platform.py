"""Platform routes: health, the OpenAPI document and its page, `/v1/me`, and tenants (platform admins)."""
from __future__ import annotations

from typing import TYPE_CHECKING, Any

from chalice.app import Blueprint, Response

from functions import lazy, openapi, reference
from functions.api.declaration import ANYONE, PLATFORM, route
from functions.api.request import declared_body, new_claim, paging, principal, tenant_context
from functions.errors import NotFound, ProblemError
from functions.tenancy import SCOPE_CLAIMS, TenantContext

bp = Blueprint(__name__)
if TYPE_CHECKING:  # the real modules for readers and the type checker; loaded on first use at run time
    from functions.accounts import users
    from functions.platform import tenants
else:
    tenants = lazy.modules("functions.platform", "tenants")
    users = lazy.modules("functions.accounts", "users")


@route(bp, "GET", "/v1/health", "健康检查 / Health", public=True, response="health")
def health() -> dict[str, Any]:
    return {"status": "ok"}


@route(bp, "GET", "/v1/openapi.json", "接口文档（OpenAPI）/ The OpenAPI document", public=True, response="openapi-document")
def openapi_document() -> dict[str, Any]:
    return openapi.document()


@route(bp, "GET", "/docs", "接口参考页 / API reference page", public=True, response="text/html")
def docs_page() -> Response:
    return Response(body=reference.page(), status_code=200, headers={"Content-Type": "text/html; charset=utf-8"})


@route(bp, "GET", "/docs/{asset}", "接口参考页的脚本与样式 / The reference page's script and style", public=True,
       response="text/javascript")
def docs_asset(asset: str) -> Response:
    found = reference.asset(asset)
    if found is None:
        raise NotFound()
    return Response(body=found[0], status_code=200, headers={"Content-Type": found[1], "Cache-Control": "public, max-age=86400"})


@route(bp, "GET", "/v1/me", "当前用户 / The caller", tenant_scoped=False, roles=ANYONE, response="me")
def me() -> dict[str, Any]:
    """The caller's claims, with what a client shows beside them: their name in the district's
    directory and the district's time zone (times are shown in it, wherever the browser is)."""
    p = principal(bp.current_request)
    name, timezone = None, None
    try:
        timezone = tenant_context(bp.current_request).timezone if p.tenant else None
    except ProblemError:
        pass  # a district not (or no longer) open to this token: the claims alone
    if timezone:
        record = users.record(p.tenant or "", p.sub)
        name = record["name"] if record else None
    return {"sub": p.sub, "name": name, "tenant": p.tenant, "timezone": timezone, "roles": sorted(p.roles),
            "audit_tenants": sorted(p.audit_tenants), **{scope: sorted(getattr(p, scope)) for scope in SCOPE_CLAIMS}}


@route(bp, "POST", "/v1/tenants", "开通区 / Create a tenant", body="tenant", status=201, idempotent=True, tenant_scoped=False, roles=PLATFORM, response="tenant")
def create_tenant() -> dict[str, Any]:
    admin = principal(bp.current_request)
    request = bp.current_request
    body = declared_body(request)
    claim = new_claim(request, TenantContext(tenant=body["id"], principal=admin))
    return tenants.create_tenant(admin, body, claim)


@route(bp, "POST", "/v1/tenants/{tenant_id}/admins", "为区添加区管理员 / Add a district admin to a tenant", body="district-admin", status=201, tenant_scoped=False, roles=PLATFORM, response="user")
def add_district_admin(tenant_id: str) -> dict[str, Any]:
    """For a tenant made without `first_admin`, or whose admins have all left: the platform adds one."""
    body = declared_body(bp.current_request)
    return tenants.add_district_admin(principal(bp.current_request), tenant_id, body)


@route(bp, "GET", "/v1/tenants", "区列表 / List tenants", tenant_scoped=False, roles=PLATFORM, pages=True, response="tenant-list")
def list_tenants() -> dict[str, Any]:
    request = bp.current_request
    return tenants.list_tenants(**paging(request))


@route(bp, "GET", "/v1/tenants/{tenant_id}", "查看区 / Get a tenant", tenant_scoped=False, roles=PLATFORM, response="tenant")
def get_tenant(tenant_id: str) -> dict[str, Any]:
    return tenants.get_tenant(tenant_id)


@route(bp, "PATCH", "/v1/tenants/{tenant_id}", "修改区 / Update a tenant", body="update-tenant", tenant_scoped=False, roles=PLATFORM, response="tenant")
def update_tenant(tenant_id: str) -> dict[str, Any]:
    admin = principal(bp.current_request)
    body = declared_body(bp.current_request)
    return tenants.update_tenant(admin, tenant_id, body)
