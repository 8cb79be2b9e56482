"""Reading the audit log: entries by time, the chain check, and entries for auditors' reads."""
from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from functions import authz, cursor, store
from functions.audit import chain, digests
from functions.errors import BadRequest, Text
from functions.audit import verify as audit_verify
from functions.models import AuditTable
from functions.periods import utc_bounds
from functions.tenancy import AUDITOR, TenantContext

SKEW = timedelta(minutes=2)  # how far out of time order a linked entry may be (commit after its stamp)
FIELDS = ("id", "seq", "at", "actor", "action", "target", "state_sha256", "hash", "prev_hash")


def list_entries(ctx: TenantContext, *, date_from: str | None, date_to: str | None, limit: int | None,
                 cursor_text: str | None) -> dict[str, Any]:
    """Linked entries within [from, to] (dates in the tenant's zone), in chain order, which is time
    order to within the moments writers take to commit. The first page finds where `from` falls
    with a binary search over `seq` (a few GetItems), starting `SKEW` early; each page is then one
    Query of the chain itself, stopping `SKEW` past `to`, so the entries need no time index of their
    own (a cost every write would pay) and none near a boundary is missed."""
    authz.require(ctx, authz.READ_AUDIT)
    low, high = utc_bounds(ctx.timezone, date_from, date_to)
    scope = f"{ctx.tenant}|audit-seq|{low}|{high}"
    start = cursor.decode(cursor_text, scope)
    try:
        first = int(start["seq"]["S"]) if start else _first_at_or_after(ctx.tenant, _moved(low, -SKEW))
    except (KeyError, TypeError, ValueError) as exc:
        raise BadRequest(Text("分页游标无效，请从第一页重新开始", "Invalid cursor: start again from the first page")) from exc
    size = store.DEFAULT_LIMIT if limit is None else limit
    page = AuditTable.query(chain.partition(ctx.tenant), AuditTable.sk.between(chain.entry_key(first),
                            chain.entry_key(10**12 - 1)), consistent_read=True, limit=size, page_size=size)
    items, last_seq, ended, stop = [], first - 1, False, _moved(high, SKEW)
    for item in page:
        entry = item.fields()
        if entry["at"] >= stop:
            ended = True
            break
        last_seq = int(entry["seq"])
        if low <= entry["at"] < high:
            items.append({k: entry.get(k) for k in FIELDS})
    more = not ended and page.last_evaluated_key is not None
    return {"items": items, "next_cursor": cursor.encode({"seq": {"S": str(last_seq + 1)}}, scope) if more else None}


def _moved(bound: str, by: timedelta) -> str:
    """A UTC bound of `utc_bounds` moved by `by` (the open ends stay open)."""
    if bound in ("0000", "9999"):
        return bound
    return (datetime.fromisoformat(bound) + by).isoformat(timespec="seconds")


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
