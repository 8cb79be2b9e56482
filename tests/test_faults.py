"""Faults we cannot cause on DynamoDB Local or the S3 server, injected with botocore's Stubber:
throttling and transaction conflicts surface as 503 with Retry-After once retries run out, and S3
failures leave no half-written record or object."""
from __future__ import annotations

from botocore.stub import Stubber

from conftest import make_structure
from functions import config, storage, store
from functions.models import GridsTable


def test_transaction_conflicts_are_retried_then_503(api, admin):
    client = store._connection().client
    with Stubber(client) as stub:
        for _ in range(store.MAX_ATTEMPTS):
            stub.add_client_error("transact_write_items", service_error_code="TransactionCanceledException",
                                  service_message="Transaction cancelled",
                                  modeled_fields={"CancellationReasons": [{"Code": "None"}, {"Code": "None"},
                                                                          {"Code": "TransactionConflict"}]})
        r = api.post("/v1/streets", admin, {"name": "贵城街道"})
        stub.assert_no_pending_responses()  # every attempt was made
    assert r.status == 503 and r.headers["retry-after"] == "1", r
    assert r.headers["content-type"].startswith("application/problem+json")
    assert api.get("/v1/streets", admin).json["items"] == []


def test_one_conflict_is_retried_transparently(api, admin):
    client = store._connection().client
    with Stubber(client) as stub:
        stub.add_client_error("transact_write_items", service_error_code="TransactionCanceledException",
                              modeled_fields={"CancellationReasons": [{"Code": "None"}, {"Code": "TransactionConflict"},
                                                                      {"Code": "None"}]})
        stub.add_response("transact_write_items", {})
        r = api.post("/v1/streets", admin, {"name": "贵城街道"})
    assert r.status == 201, r


def test_throttled_reads_become_503_with_retry_after(api, admin):
    ids = make_structure(api, admin)
    client = GridsTable._get_connection().connection.client
    with Stubber(client) as stub:
        for _ in range(10):
            stub.add_client_error("get_item", service_error_code="ProvisionedThroughputExceededException",
                                  http_status_code=400)
        r = api.get(f"/v1/grids/{ids['grid']}", admin)
    assert r.status == 503 and r.headers["retry-after"] == "2", r
    assert api.get(f"/v1/grids/{ids['grid']}", admin).status == 200


def test_s3_failure_during_an_export_leaves_no_file(api, admin, tenant):
    with Stubber(storage.client()) as stub:
        stub.add_client_error("create_multipart_upload", service_error_code="InternalError", http_status_code=500)
        r = api.post("/v1/exports", admin, {"tenants": [tenant], "datasets": ["streets"], "format": "csv"})
    assert r.status == 202, r
    job = api.get(r.headers["location"], admin).json
    assert job["state"] == "failed" and "streets.csv" in job["problem"]["detail"], job
    export = api.get(f"/v1/exports/{r.json['id']}", admin).json
    assert export["status"] == "failed" and export["files"] == [], export
    left = storage.client().list_objects_v2(Bucket=config.BUCKET, Prefix=f"tenants/{tenant}/exports/")
    assert left.get("KeyCount", 0) == 0


def test_a_fault_while_locating_a_report_is_not_blamed_on_the_location(api, admin):
    """Once any exception there became 422 "the location is in no grid"; now only a real miss does."""
    make_structure(api, admin)
    client = GridsTable._get_connection().connection.client
    with Stubber(client) as stub:
        for _ in range(10):
            stub.add_client_error("query", service_error_code="ProvisionedThroughputExceededException", http_status_code=400)
        r = api.post("/v1/incidents", admin, {"category": "dispute", "description": "邻里纠纷",
                                              "location": {"lat": 23.105, "lon": 109.605}})
    assert r.status == 503, r
    missed = api.post("/v1/incidents", admin, {"category": "dispute", "description": "邻里纠纷",
                                               "location": {"lat": 30.0, "lon": 120.0}})
    assert missed.status == 422 and missed.json["errors"][0]["path"] == "/location"
