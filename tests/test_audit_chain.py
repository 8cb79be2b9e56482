"""Every write leaves one hash-chained audit entry in the same transaction; tampering is detected."""
from conftest import make_structure
from functions.audit import chain
from functions.models import AuditTable


def test_each_write_appends_one_entry_and_verifies(api, tenant, admin):
    before = chain.verify(tenant)
    assert before["ok"] and before["entries"] == 1  # the tenant's creation
    ids = make_structure(api, admin)
    api.patch(f"/v1/streets/{ids['street']}", admin, {"name": "新名", "version": 1})
    result = chain.verify(tenant)
    assert result == {"ok": True, "entries": 5, "head": result["head"]}
    actions = [e["action"] for e in chain.entries(tenant)]
    assert actions == ["tenant.create", "street.create", "community.create", "grid.create", "street.update"]
    entries = list(chain.entries(tenant))
    assert all(b["prev_hash"] == a["hash"] for a, b in zip(entries, entries[1:]))


def test_refused_write_leaves_no_entry(api, tenant, admin):
    ghost = "01J0000000000000000000000Z"
    assert api.post("/v1/communities", admin, {"name": "c", "street_id": ghost}).status == 422
    assert chain.verify(tenant)["entries"] == 1


def test_tampering_is_found_at_its_seq(api, tenant, admin):
    make_structure(api, admin)
    item = AuditTable.get(chain.partition(tenant), chain.entry_key(3))
    data = item.data.as_dict()
    data["actor"] = "someone-else"
    item.data = data
    item.save()
    result = chain.verify(tenant)
    assert result["ok"] is False and result["broken_seq"] == 3


def test_deleted_entry_is_found(api, tenant, admin):
    make_structure(api, admin)
    AuditTable.get(chain.partition(tenant), chain.entry_key(2)).delete()
    result = chain.verify(tenant)
    assert result["ok"] is False and result["broken_seq"] == 2
