"""Routes for the audit log (district admins for their tenant; auditors for tenants they are granted)."""
from __future__ import annotations

from chalice import Blueprint
from chalice.app import Response

from functions import lazy
from functions.api.request import date_param, paging, respond, tenant_context

bp = Blueprint(__name__)
log = lazy.modules("functions.audit", "log")


@bp.route("/v1/audit-log", methods=["GET"])
def list_audit_log() -> Response:
    """Audit entries in time order, `?from=&to=`; auditors name the tenant with `?tenant=` or `X-Tenant`."""
    r = bp.current_request
    return respond(log.list_entries(tenant_context(r), date_from=date_param(r, "from"), date_to=date_param(r, "to"),
                                    **paging(r)))


@bp.route("/v1/audit-log/verify", methods=["GET"])
def verify_audit_log() -> Response:
    """Walk the tenant's hash chain: `ok`, entry count and head, or the first broken `seq`."""
    return respond(log.verify(tenant_context(bp.current_request)))
