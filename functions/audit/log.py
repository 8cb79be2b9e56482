"""Reading the audit log: entries by time, the chain check, and entries for auditors' reads."""
from __future__ import annotations

from typing import Any

from functions import authz, cursor, store
from functions.audit import chain, digests
from functions.audit import verify as audit_verify
from functions.models import AuditTable
from functions.periods import utc_bounds
from functions.tenancy import AUDITOR, TenantContext

FIELDS = ("id", "seq", "at", "actor", "action", "target", "state_sha256", "hash", "prev_hash")


def list_entries(ctx: TenantContext, *, date_from: str | None, date_to: str | None, limit: int | None,
                 cursor_text: str | None) -> dict[str, Any]:
    """Linked entries within [from, to] (dates in the tenant's zone), in chain order, which is time
    order to within the seconds the chainer takes. The first page finds where `from` falls with a
    binary search over `seq` (a few GetItems); each page is then one Query of the chain itself, so
    the entries need no time index of their own (a cost every write would pay)."""
    authz.require(ctx, authz.READ_AUDIT)
    low, high = utc_bounds(ctx.timezone, date_from, date_to)
    scope = f"{ctx.tenant}|audit|{low}|{high}"
    start = cursor.decode(cursor_text, scope)
    first = int(start["seq"]["S"]) if start else _first_at_or_after(ctx.tenant, low)
    size = store.DEFAULT_LIMIT if limit is None else limit
    page = AuditTable.query(chain.partition(ctx.tenant), AuditTable.sk.between(chain.entry_key(first),
                            chain.entry_key(10**12 - 1)), consistent_read=True, limit=size, page_size=size)
    items, last_seq, ended = [], first - 1, False
    for item in page:
        entry = item.fields()
        if entry["at"] >= high:
            ended = True
            break
        last_seq = int(entry["seq"])
        if entry["at"] >= low:
            items.append({k: entry.get(k) for k in FIELDS})
    more = not ended and page.last_evaluated_key is not None
    return {"items": items, "next_cursor": cursor.encode({"seq": {"S": str(last_seq + 1)}}, scope) if more else None}


def _first_at_or_after(tenant: str, low: str) -> int:
    """The first `seq` whose entry is at or after `low` (or one past the head)."""
    lo, hi = 1, chain.read_head(tenant).seq + 1
    if low == "0000":
        return lo
    while lo < hi:
        mid = (lo + hi) // 2
        try:
            at = AuditTable.get(chain.partition(tenant), chain.entry_key(mid), consistent_read=True).fields()["at"]
        except AuditTable.DoesNotExist:  # a broken chain: verify says where; list from here on
            return mid
        if at < low:
            lo = mid + 1
        else:
            hi = mid
    return lo


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
