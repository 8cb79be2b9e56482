"""`make bench`: the project's figures, as ratios measured in one run on this machine.

Against the real local stack (DynamoDB Local in memory, the S3 server), it measures:

- against the minimal peer app (`infra/bench/peer_app.py`: bare Chalice, one PynamoDB model, PyJWT
  RS256, one GetItem / Query / PutItem), both invoked with the same API Gateway events, ours ÷ peer:
  - cold_data_ratio / cold_list_ratio: a fresh interpreter's import + first authenticated
    `GET /v1/streets/{id}` (`GET /v1/streets?limit=50`), medians of 7 interpreters each, alternating;
  - warm_read_ratio / warm_list_ratio: p50 of 200 warm calls in this process, alternating;
  - warm_write_ratio: p50 of 200 `POST /v1/streets` with an Idempotency-Key (the item, its audit entry
    and the idempotency record in one transaction) ÷ the peer's plain PutItem; no budget;
  and the cold-path profile (`build/bench-profile.txt`): imports summed by top-level package
  (`python -X importtime`), then cProfile of the first call (client creation, token, tenant profile, item);
- cold_start_ratio: median of 5 fresh interpreters' `import app` time ÷ `import boto3` time;
- read_overhead_ratio: a GET of one object through the app (Chalice test client, in process) ÷ the
  raw boto3 GetItem it makes, medians of ≥ 200 interleaved calls each;
- queries_per_list_request: DynamoDB calls one page of each list endpoint makes (max, and each);
- assessment_scaling_ratio: the monthly assessment's time at 4× data ÷ (4 × its time at 1×),
  1× being a Gangbei-sized district (17 communities, 600 units, 20,000 activities);
- export_memory_ratio: peak Python memory exporting 100k rows ÷ exporting 10k rows;
- load_rps / load_p50_ms / load_p99_ms / load_errors: 4 processes of mixed reads and writes across
  10 tenants against the local HTTP server (its worker processes), 5 s unmeasured (each server
  worker's first requests are cold starts) then 20 s measured, then every tenant checked to hold
  exactly what it wrote;
- package_unzipped_mb, if `make package` has built the artefact.

Writes `build/bench.json` and prints a table, each ratio with the medians it came from.
"""
from __future__ import annotations

import copy
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
from collections import Counter
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
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


# ---- ours ÷ the minimal peer app (infra/bench/peer_app.py) ----

PEER_IMPORT = "from infra.bench.peer_app import app"
OURS_IMPORT = "from app import app"


def peer_environment() -> dict[str, str]:
    """What the peer reads: our streets' table, the local issuer's public key, the same issuer and audience."""
    from cryptography.hazmat.primitives import serialization

    from functions import config, local_issuer
    from functions.models import GridsTable

    pem = local_issuer.public_key().public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
    return {"PEER_TABLE": GridsTable.Meta.table_name, "PEER_PUBLIC_KEY": pem.decode(),
            "PEER_DYNAMODB_ENDPOINT": config.DYNAMODB_ENDPOINT or "", "PEER_JWT_ISSUER": config.JWT_ISSUER,
            "PEER_JWT_AUDIENCE": config.JWT_AUDIENCE}


def api_event(method: str, resource: str, path: str, token: str, *, path_parameters: dict[str, str] | None = None,
              query: dict[str, str] | None = None, body: Any = None, headers: dict[str, str] | None = None) -> dict[str, Any]:
    """An API Gateway (REST, proxy) event, as Lambda hands it to the app."""
    h = {"Authorization": f"Bearer {token}", **(headers or {})}
    if body is not None:
        h["Content-Type"] = "application/json"
    return {"resource": resource, "path": path, "httpMethod": method, "headers": h,
            "multiValueHeaders": {k: [v] for k, v in h.items()}, "queryStringParameters": query,
            "multiValueQueryStringParameters": {k: [v] for k, v in query.items()} if query else None,
            "pathParameters": path_parameters, "stageVariables": None,
            "body": json.dumps(body, ensure_ascii=False) if body is not None else None, "isBase64Encoded": False,
            "requestContext": {"resourcePath": resource, "httpMethod": method, "requestId": "bench"}}


def read_event(token: str, street_id: str) -> dict[str, Any]:
    return api_event("GET", "/v1/streets/{street_id}", f"/v1/streets/{street_id}", token,
                     path_parameters={"street_id": street_id})


def list_event(token: str) -> dict[str, Any]:
    return api_event("GET", "/v1/streets", "/v1/streets", token, query={"limit": "50"})


def write_event(token: str, n: int) -> dict[str, Any]:
    return api_event("POST", "/v1/streets", "/v1/streets", token, body={"name": f"街道{n}"},
                     headers={"Idempotency-Key": f"bench-{n}-{time.time_ns()}"})


def cold_code(import_line: str, event: dict[str, Any]) -> str:
    """A fresh interpreter's import and first call, timed from before the import."""
    return ("import time; t = time.perf_counter()\n"
            f"{import_line}\n"
            f"r = app({event!r}, None)\n"
            "assert r['statusCode'] == 200, r; print(time.perf_counter() - t)")


def _fresh(code: str, *flags: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, *flags, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True,
                          env={**os.environ, "PYTHONDONTWRITEBYTECODE": "1"})


def compile_like_the_package() -> None:
    """Compile ours and the peer as `make package` ships ours (hash-checked .pyc). The cold runs set
    PYTHONDONTWRITEBYTECODE, so a module edited since its last .pyc would otherwise be compiled from
    source in every run, a cost no deployed container pays."""
    import compileall
    import py_compile

    mode = py_compile.PycInvalidationMode.CHECKED_HASH
    for path in (ROOT / "functions", ROOT / "infra" / "bench"):
        compileall.compile_dir(path, quiet=1, invalidation_mode=mode)
    compileall.compile_file(ROOT / "app.py", quiet=1, invalidation_mode=mode)


def cold_ratio(name: str, ours_event: dict[str, Any], peer_event: dict[str, Any], runs: int = 7) -> dict[str, Any]:
    """Medians of `runs` fresh interpreters each, ours and the peer alternating (after one of each to
    warm the file cache)."""
    codes = {"ours": cold_code(OURS_IMPORT, ours_event), "peer": cold_code(PEER_IMPORT, peer_event)}
    samples: dict[str, list[float]] = {"ours": [], "peer": []}
    for _ in range(runs + 1):
        for who, code in codes.items():
            samples[who].append(float(_fresh(code).stdout.strip().splitlines()[-1]) * 1000)
    ours, peer = statistics.median(samples["ours"][1:]), statistics.median(samples["peer"][1:])
    return {f"{name}_ratio": round(ours / peer, 3), f"{name}_ours_ms": round(ours, 1), f"{name}_peer_ms": round(peer, 1)}


def warm_ratio(name: str, ours: Any, peer: Any, events: Any, calls: int = 200, status: int = 200) -> dict[str, Any]:
    """p50 of `calls` in-process invocations each, alternating; `events(who, n)` makes each call's event
    (outside the timing)."""
    times: dict[str, list[float]] = {"ours": [], "peer": []}
    apps = {"ours": ours, "peer": peer}
    for n in range(-10, calls):  # ten unmeasured calls each first
        for who, app in apps.items():
            event = events(who, n)
            t = time.perf_counter()
            response = app(event, None)
            elapsed = time.perf_counter() - t
            assert response["statusCode"] == status, (who, response)
            if n >= 0:
                times[who].append(elapsed * 1000)
    ours_ms, peer_ms = statistics.median(times["ours"]), statistics.median(times["peer"])
    return {f"{name}_ratio": round(ours_ms / peer_ms, 3), f"{name}_ours_ms": round(ours_ms, 2),
            f"{name}_peer_ms": round(peer_ms, 2)}


def peer_figures(client: Any, platform: str) -> tuple[dict[str, Any], str]:
    """Ours ÷ the peer on the same data: a tenant with 60 streets written through our API (the peer
    reads the same items: `<tenant>#street`, the id, the `data` map), writes into tenants of their own."""
    from app import app
    from functions import local_issuer

    os.environ.update(peer_environment())
    from infra.bench.peer_app import app as peer

    token = _tenant(client, platform, "bench-peer")
    streets = [make_street(client, token) for _ in range(60)]
    writer = {"ours": _tenant(client, platform, "bench-write"),
              "peer": local_issuer.mint("admin@bench-write-peer", ["district_admin"], tenant="bench-write-peer")}
    read, listing = read_event(token, streets[0]), list_event(token)
    for who, target in (("ours", app), ("peer", peer)):  # the same answers from both, before timing them
        answer = target(copy.deepcopy(read), None)  # the app adds to an event's requestContext: a copy per call
        assert answer["statusCode"] == 200 and json.loads(answer["body"])["name"] == "贵城街道", (who, answer)
        answer = target(copy.deepcopy(listing), None)
        assert answer["statusCode"] == 200 and len(json.loads(answer["body"])["items"]) == 50, (who, answer)
    figures: dict[str, Any] = {}
    figures.update(cold_ratio("cold_data", read, read))
    figures.update(cold_ratio("cold_list", listing, listing))
    figures.update(warm_ratio("warm_read", app, peer, lambda who, n: copy.deepcopy(read)))
    figures.update(warm_ratio("warm_list", app, peer, lambda who, n: copy.deepcopy(listing)))
    figures.update(warm_ratio("warm_write", app, peer, lambda who, n: write_event(writer[who], n), status=201))
    for who, target in (("ours", app), ("peer", peer)):  # what the write's DynamoDB calls cost, apart
        ms, operations = dynamodb_time(target, lambda n, who=who: write_event(writer[who], 10_000 + n))
        figures[f"warm_write_{who}_dynamodb_ms"], figures[f"warm_write_{who}_operations"] = ms, operations
    return figures, cold_profile(read)


def dynamodb_time(target: Any, events: Any, calls: int = 50) -> tuple[float, str]:
    """p50 of the milliseconds a warm call spends inside DynamoDB calls, and the operations it makes
    (a pass of its own, so the timed figures carry no wrapper)."""
    import botocore.client

    original = botocore.client.BaseClient._make_api_call
    spent: list[tuple[str, float]] = []

    def timed(self: Any, operation: str, params: dict[str, Any]) -> Any:
        t = time.perf_counter()
        try:
            return original(self, operation, params)
        finally:
            spent.append((operation, time.perf_counter() - t))

    per_call: list[float] = []
    per_operation: dict[tuple[int, str], list[float]] = {}
    botocore.client.BaseClient._make_api_call = timed
    try:
        for n in range(calls):
            spent.clear()
            target(events(n), None)
            per_call.append(sum(seconds for _, seconds in spent) * 1000)
            for i, (operation, seconds) in enumerate(spent):
                per_operation.setdefault((i, operation), []).append(seconds * 1000)
    finally:
        botocore.client.BaseClient._make_api_call = original
    operations = " + ".join(f"{operation} {statistics.median(ms):.2f} ms" for (_, operation), ms in sorted(per_operation.items())
                            if len(ms) * 2 > calls)  # the calls most requests make, p50 each
    return round(statistics.median(per_call), 2), operations


PROFILE_FUNCTIONS = [  # (what, file ending, function): cumulative inside the first call; they overlap
    ("imports made during the call", "<frozen importlib._bootstrap>", "_find_and_load"),
    ("botocore client creation", "botocore/session.py", "create_client"),
    ("token verification (ours: verify_bearer)", "functions/auth.py", "verify_bearer"),
    ("  of which the signing key", "functions/auth.py", "_signing_key"),
    ("token verification (peer)", "infra/bench/peer_app.py", "tenant"),
    ("  PyJWT decode", "jwt/api_jwt.py", "decode"),
    ("tenant profile read", "functions/platform/tenants.py", "standing"),
    ("item read (ours: store.get)", "functions/store.py", "get"),
    ("item read (PynamoDB Model.get)", "pynamodb/models.py", "get"),
    ("DynamoDB calls (botocore _make_api_call)", "botocore/client.py", "_make_api_call"),
    ("  of which HTTP send", "botocore/endpoint.py", "_send"),
]

PROFILE_CODE = """
import cProfile, json, pstats, time
t = time.perf_counter()
{import_line}
imported = time.perf_counter() - t
profile = cProfile.Profile()
t = time.perf_counter()
profile.enable()
r = app({event!r}, None)
profile.disable()
called = time.perf_counter() - t
assert r['statusCode'] == 200, r
stats = pstats.Stats(profile).stats
rows = [[f, l, n, ct, tt] for (f, l, n), (cc, nc, tt, ct, callers) in stats.items()]
print(json.dumps({{"import_s": imported, "call_s": called, "rows": rows}}))
"""


SPLIT_CODE = """
import time
t = time.perf_counter()
{import_line}
imported = time.perf_counter() - t
t = time.perf_counter()
r = app({event!r}, None)
called = time.perf_counter() - t
assert r['statusCode'] == 200, r
print(imported, called)
"""


def _importtime(code: str) -> tuple[float, list[tuple[str, float]]]:
    """Self time of every import in a fresh interpreter, summed by top-level package (ms)."""
    per_package: dict[str, float] = {}
    for line in _fresh(code, "-X", "importtime").stderr.splitlines():
        if not line.startswith("import time:") or "self [us]" in line:
            continue
        self_us, _, module = (part.strip() for part in line[len("import time:"):].split("|"))
        package = module.split(".")[0]
        per_package[package] = per_package.get(package, 0.0) + int(self_us) / 1000
    return sum(per_package.values()), sorted(per_package.items(), key=lambda kv: -kv[1])


def cold_profile(event: dict[str, Any]) -> str:
    """What a cold data request spends its milliseconds on, ours and the peer's, as text."""
    out = [f"Cold data request (GET /v1/streets/{{id}} as an API Gateway event, fresh interpreter), "
           f"{time.strftime('%Y-%m-%d %H:%M', time.gmtime())} UTC. Profilers add their own overhead: "
           "read the shares, not the totals."]
    for who, import_line in (("ours", OURS_IMPORT), ("peer", PEER_IMPORT)):
        code = cold_code(import_line, event)
        _fresh(code)  # file cache
        total, packages = _importtime(code)
        out.append(f"\n== {who}: imports (python -X importtime, self time summed by top-level package) ==")
        out.append(f"{'all imports':40} {total:8.1f} ms")
        out += [f"  {package:38} {ms:8.1f} ms" for package, ms in packages[:15]]
        split = [[float(x) * 1000 for x in _fresh(SPLIT_CODE.format(import_line=import_line, event=event)).stdout.split()[-2:]]
                 for _ in range(3)]
        out.append(f"\n== {who}: without a profiler (medians of 3 fresh interpreters) ==")
        out.append(f"{'import':40} {statistics.median(s[0] for s in split):8.1f} ms")
        out.append(f"{'first call':40} {statistics.median(s[1] for s in split):8.1f} ms")
        result = json.loads(_fresh(PROFILE_CODE.format(import_line=import_line, event=event)).stdout.strip().splitlines()[-1])
        rows, total_ms = result["rows"], result["call_s"] * 1000
        out.append(f"\n== {who}: cProfile of the first call (cumulative; the lines overlap) ==")
        out.append(f"{'first call under the profiler':40} {total_ms:8.1f} ms  100 %")
        for what, file_end, function in PROFILE_FUNCTIONS:
            ms = sum(r[3] for r in rows if r[0].endswith(file_end) and r[2] == function) * 1000
            if ms:
                out.append(f"  {what:38} {ms:8.1f} ms  {100 * ms / total_ms:3.0f} %")
        out.append("  top 15 functions by cumulative time:")
        for f, line, name, ct, _tt in sorted(rows, key=lambda r: -r[3])[:15]:
            where = f.split("site-packages/")[-1].replace(str(ROOT) + "/", "")
            out.append(f"    {ct * 1000:8.1f} ms  {name}  ({where}:{line})")
    return "\n".join(out) + "\n"


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
                                        gsi1pk=f"{tenant}#unit#{unit_id}#cobuilding", gsi1sk=f"2026-10#{item_id}",
                                        gsi2pk=f"{tenant}#cobuilding-period#2026-10", gsi2sk=f"{unit_id}#{item_id}",
                                        data={"unit_id": unit_id, "community_id": community, "period": "2026-10",
                                              "dimension": DIMENSIONS[a % 5], "participants": 1 + a % 9,
                                              "hours": 1 + a % 4, "occurred_at": "2026-10-15T12:00:00+08:00"}))


def assessment_scaling_ratio(client: Any, platform: str) -> dict[str, float]:
    """The on-demand assessment run as users start it: `POST /v1/assessments/runs` (a job), run by
    the job worker, timed from the request to the job's end, at 1× and 4× a month's data."""
    from functions.assessments import runs
    from functions.jobs import worker
    from functions.tenancy import system_context

    seconds, gathered = {}, {}
    for scale in (1, 4):
        tenant = f"bench-assess-{scale}x"
        admin = _tenant(client, platform, tenant)
        _bulk_assessment_data(tenant, scale)
        t = time.perf_counter()
        runs.gather(system_context(tenant), "2026-10")
        gathered[scale] = time.perf_counter() - t
        t = time.perf_counter()
        started = client.http.post("/v1/assessments/runs", headers={"Authorization": f"Bearer {admin}",
                                   "Content-Type": "application/json"}, body=json.dumps({"period": "2026-10"}).encode())
        assert started.status_code == 202, started.body
        worker.drain()
        seconds[scale] = time.perf_counter() - t
        job = json.loads(client.http.get(_location(started), headers={"Authorization": f"Bearer {admin}"}).body)
        assert job["state"] == "succeeded" and job["result"]["units"] == 600 * scale, job
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


def concurrent_writers(client: Any, platform: str, levels: tuple[int, ...] = (1, 4, 16, 50),
                       writes_each: int = 8) -> dict[str, Any]:
    """Writers of one tenant at once, through the service layer (each thread a Lambda's worth of
    writes): throughput, refusals and p50 per level; then the chain links them all, verifies, and
    finds one entry altered among them."""
    from concurrent.futures import ThreadPoolExecutor

    from functions.audit import chain, chainer
    from functions.audit import verify as audit_verify
    from functions.errors import ServiceUnavailable
    from functions.models import AuditTable
    from functions.structure import service as structure
    from functions.tenancy import system_context

    tenant = "bench-writers"
    _tenant(client, platform, tenant)
    ctx = system_context(tenant)
    out: dict[str, Any] = {}

    def write(n: int) -> tuple[bool, float]:
        t = time.perf_counter()
        try:
            structure.create(ctx, "street", {"name": f"并发街道{n}"})
            return True, time.perf_counter() - t
        except ServiceUnavailable:
            return False, time.perf_counter() - t

    total = 0
    for writers in levels:
        count = max(writers * writes_each, 100)
        with ThreadPoolExecutor(max_workers=writers) as pool:
            started = time.perf_counter()
            results = list(pool.map(write, range(total, total + count)))
            elapsed = time.perf_counter() - started
        total += count
        latencies = sorted(seconds for _, seconds in results)
        out[f"writers_{writers}_per_s"] = round(count / elapsed, 1)
        out[f"writers_{writers}_refused"] = sum(not ok for ok, _ in results)
        out[f"writers_{writers}_p50_ms"] = round(latencies[len(latencies) // 2] * 1000, 1)
    out["writers_ratio"] = round(out[f"writers_{levels[-1]}_per_s"] / out[f"writers_{levels[0]}_per_s"], 3)
    chainer.link(tenant)
    intact = audit_verify.verify(tenant)
    altered_seq = intact["entries"] // 2
    item = AuditTable.get(chain.partition(tenant), chain.entry_key(altered_seq))
    item.data = {**item.data.as_dict(), "actor": "intruder"}
    item.save()
    found = audit_verify.verify(tenant)
    out.update(writers_chain_entries=intact["entries"], writers_chain_ok=intact["ok"],
               writers_altered_seq=altered_seq, writers_altered_found_at=found.get("broken_seq"))
    return out


def district_figures(client: Any, platform: str) -> dict[str, Any]:
    """Gangbei ×10 with a year of work (infra/bench/district.py): an export of every dataset as a job
    (progress watched while it runs, peak memory against the same export of Gangbei itself), and
    every list of the API as its district admin, each timed (the slowest must stay under 1 s)."""
    from functions import local_issuer
    from functions.demo import loader
    from functions.models import CommitteesTable, GridsTable
    from infra.bench import district

    t = time.perf_counter()
    loader.load_demo()
    target = "gangbei10x"
    written = district.build(target)
    out: dict[str, Any] = {"district_build_s": round(time.perf_counter() - t, 1),
                           "district_grids": GridsTable.count(f"{target}#grid"),
                           "district_units": CommitteesTable.count(f"{target}#unit"),
                           "district_incidents": GridsTable.count(f"{target}#incident"),
                           "district_items_copied": sum(written.values())}
    peaks = {}
    for tenant in (district.SOURCE, target):
        admin = local_issuer.mint(f"bench-admin-{tenant}", ["district_admin"], tenant=tenant)
        peaks[tenant], figures = _export_everything(client, admin, tenant)
        if tenant == target:
            out.update(figures)
    out["district_export_memory_ratio"] = round(peaks[target] / peaks[district.SOURCE], 3)
    out["district_export_peak_1x_mb"] = round(peaks[district.SOURCE] / 2**20, 2)
    out["district_export_peak_10x_mb"] = round(peaks[target] / 2**20, 2)
    admin = local_issuer.mint("bench-admin-lists", ["district_admin"], tenant=target)
    out.update(_every_list(client, admin))
    out.update(_assessment_job(client, admin, "2026-10"))
    return out


def _assessment_job(client: Any, admin: str, period: str) -> dict[str, Any]:
    """The district's month assessed on demand, as a job: from the request to the job's end."""
    from functions.jobs import worker

    headers = {"Authorization": f"Bearer {admin}", "Content-Type": "application/json"}
    t = time.perf_counter()
    started = client.http.post("/v1/assessments/runs", headers=headers, body=json.dumps({"period": period}).encode())
    answered = time.perf_counter() - t
    assert started.status_code == 202, started.body
    worker.drain()
    seconds = time.perf_counter() - t
    job = json.loads(client.http.get(_location(started), headers=headers).body)
    assert job["state"] == "succeeded", job
    return {"district_assessment_job_s": round(seconds, 1), "district_assessment_answer_ms": round(answered * 1000, 1),
            "district_assessment_units": job["result"]["units"]}


def _location(answer: Any) -> str:
    """A 202's `Location` (the test client keeps header names as the app wrote them)."""
    found: str = {k.lower(): v for k, v in answer.headers.items()}["location"]
    return found


def _export_everything(client: Any, admin: str, tenant: str) -> tuple[int, dict[str, Any]]:
    """Start an export of every dataset and run its job in a worker thread while watching its
    progress through `GET /v1/jobs/{id}`; returns the peak traced memory and what was seen."""
    from functions.exports import datasets
    from functions.jobs import worker

    headers = {"Authorization": f"Bearer {admin}", "Content-Type": "application/json"}
    started = client.http.post("/v1/exports", headers=headers, body=json.dumps(
        {"tenants": [tenant], "datasets": list(datasets.DATASETS), "format": "jsonl"}).encode())
    assert started.status_code == 202, started.body
    location = _location(started)
    tracemalloc.start()
    t = time.perf_counter()
    runner = threading.Thread(target=worker.drain)
    runner.start()
    seen: list[int] = []
    slowest_poll = 0.0
    while runner.is_alive():
        polled = time.perf_counter()
        job = json.loads(client.http.get(location, headers=headers).body)
        slowest_poll = max(slowest_poll, time.perf_counter() - polled)
        if job["progress"] and (not seen or seen[-1] != job["progress"]["done"]):
            seen.append(job["progress"]["done"])
        time.sleep(0.5)
    runner.join()
    seconds = time.perf_counter() - t
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    job = json.loads(client.http.get(location, headers=headers).body)
    assert job["state"] == "succeeded", job
    return peak, {"district_export_rows": job["result"]["rows"], "district_export_s": round(seconds, 1),
                  "district_export_progress_reports": len(seen), "district_export_total": job["progress"]["total"],
                  "district_export_slowest_poll_ms": round(slowest_poll * 1000, 1)}


SAMPLE = {"month": "2026-10", "period": "2026-10", "quarter": "2026-Q3", "date": "2026-10-01"}  # required query values


def _every_list(client: Any, admin: str) -> dict[str, Any]:
    """Every GET route without a path parameter, first page of up to 200, as the district admin."""
    from functions.api.declaration import OPERATIONS

    timings = {}
    headers = {"Authorization": f"Bearer {admin}"}
    committees = json.loads(client.http.get("/v1/committees?limit=1", headers=headers).body)["items"]
    named = {"lat": "23.105", "lon": "109.605", "committee_id": committees[0]["id"] if committees else ""}
    for (method, path), op in sorted(OPERATIONS.items()):
        if method != "GET" or "{" in path or op.public:
            continue
        params = [f"{p.name}={named.get(p.name) or SAMPLE[p.kind]}" for p in op.query
                  if p.required and (p.name in named or p.kind in SAMPLE)]
        query = "?" + "&".join(params + (["limit=200"] if op.pages else [])) if params or op.pages else ""
        t = time.perf_counter()
        answer = client.http.get(path + query, headers=headers)
        timings[path] = (time.perf_counter() - t, answer.status_code)
    slowest = max(timings, key=lambda p: timings[p][0])
    return {"district_requests": len(timings), "district_slowest_request_ms": round(timings[slowest][0] * 1000, 1),
            "district_slowest_request": slowest,
            "district_request_statuses": dict(Counter(status for _, status in timings.values()))}


def _load_worker(args: tuple[str, list[tuple[str, str]], float, float, int]) -> dict[str, Any]:
    """One load process: its tenants' reads and writes, unmeasured for `warmup` seconds (every server
    worker's first read and first write are cold starts), then measured until the deadline (bounded
    by count too)."""
    import requests

    base, tenants, warmup, seconds, seed = args
    latencies, errors, written = [], 0, {t: 0 for t, _ in tenants}
    session = requests.Session()
    n, warm_until = 0, time.monotonic() + warmup
    started = deadline = warm_until + seconds
    while time.monotonic() < deadline and n < 20_000:
        tenant, token = tenants[(n + seed) % len(tenants)]
        headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
        measured = time.monotonic() >= warm_until
        if measured and started == deadline:
            started = time.monotonic()
        t = time.perf_counter()
        if n % 5 == 0:
            r = session.post(f"{base}/v1/streets", headers=headers, data=json.dumps({"name": f"街道{seed}-{n}"}).encode())
            ok = r.status_code == 201
            written[tenant] += ok
        else:
            r = session.get(f"{base}/v1/streets?limit=20", headers=headers)
            ok = r.status_code == 200
        if measured:
            latencies.append(time.perf_counter() - t)
            errors += not ok
        n += 1
    return {"latencies": latencies, "errors": errors, "written": written, "seconds": time.monotonic() - started}


def load(client: Any, platform: str, seconds: float = 20, processes: int = 4, warmup: float = 5) -> dict[str, Any]:
    from infra.local import server

    tokens = [(f"bench-load-{i:02d}", _tenant(client, platform, f"bench-load-{i:02d}")) for i in range(10)]
    port = stack.free_port()
    api = server.Server(port, log_requests=False)
    threading.Thread(target=api.serve_forever, daemon=True).start()
    stack.wait_for_port(port, "API server")
    base = f"http://127.0.0.1:{port}"
    with multiprocessing.get_context("spawn").Pool(processes) as pool:
        results = pool.map(_load_worker, [(base, tokens, warmup, seconds, i) for i in range(processes)])
    api.shutdown()
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
    return {"load_rps": round(sum(len(r["latencies"]) / r["seconds"] for r in results), 1),
            "load_p50_ms": round(latencies[len(latencies) // 2] * 1000, 1),
            "load_p99_ms": round(latencies[int(len(latencies) * 0.99)] * 1000, 1),
            "load_errors": sum(r["errors"] for r in results), "load_requests": len(latencies),
            "load_tenants_mismatched": len(mismatched), "load_server_workers": api.workers}


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
        compile_like_the_package()
        figures.update(cold_start_ratio())
        platform = local_issuer.mint("bench", ["platform_admin"])
        with Client(app) as client:
            token = _tenant(client, platform, "bench-read")
            street_id = make_street(client, token)
            peer, profile = peer_figures(client, platform)
            figures.update(peer)
            figures.update(read_overhead_ratio(client, token, street_id))
            figures.update(cold_read_ratio(token, street_id))
            figures.update(queries_per_list_request(client, token))
            figures.update(concurrent_writers(client, platform))
            figures.update(assessment_scaling_ratio(client, platform))
            figures.update(export_memory_ratio(client, platform))
            figures.update(district_figures(client, platform))
            figures.update(load(client, platform))
        figures.update(package_size())
    finally:
        stack.stop(procs)
    (ROOT / "build").mkdir(exist_ok=True)
    (ROOT / "build" / "bench.json").write_text(json.dumps(figures, indent=2, ensure_ascii=False))
    (ROOT / "build" / "bench-profile.txt").write_text(profile)
    print(profile)
    print(table(figures))
    print("\nqueries per list endpoint: " + ", ".join(f"{k} {v}" for k, v in figures["queries_per_list_endpoint"].items()))
    print("written: build/bench.json, build/bench-profile.txt")


# each ratio printed with what it divides: ratio key → (numerator, denominator, unit)
RATIO_PARTS = {
    "cold_data_ratio": ("cold_data_ours_ms", "cold_data_peer_ms", "ms"),
    "cold_list_ratio": ("cold_list_ours_ms", "cold_list_peer_ms", "ms"),
    "warm_read_ratio": ("warm_read_ours_ms", "warm_read_peer_ms", "ms"),
    "warm_list_ratio": ("warm_list_ours_ms", "warm_list_peer_ms", "ms"),
    "warm_write_ratio": ("warm_write_ours_ms", "warm_write_peer_ms", "ms"),
    "cold_start_ratio": ("import_app_ms", "import_boto3_ms", "ms"),
    "cold_read_ratio": ("cold_read_app_ms", "cold_read_raw_ms", "ms"),
    "read_overhead_ratio": ("read_app_ms", "read_raw_ms", "ms"),
    "assessment_scaling_ratio": ("assessment_1x_s", "assessment_4x_s", "s"),
    "export_memory_ratio": ("export_peak_10k_mb", "export_peak_100k_mb", "MB"),
    "writers_ratio": ("writers_50_per_s", "writers_1_per_s", "writes/s"),
}
BUDGETS = {"cold_data_ratio": 1.2, "warm_read_ratio": 1.2}


def table(figures: dict[str, Any]) -> str:
    parts = {key for a, b, _ in RATIO_PARTS.values() for key in (a, b)}
    rows = ["| figure | value |", "|---|---:|"]
    for key, value in figures.items():
        if isinstance(value, (dict, list)) or key in parts:
            continue
        if key in RATIO_PARTS:
            a, b, unit = RATIO_PARTS[key]
            sign = "→" if key in ("assessment_scaling_ratio", "export_memory_ratio") else "÷"
            value = f"{value} ({figures[a]} {unit} {sign} {figures[b]} {unit})"
            if key in BUDGETS:
                value += f", budget ≤ {BUDGETS[key]}: {'met' if figures[key] <= BUDGETS[key] else 'NOT met'}"
        rows.append(f"| {key} | {value} |")
    return "\n".join(rows)


if __name__ == "__main__":
    main()
