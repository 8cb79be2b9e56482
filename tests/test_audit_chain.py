"""Every write leaves one audit entry in its own transaction; the chainer links entries into the
hash chain; signed digests anchor it outside the table; tampering is found."""
import subprocess

import pytest
import threading
import time
from concurrent.futures import ThreadPoolExecutor

from conftest import make_structure
from functions.audit import chain, chainer, digests, sealing
from functions.audit import verify as audit_verify
from functions.models import AuditTable
from functions.structure import service as structure
from functions.tenancy import system_context


def linked_verify(tenant: str) -> dict:
    chainer.link(tenant)
    return audit_verify.verify(tenant)


def test_each_write_appends_one_entry_and_verifies_once_linked(api, tenant, admin):
    before = linked_verify(tenant)
    assert before["ok"] and before["entries"] == 1 and before["unchained"] == 0  # the tenant's creation
    ids = make_structure(api, admin)
    api.patch(f"/v1/streets/{ids['street']}", admin, {"name": "新名", "version": 1})
    waiting = audit_verify.verify(tenant)
    assert waiting["ok"] and (waiting["entries"], waiting["unchained"]) == (1, 4)
    log = api.get("/v1/audit-log", admin).json["items"]
    assert [e["action"] for e in log] == ["tenant.create"]  # the log lists entries once linked
    assert chainer.link(tenant) == 4
    assert [e["seq"] for e in api.get("/v1/audit-log?limit=2", admin).json["items"]] == [1, 2]
    result = audit_verify.verify(tenant)
    assert {k: result[k] for k in ("ok", "entries", "unchained")} == {"ok": True, "entries": 5, "unchained": 0}
    actions = [e["action"] for e in chain.entries(tenant)]
    assert actions == ["tenant.create", "street.create", "community.create", "grid.create", "street.update"]
    entries = list(chain.entries(tenant))
    assert all(b["prev_hash"] == a["hash"] for a, b in zip(entries, entries[1:]))
    assert api.get("/v1/audit-log/verify", admin).json == {**result, "digests": result["digests"]}


def test_refused_write_leaves_no_entry(api, tenant, admin):
    ghost = "01J0000000000000000000000Z"
    assert api.post("/v1/communities", admin, {"name": "c", "street_id": ghost}).status == 422
    result = linked_verify(tenant)
    assert (result["entries"], result["unchained"]) == (1, 0)


def test_tampering_is_found_at_its_seq(api, tenant, admin):
    make_structure(api, admin)
    chainer.link(tenant)
    item = AuditTable.get(chain.partition(tenant), chain.entry_key(3))
    data = item.data.as_dict()
    data["actor"] = "someone-else"
    item.data = data
    item.save()
    result = audit_verify.verify(tenant)
    assert result["ok"] is False and result["broken_seq"] == 3 and result["reason"] == "entry"


def test_deleted_entry_is_found(api, tenant, admin):
    make_structure(api, admin)
    chainer.link(tenant)
    AuditTable.get(chain.partition(tenant), chain.entry_key(2)).delete()
    result = audit_verify.verify(tenant)
    assert result["ok"] is False and result["broken_seq"] == 2


def test_a_rewritten_chain_is_found_by_its_sealed_digest_and_an_outsider_checks_it(api, tenant, admin, tmp_path):
    """Someone with write access to the table edits an entry and recomputes every later hash and the
    head: the chain walks clean, the signed digest does not. The digest itself checks with openssl
    and the public key alone."""
    make_structure(api, admin)
    sealed = sealing.seal_tenant(system_context(tenant))
    assert sealed == {"linked": 4, "sealed_seq": 4}
    assert sealing.seal_tenant(system_context(tenant)) == {"linked": 0, "sealed_seq": None}  # nothing moved
    key = api.get("/v1/audit-log/public-key", admin).json
    (tmp_path / "public.pem").write_text(key["public_key_pem"])
    digest = digests.latest(tenant)
    assert digest is not None
    (tmp_path / "d.json").write_bytes(digest.raw)
    (tmp_path / "d.json.sig").write_bytes(digest.signature)
    checked = subprocess.run(["openssl", "dgst", "-sha256", "-verify", str(tmp_path / "public.pem"), "-signature",
                              str(tmp_path / "d.json.sig"), str(tmp_path / "d.json")], capture_output=True, text=True)
    assert checked.returncode == 0 and "Verified OK" in checked.stdout
    assert digest.body["hash"] == audit_verify.verify(tenant)["head"]

    entries = list(chain.entries(tenant))
    head = chain.Head(1, entries[0]["hash"], True)
    for entry in entries[1:]:
        fields = {k: v for k, v in entry.items() if k not in ("seq", "prev_hash", "hash")}
        if entry["seq"] == 2:
            fields["actor"] = "intruder"
        rewritten = chain.linked(head, fields)
        chain.entry_item(tenant, rewritten).save()
        head = chain.Head(rewritten["seq"], rewritten["hash"], True)
    chain.head_item(tenant, rewritten).save()
    result = api.get("/v1/audit-log/verify", admin).json
    assert (result["ok"], result["reason"], result["broken_seq"]) == (False, "rewritten", 4)
    assert sealing.seal_tenant(system_context(tenant))["sealed_seq"] is None  # what the bucket holds decides
    # The next write links on top of the rewritten chain: the sealer refuses to vouch for it.
    api.post("/v1/streets", admin, {"name": "改写之后"})
    with pytest.raises(digests.ChainBroken):
        sealing.seal_tenant(system_context(tenant))
    assert api.get("/v1/audit-log/verify", admin).json["reason"] == "rewritten"


def test_a_dropped_tail_is_found_by_its_sealed_digest(api, tenant, admin):
    make_structure(api, admin)
    sealing.seal_tenant(system_context(tenant))
    for seq in (3, 4):
        AuditTable.get(chain.partition(tenant), chain.entry_key(seq)).delete()
    chain.head_item(tenant, list(chain.entries(tenant))[-1]).save()
    result = audit_verify.verify(tenant)
    assert (result["ok"], result["reason"], result["entries"], result["broken_seq"]) == (False, "truncated", 2, 4)


def test_fifty_concurrent_writers_lose_nothing_and_the_chain_holds_them_all(tenant):
    """The write path has no item all writers share: none is refused, however many write at once."""
    ctx = system_context(tenant)

    def create(n: int) -> str:
        return structure.create(ctx, "street", {"name": f"并发街道{n}"})["id"]

    with ThreadPoolExecutor(max_workers=50) as pool:
        created = list(pool.map(create, range(200)))
    assert len(set(created)) == 200
    result = linked_verify(tenant)
    assert (result["ok"], result["entries"], result["unchained"]) == (True, 201, 0)
    targets = {e["target"] for e in chain.entries(tenant)}
    assert {f"street/{street_id}" for street_id in created} <= targets


def test_the_local_stack_links_entries_from_the_table_stream(api, tenant, admin):
    """`make run`'s chainer reads DynamoDB Local's stream of the audit table, as Lambda does in AWS."""
    from infra.local import worker

    stop = threading.Event()
    follower = threading.Thread(target=worker.follow_audit_stream, args=(0.2, stop.is_set))
    follower.start()
    try:
        make_structure(api, admin)
        deadline = time.monotonic() + 30
        while chain.count_pending(tenant) and time.monotonic() < deadline:
            time.sleep(0.2)
    finally:
        stop.set()
        follower.join()
    result = audit_verify.verify(tenant)
    assert (result["ok"], result["entries"], result["unchained"]) == (True, 4, 0)


def test_an_offboarded_districts_id_is_not_given_again(api, platform_token):
    """Its digests stay locked under its id for years: a new district there would inherit them."""
    from conftest import make_tenant

    tenant = make_tenant(api, platform_token)
    sealing.seal_tenant(system_context(tenant))
    api.patch(f"/v1/tenants/{tenant}", platform_token, {"status": "suspended", "version": 1})
    api.job_result(api.post(f"/v1/tenants/{tenant}/offboard", platform_token, {"confirm": True}), platform_token)
    again = api.post("/v1/tenants", platform_token, {"id": tenant, "name": "新区", "tier": "standard"})
    assert again.status == 409, again
