"""Checking a tenant's audit log: the hash chain entry by entry, against its newest signed digest.

The chain alone finds an entry altered, removed or reordered by someone who did not recompute the
later hashes. The newest digest (functions.audit.digests; the chain is cumulative, so it vouches
for everything before it) finds the rest: its `hash` differing from the chain at its `seq` means the
chain was rewritten up to there; its `seq` beyond the chain's end means the tail was dropped; and
entries older than `SEAL_GRACE` that no digest covers mean sealing stopped (or someone stopped it).
The walk is one paginated Query, so memory stays flat however long the chain.
"""
from __future__ import annotations

from datetime import datetime, timedelta, UTC
from typing import Any

from functions.audit import chain, digests

SEAL_GRACE = timedelta(minutes=20)  # digests are sealed every 5 minutes
REASONS = {
    "entry": ("第 {seq} 条的内容、序号或前序哈希与链不符", "entry {seq} does not match its own hash, seq or link"),
    "digest": ("签名摘要无效（签名或所属区不符）", "the signed digest is invalid (signature or tenant)"),
    "rewritten": ("链在第 {seq} 条及以前被改写：签名摘要记录的哈希不同",
                  "the chain was rewritten at or before entry {seq}: the signed digest holds another hash"),
    "truncated": ("签名摘要显示链至少有 {seq} 条，现仅余 {count} 条：末尾被删除",
                  "a signed digest shows at least {seq} entries, only {count} remain: the tail was dropped"),
    "head": ("链头与第 {seq} 条不符", "the chain head disagrees with entry {seq}"),
    "unsealed": ("第 {seq} 条起已超过 20 分钟未被签名摘要覆盖：签名已停止", "entries from {seq} on are over 20 minutes "
                 "old and no signed digest covers them: sealing has stopped"),
}


def verify(tenant: str) -> dict[str, Any]:
    """`ok` with the entries walked, the head hash, entries not yet linked and the digest checked;
    otherwise also `broken_seq`, `reason` and a bilingual `detail`."""
    pem = digests.public_key_pem()
    newest = digests.latest(tenant)
    sealed_seq = newest.seq if newest is not None else 0
    expected_prev, count, first_unsealed_at = chain.GENESIS, 0, None

    def report(ok: bool, reason: str | None = None, seq: int = 0) -> dict[str, Any]:
        result: dict[str, Any] = {
            "ok": ok, "entries": count, "head": expected_prev, "unchained": chain.count_pending(tenant),
            "digests": {"verified": int(newest is not None and reason not in ("digest", "rewritten")),
                        "last_seq": newest.seq if newest else None,
                        "last_sealed_at": newest.body.get("sealed_at") if newest else None}}
        if reason is not None:
            zh, en = REASONS[reason]
            values = {"seq": seq, "count": count}
            result.update(broken_seq=seq, reason=reason, detail=f"{zh.format(**values)} / {en.format(**values)}")
        return result

    if newest is not None and not (newest.body.get("tenant") == tenant and digests.signature_holds(newest, pem)):
        return report(False, "digest", newest.seq)
    # The head first: every entry up to it is committed (the chainer moves both in one
    # transaction); entries linked while we walk are beyond it and are left for the next check.
    head = chain.read_head(tenant)
    beyond = None
    for entry in chain.entries(tenant):
        if count == head.seq:
            beyond = entry
            break
        count += 1
        if (entry.get("seq") != count or entry.get("prev_hash") != expected_prev
                or chain.entry_hash(entry) != entry.get("hash")):
            return report(False, "entry", count)
        if count == sealed_seq and newest is not None and newest.body.get("hash") != entry["hash"]:
            return report(False, "rewritten", count)
        if count == sealed_seq + 1:
            first_unsealed_at = entry.get("at")
        expected_prev = entry["hash"]
    if count < head.seq or head.hash != expected_prev:
        return report(False, "head", count + 1 if count < head.seq else count)
    if beyond is not None and beyond.get("seq", 0) > chain.read_head(tenant).seq:
        return report(False, "head", count + 1)  # an entry past the head that no chainer put there
    if sealed_seq > count and sealed_seq > chain.read_head(tenant).seq:  # not merely sealed after we read
        return report(False, "truncated", sealed_seq)
    if first_unsealed_at and datetime.fromisoformat(first_unsealed_at) < datetime.now(UTC) - SEAL_GRACE:
        return report(False, "unsealed", sealed_seq + 1)
    return report(True)
