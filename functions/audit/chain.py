"""The per-tenant audit log: every write's entry commits with the write; a chainer links it later.

Layout in the audit table, partition `<tenant>#audit`:

- `pending#<at>#<id>`: an entry as the write's own transaction stores it (time, actor, action,
  target, hash of the state written). Writes of one tenant share no item, so concurrent writers
  never wait for one another or retry on the log.
- `entry#<seq>`: the same entry once `functions.audit.chainer` has linked it, with `seq`,
  `prev_hash` and `hash`. Its hash covers its fields and the previous hash, so an altered, removed
  or reordered entry breaks `verify`.
- `head`: the last linked `seq` and `hash`, moved only by the chainer.

Signed digests of the head (`functions.audit.digests`) anchor the chain outside the table, so even
an edit that recomputes every later hash, or a dropped tail, is found by `verify`.
"""
from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from functions.ids import new_id, now_iso
from functions.models import AuditTable
from functions.tenancy import TenantContext

GENESIS = "0" * 64
HEAD = "head"
PENDING = "pending#"


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
    """Hash of an entry's fields (all but `hash` itself), which include `seq` and `prev_hash`."""
    return digest({k: v for k, v in entry.items() if k != "hash"})


def read_head(tenant: str) -> Head:
    try:
        item = AuditTable.get(partition(tenant), HEAD, consistent_read=True)
    except AuditTable.DoesNotExist:
        return Head(0, GENESIS, False)
    return Head(int(item.data["seq"]), str(item.data["hash"]), True)


def pending_item(ctx: TenantContext, action: str, target: str, state: Any) -> AuditTable:
    """The entry of one write, to be saved in that write's transaction."""
    entry = {"id": new_id(), "at": now_iso(), "actor": ctx.actor, "action": action, "target": target,
             "state_sha256": digest(state) if state is not None else None}
    # Not in the time index (gsi1): the log lists an entry once it is linked, seconds later, and
    # the write (and the chainer's delete) saves an index copy that would live only seconds.
    return AuditTable(partition(ctx.tenant), f"{PENDING}{entry['at']}#{entry['id']}", kind="audit_pending",
                      data=entry, created_at=entry["at"])


def linked(head: Head, pending: dict[str, Any]) -> dict[str, Any]:
    """A pending entry's fields as the chain's next entry after `head`."""
    entry = {**pending, "seq": head.seq + 1, "prev_hash": head.hash}
    entry["hash"] = entry_hash(entry)
    return entry


def entry_item(tenant: str, entry: dict[str, Any]) -> AuditTable:
    return AuditTable(partition(tenant), entry_key(entry["seq"]), kind="audit_entry", data=entry, created_at=entry["at"])


def head_item(tenant: str, entry: dict[str, Any]) -> AuditTable:
    return AuditTable(partition(tenant), HEAD, kind="audit_head", version=entry["seq"],
                      data={"seq": entry["seq"], "hash": entry["hash"]}, updated_at=entry["at"])


def entries(tenant: str, start_seq: int = 1) -> Iterator[Any]:
    """Every linked entry of a tenant in chain order, as one paginated Query."""
    condition = AuditTable.sk.between(entry_key(start_seq), entry_key(10**12 - 1))
    for item in AuditTable.query(partition(tenant), condition, consistent_read=True):
        yield item.fields()


def pending(tenant: str, limit: int | None = None) -> Iterator[AuditTable]:
    """Entries not yet linked, oldest first."""
    return AuditTable.query(partition(tenant), AuditTable.sk.startswith(PENDING), consistent_read=True, limit=limit)


def count_pending(tenant: str) -> int:
    return sum(1 for _ in AuditTable.query(partition(tenant), AuditTable.sk.startswith(PENDING),
                                           consistent_read=True, attributes_to_get=["sk"]))
