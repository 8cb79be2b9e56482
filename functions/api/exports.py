"""Routes for exports (district admins for their tenant, auditors for their granted tenants) and
tenant offboarding (platform admins)."""
from __future__ import annotations

from typing import TYPE_CHECKING, Any

from chalice.app import Blueprint

from functions import lazy
from functions.api.declaration import EXPORTERS, PLATFORM, Param, query, route
from functions.api.request import declared_body, idempotency_claim, principal
from functions.vocabulary import EXPORT_LANGUAGES

bp = Blueprint(__name__)
if TYPE_CHECKING:  # the real modules for readers and the type checker; loaded on first use at run time
    from functions.exports import jobs, offboarding
else:
    jobs, offboarding = lazy.modules("functions.exports", "jobs", "offboarding")

LANG = Param("lang", "表头语言（也可在请求体中给出）/ column titles' language (or in the body)", "enum", EXPORT_LANGUAGES)


@route(bp, "POST", "/v1/exports", "导出数据 / Export data", body="export", status=202, query=(LANG,), idempotent=True, tenant_scoped=False, roles=EXPORTERS, response="export-job")
def create_export() -> dict[str, Any]:
    """Export datasets of the tenants you may (CSV with BOM, XLSX or JSON Lines), with a signed manifest.
    Exports are allowed for suspended tenants too. `lang=zh-CN` gives Chinese column titles."""
    r = bp.current_request
    p = principal(r)
    body = declared_body(r)
    if query(r)["lang"] and "lang" not in body:
        body["lang"] = query(r)["lang"]
    return jobs.create_export(p, body, idempotency_claim(r, 202))


@route(bp, "GET", "/v1/exports", "我的导出 / My exports", tenant_scoped=False, roles=EXPORTERS, response="export-list")
def list_exports() -> dict[str, Any]:
    """Your exports, newest first (the latest 50), with their status; open one for its download links."""
    return jobs.list_exports(principal(bp.current_request))


@route(bp, "GET", "/v1/exports/{export_id}", "查看导出 / Get an export", tenant_scoped=False, roles=EXPORTERS, response="export-job")
def get_export(export_id: str) -> dict[str, Any]:
    """Your export's status, files (rows, SHA-256, URL) and manifest URL; others get 404."""
    return jobs.get_export(principal(bp.current_request), export_id)


@route(bp, "POST", "/v1/tenants/{tenant_id}/offboard", "注销区 / Offboard a tenant", body="offboard-tenant", status=202, idempotent=True, tenant_scoped=False, roles=PLATFORM, response="job")
def offboard_tenant(tenant_id: str) -> dict[str, Any]:
    """Export everything of a suspended tenant for the platform, then delete all of its data: a job
    (202, `Location: /v1/jobs/{id}`); its result names the export and what was deleted."""
    r = bp.current_request
    declared_body(r)
    return offboarding.offboard(principal(r), tenant_id, idempotency_claim(r, 202))
