"""Long work as jobs: 202 with `Location` at once, a worker on the (real, local) queue, progress,
cancel, failures that show, and each job visible only to the user who started it."""
from __future__ import annotations

from datetime import datetime, timedelta, UTC

import pytest

from conftest import make_structure, make_tenant, token
from functions import config, storage
from functions.exports import jobs as exports
from functions.jobs import queue, records, worker
from functions.models import JobsTable


@pytest.fixture
def held(api):
    """Jobs stay queued until the test runs the worker itself."""
    worker.drain()  # whatever earlier tests left
    api.run_jobs = False
    yield api
    api.run_jobs = True


def start_export(api, admin, tenant, datasets=("streets", "communities", "grids")):
    started = api.post("/v1/exports", admin, {"tenants": [tenant], "datasets": list(datasets), "format": "csv"})
    assert started.status == 202 and started.headers["location"] == f"/v1/jobs/{started.json['id']}", started
    return started


def test_an_export_is_queued_then_run_by_the_worker_with_progress(held, admin, tenant):
    api = held
    make_structure(api, admin)
    started = start_export(api, admin, tenant)
    queued = api.get(started.headers["location"], admin).json
    assert (queued["state"], queued["kind"], queued["progress"], queued["started_at"]) == ("queued", "export", None, None)
    assert queued["links"] == {"self": queued["links"]["self"], "cancel": f"{queued['links']['self']}/cancel",
                               "result": f"/v1/exports/{queued['id']}"}
    assert worker.drain() == 1
    done = api.get(started.headers["location"], admin).json
    assert done["state"] == "succeeded" and done["attempts"] == 1 and "cancel" not in done["links"]
    assert done["progress"]["unit"] == "rows" and done["progress"]["done"] == done["progress"]["total"] >= 3
    assert done["started_at"] <= done["finished_at"] and done["result"]["status"] == "done"
    assert api.get(f"/v1/exports/{done['id']}", admin).json["files"]
    listed = api.get("/v1/jobs?kind=export", admin).json["items"]
    assert [j["id"] for j in listed] == [done["id"]] and api.get("/v1/jobs?kind=assessment_run", admin).json["items"] == []


def test_only_the_user_who_started_a_job_sees_or_cancels_it(held, api, admin, tenant, platform_token):
    started = start_export(held, admin, tenant)
    location = started.headers["location"]
    colleague = token("district_admin", tenant)
    stranger = token("district_admin", make_tenant(api, platform_token))
    for other in (colleague, stranger):
        assert api.get(location, other).status == 404
        assert api.post(f"{location}/cancel", other, {}).status == 404
        assert api.get("/v1/jobs", other).json["items"] == []
    assert api.get("/v1/jobs?kind=nonsense", admin).status == 400
    worker.drain()


def test_a_queued_job_is_cancelled_at_once_and_never_runs(held, admin, tenant):
    api = held
    started = start_export(api, admin, tenant)
    cancelled = api.post(f"{started.headers['location']}/cancel", admin, {"reason": "选错了数据集"}).json
    assert cancelled["state"] == "cancelled" and cancelled["cancel_requested"] and cancelled["finished_at"]
    worker.drain()
    assert api.get(started.headers["location"], admin).json["state"] == "cancelled"
    assert api.get(f"/v1/exports/{started.json['id']}", admin).json["files"] == []
    assert api.post(f"{started.headers['location']}/cancel", admin, {}).status == 409


def test_a_running_export_cancelled_midway_removes_its_files(held, admin, tenant, monkeypatch):
    """The user cancels while the worker is writing: it stops at its next progress step, deletes
    what it wrote and records the export and the job as cancelled."""
    api = held
    ids = make_structure(api, admin)
    for n in range(5):
        api.post("/v1/grids", admin, {"name": f"网格{n}", "community_id": ids["community"]})
    started = start_export(api, admin, tenant, datasets=("grids", "streets"))
    monkeypatch.setattr(exports, "PROGRESS_EVERY", 2)
    original, calls = records.progress, []

    def user_cancels_meanwhile(job, done, total, unit):
        calls.append(done)
        if len(calls) == 2:  # the first rows are written: the user presses cancel
            assert api.post(f"{started.headers['location']}/cancel", admin, {}).json["cancel_requested"] is True
        original(job, done, total, unit)

    monkeypatch.setattr(records, "progress", user_cancels_meanwhile)
    worker.drain()
    job = api.get(started.headers["location"], admin).json
    assert job["state"] == "cancelled" and job["result"] is None, job
    assert api.get(f"/v1/exports/{started.json['id']}", admin).json["status"] == "cancelled"
    left = storage.client().list_objects_v2(Bucket=config.BUCKET, Prefix=f"tenants/{tenant}/exports/")
    assert left.get("KeyCount", 0) == 0


def test_a_transient_failure_is_retried_and_the_third_fails_the_job_visibly(held, admin, tenant, monkeypatch):
    api = held
    started = start_export(api, admin, tenant)
    [message] = queue.receive()
    queue.done(message["receipt"])

    def broken(job, principal):
        raise ConnectionError("the far end went away")

    monkeypatch.setitem(worker.RUNNERS, "export", "test_jobs:broken_runner")
    monkeypatch.setattr("test_jobs.broken_runner", broken, raising=False)
    with pytest.raises(worker.RetryLater):
        worker.handle(message["body"], receives=1)
    assert api.get(started.headers["location"], admin).json["state"] == "running"
    worker.handle(message["body"], receives=3)
    job = api.get(started.headers["location"], admin).json
    assert job["state"] == "failed" and job["attempts"] == 2 and job["problem"]["status"] == 500
    assert "ConnectionError" in job["problem"]["detail"]


def broken_runner(job, principal):  # replaced in the test above
    raise AssertionError("not replaced")


def test_a_job_whose_worker_died_reads_as_failed(held, admin, tenant):
    api = held
    started = start_export(api, admin, tenant)
    [message] = queue.receive()
    item = records.claim(message["body"]["partition"], message["body"]["id"])
    assert item is not None
    data = item.fields()
    data["heartbeat_at"] = (datetime.now(UTC) - timedelta(hours=1)).isoformat(timespec="milliseconds")
    item.data = data
    item.save()
    job = api.get(started.headers["location"], admin).json
    assert job["state"] == "failed" and "worker" in job["problem"]["detail"] and "cancel" not in job["links"]
    queue.done(message["receipt"])


def test_an_assessment_run_is_a_job_with_progress_in_units(api, demo_tenant):
    admin = token("district_admin", demo_tenant)
    started = api.post("/v1/assessments/runs", admin, {"period": "2026-09"})
    result = api.job_result(started, admin)
    job = api.get(started.headers["location"], admin).json
    assert result["period"] == "2026-09" and result["status"] == "published"
    assert job["progress"] == {"done": result["units"], "total": result["units"], "unit": "units"}
    assert job["links"]["result"] == "/v1/assessments?period=2026-09"
    assert api.post("/v1/assessments/runs", token("community_staff", demo_tenant), {"period": "2026-09"}).status == 403
    stored = JobsTable.get(f"{demo_tenant}#job", job["id"])
    assert stored.fields()["principal"]["roles"] == ["district_admin"]


def test_no_district_may_take_the_platform_jobs_prefix(api, platform_token):
    refused = api.post("/v1/tenants", platform_token, {"id": "platform", "name": "平台", "tier": "standard"})
    assert refused.status == 400 and refused.json["errors"][0]["path"] == "/id", refused


def test_a_cancel_that_arrives_as_the_last_part_ends_still_leaves_no_files(held, admin, tenant, monkeypatch):
    api = held
    make_structure(api, admin)
    started = start_export(api, admin, tenant)
    original = exports.run_export

    def and_then_the_user_cancels(*args, **kwargs):
        written = original(*args, **kwargs)
        assert api.post(f"{started.headers['location']}/cancel", admin, {}).status == 200
        return written

    monkeypatch.setattr(exports, "run_export", and_then_the_user_cancels)
    worker.drain()
    assert api.get(started.headers["location"], admin).json["state"] == "cancelled"
    assert api.get(f"/v1/exports/{started.json['id']}", admin).json["status"] == "cancelled"
    left = storage.client().list_objects_v2(Bucket=config.BUCKET, Prefix=f"tenants/{tenant}/exports/")
    assert left.get("KeyCount", 0) == 0


def test_an_offboarding_whose_worker_failed_while_deleting_finishes_on_the_next_receive(api, platform_token, monkeypatch):
    from functions.exports import offboarding
    from functions.models import ALL_TABLES, AuditTable

    tenant = make_tenant(api, platform_token)
    make_structure(api, token("district_admin", tenant))
    api.patch(f"/v1/tenants/{tenant}", platform_token, {"status": "suspended", "version": 1})
    worker.drain()
    api.run_jobs = False
    try:
        started = api.post(f"/v1/tenants/{tenant}/offboard", platform_token, {"confirm": True})
    finally:
        api.run_jobs = True
    original, failures = offboarding._delete_items, []

    def throttled_once(model, tenant_id):
        if model is AuditTable and not failures:
            failures.append(model)
            raise ConnectionError("throttled")
        return original(model, tenant_id)

    monkeypatch.setattr(offboarding, "_delete_items", throttled_once)
    [message] = queue.receive()
    with pytest.raises(worker.RetryLater):
        worker.handle(message["body"], receives=1)
    assert api.get(started.headers["location"], platform_token).json["state"] == "running"
    worker.handle(message["body"], receives=2)  # carries on deleting, without exporting again
    queue.done(message["receipt"])
    folders = {o["Key"].split("/")[2] for o in storage.client().list_objects_v2(
        Bucket=config.BUCKET, Prefix=f"offboarding/{tenant}/").get("Contents", [])}
    assert len(folders) == 1
    done = api.job_result(started, platform_token)
    assert done["tenant"] == tenant and done["export"]["prefix"].startswith(f"offboarding/{tenant}/")
    for model in ALL_TABLES:
        assert [i.pk for i in model.scan(model.pk.startswith(f"{tenant}#"))] == [], model.Meta.table_name


def test_an_export_repeated_with_its_idempotency_key_starts_one_job(held, admin, tenant):
    api = held
    body = {"tenants": [tenant], "datasets": ["streets"], "format": "csv"}
    first = api.post("/v1/exports", admin, body, headers={"Idempotency-Key": "export-streets-1"})
    again = api.post("/v1/exports", admin, body, headers={"Idempotency-Key": "export-streets-1"})
    assert first.status == again.status == 202 and again.headers.get("idempotent-replayed") == "true"
    assert again.headers["location"] == first.headers["location"] and again.json == first.json
    other = api.post("/v1/exports", admin, {**body, "format": "jsonl"}, headers={"Idempotency-Key": "export-streets-1"})
    assert other.status == 422
    assert len(api.get("/v1/jobs?kind=export", admin).json["items"]) == 1
    assert worker.drain() == 1
