"""Routes for exports (district admins for their tenant, auditors for their granted tenants) and
tenant offboarding (platform admins)."""
from __future__ import annotations

from chalice import Blueprint
from chalice.app import Response

from functions import lazy
from functions.api.request import json_body, principal, query_param, respond
from functions.errors import Forbidden, Text
from functions.tenancy import AUDITOR, DISTRICT_ADMIN, PLATFORM_ADMIN
from functions.validation import validate

bp = Blueprint(__name__)
jobs, offboarding = lazy.modules("functions.exports", "jobs", "offboarding")


@bp.route("/v1/exports", methods=["POST"])
def create_export() -> Response:
    """Export datasets of the tenants you may (CSV with BOM, XLSX or JSON Lines), with a signed manifest.
    Exports are allowed for suspended tenants too. `lang=zh-CN` gives Chinese column titles."""
    r = bp.current_request
    p = principal(r)
    if not p.has(DISTRICT_ADMIN, AUDITOR):
        raise Forbidden(Text("仅区管理员和审计员可以导出", "Only district admins and auditors export"))
    body = validate("export", json_body(r))
    if query_param(r, "lang") and "lang" not in body:
        body["lang"] = query_param(r, "lang")
    return respond(jobs.create_export(p, body), 202)


@bp.route("/v1/exports/{export_id}", methods=["GET"])
def get_export(export_id: str) -> Response:
    """Your export's status, files (rows, SHA-256, URL) and manifest URL; others get 404."""
    return respond(jobs.get_export(principal(bp.current_request), export_id))


@bp.route("/v1/tenants/{tenant_id}/offboard", methods=["POST"])
def offboard_tenant(tenant_id: str) -> Response:
    """Export everything of a suspended tenant for the platform, then delete all of its data."""
    p = principal(bp.current_request)
    if not p.has(PLATFORM_ADMIN):
        raise Forbidden(Text("仅平台管理员可以注销区", "Only platform admins offboard tenants"))
    validate("offboard-tenant", json_body(bp.current_request))
    return respond(offboarding.offboard(p, tenant_id), 200)
