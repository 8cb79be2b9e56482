"""Routes for the audit log (district admins for their tenant; auditors for tenants they are granted)."""
from __future__ import annotations

from typing import TYPE_CHECKING, Any

from chalice.app import Blueprint

from functions import authz, lazy
from functions.api.declaration import FROM, TO, query, route
from functions.api.request import paging, tenant_context

bp = Blueprint(__name__)
AUDIT_READERS = authz.roles(authz.READ_AUDIT)
if TYPE_CHECKING:  # the real modules for readers and the type checker; loaded on first use at run time
    from functions.audit import log
else:
    log = lazy.modules("functions.audit", "log")


@route(bp, "GET", "/v1/audit-log", "审计日志 / Audit log", query=(FROM, TO), pages=True, roles=AUDIT_READERS, response="audit-entry-list")
def list_audit_log() -> dict[str, Any]:
    """Audit entries in time order, `?from=&to=`; auditors name the tenant with `?tenant=` or `X-Tenant`."""
    r = bp.current_request
    return log.list_entries(tenant_context(r), date_from=query(r)["from"], date_to=query(r)["to"],
                                    **paging(r))


@route(bp, "GET", "/v1/audit-log/verify", "校验审计链 / Verify the audit chain", roles=AUDIT_READERS, response="audit-verify")
def verify_audit_log() -> dict[str, Any]:
    """Walk the tenant's hash chain: `ok`, entry count and head, or the first broken `seq`."""
    return log.verify(tenant_context(bp.current_request))


@route(bp, "GET", "/v1/audit-log/public-key", "审计摘要公钥 / Audit digest public key", roles=AUDIT_READERS, response="audit-public-key")
def get_audit_public_key() -> dict[str, Any]:
    """The public key that checks the signed digests of the chain (ECDSA P-256, SHA-256)."""
    return log.public_key(tenant_context(bp.current_request))
