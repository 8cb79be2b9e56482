"""Checking a tenant's audit log: the hash chain entry by entry, against its signed digests.

The chain alone finds an entry altered, removed or reordered by someone who did not recompute the
later hashes. The digests (functions.audit.digests) find the rest: a digest's `hash` that differs
from the chain at its `seq` means the chain was rewritten up to there, and a digest beyond the
chain's end means its tail was dropped. Both walks are streams (a Query and a bucket listing read
in step), so memory stays flat however long the chain.
"""
from __future__ import annotations

import hashlib
from collections.abc import Iterator
from typing import Any

from functions.audit import chain, digests

REASONS = {
    "entry": ("第 {seq} 条的内容、序号或前序哈希与链不符", "entry {seq} does not match its own hash, seq or link"),
    "digest": ("第 {seq} 条处的签名摘要无效（签名或摘要链不符）", "the signed digest at {seq} is invalid (signature or digest chain)"),
    "rewritten": ("链在第 {since}–{seq} 条之间被改写：签名摘要记录的哈希不同",
                  "the chain was rewritten between entries {since} and {seq}: the signed digest holds another hash"),
    "truncated": ("签名摘要显示链至少有 {seq} 条，现仅余 {count} 条：末尾被删除",
                  "a signed digest shows at least {seq} entries, only {count} remain: the tail was dropped"),
    "head": ("链头与最后一条不符", "the chain head disagrees with the last entry"),
}


def verify(tenant: str) -> dict[str, Any]:
    """`ok` with the entries walked, the head hash, entries not yet linked and digests checked;
    otherwise also `broken_seq`, `reason` and a bilingual `detail`."""
    pem = digests.public_key_pem()
    sealed: Iterator[digests.Digest] = digests.stored(tenant)
    pending = next(sealed, None)
    expected_prev, count, checked, previous = chain.GENESIS, 0, 0, None

    def report(ok: bool, reason: str | None = None, seq: int = 0, since: int = 1) -> dict[str, Any]:
        result: dict[str, Any] = {
            "ok": ok, "entries": count, "head": expected_prev, "unchained": chain.count_pending(tenant),
            "digests": {"verified": checked, "last_seq": previous.seq if previous else None,
                        "last_sealed_at": previous.body.get("sealed_at") if previous else None}}
        if reason is not None:
            zh, en = REASONS[reason]
            values = {"seq": seq, "since": since, "count": count}
            result.update(broken_seq=seq, reason=reason, detail=f"{zh.format(**values)} / {en.format(**values)}")
        return result

    def digest_valid(digest: digests.Digest) -> bool:
        link = {"seq": previous.seq, "sha256": hashlib.sha256(previous.raw).hexdigest()} if previous else None
        return (digest.body.get("tenant") == tenant and digest.body.get("previous") == link
                and digests.signature_holds(digest, pem))

    head = chain.Head(0, chain.GENESIS, False)
    for _ in range(3):  # a chainer may link more while we walk: follow it a little
        for entry in chain.entries(tenant, start_seq=count + 1):
            count += 1
            if (entry.get("seq") != count or entry.get("prev_hash") != expected_prev
                    or chain.entry_hash(entry) != entry.get("hash")):
                return report(False, "entry", count)
            while pending is not None and pending.seq <= count:
                if not digest_valid(pending):
                    return report(False, "digest", pending.seq)
                if pending.seq < count or pending.body.get("hash") != entry["hash"]:
                    return report(False, "rewritten", count, previous.seq + 1 if previous else 1)
                previous, checked, pending = pending, checked + 1, next(sealed, None)
            expected_prev = entry["hash"]
        head = chain.read_head(tenant)
        if head.seq <= count:
            break
    if pending is not None:
        if not digest_valid(pending):
            return report(False, "digest", pending.seq)
        return report(False, "truncated", pending.seq)
    if head.seq != count or head.hash != expected_prev:
        return report(False, "head", count + 1 if head.seq > count else count)
    return report(True)
