"""Every presigned URL the app issues, read as a URL: its exact key under the tenant's prefix, its
expiry, and for PUTs the signed SHA-256 and length. And what the app does when an object changes
behind its records: pinned versions are still served, other bytes are a 409, never served.

The local S3 server does not check presigned signatures, expiry or checksums, so these tests look
at what real S3 would enforce (the URL's signed parts) and at what the app itself checks.
"""
from __future__ import annotations

import hashlib
import logging
import re
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlsplit

import pytest
import requests

from conftest import make_structure, token
from functions import config, storage
from test_meetings import MINUTES, committee, meeting, put_minutes  # noqa: F401  (committee is a fixture)

ROOT = Path(__file__).resolve().parents[1]
MAX_EXPIRES = 900
PDF = b"%PDF-1.7 minutes " * 500
PHOTO = b"\xff\xd8\xff\xe0 photo"


def parse(url: str) -> tuple[str, dict[str, str]]:
    """The object key (path-style URL: /<bucket>/<key>) and the query parameters."""
    parts = urlsplit(url)
    bucket, _, key = parts.path.lstrip("/").partition("/")
    assert bucket == config.BUCKET, url
    return unquote(key), {k: v[0] for k, v in parse_qs(parts.query).items()}


def check_get(url: str, key: str, version_id: str | None = None) -> dict[str, str]:
    """A download URL: exactly `key`, short-lived, and (if given) exactly that version."""
    got, query = parse(url)
    assert got == key
    assert query["X-Amz-Algorithm"] == "AWS4-HMAC-SHA256"
    assert 0 < int(query["X-Amz-Expires"]) <= MAX_EXPIRES
    if version_id is not None:
        assert query["versionId"] == version_id
    return query


def check_put(answer: dict, key: str, data: bytes) -> None:
    """An upload URL: exactly `key`, short-lived, with the declared SHA-256 and length signed, and the
    returned headers naming every signed header the client must send (HTTP sets Host and Length)."""
    got, query = parse(answer["url"])
    assert got == key
    assert 0 < int(query["X-Amz-Expires"]) <= MAX_EXPIRES and answer["expires_in"] <= MAX_EXPIRES
    signed = set(query["X-Amz-SignedHeaders"].split(";"))
    assert {"x-amz-checksum-sha256", "content-length", "host"} <= signed
    headers = {k.lower(): v for k, v in answer["headers"].items()}
    assert set(headers) == signed - {"host", "content-length"}
    assert headers["x-amz-checksum-sha256"] == storage.sha256_b64(hashlib.sha256(data).hexdigest())


def tenant_prefix(tenant: str) -> str:
    return f"tenants/{tenant}/"


def test_every_module_that_presigns_is_covered_here():
    """A new module issuing presigned URLs must get its check in this file."""
    issuers = {str(p.relative_to(ROOT)) for p in (ROOT / "functions").rglob("*.py")
               if re.search(r"presigned_(get|put)\(|generate_presigned_url", p.read_text())}
    assert issuers == {"functions/storage.py", "functions/meetings/minutes.py", "functions/grid_work/uploads.py",
                       "functions/exports/jobs.py", "functions/exports/offboarding.py",
                       "functions/assessments/reports.py", "functions/grid_work/incidents.py"}


def test_minutes_upload_and_download_urls(api, admin, tenant, committee):  # noqa: F811
    m = meeting(api, admin, committee)
    start = api.post(f"/v1/meetings/{m['id']}/minutes/uploads", admin, {
        "filename": "纪要.pdf", "content_type": "application/pdf", "size": len(PDF), "sha256": hashlib.sha256(PDF).hexdigest()})
    assert start.status == 201, start
    check_put(start.json, f"{tenant_prefix(tenant)}uploads/{start.json['upload_id']}", PDF)
    assert requests.put(start.json["url"], data=PDF, headers=start.json["headers"], timeout=10).status_code == 200
    done = api.post(f"/v1/meetings/{m['id']}/minutes/uploads/{start.json['upload_id']}/complete", admin, {})
    assert done.status == 201, done
    key = f"{tenant_prefix(tenant)}minutes/{m['id']}/{hashlib.sha256(PDF).hexdigest()}"
    assert done.json["key"] == key and done.json["version_id"]
    check_get(done.json["download_url"], key, done.json["version_id"])

    text = put_minutes(api, admin, m["id"])
    assert text.status == 201, text
    text_key = f"{tenant_prefix(tenant)}minutes/{m['id']}/{hashlib.sha256(MINUTES).hexdigest()}"
    check_get(text.json["download_url"], text_key, text.json["version_id"])
    latest = api.get(f"/v1/meetings/{m['id']}/minutes", admin).json
    check_get(latest["download_url"], text_key, text.json["version_id"])
    for revision in api.get(f"/v1/meetings/{m['id']}/minutes/revisions", admin).json["items"]:
        check_get(revision["download_url"], revision["key"], revision["version_id"])
        assert revision["key"].startswith(tenant_prefix(tenant))


@pytest.mark.parametrize("purpose", ["incident_photo", "action_evidence"])
def test_photo_and_evidence_upload_urls(api, admin, tenant, purpose):
    r = api.post("/v1/uploads", admin, {"purpose": purpose, "filename": "现场.jpg", "content_type": "image/jpeg",
                                        "size": len(PHOTO), "sha256": hashlib.sha256(PHOTO).hexdigest()})
    assert r.status == 201, r
    assert re.fullmatch(rf"tenants/{tenant}/{purpose}/[0-9A-Z]+", r.json["key"]), r.json["key"]
    check_put(r.json, r.json["key"], PHOTO)


def test_incident_photo_view_urls(api, admin, tenant):
    """One incident's photos (the report's and a step's) are shown through short-lived links to exactly
    their keys."""
    r = api.post("/v1/uploads", admin, {"purpose": "incident_photo", "filename": "现场.jpg", "content_type": "image/jpeg",
                                        "size": len(PHOTO), "sha256": hashlib.sha256(PHOTO).hexdigest()})
    assert requests.put(r.json["url"], data=PHOTO, headers=r.json["headers"], timeout=10).status_code == 200
    grid = make_structure(api, admin)["grid"]
    incident = api.post("/v1/incidents", admin, {"category": "sanitation", "description": "垃圾", "grid_id": grid,
                                                 "photos": [{"key": r.json["key"]}]}).json
    assert api.post(f"/v1/incidents/{incident['id']}/transitions", admin,
                    {"action": "accept", "photos": [{"key": r.json["key"]}]}).status == 200
    shown = api.get(f"/v1/incidents/{incident['id']}", admin).json
    check_get(shown["photos"][0]["url"], r.json["key"])
    check_get(shown["history"][-1]["photos"][0]["url"], r.json["key"])


def test_export_download_urls(api, admin, tenant):
    make_structure(api, admin)
    job = api.post("/v1/exports", admin, {"tenants": [tenant], "datasets": ["streets", "grids"], "format": "csv"})
    assert api.job_result(job, admin)["status"] == "done"
    answer = api.get(f"/v1/exports/{job.json['id']}", admin).json
    base = f"{tenant_prefix(tenant)}exports/{job.json['id']}"
    assert sorted(f["name"] for f in answer["files"]) == ["README.md", "grids.csv", "streets.csv"]
    for f in answer["files"]:
        check_get(f["url"], f"{base}/{f['name']}")
    urls = answer["manifests"][tenant]
    check_get(urls["manifest_url"], f"{base}/manifest.json")
    check_get(urls["signature_url"], f"{base}/manifest.json.sig")


def test_assessment_report_urls(api, admin, tenant):
    place = make_structure(api, admin)
    unit = api.post("/v1/units", admin, {"name": "环保局", "kind": "government", "community_id": place["community"]}).json
    api.post("/v1/cobuilding/activities", admin, {"unit_id": unit["id"], "dimension": "sanitation", "date": "2026-10-12",
                                                  "participants": 3, "hours": 1.0})
    assert api.job_result(api.post("/v1/assessments/runs", admin, {"period": "2026-10"}), admin)["status"] == "published"
    links = api.get("/v1/assessments?period=2026-10", admin).json["reports"]
    assert set(links) == {"xlsx", "html"}
    for kind, url in links.items():
        key, _ = parse(url)
        assert re.fullmatch(rf"tenants/{tenant}/assessments/2026-10/[0-9A-Z]+/共驻共建考核-2026-10\.{kind}", key), key
        check_get(url, key)


def test_offboarding_manifest_url(api, platform_token, tenant):
    """The one URL outside `tenants/<tenant>/`: the tenant's prefix is deleted by then, and its final
    export sits in the platform's `offboarding/<tenant>/<id>/` folder."""
    api.patch(f"/v1/tenants/{tenant}", platform_token, {"status": "suspended", "version": 1})
    done = api.job_result(api.post(f"/v1/tenants/{tenant}/offboard", platform_token, {"confirm": True}), platform_token)
    export = done["export"]
    assert export["prefix"] == f"offboarding/{tenant}/{export['id']}"
    check_get(export["manifest_url"], f"{export['prefix']}/manifest.json")


# --- objects changed behind the records -----------------------------------------------------------

def approved_minutes(api, admin, tenant, committee, body=MINUTES):  # noqa: F811
    """A meeting whose first revision (`body`) the secretary approved; returns (meeting id, revision)."""
    m = meeting(api, admin, committee)
    assert put_minutes(api, admin, m["id"], body=body).status == 201
    secretary = token("community_staff", tenant, sub="secretary-wei", communities=[committee["community"]])
    ok = api.post(f"/v1/meetings/{m['id']}/minutes/revisions/1/approve", secretary, {})
    assert ok.status == 200, ok
    return m["id"], ok.json


def integrity_lines(caplog) -> list[logging.LogRecord]:
    return [r for r in caplog.records if getattr(r, "event", None) == "object_integrity_failed"]


def test_a_new_version_over_approved_minutes_is_not_served(api, admin, tenant, committee):  # noqa: F811
    meeting_id, approved = approved_minutes(api, admin, tenant, committee)
    assert approved["version_id"]
    forged = b"# forged minutes\n"
    storage.client().put_object(Bucket=config.BUCKET, Key=approved["key"], Body=forged)  # the current version now
    latest = api.get(f"/v1/meetings/{meeting_id}/minutes", admin)
    assert latest.status == 200, latest
    check_get(latest.json["download_url"], approved["key"], approved["version_id"])
    assert requests.get(latest.json["download_url"], timeout=10).content == MINUTES
    assert storage.read(approved["key"]) == forged  # what an unpinned read would have handed out


def test_another_tenants_edited_upload_url_cannot_replace_approved_minutes(api, admin, tenant, committee,  # noqa: F811
                                                                          platform_token):
    """The incident: a tenant's upload URL with its key edited to another tenant's approved minutes.
    Real S3 refuses the edited URL (the key is signed); the local server takes it, and the pinned
    version is still what the owner gets."""
    from conftest import make_tenant

    meeting_id, approved = approved_minutes(api, admin, tenant, committee)
    intruder = token("district_admin", make_tenant(api, platform_token))
    forged = b"forged"
    up = api.post("/v1/uploads", intruder, {"purpose": "incident_photo", "filename": "a.jpg", "content_type": "image/jpeg",
                                            "size": len(forged), "sha256": hashlib.sha256(forged).hexdigest()}).json
    own_key, _ = parse(up["url"])
    edited = up["url"].replace(f"/{own_key}?", f"/{approved['key']}?", 1)
    assert edited != up["url"]
    put = requests.put(edited, data=forged, headers=up["headers"], timeout=10)
    if put.status_code == 200:  # the stand-in took it: the owner's key now has the forged bytes on top
        assert storage.read(approved["key"]) == forged
    latest = api.get(f"/v1/meetings/{meeting_id}/minutes", admin)
    assert latest.status == 200, latest
    assert requests.get(latest.json["download_url"], timeout=10).content == MINUTES


@pytest.fixture
def unversioned_bucket():
    """Versioning suspended while a test runs: a PUT then replaces the stored object in place."""
    s3 = storage.client()
    s3.put_bucket_versioning(Bucket=config.BUCKET, VersioningConfiguration={"Status": "Suspended"})
    try:
        yield s3
    finally:
        s3.put_bucket_versioning(Bucket=config.BUCKET, VersioningConfiguration={"Status": "Enabled"})


def test_approved_minutes_overwritten_in_place_are_a_409(api, admin, tenant, committee, unversioned_bucket, caplog):  # noqa: F811
    meeting_id, approved = approved_minutes(api, admin, tenant, committee)
    forged = b"# forged minutes, same key\n"
    unversioned_bucket.put_object(Bucket=config.BUCKET, Key=approved["key"], Body=forged)
    caplog.clear()
    for path in (f"/v1/meetings/{meeting_id}/minutes", f"/v1/meetings/{meeting_id}/minutes/revisions"):
        r = api.get(path, admin, headers={"Accept-Language": "en"})
        assert r.status == 409, r
        assert r.json["type"].endswith("/integrity-error") and r.json["revision"] == 1
        assert "download_url" not in r.body.decode() and "forged" not in r.body.decode()
    lines = integrity_lines(caplog)
    assert lines and all(line.levelno == logging.ERROR and line.key == approved["key"] for line in lines)
    assert {line.reason for line in lines} == {"sha256-mismatch"}
    assert "forged" not in " ".join(line.getMessage() + str(line.__dict__) for line in lines)


def test_a_draft_changed_in_place_cannot_be_approved(api, admin, tenant, committee, unversioned_bucket):  # noqa: F811
    m = meeting(api, admin, committee)
    draft = put_minutes(api, admin, m["id"]).json
    unversioned_bucket.put_object(Bucket=config.BUCKET, Key=draft["key"], Body=b"other words")
    secretary = token("community_staff", tenant, sub="secretary-wei", communities=[committee["community"]])
    r = api.post(f"/v1/meetings/{m['id']}/minutes/revisions/1/approve", secretary, {})
    assert r.status == 409 and r.json["type"].endswith("/integrity-error"), r
    assert api.get(f"/v1/meetings/{m['id']}", admin).json.get("approved_revision") is None


def test_a_deleted_pinned_version_is_a_409(api, admin, tenant, committee, caplog):  # noqa: F811
    meeting_id, approved = approved_minutes(api, admin, tenant, committee)
    storage.client().delete_object(Bucket=config.BUCKET, Key=approved["key"], VersionId=approved["version_id"])
    r = api.get(f"/v1/meetings/{meeting_id}/minutes", admin)
    assert r.status == 409 and r.json["type"].endswith("/integrity-error"), r
    assert [line.reason for line in integrity_lines(caplog)] == ["missing"]


def test_read_hands_on_only_the_recorded_bytes(api, admin, tenant, committee):  # noqa: F811
    _, approved = approved_minutes(api, admin, tenant, committee)
    assert storage.read(approved["key"], approved["version_id"], approved["sha256"]) == MINUTES
    storage.client().put_object(Bucket=config.BUCKET, Key=approved["key"], Body=b"newer")
    assert storage.read(approved["key"], approved["version_id"], approved["sha256"]) == MINUTES
    from functions.errors import IntegrityError

    with pytest.raises(IntegrityError):
        storage.read(approved["key"], None, approved["sha256"])


def test_complete_links_the_measured_version_not_a_later_put(tenant):
    """`…/complete` copies the staged version it hashed; bytes PUT to the staging key after that are not linked."""
    staging = f"{tenant_prefix(tenant)}uploads/race"
    measured_version = storage.put(staging, PDF, "application/pdf")
    storage.put(staging, b"later bytes", "application/pdf")
    copied = storage.copy(staging, f"{tenant_prefix(tenant)}minutes/race/copy", measured_version)
    assert storage.read(f"{tenant_prefix(tenant)}minutes/race/copy", copied, hashlib.sha256(PDF).hexdigest()) == PDF
    storage.delete(staging, measured_version)
    assert storage.size_and_sha256(staging, measured_version) is None  # that version is gone for good
    assert storage.read(staging) == b"later bytes"
