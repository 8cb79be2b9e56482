"""The audit chain's verification over chains held in memory: an intact chain verifies, and each kind
of damage (edited, removed, reordered, relinked entries; a head that disagrees; a chain rewritten
or cut short behind its signed digests; a forged or unlinked digest) is found at its `seq`."""
from __future__ import annotations

import hashlib
from datetime import datetime, timedelta, UTC
from typing import Any

import pytest

from functions.audit import chain, digests
from functions.audit import verify as audit_verify
from functions.tenancy import system_context

TENANT = "gangbei"


class Stored:
    """What DynamoDB holds for each tenant (its linked entries, oldest first, and its head) and what
    the digest bucket holds."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.entries: dict[str, list[dict[str, Any]]] = {}
        self.heads: dict[str, chain.Head] = {}
        self.digests: dict[str, list[digests.Digest]] = {}
        monkeypatch.setattr(chain, "entries", lambda tenant, start_seq=1: iter(
            [dict(e) for e in self.entries[tenant][start_seq - 1:]]))
        monkeypatch.setattr(chain, "read_head", lambda tenant: self.heads[tenant])
        monkeypatch.setattr(chain, "count_pending", lambda tenant: 0)
        monkeypatch.setattr(digests, "latest", lambda tenant: (self.digests.get(tenant) or [None])[-1])

    def write(self, tenant: str, count: int) -> list[dict[str, Any]]:
        """`count` writes as the app makes them, linked by the chainer: each entry extends the head."""
        ctx, head = system_context(tenant), chain.Head(0, chain.GENESIS, False)
        self.entries[tenant] = []
        for n in range(count):
            pending = chain.pending_item(ctx, "street.update", f"street/s{n}", {"name": f"街道{n}", "n": n})
            entry = chain.linked(head, pending.fields())
            self.entries[tenant].append(entry)
            head = chain.Head(entry["seq"], entry["hash"], True)
        self.heads[tenant] = head
        return self.entries[tenant]

    def seal(self, tenant: str, seq: int) -> digests.Digest:
        """A digest of the chain as it stands at `seq`, after the tenant's earlier digests."""
        sealed = self.digests.setdefault(tenant, [])
        previous = {"seq": sealed[-1].seq, "sha256": hashlib.sha256(sealed[-1].raw).hexdigest()} if sealed else None
        digest = digests.signed(tenant, chain.Head(seq, self.entries[tenant][seq - 1]["hash"], True), previous)
        sealed.append(digest)
        return digest


def check(tenant: str) -> dict[str, Any]:
    """The verdict's core: ok, entries walked, head, and where it broke."""
    result = audit_verify.verify(tenant)
    return {k: result[k] for k in ("ok", "entries", "broken_seq", "head") if k in result}


@pytest.fixture
def stored(monkeypatch: pytest.MonkeyPatch) -> Stored:
    return Stored(monkeypatch)


def rehash(entry: dict[str, Any]) -> dict[str, Any]:
    """An edit made by someone who also recomputed the entry's own hash."""
    return {**entry, "hash": chain.entry_hash(entry)}


def test_an_intact_chain_verifies(stored):
    entries = stored.write(TENANT, 4)
    stored.write("gangnan", 1)
    assert check(TENANT) == {"ok": True, "entries": 4, "head": entries[-1]["hash"]}
    assert check("gangnan") == {"ok": True, "entries": 1, "head": stored.entries["gangnan"][0]["hash"]}


def test_an_empty_chain_verifies_at_genesis(stored):
    stored.entries[TENANT], stored.heads[TENANT] = [], chain.Head(0, chain.GENESIS, False)
    assert check(TENANT) == {"ok": True, "entries": 0, "head": chain.GENESIS}


def test_an_edited_entry_is_found_at_its_seq(stored):
    entries = stored.write(TENANT, 4)
    entries[2] = {**entries[2], "actor": "intruder"}
    assert check(TENANT) == {"ok": False, "entries": 3, "broken_seq": 3, "head": entries[1]["hash"]}


def test_an_edit_with_its_own_hash_recomputed_breaks_the_next_link(stored):
    entries = stored.write(TENANT, 4)
    entries[1] = rehash({**entries[1], "target": "street/elsewhere"})
    assert check(TENANT) == {"ok": False, "entries": 3, "broken_seq": 3, "head": entries[1]["hash"]}


def test_a_relinked_entry_is_found_even_with_a_consistent_hash(stored):
    entries = stored.write(TENANT, 3)
    entries[1] = rehash({**entries[1], "prev_hash": "f" * 64})
    assert check(TENANT) == {"ok": False, "entries": 2, "broken_seq": 2, "head": entries[0]["hash"]}


def test_a_renumbered_entry_is_found_even_with_a_consistent_hash(stored):
    entries = stored.write(TENANT, 3)
    entries[1] = rehash({**entries[1], "seq": 7})
    assert check(TENANT)["broken_seq"] == 2


def test_an_entry_with_its_hash_or_seq_missing_is_broken(stored):
    entries = stored.write(TENANT, 2)
    entries[0] = {k: v for k, v in entries[0].items() if k != "hash"}
    assert check(TENANT) == {"ok": False, "entries": 1, "broken_seq": 1, "head": chain.GENESIS}
    entries = stored.write(TENANT, 2)
    entries[1] = rehash({k: v for k, v in entries[1].items() if k != "seq"})
    assert check(TENANT)["broken_seq"] == 2


def test_a_removed_or_swapped_entry_is_found(stored):
    entries = stored.write(TENANT, 4)
    del entries[1]
    assert check(TENANT) == {"ok": False, "entries": 2, "broken_seq": 2, "head": entries[0]["hash"]}
    entries = stored.write(TENANT, 4)
    entries[0], entries[1] = entries[1], entries[0]
    assert check(TENANT) == {"ok": False, "entries": 1, "broken_seq": 1, "head": chain.GENESIS}


def test_entries_removed_from_the_end_are_found_from_the_head(stored):
    entries = stored.write(TENANT, 4)
    del entries[2:]
    assert check(TENANT) == {"ok": False, "entries": 2, "broken_seq": 3, "head": entries[1]["hash"]}


def test_a_head_that_disagrees_with_the_last_entry_is_broken(stored):
    entries = stored.write(TENANT, 3)
    stored.heads[TENANT] = chain.Head(3, "0" * 63 + "1", True)
    assert check(TENANT) == {"ok": False, "entries": 3, "broken_seq": 3, "head": entries[-1]["hash"]}
    stored.heads[TENANT] = chain.Head(2, entries[-1]["hash"], True)  # behind the entries, with another hash
    assert check(TENANT) == {"ok": False, "entries": 2, "broken_seq": 2, "head": entries[1]["hash"]}
    stored.heads[TENANT] = chain.Head(2, entries[1]["hash"], True)  # an entry past the head nobody linked
    assert check(TENANT) == {"ok": False, "entries": 2, "broken_seq": 3, "head": entries[1]["hash"]}
    stored.heads[TENANT] = chain.Head(0, chain.GENESIS, False)
    assert check(TENANT)["ok"] is False


# --- the hash itself: its form is a contract with chains already stored and with outside verifiers --

def test_canonical_form_is_sorted_compact_utf8_json():
    value = {"b": 1, "a": "李", "c": [1, {"z": None, "y": True}]}
    assert chain.canonical(value) == '{"a":"李","b":1,"c":[1,{"y":true,"z":null}]}'
    assert chain.digest(value) == hashlib.sha256('{"a":"李","b":1,"c":[1,{"y":true,"z":null}]}'.encode()).hexdigest()


def test_an_entry_hash_covers_every_field_but_the_hash():
    entry = {"seq": 1, "at": "2026-11-01T02:00:00+00:00", "actor": "secretary-01", "action": "minutes.approve",
             "target": "minutes/m1", "state_sha256": None, "prev_hash": chain.GENESIS}
    expected = hashlib.sha256(chain.canonical(entry).encode()).hexdigest()
    assert chain.entry_hash(entry) == expected
    assert chain.entry_hash({**entry, "hash": "anything"}) == expected
    assert chain.entry_hash({**entry, "actor": "secretary-02"}) != expected


def test_a_chain_written_by_an_earlier_release_still_verifies(stored):
    """Entries as stored (Chinese text, a state digest) with the hashes they were written with."""
    first = {"seq": 1, "at": "2026-11-01T02:00:00+00:00", "actor": "secretary-01", "action": "community.create",
             "target": "community/荷城社区", "state_sha256": "5" * 64, "prev_hash": chain.GENESIS,
             "hash": "b5900721afe729ce501d3f49d12baad6c6d98159753c1bb16bc4ca1c3f9df19b"}
    second = {"seq": 2, "at": "2026-11-01T02:05:00+00:00", "actor": "system", "action": "grid.create",
              "target": "grid/荷城社区第1网格", "state_sha256": None, "prev_hash": first["hash"],
              "hash": "938d24684be566b67c8ff5caea845426edf510b8c9ddaf7538eb87d54e838234"}
    stored.entries[TENANT], stored.heads[TENANT] = [first, second], chain.Head(2, second["hash"], True)
    stored.seal(TENANT, 2)  # sealed since: entries older than twenty minutes need a digest
    assert check(TENANT) == {"ok": True, "entries": 2, "head": second["hash"]}


# --- signed digests: what the chain alone cannot show ------------------------------------------

def test_the_newest_digest_that_matches_the_chain_is_counted(stored):
    entries = stored.write(TENANT, 5)
    stored.seal(TENANT, 2)
    stored.seal(TENANT, 5)
    result = audit_verify.verify(TENANT)
    assert result["ok"] is True and result["head"] == entries[-1]["hash"]
    assert result["digests"] == {"verified": 1, "last_seq": 5, "last_sealed_at": stored.digests[TENANT][-1].body["sealed_at"]}
    assert stored.digests[TENANT][-1].body["previous"]["seq"] == 2


def test_a_chain_rewritten_behind_a_digest_is_found_at_the_digest(stored):
    """Whoever edits entry 4 and recomputes every later hash and the head passes the walk, not the
    digest at 5."""
    entries = stored.write(TENANT, 6)
    stored.seal(TENANT, 5)
    entries[3] = {**entries[3], "actor": "intruder"}
    for n in range(3, 6):
        entries[n] = chain.linked(chain.Head(n, entries[n - 1]["hash"], True), {
            k: v for k, v in entries[n].items() if k not in ("seq", "prev_hash", "hash")})
    stored.heads[TENANT] = chain.Head(6, entries[-1]["hash"], True)
    result = audit_verify.verify(TENANT)
    assert result["ok"] is False and result["reason"] == "rewritten" and result["broken_seq"] == 5
    assert "at or before entry 5" in result["detail"] and result["digests"]["verified"] == 0


def test_a_dropped_tail_with_its_head_moved_back_is_found_by_the_digest(stored):
    entries = stored.write(TENANT, 6)
    stored.seal(TENANT, 6)
    del entries[4:]
    stored.heads[TENANT] = chain.Head(4, entries[-1]["hash"], True)
    result = audit_verify.verify(TENANT)
    assert (result["ok"], result["reason"], result["broken_seq"], result["entries"]) == (False, "truncated", 6, 4)


def test_a_forged_or_foreign_digest_is_refused(stored):
    stored.write(TENANT, 3)
    digest = stored.seal(TENANT, 3)
    stored.digests[TENANT][-1] = digests.Digest(digest.body, digest.raw.replace(b'"seq":3', b'"seq":3 '), digest.signature)
    assert audit_verify.verify(TENANT)["reason"] == "digest"
    stored.digests["gangnan"] = [stored.seal(TENANT, 3)]  # another tenant's digest
    stored.write("gangnan", 3)
    assert audit_verify.verify("gangnan")["reason"] == "digest"


def test_entries_no_digest_covers_for_twenty_minutes_mean_sealing_stopped(stored):
    """Someone who stops the sealer (or hides its digests) and then rewrites the unsealed part is
    found too: the chain must be sealed within minutes."""
    entries = stored.write(TENANT, 4)
    old = (datetime.now(UTC) - timedelta(hours=1)).isoformat(timespec="milliseconds")
    for n in range(4):
        entries[n] = chain.linked(chain.Head(n, entries[n - 1]["hash"] if n else chain.GENESIS, n > 0),
                                  {**{k: v for k, v in entries[n].items() if k not in ("seq", "prev_hash", "hash")}, "at": old})
    stored.heads[TENANT] = chain.Head(4, entries[-1]["hash"], True)
    result = audit_verify.verify(TENANT)
    assert (result["ok"], result["reason"], result["broken_seq"]) == (False, "unsealed", 1)
    stored.seal(TENANT, 2)
    assert audit_verify.verify(TENANT)["broken_seq"] == 3
    stored.seal(TENANT, 4)
    assert audit_verify.verify(TENANT)["ok"] is True
