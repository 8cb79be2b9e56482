"""Platform routes: health, the OpenAPI document and its page, `/v1/me`, and tenants (platform admins)."""
from __future__ import annotations


from chalice import Blueprint
from chalice.app import Response

from functions import lazy, openapi, validation
from functions.api.request import idempotency_claim, json_body, limit_param, principal, query_param, respond
from functions.errors import Forbidden, IdempotentReplay, Text
from functions.tenancy import PLATFORM_ADMIN, Principal, TenantContext

bp = Blueprint(__name__)
idempotency = lazy.modules("functions", "idempotency")
tenants = lazy.modules("functions.platform", "tenants")


def _platform_admin() -> Principal:
    p = principal(bp.current_request)
    if not p.has(PLATFORM_ADMIN):
        raise Forbidden(Text("仅平台管理员可管理区", "Only platform admins manage tenants"))
    return p


@bp.route("/v1/health", methods=["GET"])
def health() -> Response:
    return respond({"status": "ok"})


@bp.route("/v1/openapi.json", methods=["GET"])
def openapi_document() -> Response:
    return respond(openapi.document())


@bp.route("/docs", methods=["GET"])
def docs_page() -> Response:
    return Response(body=openapi.html_page(), status_code=200, headers={"Content-Type": "text/html; charset=utf-8"})


@bp.route("/v1/me", methods=["GET"])
def me() -> Response:
    p = principal(bp.current_request)
    return respond({"sub": p.sub, "tenant": p.tenant, "roles": sorted(p.roles), "communities": sorted(p.communities),
                    "grids": sorted(p.grids), "audit_tenants": sorted(p.audit_tenants)})


@bp.route("/v1/tenants", methods=["POST"])
def create_tenant() -> Response:
    admin = _platform_admin()
    request = bp.current_request
    body = validation.validate("tenant", json_body(request))
    claim = idempotency_claim(request, 201)
    if claim is not None:
        replay = idempotency.find(TenantContext(tenant=body["id"], principal=admin), claim)
        if replay is not None:
            raise IdempotentReplay(replay)
    return respond(tenants.create_tenant(admin, body, claim), 201)


@bp.route("/v1/tenants", methods=["GET"])
def list_tenants() -> Response:
    _platform_admin()
    request = bp.current_request
    return respond(tenants.list_tenants(limit_param(request), query_param(request, "cursor")))


@bp.route("/v1/tenants/{tenant_id}", methods=["GET"])
def get_tenant(tenant_id: str) -> Response:
    _platform_admin()
    return respond(tenants.get_tenant(tenant_id))


@bp.route("/v1/tenants/{tenant_id}", methods=["PATCH"])
def update_tenant(tenant_id: str) -> Response:
    admin = _platform_admin()
    body = validation.validate("update-tenant", json_body(bp.current_request))
    return respond(tenants.update_tenant(admin, tenant_id, body))
