"""The audit chain's verification over chains held in memory: an intact chain verifies, and each kind
of damage (edited, removed, reordered, relinked entries; a head that disagrees) is found at its `seq`."""
from __future__ import annotations

import hashlib
from typing import Any

import pytest

from functions.audit import chain
from functions.tenancy import system_context

TENANT = "gangbei"


class Stored:
    """What DynamoDB holds for each tenant: its entries, oldest first, and its head."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.entries: dict[str, list[dict[str, Any]]] = {}
        self.heads: dict[str, chain.Head] = {}
        monkeypatch.setattr(chain, "entries", lambda tenant, start_seq=1: iter([dict(e) for e in self.entries[tenant]]))
        monkeypatch.setattr(chain, "read_head", lambda tenant: self.heads[tenant])

    def write(self, tenant: str, count: int) -> list[dict[str, Any]]:
        """`count` writes as the app makes them: each entry extends the head."""
        ctx, head = system_context(tenant), chain.Head(0, chain.GENESIS, False)
        self.entries[tenant] = []
        for n in range(count):
            entry = chain.next_entry(head, ctx, "street.update", f"street/s{n}", {"name": f"街道{n}", "n": n})
            self.entries[tenant].append(entry)
            head = chain.Head(entry["seq"], entry["hash"], True)
        self.heads[tenant] = head
        return self.entries[tenant]


@pytest.fixture
def stored(monkeypatch: pytest.MonkeyPatch) -> Stored:
    return Stored(monkeypatch)


def rehash(entry: dict[str, Any]) -> dict[str, Any]:
    """An edit made by someone who also recomputed the entry's own hash."""
    return {**entry, "hash": chain.entry_hash(entry)}


def test_an_intact_chain_verifies(stored):
    entries = stored.write(TENANT, 4)
    stored.write("gangnan", 1)
    assert chain.verify(TENANT) == {"ok": True, "entries": 4, "head": entries[-1]["hash"]}
    assert chain.verify("gangnan") == {"ok": True, "entries": 1, "head": stored.entries["gangnan"][0]["hash"]}


def test_an_empty_chain_verifies_at_genesis(stored):
    stored.entries[TENANT], stored.heads[TENANT] = [], chain.Head(0, chain.GENESIS, False)
    assert chain.verify(TENANT) == {"ok": True, "entries": 0, "head": chain.GENESIS}


def test_an_edited_entry_is_found_at_its_seq(stored):
    entries = stored.write(TENANT, 4)
    entries[2] = {**entries[2], "actor": "intruder"}
    assert chain.verify(TENANT) == {"ok": False, "entries": 3, "broken_seq": 3, "head": entries[1]["hash"]}


def test_an_edit_with_its_own_hash_recomputed_breaks_the_next_link(stored):
    entries = stored.write(TENANT, 4)
    entries[1] = rehash({**entries[1], "target": "street/elsewhere"})
    assert chain.verify(TENANT) == {"ok": False, "entries": 3, "broken_seq": 3, "head": entries[1]["hash"]}


def test_a_relinked_entry_is_found_even_with_a_consistent_hash(stored):
    entries = stored.write(TENANT, 3)
    entries[1] = rehash({**entries[1], "prev_hash": "f" * 64})
    assert chain.verify(TENANT) == {"ok": False, "entries": 2, "broken_seq": 2, "head": entries[0]["hash"]}


def test_a_renumbered_entry_is_found_even_with_a_consistent_hash(stored):
    entries = stored.write(TENANT, 3)
    entries[1] = rehash({**entries[1], "seq": 7})
    assert chain.verify(TENANT)["broken_seq"] == 2


def test_an_entry_with_its_hash_or_seq_missing_is_broken(stored):
    entries = stored.write(TENANT, 2)
    entries[0] = {k: v for k, v in entries[0].items() if k != "hash"}
    assert chain.verify(TENANT) == {"ok": False, "entries": 1, "broken_seq": 1, "head": chain.GENESIS}
    entries = stored.write(TENANT, 2)
    entries[1] = rehash({k: v for k, v in entries[1].items() if k != "seq"})
    assert chain.verify(TENANT)["broken_seq"] == 2


def test_a_removed_or_swapped_entry_is_found(stored):
    entries = stored.write(TENANT, 4)
    del entries[1]
    assert chain.verify(TENANT) == {"ok": False, "entries": 2, "broken_seq": 2, "head": entries[0]["hash"]}
    entries = stored.write(TENANT, 4)
    entries[0], entries[1] = entries[1], entries[0]
    assert chain.verify(TENANT) == {"ok": False, "entries": 1, "broken_seq": 1, "head": chain.GENESIS}


def test_entries_removed_from_the_end_are_found_from_the_head(stored):
    entries = stored.write(TENANT, 4)
    del entries[2:]
    assert chain.verify(TENANT) == {"ok": False, "entries": 2, "broken_seq": 3, "head": entries[1]["hash"]}


def test_a_head_that_disagrees_with_the_last_entry_is_broken(stored):
    entries = stored.write(TENANT, 3)
    stored.heads[TENANT] = chain.Head(3, "0" * 63 + "1", True)
    assert chain.verify(TENANT) == {"ok": False, "entries": 3, "broken_seq": 3, "head": entries[-1]["hash"]}
    stored.heads[TENANT] = chain.Head(2, entries[-1]["hash"], True)  # behind the entries
    assert chain.verify(TENANT) == {"ok": False, "entries": 3, "broken_seq": 3, "head": entries[-1]["hash"]}
    stored.heads[TENANT] = chain.Head(0, chain.GENESIS, False)
    assert chain.verify(TENANT)["ok"] is False


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
    assert chain.verify(TENANT) == {"ok": True, "entries": 2, "head": second["hash"]}
