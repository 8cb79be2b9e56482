"""Reading the audit log: entries by time, the chain check, and entries for auditors' reads."""
from __future__ import annotations

from typing import Any

from functions import authz, store
from functions.audit import chain, digests
from functions.audit import verify as audit_verify
from functions.models import AuditTable
from functions.periods import utc_bounds
from functions.tenancy import AUDITOR, TenantContext

FIELDS = ("id", "seq", "at", "actor", "action", "target", "state_sha256", "hash", "prev_hash")


def list_entries(ctx: TenantContext, *, date_from: str | None, date_to: str | None, limit: int | None,
                 cursor_text: str | None) -> dict[str, Any]:
    """Entries in time order within [from, to] (dates in the tenant's zone): one Query on gsi1. Entries
    not yet linked into the chain have no `seq`, `hash` or `prev_hash` yet."""
    authz.require(ctx, authz.READ_AUDIT)
    low, high = utc_bounds(ctx.timezone, date_from, date_to)
    key = chain.partition(ctx.tenant)
    page = store.page(AuditTable, key, index="gsi1", range_condition=AuditTable.gsi1sk.between(low, high),
                      scope=f"{ctx.tenant}|audit|{low}|{high}", limit=limit, cursor_text=cursor_text)
    return {"items": [{k: e.get(k) for k in FIELDS} for e in page.items], "next_cursor": page.next_cursor}


def verify(ctx: TenantContext) -> dict[str, Any]:
    authz.require(ctx, authz.READ_AUDIT)
    return audit_verify.verify(ctx.tenant)


def public_key(ctx: TenantContext) -> dict[str, Any]:
    authz.require(ctx, authz.READ_AUDIT)
    return digests.public_key()


def record_read(ctx: TenantContext, action: str, target: str) -> None:
    """Auditors' reads of exports and minutes are themselves written to the tenant's chain."""
    if ctx.principal.has(AUDITOR) and ctx.principal.tenant is None:
        store.write(ctx, [], action=action, target=target)
