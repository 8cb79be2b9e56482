"""The per-tenant hash chain that every write extends inside its own transaction.

Layout in the audit table: one head item (`<tenant>#audit` / `head`) holding the last `seq` and
`hash`, and one entry per write (`<tenant>#audit` / `entry#<seq>`). An entry's hash covers its
fields and the previous hash, so altering, removing or reordering any entry breaks `verify`.
Writes of one tenant serialise on the head: the head's condition fails for the loser, who retries.
"""
from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from collections.abc import Iterator
from typing import Any

from pynamodb.transactions import TransactWrite

from functions.ids import now_iso
from functions.models import AuditTable
from functions.tenancy import TenantContext

GENESIS = "0" * 64
HEAD = "head"


@dataclass(frozen=True)
class Head:
    seq: int
    hash: str
    exists: bool


def partition(tenant: str) -> str:
    return f"{tenant}#audit"


def entry_key(seq: int) -> str:
    return f"entry#{seq:012d}"


def canonical(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":"))


def digest(value: Any) -> str:
    return hashlib.sha256(canonical(value).encode()).hexdigest()


def entry_hash(entry: dict[str, Any]) -> str:
    """Hash of an entry's fields (all but `hash` itself), which include `prev_hash`."""
    return digest({k: v for k, v in entry.items() if k != "hash"})


def read_head(tenant: str) -> Head:
    try:
        item = AuditTable.get(partition(tenant), HEAD, consistent_read=True)
    except AuditTable.DoesNotExist:
        return Head(0, GENESIS, False)
    return Head(int(item.data["seq"]), str(item.data["hash"]), True)


def next_entry(head: Head, ctx: TenantContext, action: str, target: str, state: Any) -> dict[str, Any]:
    entry = {
        "seq": head.seq + 1,
        "at": now_iso(),
        "actor": ctx.actor,
        "action": action,
        "target": target,
        "state_sha256": digest(state) if state is not None else None,
        "prev_hash": head.hash,
    }
    entry["hash"] = entry_hash(entry)
    return entry


def add_to(tx: TransactWrite, tenant: str, head: Head, entry: dict[str, Any]) -> None:
    """Add the head move and the entry to a transaction. The head's condition is always item 0
    of these two so the caller can tell a chain conflict from its own condition failures."""
    pk = partition(tenant)
    new_head = AuditTable(pk, HEAD, kind="audit_head", version=entry["seq"],
                          data={"seq": entry["seq"], "hash": entry["hash"]}, updated_at=entry["at"])
    condition = (AuditTable.version == head.seq) if head.exists else AuditTable.pk.does_not_exist()
    tx.save(new_head, condition=condition)
    tx.save(AuditTable(pk, entry_key(entry["seq"]), kind="audit_entry", data=entry, created_at=entry["at"],
                       gsi1pk=pk, gsi1sk=f"{entry['at']}#{entry['seq']:012d}"),
            condition=AuditTable.pk.does_not_exist())


def entries(tenant: str, start_seq: int = 1) -> Iterator[Any]:
    """Every entry of a tenant, oldest first, as one paginated Query."""
    condition = AuditTable.sk.between(entry_key(start_seq), entry_key(10**12 - 1))
    for item in AuditTable.query(partition(tenant), condition, consistent_read=True):
        yield item.fields()


def verify(tenant: str) -> dict[str, Any]:
    """Walk the chain: `ok`, the entry count and head hash, or the first broken `seq`."""
    expected_prev, count = GENESIS, 0
    for entry in entries(tenant):
        count += 1
        if entry.get("seq") != count or entry.get("prev_hash") != expected_prev or entry_hash(entry) != entry.get("hash"):
            return {"ok": False, "entries": count, "broken_seq": count, "head": expected_prev}
        expected_prev = entry["hash"]
    head = read_head(tenant)
    if head.seq != count or head.hash != expected_prev:
        return {"ok": False, "entries": count, "broken_seq": count + 1 if head.seq > count else count,
                "head": expected_prev}
    return {"ok": True, "entries": count, "head": expected_prev}
