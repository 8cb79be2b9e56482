"""Audit log API, exports for auditors (grants, formats, manifest, signature) and offboarding."""
from __future__ import annotations

import csv
import hashlib
import io
import json
import zipfile
from pathlib import Path

import pytest
import requests

from conftest import Answer, make_structure, make_tenant, token
from functions import config, storage
from functions.audit import chain, chainer
from functions import cli
from functions.exports import verify
from functions.exports.jobs import minutes_file_name, signing_key
from functions.models import ALL_TABLES, AuditTable, ExportsTable, GridsTable


def export(api, tok, tenants, fmt="csv", datasets=("communities", "grids", "audit_log"), **extra):
    """Start an export (202, its job at `Location`); the test client's worker runs the job, so a
    started export is answered with the export as it stands afterwards (still with the 202)."""
    started = api.post("/v1/exports", tok, {"tenants": list(tenants), "datasets": list(datasets), "format": fmt, **extra})
    if started.status != 202:
        return started
    assert started.json["status"] == "pending" and started.headers["location"] == started.json["job_url"]
    after = api.get(f"/v1/exports/{started.json['id']}", tok)
    return Answer(202, after.body, started.headers)


def download(answer, folder: Path) -> Path:
    """Fetch every file of one tenant's part of an export, plus its manifest and signature."""
    folder.mkdir(parents=True, exist_ok=True)
    for f in answer["files"]:
        (folder / f["name"]).write_bytes(requests.get(f["url"], timeout=10).content)
    tenant = answer["tenants"][0]
    urls = answer["manifests"][tenant]
    (folder / "manifest.json").write_bytes(requests.get(urls["manifest_url"], timeout=10).content)
    (folder / "manifest.json.sig").write_bytes(requests.get(urls["signature_url"], timeout=10).content)
    return folder


def test_audit_log_lists_and_verifies_and_finds_tampering(api, admin, tenant):
    make_structure(api, admin)
    chainer.link(tenant)
    listed = api.get("/v1/audit-log", admin).json["items"]
    assert [e["action"] for e in listed] == ["tenant.create", "street.create", "community.create", "grid.create"]
    assert listed[1]["prev_hash"] == listed[0]["hash"]
    assert api.get("/v1/audit-log?from=2000-01-01&to=2000-01-02", admin).json["items"] == []
    checked = api.get("/v1/audit-log/verify", admin).json
    assert {k: checked[k] for k in ("ok", "entries", "head", "unchained")} == {
        "ok": True, "entries": 4, "head": listed[-1]["hash"], "unchained": 0}
    entry = AuditTable.get(chain.partition(tenant), chain.entry_key(2))
    data = entry.data.as_dict()
    data["target"] = "street/forged"
    entry.data = data
    entry.save()
    broken = api.get("/v1/audit-log/verify", admin).json
    assert broken["ok"] is False and broken["broken_seq"] == 2
    assert api.get("/v1/audit-log", token("grid_worker", tenant)).status == 403


def test_auditor_grants(api, platform_token, admin, tenant):
    other = make_tenant(api, platform_token)
    auditor = token("auditor", audit_tenants=[tenant])
    assert api.get(f"/v1/audit-log/verify?tenant={tenant}", auditor).json["ok"] is True
    assert api.get("/v1/communities", auditor, headers={"X-Tenant": tenant}).status == 200
    assert api.get(f"/v1/audit-log?tenant={other}", auditor).status == 403
    assert api.get("/v1/audit-log", auditor).status == 403  # no tenant named
    refused = export(api, auditor, [tenant, other])
    assert refused.status == 403 and refused.json["errors"][0]["path"] == "/tenants/1"
    assert list(ExportsTable.query(f"{tenant}#export")) == [] and list(ExportsTable.query(f"{other}#export")) == []
    # read-only: an auditor writes nothing, even in a granted tenant
    assert api.post(f"/v1/streets?tenant={tenant}", auditor, {"name": "x"}).status == 403
    assert api.post("/v1/streets", auditor, {"name": "x"}, headers={"X-Tenant": tenant}).status == 403
    # a district admin exports only its own tenant
    assert export(api, admin, [other]).status == 403


def test_csv_export_has_bom_chinese_titles_and_a_signed_manifest(api, admin, tenant, tmp_path):
    make_structure(api, admin)
    auditor = token("auditor", audit_tenants=[tenant])
    started = export(api, auditor, [tenant], lang="zh-CN")
    assert started.status == 202 and started.json["status"] == "done", started
    job = api.get(f"/v1/exports/{started.json['id']}", auditor).json
    folder = download(job, tmp_path / "csv")
    raw = (folder / "communities.csv").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    table = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))
    assert table[0][:5] == ["标识", "版本", "创建时间", "更新时间", "社区名称"] and table[1][4] == "荷城社区"
    assert len(table) == 2
    manifest = json.loads((folder / "manifest.json").read_text())
    assert {f["name"] for f in manifest["files"]} == {"communities.csv", "grids.csv", "audit_log.csv", "README.md"}
    assert manifest["audit_chain_head"]["seq"] >= 4
    assert "社区名称" in (folder / "README.md").read_text()
    assert verify.check(folder, signing_key()) == []
    assert cli.main(["verify-export", str(folder)]) == 0
    # tampering with a file, or with the manifest, is caught
    (folder / "grids.csv").write_bytes((folder / "grids.csv").read_bytes() + b"x")
    assert any("grids.csv" in p for p in verify.check(folder, signing_key()))
    (folder / "manifest.json").write_text((folder / "manifest.json").read_text().replace('"rows": 1', '"rows": 9'))
    assert "manifest.json: signature does not match" in verify.check(folder, signing_key())
    assert cli.main(["verify-export", str(folder)]) == 1
    # the auditor's read of the export is itself in the tenant's audit log
    chainer.link(tenant)
    actions = [e["action"] for e in chain.entries(tenant)]
    assert "export.read" in actions


def test_xlsx_and_jsonl_exports(api, admin, tenant, tmp_path):
    make_structure(api, admin)
    for fmt in ("xlsx", "jsonl"):
        job = export(api, admin, [tenant], fmt=fmt, datasets=["grids"]).json
        folder = download(job, tmp_path / fmt)
        assert verify.check(folder, signing_key()) == []
        data = (folder / f"grids.{fmt}").read_bytes()
        if fmt == "xlsx":
            with zipfile.ZipFile(io.BytesIO(data)) as z:
                assert "荷城社区第1网格" in z.read("xl/worksheets/sheet1.xml").decode()  # inline strings
        else:
            rows = [json.loads(line) for line in data.decode().splitlines()]
            assert rows[0]["name"] == "荷城社区第1网格" and rows[0]["boundary"]["type"] == "Polygon"


def test_export_belongs_to_its_requester(api, admin, tenant):
    job = export(api, admin, [tenant]).json
    assert api.get(f"/v1/exports/{job['id']}", token("district_admin", tenant)).status == 404
    assert api.get(f"/v1/exports/{job['id']}", token("auditor", audit_tenants=[tenant])).status == 404
    assert export(api, admin, [tenant], datasets=["nonsense"]).status == 422


def test_export_time_range_and_native_switch(api, admin, tenant, platform_token):
    make_structure(api, admin)
    job = export(api, admin, [tenant], datasets=["communities"], **{"from": "2000-01-01T00:00:00Z", "to": "2000-12-31T00:00:00Z"}).json
    assert job["files"][0]["rows"] == 0
    api.patch(f"/v1/tenants/{tenant}", platform_token, {"settings": {"export_native_threshold_rows": 2}, "version": 1})
    big = export(api, admin, [tenant], datasets=["grids", "audit_log"]).json
    assert big["status"] == "needs_native_export" and big["files"] == []


def street_created_at(api, admin, tenant, name, created_at):
    """A street whose stored creation time is `created_at` (UTC, as the store writes it)."""
    street = api.post("/v1/streets", admin, {"name": name})
    assert street.status == 201, street
    item = GridsTable.get(f"{tenant}#street", street.json["id"])
    item.created_at = created_at
    item.save()
    return street.json["id"]


def test_day_filter_compares_instants_not_strings(api, admin, tenant):
    """A day in Shanghai, 2026-11-02 (+08:00), runs from 2026-11-01T16:00Z to 2026-11-02T16:00Z. Rows
    are stored in UTC, so comparing strings would drop 07:30 that morning (stored as 2026-11-01T23:30Z,
    which sorts before "2026-11-02T00:00:00+08:00") and keep the next midnight."""
    early = street_created_at(api, admin, tenant, "早上", "2026-11-01T23:30:00.000+00:00")  # 07:30 on Nov 2nd
    street_created_at(api, admin, tenant, "前一天", "2026-11-01T15:59:59.000+00:00")        # 23:59:59 on Nov 1st
    street_created_at(api, admin, tenant, "后一天", "2026-11-02T16:00:00.000+00:00")        # 00:00 on Nov 3rd
    for bounds in ({"from": "2026-11-02T00:00:00+08:00", "to": "2026-11-02T23:59:59+08:00"},
                   {"from": "2026-11-01T16:00:00Z", "to": "2026-11-02T15:59:59Z"}):
        job = export(api, admin, [tenant], fmt="jsonl", datasets=["streets"], **bounds).json
        assert job["status"] == "done", job
        data = requests.get(job["files"][0]["url"], timeout=10).content.decode()
        assert [json.loads(line)["id"] for line in data.splitlines()] == [early], bounds
        assert job["files"][0]["rows"] == 1


def fail_on(monkeypatch, operation: str, key_suffix: str, fail_abort: bool = False) -> list[str]:
    """Make one real S3 call raise: `operation` on the key ending in `key_suffix` (and, if asked, the
    writer's own abort of that upload, as if the network dropped). Every other call reaches the S3
    server. Returns the keys of the uploads actually completed, in order."""
    from botocore.client import BaseClient
    from botocore.exceptions import ClientError

    real = BaseClient._make_api_call
    completed: list[str] = []

    def call(self, operation_name, params):
        key = params.get("Key", "")
        if operation_name == operation and key.endswith(key_suffix):
            raise ClientError({"Error": {"Code": "InternalError", "Message": "injected"}}, operation_name)
        if fail_abort and operation_name == "AbortMultipartUpload" and key.endswith(key_suffix):
            fail_abort_once.append(key)
            if len(fail_abort_once) == 1:
                raise ClientError({"Error": {"Code": "RequestTimeout", "Message": "injected"}}, operation_name)
        answer = real(self, operation_name, params)
        if operation_name == "CompleteMultipartUpload":
            completed.append(key)
        return answer

    fail_abort_once: list[str] = []
    monkeypatch.setattr(BaseClient, "_make_api_call", call)
    return completed


@pytest.mark.parametrize("writer_abort_fails", [False, True])
def test_a_failed_file_leaves_no_part_of_the_export(api, admin, tenant, monkeypatch, caplog, writer_abort_fails):
    make_structure(api, admin)
    completed = fail_on(monkeypatch, "UploadPart", "/communities.csv", fail_abort=writer_abort_fails)
    job = export(api, admin, [tenant], datasets=["streets", "communities", "grids"]).json
    monkeypatch.undo()
    prefix = f"tenants/{tenant}/exports/{job['id']}/"
    assert completed == [prefix + "streets.csv"]  # the first file really was written before the fault
    assert job["status"] == "failed" and job["files"] == [] and job["manifest_url"] is None
    assert job["details"] == {tenant: "writing communities.csv failed: ClientError"}
    s3 = storage.client()
    assert s3.list_objects_v2(Bucket=config.BUCKET, Prefix=prefix).get("KeyCount") == 0
    assert s3.list_multipart_uploads(Bucket=config.BUCKET, Prefix=prefix).get("Uploads", []) == []
    stored = ExportsTable.get(f"{tenant}#export", job["id"]).data.as_dict()
    assert stored["status"] == "failed" and stored["files"] == [] and "leftover" not in stored
    logged = [r for r in caplog.records if r.getMessage() == "export failed"]
    assert [(r.tenant, r.export_id, r.file, r.error) for r in logged] == [(tenant, job["id"], "communities.csv", "ClientError")]


def test_export_objects_are_encrypted_and_tagged_for_expiry(api, admin, tenant):
    job = export(api, admin, [tenant], datasets=["streets"]).json
    key = f"tenants/{tenant}/exports/{job['id']}/streets.csv"
    head = storage.client().head_object(Bucket=config.BUCKET, Key=key)
    assert head["ServerSideEncryption"] == "AES256"
    tags = storage.client().get_object_tagging(Bucket=config.BUCKET, Key=key)["TagSet"]
    assert tags == [{"Key": "expires-after-days", "Value": "7"}]


def test_offboarding_leaves_nothing_behind(api, platform_token, tmp_path):
    tenant = make_tenant(api, platform_token)
    admin = token("district_admin", tenant)
    ids = make_structure(api, admin)
    meeting_text = "纪要".encode()
    unit = api.post("/v1/units", admin, {"name": "单位", "kind": "government", "community_id": ids["community"]}).json["id"]
    committee = api.post("/v1/committees", admin, {"community_id": ids["community"], "members": [
        {"unit_id": unit, "name": "书记", "role": "secretary"}]}).json["id"]
    meeting = api.post("/v1/meetings", admin, {"committee_id": committee, "kind": "joint",
                                               "scheduled_at": "2026-11-05T15:00:00+08:00"}).json["id"]
    api.call("PUT", f"/v1/meetings/{meeting}/minutes", admin, raw=meeting_text, headers={"Content-Type": "text/plain"})
    export(api, admin, [tenant], datasets=["streets"])
    assert api.post(f"/v1/tenants/{tenant}/offboard", platform_token, {"confirm": True}).status == 409  # still active
    api.patch(f"/v1/tenants/{tenant}", platform_token, {"status": "suspended", "version": 1})
    assert api.post(f"/v1/tenants/{tenant}/offboard", admin, {"confirm": True}).status == 403
    started = api.post(f"/v1/tenants/{tenant}/offboard", platform_token, {"confirm": True})
    done = api.job_result(started, platform_token)
    job = api.get(started.headers["location"], platform_token).json
    assert job["progress"] == {"done": len(ALL_TABLES), "total": len(ALL_TABLES), "unit": "tables deleted"}
    assert done["deleted_objects"] >= 2 and sum(done["deleted_items"].values()) > 10
    for model in ALL_TABLES:
        assert [i.pk for i in model.scan(model.pk.startswith(f"{tenant}#"))] == [], model.Meta.table_name
    left = storage.client().list_objects_v2(Bucket=config.BUCKET, Prefix=f"tenants/{tenant}/")
    assert left.get("KeyCount", 0) == 0
    assert api.get(f"/v1/tenants/{tenant}", platform_token).status == 404
    manifest = requests.get(done["export"]["manifest_url"], timeout=10).json()
    assert {f["name"]: f["rows"] for f in manifest["files"]}["meetings.jsonl"] == 1


def test_auditors_get_every_record_kept_under_a_parent(api, demo_tenant, tmp_path):
    """Alliance activities, pairing contacts, minutes revisions (with their SHA-256) and programme
    participants (names masked) of the demo district, each a dataset of its own."""
    admin = token("district_admin", demo_tenant)
    programme = api.get("/v1/programmes", admin).json["items"][0]
    assert api.post(f"/v1/programmes/{programme['id']}/participants", admin,
                    {"name": "刘女士", "joined_on": "2026-11-01", "needs": ["employment"]}).status == 201
    from functions.periods import previous_month

    month = previous_month("Asia/Shanghai")
    quarter = f"{month[:4]}-Q{(int(month[5:]) - 1) // 3 + 1}"
    assert api.post("/v1/volunteer-reports/runs", admin, {"quarter": quarter}).status == 201
    auditor = token("auditor", audit_tenants=[demo_tenant])
    names = ["alliance_activities", "pairing_contacts", "minutes_revisions", "programme_participants",
             "assessment_results", "volunteer_reports"]
    job = export(api, auditor, [demo_tenant], fmt="jsonl", datasets=names).json
    folder = download(job, tmp_path / "nested")
    assert verify.check(folder, signing_key()) == []
    rows = {n: [json.loads(line) for line in (folder / f"{n}.jsonl").read_text().splitlines()] for n in names}
    assert len(rows["alliance_activities"]) >= 5 and all(r["alliance_id"] for r in rows["alliance_activities"])
    assert len(rows["minutes_revisions"]) >= 17
    assert all(len(r["sha256"]) == 64 and r["meeting_id"] for r in rows["minutes_revisions"])
    for revision in rows["minutes_revisions"]:  # each file itself, named by meeting and revision, as its record says
        body = (folder / minutes_file_name(revision)).read_bytes()
        assert hashlib.sha256(body).hexdigest() == revision["sha256"]
    assert "夜宵摊点" in "".join(p.read_text() for p in folder.glob("minutes-*.md"))
    assert "刘**" in [r["name"] for r in rows["programme_participants"]]
    results = [r for r in rows["assessment_results"] if r["period"] == month]
    assert len(results) == 136
    assert all(len(r["inputs_sha256"]) == 64 and r["inputs"]["dimensions"] is not None for r in results)
    reports = rows["volunteer_reports"]
    assert [r for r in reports if r["quarter"] == quarter]
    assert all(m["name"][1:] == "*" * (len(m["name"]) - 1) for r in reports for m in r["members"])
    assert all(r["name"][1:] == "*" * (len(r["name"]) - 1) for r in rows["programme_participants"])
