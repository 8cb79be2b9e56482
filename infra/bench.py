"""`make bench`: the project's figures, as ratios measured in one run on this machine.

Against the real local stack (DynamoDB Local in memory, the S3 server), it measures:

- cold_start_ratio: median of 5 fresh interpreters' `import app` time ÷ `import boto3` time;
- read_overhead_ratio: a GET of one object through the app (Chalice test client, in process) ÷ the
  raw boto3 GetItem it makes, medians of ≥ 200 interleaved calls each;
- queries_per_list_request: DynamoDB calls one page of each list endpoint makes (max, and each);
- assessment_scaling_ratio: the monthly assessment's time at 4× data ÷ (4 × its time at 1×),
  1× being a Gangbei-sized district (17 communities, 600 units, 20,000 activities);
- export_memory_ratio: peak Python memory exporting 100k rows ÷ exporting 10k rows;
- load_rps / load_p50_ms / load_p99_ms / load_errors: several processes of mixed reads and writes
  across 10 tenants against the local HTTP server for a bounded time, then every tenant checked
  to hold exactly what it wrote;
- package_unzipped_mb, if `make package` has built the artefact.

Writes `build/bench.json` and prints a table.
"""
from __future__ import annotations

import json
import multiprocessing
import os
import statistics
import subprocess
import sys
import threading
import time
import tracemalloc
import zipfile
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from infra.local import stack  # noqa: E402


def cold_start_ratio(runs: int = 5) -> dict[str, float]:
    def timed(module: str) -> float:
        code = f"import time; t = time.perf_counter(); import {module}; print(time.perf_counter() - t)"
        out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True,
                             env={**os.environ, "PYTHONDONTWRITEBYTECODE": "1"})
        return float(out.stdout.strip())

    timed("app"), timed("boto3")  # warm the file cache for both alike
    apps, botos = [], []
    for _ in range(runs):
        apps.append(timed("app"))
        botos.append(timed("boto3"))
    return {"cold_start_ratio": round(statistics.median(apps) / statistics.median(botos), 3),
            "import_app_ms": round(statistics.median(apps) * 1000, 1),
            "import_boto3_ms": round(statistics.median(botos) * 1000, 1)}


def cold_read_ratio(token: str, street_id: str, runs: int = 5) -> dict[str, float]:
    """A fresh interpreter's import plus its first read: `import app` + one GET through the app,
    against `import boto3` + client + one raw GetItem. (Routes load their services on first use, so
    `import app` alone no longer shows what a cold data request pays.)"""
    from functions.models import GridsTable

    event = {"resource": "/v1/streets/{street_id}", "path": f"/v1/streets/{street_id}", "httpMethod": "GET",
             "headers": {"Authorization": f"Bearer {token}"}, "multiValueHeaders": {}, "queryStringParameters": None,
             "multiValueQueryStringParameters": None, "pathParameters": {"street_id": street_id}, "stageVariables": None,
             "body": None, "isBase64Encoded": False,
             "requestContext": {"resourcePath": "/v1/streets/{street_id}", "httpMethod": "GET", "requestId": "bench"}}
    # the app invoked with an API Gateway event, as Lambda does (no test client)
    app_code = ("import time; t = time.perf_counter(); import app\n"
                f"r = app.app({event!r}, None)\n"
                "assert r['statusCode'] == 200, r; print(time.perf_counter() - t)")
    raw_code = ("import time, os; t = time.perf_counter(); import boto3\n"
                "c = boto3.client('dynamodb', endpoint_url=os.environ['GONGJIAN_DYNAMODB_ENDPOINT'], region_name='cn-north-1')\n"
                f"c.get_item(TableName='{GridsTable.Meta.table_name}', Key={{'pk': {{'S': 'bench-read#street'}}, "
                f"'sk': {{'S': '{street_id}'}}}}); print(time.perf_counter() - t)")

    def timed(code: str) -> float:
        out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True,
                             env={**os.environ, "PYTHONDONTWRITEBYTECODE": "1"})
        return float(out.stdout.strip().splitlines()[-1])

    timed(app_code), timed(raw_code)
    apps, raws = [], []
    for _ in range(runs):
        apps.append(timed(app_code))
        raws.append(timed(raw_code))
    return {"cold_read_ratio": round(statistics.median(apps) / statistics.median(raws), 3),
            "cold_read_app_ms": round(statistics.median(apps) * 1000, 1),
            "cold_read_raw_ms": round(statistics.median(raws) * 1000, 1)}


def _tenant(client: Any, platform: str, tenant_id: str) -> str:
    from functions import local_issuer

    client.http.post("/v1/tenants", headers={"Authorization": f"Bearer {platform}", "Content-Type": "application/json"},
                     body=json.dumps({"id": tenant_id, "name": tenant_id, "tier": "standard"}))
    return local_issuer.mint(f"admin@{tenant_id}", ["district_admin", "grid_worker"], tenant=tenant_id)


def make_street(client: Any, token: str) -> str:
    headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
    street_id: str = json.loads(client.http.post("/v1/streets", headers=headers, body=json.dumps({"name": "贵城街道"})).body)["id"]
    return street_id


def read_overhead_ratio(client: Any, token: str, street_id: str, calls: int = 300) -> dict[str, float]:
    import boto3

    from functions import config
    from functions.models import GridsTable

    headers = {"Authorization": f"Bearer {token}"}
    raw = boto3.client("dynamodb", endpoint_url=config.DYNAMODB_ENDPOINT, region_name=config.REGION)
    key = {"pk": {"S": "bench-read#street"}, "sk": {"S": street_id}}
    app_times, raw_times = [], []
    for _ in range(calls):
        t = time.perf_counter()
        client.http.get(f"/v1/streets/{street_id}", headers=headers)
        app_times.append(time.perf_counter() - t)
        t = time.perf_counter()
        raw.get_item(TableName=GridsTable.Meta.table_name, Key=key)
        raw_times.append(time.perf_counter() - t)
    return {"read_overhead_ratio": round(statistics.median(app_times) / statistics.median(raw_times), 3),
            "read_app_ms": round(statistics.median(app_times) * 1000, 2),
            "read_raw_ms": round(statistics.median(raw_times) * 1000, 2)}


def queries_per_list_request(client: Any, token: str) -> dict[str, Any]:
    """Count DynamoDB calls per list page (after one warm-up call caches the tenant profile)."""
    import botocore.client

    from app import app

    calls: list[str] = []
    original = botocore.client.BaseClient._make_api_call

    def counting(self: Any, operation: str, params: dict[str, Any]) -> Any:
        if self.meta.service_model.service_name == "dynamodb":
            calls.append(operation)
        return original(self, operation, params)

    headers = {"Authorization": f"Bearer {token}"}
    per_endpoint: dict[str, int] = {}
    botocore.client.BaseClient._make_api_call = counting
    try:
        for path, methods in sorted(app.routes.items()):
            if "GET" not in methods or "{" in path or path in ("/v1/health", "/v1/openapi.json", "/docs", "/v1/me"):
                continue
            query = {"/v1/assessments": "?period=2026-10", "/v1/meetings/flags": "?period=2026-10",
                     "/v1/volunteer-reports": "?quarter=2026-Q4", "/v1/stats/grid-work": "?period=2026-10",
                     "/v1/volunteer-activities/totals": "?period=2026-10", "/v1/grids/locate": "?lat=23.1&lon=109.6",
                     "/v1/meetings/attendance": "?committee_id=01J0000000000000000000000Z"}.get(path, "")
            client.http.get(path + query, headers=headers)
            calls.clear()
            response = client.http.get(path + query, headers=headers)
            body = json.loads(response.body or b"{}")
            if isinstance(body, dict) and "items" in body and "next_cursor" in body:
                per_endpoint[path] = len(calls)
    finally:
        botocore.client.BaseClient._make_api_call = original
    return {"queries_per_list_request": max(per_endpoint.values()), "queries_per_list_endpoint": per_endpoint}


def _bulk_assessment_data(tenant: str, scale: int) -> None:
    """A Gangbei-sized month × scale, written directly in the shapes the services write."""
    from functions.assessments.activities import DIMENSIONS
    from functions.ids import new_id
    from functions.models import AssessmentsTable, CommitteesTable

    units = []
    with CommitteesTable.batch_write() as batch:
        for u in range(600 * scale):
            unit_id, community = new_id(), f"c{u % (17 * scale):03d}"
            units.append((unit_id, community))
            batch.save(CommitteesTable(f"{tenant}#unit", unit_id, kind="unit", data={
                "name": f"单位{u}", "kind": "government", "community_id": community,
                "party_org": {"status": "standardized", "members": 5}}))
    with AssessmentsTable.batch_write() as batch:
        for a in range(20_000 * scale):
            unit_id, community = units[(a * 7919) % len(units)]
            item_id = new_id()
            batch.save(AssessmentsTable(f"{tenant}#cobuilding_activity", item_id, kind="cobuilding_activity",
                                        gsi2pk=f"{tenant}#cobuilding-period#2026-10", gsi2sk=f"{unit_id}#{item_id}",
                                        data={"unit_id": unit_id, "community_id": community, "period": "2026-10",
                                              "dimension": DIMENSIONS[a % 5], "participants": 1 + a % 9,
                                              "hours": 1 + a % 4, "occurred_at": "2026-10-15T12:00:00+08:00"}))


def assessment_scaling_ratio(client: Any, platform: str) -> dict[str, float]:
    from functions.assessments import runs
    from functions.tenancy import system_context

    seconds, gathered = {}, {}
    for scale in (1, 4):
        tenant = f"bench-assess-{scale}x"
        _tenant(client, platform, tenant)
        _bulk_assessment_data(tenant, scale)
        t = time.perf_counter()
        runs.gather(system_context(tenant), "2026-10")
        gathered[scale] = time.perf_counter() - t
        t = time.perf_counter()
        result = runs.run_period(system_context(tenant), "2026-10")
        seconds[scale] = time.perf_counter() - t
        assert result["units"] == 600 * scale
    return {"assessment_scaling_ratio": round(seconds[4] / (4 * seconds[1]), 3),
            "assessment_1x_s": round(seconds[1], 2), "assessment_4x_s": round(seconds[4], 2),
            "assessment_gather_ratio": round(gathered[4] / (4 * gathered[1]), 3),
            "assessment_gather_1x_s": round(gathered[1], 2), "assessment_gather_4x_s": round(gathered[4], 2)}


def export_memory_ratio(client: Any, platform: str) -> dict[str, float]:
    from functions.exports import writer
    from functions.ids import new_id
    from functions.models import GridsTable
    from functions.exports import datasets
    from functions.tenancy import system_context

    peaks = {}
    for rows in (10_000, 100_000):
        tenant = f"bench-export-{rows // 1000}k"
        _tenant(client, platform, tenant)
        with GridsTable.batch_write() as batch:
            for n in range(rows):
                batch.save(GridsTable(f"{tenant}#patrol", new_id(), kind="patrol", version=1, created_at="2026-10-01T00:00:00Z",
                                      data={"grid_id": "g", "date": "2026-10-01", "worker": f"w{n}",
                                            "findings": ["消防通道堵塞", "路灯不亮"], "hours": 2}))
        fields = [c[0] for c in datasets.columns("patrols")]
        tracemalloc.start()
        written = writer.write_rows(f"tenants/{tenant}/exports/bench/patrols.csv", "csv", fields, fields,
                                    datasets.rows(system_context(tenant), "patrols", None, None))
        peaks[rows] = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
        assert written["rows"] == rows
    return {"export_memory_ratio": round(peaks[100_000] / peaks[10_000], 3),
            "export_peak_10k_mb": round(peaks[10_000] / 2**20, 2), "export_peak_100k_mb": round(peaks[100_000] / 2**20, 2)}


def _load_worker(args: tuple[str, list[tuple[str, str]], float, int]) -> dict[str, Any]:
    """One load process: its tenants' reads and writes until the deadline (bounded by count too)."""
    import requests

    base, tenants, seconds, seed = args
    latencies, errors, written = [], 0, {t: 0 for t, _ in tenants}
    deadline, n = time.monotonic() + seconds, 0
    session = requests.Session()
    while time.monotonic() < deadline and n < 20_000:
        tenant, token = tenants[(n + seed) % len(tenants)]
        headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
        t = time.perf_counter()
        if n % 5 == 0:
            r = session.post(f"{base}/v1/streets", headers=headers, data=json.dumps({"name": f"街道{seed}-{n}"}).encode())
            ok = r.status_code == 201
            written[tenant] += ok
        else:
            r = session.get(f"{base}/v1/streets?limit=20", headers=headers)
            ok = r.status_code == 200
        latencies.append(time.perf_counter() - t)
        errors += not ok
        n += 1
    return {"latencies": latencies, "errors": errors, "written": written}


def load(client: Any, platform: str, seconds: float = 20, processes: int = 4) -> dict[str, Any]:
    from infra.local import server

    tokens = [(f"bench-load-{i:02d}", _tenant(client, platform, f"bench-load-{i:02d}")) for i in range(10)]
    port = stack.free_port()
    threading.Thread(target=server.serve, args=(port,), daemon=True).start()
    stack.wait_for_port(port, "API server")
    base = f"http://127.0.0.1:{port}"
    started = time.perf_counter()
    with multiprocessing.get_context("spawn").Pool(processes) as pool:
        results = pool.map(_load_worker, [(base, tokens, seconds, i) for i in range(processes)])
    elapsed = time.perf_counter() - started
    latencies = sorted(x for r in results for x in r["latencies"])
    written = {t: sum(r["written"][t] for r in results) for t, _ in tokens}
    mismatched = []
    for tenant, token in tokens:
        items, cursor = 0, None
        while True:
            path = "/v1/streets?limit=200" + (f"&cursor={cursor}" if cursor else "")
            page = json.loads(client.http.get(path, headers={"Authorization": f"Bearer {token}"}).body)
            items += len(page["items"])
            cursor = page["next_cursor"]
            if not cursor:
                break
        if items != written[tenant]:
            mismatched.append(tenant)
    return {"load_rps": round(len(latencies) / elapsed, 1), "load_p50_ms": round(latencies[len(latencies) // 2] * 1000, 1),
            "load_p99_ms": round(latencies[int(len(latencies) * 0.99)] * 1000, 1),
            "load_errors": sum(r["errors"] for r in results), "load_requests": len(latencies),
            "load_tenants_mismatched": len(mismatched)}


def package_size() -> dict[str, Any]:
    zips = sorted((ROOT / "build").glob("*/deployment.zip"))
    if not zips:
        return {"package_unzipped_mb": None}
    with zipfile.ZipFile(zips[0]) as z:
        return {"package_unzipped_mb": round(sum(i.file_size for i in z.infolist()) / 2**20, 1)}


def main() -> None:
    ddb_port, s3_port = stack.free_port(), stack.free_port()
    os.environ.update(stack.local_environment(ddb_port, s3_port))
    os.environ.update({"GONGJIAN_TABLE_PREFIX": "gongjian-bench", "GONGJIAN_BUCKET": "gongjian-bench-data",
                       "POWERTOOLS_LOG_LEVEL": "WARNING"})
    procs = [stack.start_dynamodb(ddb_port, None), stack.start_s3(s3_port)]
    try:
        stack.create_tables_and_bucket()
        from chalice.test import Client

        from app import app
        from functions import local_issuer

        figures: dict[str, Any] = {"measured_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())}
        figures.update(cold_start_ratio())
        platform = local_issuer.mint("bench", ["platform_admin"])
        with Client(app) as client:
            token = _tenant(client, platform, "bench-read")
            street_id = make_street(client, token)
            figures.update(read_overhead_ratio(client, token, street_id))
            figures.update(cold_read_ratio(token, street_id))
            figures.update(queries_per_list_request(client, token))
            figures.update(assessment_scaling_ratio(client, platform))
            figures.update(export_memory_ratio(client, platform))
            figures.update(load(client, platform))
        figures.update(package_size())
    finally:
        stack.stop(procs)
    (ROOT / "build").mkdir(exist_ok=True)
    (ROOT / "build" / "bench.json").write_text(json.dumps(figures, indent=2, ensure_ascii=False))
    print("| figure | value |\n|---|---:|")
    for key, value in figures.items():
        if not isinstance(value, dict):
            print(f"| {key} | {value} |")
    print("\nqueries per list endpoint: " + ", ".join(f"{k} {v}" for k, v in figures["queries_per_list_endpoint"].items()))


if __name__ == "__main__":
    main()
