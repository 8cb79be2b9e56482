"""A district's month in dollars, measured from the app's own access paths.

    python -m infra.cost [REQUESTS …]      (default: 100000 1000000)

It starts the local stack in memory (DynamoDB Local, the S3 server, the tables) as `make test` does,
loads the demo district (港北区, the article's), and sends a month's mix of requests (`MIX`: what
district staff, grid workers and residents do, with their shares) through the app in process
(Chalice's test client). A hook on botocore records, per request: every DynamoDB operation with
the capacity DynamoDB Local reports for it (`ReturnConsumedCapacity=INDEXES`: read, write and
transactional units, index writes included), the items and bytes it read and wrote, each S3 call,
the log bytes the request wrote and the time it took in process. The scheduled jobs (hourly
incident sweep, monthly regularity check and assessment, quarterly volunteer report) are run once
on the district and scaled to their monthly count. Storage is the district's items as DynamoDB
bills them (item size + 100 bytes, per table and per index), summed by a Scan over its
`<tenant>#` keys, plus a month's growth from the new items the mix wrote. The prices come from
`infra/prices.json`; nothing here is a typed-in per-request figure.

Prints the table, the per-request figures it came from, the measured steps and where the write
units go; writes the same to `build/cost.json`.
"""
from __future__ import annotations

import io
import json
import math
import os
import resource
import sys
import tempfile
import time
import uuid
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import quote

ROOT = Path(__file__).resolve().parents[1]
PRICES = Path(__file__).with_name("prices.json")
CHALICE_CONFIG = ROOT / "infra" / "chalice" / "config.json"
GB = 2 ** 30
DAYS_A_MONTH = 30
IDEMPOTENCY_TTL_DAYS = 1  # functions/idempotency.py: records expire after a day
ITEM_OVERHEAD = 100       # bytes DynamoDB adds to each stored item, in a table and in an index

READ_OPS = {"GetItem", "BatchGetItem", "Query", "Scan", "TransactGetItems"}
WRITE_OPS = {"PutItem", "UpdateItem", "DeleteItem", "BatchWriteItem", "TransactWriteItems"}
S3_PUT_CLASS = {"PutObject", "CopyObject", "PostObject", "ListObjects", "ListObjectsV2", "ListObjectVersions",
                "CreateMultipartUpload", "UploadPart", "UploadPartCopy", "CompleteMultipartUpload", "PutObjectTagging"}


# --- DynamoDB's size rules -------------------------------------------------------------------

def value_size(value: dict[str, Any]) -> int:
    """Bytes of one attribute value as DynamoDB counts them (numbers: about one byte per two digits)."""
    (kind, v), = value.items()
    if kind == "S":
        return len(v.encode())
    if kind == "N":
        return 1 + math.ceil(len(v.lstrip("-").replace(".", "").lstrip("0") or "0") / 2)
    if kind == "B":
        return len(v)
    if kind in ("BOOL", "NULL"):
        return 1
    if kind == "M":
        return 3 + sum(len(k.encode()) + value_size(x) + 1 for k, x in v.items())
    if kind == "L":
        return 3 + sum(value_size(x) + 1 for x in v)
    if kind in ("SS", "NS", "BS"):
        return sum(value_size({kind[0]: x}) for x in v)
    return 0


def item_size(item: dict[str, Any]) -> int:
    return sum(len(name.encode()) + value_size(v) for name, v in item.items())


# --- the meter ---------------------------------------------------------------------------------

@dataclass
class Usage:
    """What one request (or job run) cost the stack."""

    dynamodb_calls: Counter[str] = field(default_factory=Counter)
    read_units: float = 0.0
    write_units: float = 0.0          # PutItem/UpdateItem/DeleteItem/BatchWriteItem, indexes included
    transact_write_units: float = 0.0  # TransactWriteItems (each item counted twice), indexes included
    index_write_units: float = 0.0     # the index part of the two above
    condition_checks: int = 0          # ConditionCheck items in transactions (DynamoDB Local reports 0 units)
    items_read: int = 0
    items_written: int = 0
    bytes_read: int = 0
    bytes_put: int = 0                 # size of the items sent in puts
    new_bytes: float = 0.0             # storage the request added (new items, + overhead, per table and index)
    new_table_bytes: float = 0.0       # the table part of new_bytes (what PITR bills)
    write_parts: Counter[str] = field(default_factory=Counter)  # transactional write units by role
    s3_calls: Counter[str] = field(default_factory=Counter)
    s3_bytes_put: int = 0
    sqs_requests: float = 0.0
    seconds: float = 0.0
    log_bytes: int = 0

    def absorb(self, other: "Usage") -> None:
        """Add what `other` cost to this usage (the chainer's work on behalf of a request)."""
        for name in self.__dataclass_fields__:
            mine, theirs = getattr(self, name), getattr(other, name)
            if isinstance(mine, Counter):
                mine.update(theirs)
            else:
                setattr(self, name, mine + theirs)

    @property
    def s3_put_class(self) -> int:
        return sum(n for op, n in self.s3_calls.items() if op in S3_PUT_CLASS)

    @property
    def s3_get_class(self) -> int:
        return sum(n for op, n in self.s3_calls.items() if op not in S3_PUT_CLASS)

    @property
    def billed_write_units(self) -> float:
        """Write units billed: as DynamoDB Local reports them, plus a transactional unit pair for each
        ConditionCheck (AWS bills a checked item like a written one; Local reports 0 for it)."""
        return self.write_units + self.transact_write_units + 2 * self.condition_checks

    def figures(self) -> dict[str, float]:
        return {
            "dynamodb_calls": sum(self.dynamodb_calls.values()), "read_units": self.read_units,
            "write_units": self.write_units, "transact_write_units": self.transact_write_units,
            "index_write_units": self.index_write_units, "condition_checks": self.condition_checks,
            "billed_write_units": self.billed_write_units, "items_read": self.items_read,
            "items_written": self.items_written, "bytes_read": self.bytes_read, "bytes_put": self.bytes_put,
            "new_bytes": self.new_bytes, "new_table_bytes": self.new_table_bytes,
            "s3_put_class": self.s3_put_class, "s3_get_class": self.s3_get_class, "s3_bytes_put": self.s3_bytes_put,
            "sqs_requests": self.sqs_requests, "ms": self.seconds * 1000, "billed_ms": math.ceil(self.seconds * 1000),
            "log_bytes": self.log_bytes}


def _capacities(response: dict[str, Any]) -> list[dict[str, Any]]:
    cc = response.get("ConsumedCapacity") or []
    return cc if isinstance(cc, list) else [cc]


def _index_units(cc: dict[str, Any]) -> float:
    return sum(float(i.get("CapacityUnits", 0)) for kind in ("GlobalSecondaryIndexes", "LocalSecondaryIndexes")
               for i in (cc.get(kind) or {}).values())


def _role(item: dict[str, Any]) -> str:
    """What a transaction part is, by its key: the audit chain's head or entry, an idempotency
    record, or the item the request is about."""
    pk, sk = item.get("pk", {}).get("S", ""), item.get("sk", {}).get("S", "")
    if pk.endswith("#audit"):
        return {"head": "chain head", "sealed": "digest pointer"}.get(sk, "chain link" if sk.startswith("entry#") else "audit entry")
    if pk.endswith("#idem"):
        return "idempotency record"
    return "item"


def _stored(item: dict[str, Any], copies: list[int]) -> tuple[float, float]:
    """(bytes in the table, bytes in the table and its indexes) a new item adds."""
    size = item_size(item) + ITEM_OVERHEAD
    return size, size + sum(c + ITEM_OVERHEAD for c in copies)


class Meter:
    """Counts what the app asks of DynamoDB, S3 and SQS while active (botocore's `_make_api_call`,
    the one door every client call goes through, as `infra/bench.py` counts queries)."""

    def __init__(self, index_keys: dict[str, list[list[str]]]) -> None:
        self.usage = Usage()
        self.index_keys = index_keys  # table → the key attributes of each of its indexes

    def _put(self, table: str, item: dict[str, Any], condition: str, transactional: bool) -> float:
        """Count a put; returns its transactional write units (0 outside a transaction)."""
        u = self.usage
        u.bytes_put += item_size(item)
        copies = index_copies(item, self.index_keys.get(table, []))
        units = 0
        if transactional:
            units = sum(math.ceil(size / 1024) for size in [item_size(item), *copies]) * 2
            u.write_parts[_role(item)] += units
        if "attribute_not_exists" in condition:  # a new item (replacements change size by little)
            table_bytes, all_bytes = _stored(item, copies)
            # an idempotency record lives its TTL; a pending audit entry only until the chainer
            # replaces it with the chain link (counted then)
            share = {"idempotency record": IDEMPOTENCY_TTL_DAYS / DAYS_A_MONTH, "audit entry": 0.0}.get(_role(item), 1.0)
            u.new_table_bytes += table_bytes * share
            u.new_bytes += all_bytes * share
        return units

    def record(self, service: str, op: str, params: dict[str, Any], response: dict[str, Any] | None) -> None:
        u = self.usage
        if service == "s3":
            u.s3_calls[op] += 1
            body = params.get("Body")
            if isinstance(body, (bytes, bytearray)):
                u.s3_bytes_put += len(body)
            return
        if service == "sqs":
            u.sqs_requests += 1
            return
        if service != "dynamodb":
            return
        u.dynamodb_calls[op] += 1
        if op == "TransactWriteItems":
            # Billed per item, each rounded up to 1 KB and doubled, as AWS does. DynamoDB Local's
            # ConsumedCapacity sums a table's items before rounding, so two small puts to one table
            # (a task and its event) read as one.
            for part in params.get("TransactItems", []):
                (kind, spec), = part.items()
                u.items_written += 1
                if kind == "Put":
                    u.transact_write_units += self._put(spec["TableName"], spec["Item"], spec.get("ConditionExpression", ""), True)
                elif kind == "ConditionCheck":
                    u.condition_checks += 1
                    u.write_parts["condition check"] += 2
                else:
                    u.write_parts["counter/parent update" if kind == "Update" else "delete"] += 2
                    u.transact_write_units += 2
        elif op == "PutItem":
            u.items_written += 1
            self._put(params["TableName"], params["Item"], params.get("ConditionExpression", ""), False)
        elif op in ("UpdateItem", "DeleteItem"):
            u.items_written += 1
        elif op == "BatchWriteItem":
            for table, requests in params.get("RequestItems", {}).items():
                for r in requests:
                    u.items_written += 1
                    if "PutRequest" in r:
                        self._put(table, r["PutRequest"]["Item"], "attribute_not_exists", False)
        if response is None:
            return
        for cc in _capacities(response):
            units = float(cc.get("CapacityUnits", 0))
            if op in READ_OPS:
                u.read_units += units
            elif op == "TransactWriteItems":
                u.index_write_units += _index_units(cc)
            elif op in WRITE_OPS:
                u.write_units += units
                u.index_write_units += _index_units(cc)
        items: list[dict[str, Any]] = []
        if op == "GetItem" and response.get("Item"):
            items = [response["Item"]]
        elif op in ("Query", "Scan"):
            items = response.get("Items", [])
        elif op == "BatchGetItem":
            items = [i for found in response.get("Responses", {}).values() for i in found]
        u.items_read += len(items)
        u.bytes_read += sum(item_size(i) for i in items)

    @contextmanager
    def active(self) -> Iterator["Meter"]:
        import botocore.client

        original = botocore.client.BaseClient._make_api_call
        meter = self

        def metered(client: Any, op: str, params: dict[str, Any]) -> Any:
            service = client.meta.service_model.service_name
            if service == "dynamodb" and (op in READ_OPS or op in WRITE_OPS):
                params = {**params, "ReturnConsumedCapacity": "INDEXES"}
            try:
                response = original(client, op, params)
            except Exception:
                meter.record(service, op, params, None)
                raise
            meter.record(service, op, params, response)
            return response

        botocore.client.BaseClient._make_api_call = metered
        try:
            yield self
        finally:
            botocore.client.BaseClient._make_api_call = original

    def take(self) -> Usage:
        usage, self.usage = self.usage, Usage()
        return usage


def index_keys() -> dict[str, list[list[str]]]:
    """Table → the key attributes of each of its indexes."""
    from functions.models import ALL_TABLES

    return {m.Meta.table_name: [[k["AttributeName"] for k in i["key_schema"]] for i in m._get_schema()["global_secondary_indexes"]]
            for m in ALL_TABLES}


def index_copies(item: dict[str, Any], indexes: list[list[str]]) -> list[int]:
    """The size of the copy each index holds of `item` (none where the item lacks the index's key):
    the table's and the index's keys and the projected attributes, as the models declare them."""
    from functions.models.base import PROJECTED

    sizes = []
    for keys in indexes:
        if keys[0] in item:
            kept = {"pk", "sk", *keys, *PROJECTED}
            sizes.append(item_size({k: v for k, v in item.items() if k in kept}))
    return sizes


@contextmanager
def captured_logs() -> Iterator[io.StringIO]:
    """The app's log lines (Powertools, INFO as deployed) go to a buffer while active."""
    from functions.log import _logger

    handler = _logger().registered_handler
    buffer = io.StringIO()
    previous = handler.setStream(buffer)
    try:
        yield buffer
    finally:
        handler.setStream(previous)


def lambda_platform_log_bytes(duration_ms: float, memory_mb: int, max_memory_mb: int) -> int:
    """The START, END and REPORT lines Lambda itself writes for each invocation, in its format."""
    request_id = str(uuid.uuid4())
    lines = [f"START RequestId: {request_id} Version: $LATEST\n", f"END RequestId: {request_id}\n",
             f"REPORT RequestId: {request_id}\tDuration: {duration_ms:.2f} ms\tBilled Duration: {math.ceil(duration_ms)} ms\t"
             f"Memory Size: {memory_mb} MB\tMax Memory Used: {max_memory_mb} MB\t\n"]
    return sum(len(line.encode()) for line in lines)


# --- the month's mix ---------------------------------------------------------------------------

@dataclass
class Call:
    method: str
    path: str
    token: str
    body: Any = None
    raw: bytes | None = None
    content_type: str = "application/json"
    download: bool = False  # the client then fetches the presigned `download_url` it was given


@dataclass
class Step:
    """One kind of request and its share of a district's month (per 100 requests)."""

    name: str
    share: float
    make: Callable[["World", int], Call]


@dataclass
class World:
    """The district the mix runs in: tokens of its people and ids of its objects."""

    tenant: str
    admin: str
    staff: str
    worker: str
    resident: str
    grid: str
    community: str
    member: str
    meeting: str
    incidents: list[str]
    transit: list[str]          # incidents that the transition step moves through their loop
    requests: list[str]         # service requests the transition step moves
    unverified: list[str]       # volunteer activities awaiting verification
    patrol: str
    patrol_version: int = 1
    sent_keys: bool = True      # clients send Idempotency-Key on every POST that honours one
    today: date = field(default_factory=date.today)
    back: int = 0               # days before today past every patrol already on the grid (runs differ)

    def day(self, back: int) -> str:
        return (self.today - timedelta(days=back)).isoformat()

    def past(self, n: int) -> str:
        """The n-th of this run's own past days (a patrol a worker and grid may log once a day)."""
        return self.day(2 + self.back + n)


INCIDENT_LOOP = ["accept", "dispatch", "start", "resolve", "verify", "close"]
REQUEST_LOOP = ["accept", "start", "complete"]
MINUTES = "# 荷城社区大党委联席会议纪要\n\n议定：联合整治中心城区夜宵摊点乱摆乱卖，由城管、市场监管、社区共同巡查。\n".encode()


def _incident_transition(w: World, n: int) -> Call:
    incident, action = w.transit[n // len(INCIDENT_LOOP)], INCIDENT_LOOP[n % len(INCIDENT_LOOP)]
    body: dict[str, Any] = {"action": action, "note": "按期办理"}
    if action == "dispatch":
        body["assignee"] = "gw-cost"
    if action == "close":
        body["satisfaction"] = 5
    return Call("POST", f"/v1/incidents/{incident}/transitions", w.admin, body)


def _request_transition(w: World, n: int) -> Call:
    request, action = w.requests[n // len(REQUEST_LOOP)], REQUEST_LOOP[n % len(REQUEST_LOOP)]
    return Call("POST", f"/v1/service-requests/{request}/transitions", w.staff, {"action": action})


def _patrol_patch(w: World, n: int) -> Call:
    return Call("PATCH", f"/v1/patrols/{w.patrol}", w.worker, {"findings": ["消防通道堵塞", f"已复查 {n}"],
                                                               "version": w.patrol_version})


# Shares per 100 requests of a district's month. Grid workers (151 grids) log a patrol a working
# day each and report what they find; staff move incidents and service requests through their
# loops and read lists; residents request services and log volunteer hours; the committees meet
# twice a month and read minutes; auditors and the district read the audit log.
MIX: list[Step] = [
    Step("GET /v1/me", 5, lambda w, n: Call("GET", "/v1/me", w.worker)),
    Step("GET /v1/incidents", 12, lambda w, n: Call("GET", "/v1/incidents?limit=50", w.staff)),
    Step("GET /v1/incidents?grid_id", 4, lambda w, n: Call("GET", f"/v1/incidents?grid_id={w.grid}&limit=50", w.worker)),
    Step("GET /v1/incidents/{id}", 12, lambda w, n: Call("GET", f"/v1/incidents/{w.incidents[n % len(w.incidents)]}", w.staff)),
    Step("POST /v1/incidents", 2, lambda w, n: Call("POST", "/v1/incidents", w.worker, {
        "category": "sanitation", "description": "夜宵摊点油烟、垃圾扰民", "grid_id": w.grid, "source": "grid_patrol"})),
    Step("POST /v1/incidents/{id}/transitions", 8, _incident_transition),
    Step("GET /v1/incident-categories", 2, lambda w, n: Call("GET", "/v1/incident-categories", w.worker)),
    Step("GET /v1/grids", 3, lambda w, n: Call("GET", "/v1/grids?limit=200", w.staff)),
    Step("GET /v1/grids/{id}", 3, lambda w, n: Call("GET", f"/v1/grids/{w.grid}", w.worker)),
    Step("GET /v1/grids/locate", 2, lambda w, n: Call("GET", "/v1/grids/locate?lat=23.105&lon=109.605", w.worker)),
    Step("POST /v1/patrols", 4, lambda w, n: Call("POST", "/v1/patrols", w.worker, {
        "grid_id": w.grid, "date": w.past(n), "findings": ["消防通道堵塞"]})),
    Step("PATCH /v1/patrols/{id}", 1, _patrol_patch),
    Step("GET /v1/patrols", 4, lambda w, n: Call("GET", f"/v1/patrols?grid_id={w.grid}&limit=50", w.worker)),
    Step("GET /v1/stats/grid-work", 2, lambda w, n: Call("GET", f"/v1/stats/grid-work?period={w.day(0)[:7]}", w.admin)),
    Step("GET /v1/communities", 2, lambda w, n: Call("GET", "/v1/communities?limit=200", w.admin)),
    Step("GET /v1/units", 2, lambda w, n: Call("GET", "/v1/units?limit=50", w.staff)),
    Step("GET /v1/committees", 2, lambda w, n: Call("GET", "/v1/committees?limit=50", w.staff)),
    Step("GET /v1/meetings", 3, lambda w, n: Call("GET", "/v1/meetings?limit=50", w.staff)),
    Step("GET /v1/meetings/{id}", 3, lambda w, n: Call("GET", f"/v1/meetings/{w.meeting}", w.staff)),
    Step("GET /v1/meetings/{id}/minutes (+ download)", 3,
         lambda w, n: Call("GET", f"/v1/meetings/{w.meeting}/minutes", w.staff, download=True)),
    Step("PUT /v1/meetings/{id}/minutes", 0.05, lambda w, n: Call(
        "PUT", f"/v1/meetings/{w.meeting}/minutes?reason=%E4%BF%AE%E8%AE%A2", w.staff,
        raw=MINUTES + f"\n修订 {n}\n".encode(), content_type="text/markdown; charset=utf-8")),
    Step("GET /v1/service-requests", 3, lambda w, n: Call("GET", "/v1/service-requests?limit=50", w.staff)),
    Step("GET /v1/service-requests/{id}", 2, lambda w, n: Call("GET", f"/v1/service-requests/{w.requests[0]}", w.staff)),
    Step("POST /v1/service-requests", 1, lambda w, n: Call("POST", "/v1/service-requests", w.resident, {
        "type": "employment", "mode": "door_to_door", "community_id": w.community, "description": "求职帮扶",
        "contact": {"name": "王女士", "phone": "13812345678"}})),
    Step("POST /v1/service-requests/{id}/transitions", 2, _request_transition),
    Step("GET /v1/volunteer-activities", 3, lambda w, n: Call("GET", f"/v1/volunteer-activities?member_id={w.member}",
                                                             w.resident)),
    Step("POST /v1/volunteer-activities", 2, lambda w, n: Call("POST", "/v1/volunteer-activities", w.resident, {
        "member_id": w.member, "date": w.past(n), "hours": 2, "description": "在职党员进社区志愿服务",
        "dimension": "sanitation"})),
    Step("POST /v1/volunteer-activities/{id}/verify", 1, lambda w, n: Call(
        "POST", f"/v1/volunteer-activities/{w.unverified[n]}/verify", w.staff, {"verified": True})),
    Step("GET /v1/audit-log", 2, lambda w, n: Call("GET", f"/v1/audit-log?from={w.day(7)}&to={w.day(0)}", w.admin)),
]


def token(tenant: str, sub: str, role: str, **claims: Any) -> str:
    from functions import local_issuer

    return local_issuer.mint(sub, [role], tenant=tenant, **claims)


class Caller:
    """The app through Chalice's test client; fails loudly on an unexpected status."""

    def __init__(self, client: Any, sent_keys: bool) -> None:
        self.client, self.sent_keys = client, sent_keys

    def __call__(self, call: Call) -> Any:
        from functions.api.declaration import OPERATIONS

        headers = {"Authorization": f"Bearer {call.token}", "Content-Type": call.content_type}
        route = call.path.split("?")[0]
        if call.method == "POST" and self.sent_keys and _idempotent(OPERATIONS, route):
            headers["Idempotency-Key"] = str(uuid.uuid4())
        body = call.raw if call.raw is not None else (json.dumps(call.body, ensure_ascii=False).encode()
                                                      if call.body is not None else b"")
        response = getattr(self.client.http, call.method.lower())(call.path, headers=headers, body=body)
        if response.status_code >= 300:
            raise RuntimeError(f"{call.method} {call.path} answered {response.status_code}: {response.body[:300]!r}")
        return json.loads(response.body) if response.body else None


def _idempotent(operations: dict[tuple[str, str], Any], path: str) -> bool:
    parts = path.split("/")
    for (method, pattern), op in operations.items():
        template = pattern.split("/")
        if method == "POST" and len(template) == len(parts) and all(
                t == p or (t.startswith("{") and t.endswith("}")) for t, p in zip(template, parts)):
            return bool(op.idempotent)
    return False


def prepare(client: Any, tenant: str, *, pool: int, sent_keys: bool = True) -> World:
    """Find (or make, in a tenant that lacks them) what the mix needs: a grid with its worker, a
    meeting with minutes, an in-service member; then the pools the state-changing steps move on.
    Not measured."""
    admin = token(tenant, "district-admin", "district_admin")
    call = Caller(client, sent_keys=False)
    grids = call(Call("GET", "/v1/grids?limit=200", admin))["items"]
    if not grids:
        street = call(Call("POST", "/v1/streets", admin, {"name": "贵城街道"}))["id"]
        community = call(Call("POST", "/v1/communities", admin, {"name": "荷城社区", "street_id": street}))["id"]
        square = {"type": "Polygon", "coordinates": [[[109.60, 23.10], [109.61, 23.10], [109.61, 23.11], [109.60, 23.11],
                                                      [109.60, 23.10]]]}
        grids = [call(Call("POST", "/v1/grids", admin, {"name": "荷城社区第1网格", "community_id": community,
                                                        "boundary": square}))]
    grid = grids[0]
    community = grid["community_id"]
    worker = token(tenant, (grid["workers"] or ["gw-1"])[0], "grid_worker", grids=[grid["id"]])
    staff = token(tenant, "staff-cost", "community_staff", communities=[community])
    meetings = call(Call("GET", "/v1/meetings?limit=50", admin))["items"]
    meeting = next((m["id"] for m in meetings if m.get("community_id") == community), None)
    if meeting is None:
        units = [call(Call("POST", "/v1/units", admin, {"name": name, "kind": "government", "community_id": community}))["id"]
                 for name in ("港北区环境保护局", "港北区工商局")]
        committee = call(Call("POST", "/v1/committees", admin, {
            "community_id": community, "name": "荷城社区大党委", "secretary_user_id": "secretary-01",
            "members": [{"unit_id": units[0], "name": "韦书记", "role": "secretary"},
                        {"unit_id": units[1], "name": "李委员", "role": "member"}]}))["id"]
        meeting = call(Call("POST", "/v1/meetings", admin, {
            "committee_id": committee, "kind": "joint", "scheduled_at": f"{date.today().isoformat()}T09:00:00+08:00",
            "location": "党群服务中心", "agenda": ["夜宵摊点整治"],
            "attendees": [{"unit_id": u, "name": f"代表{i}", "present": True} for i, u in enumerate(units)]}))["id"]
        call(Call("PUT", f"/v1/meetings/{meeting}/minutes", staff, raw=MINUTES, content_type="text/markdown; charset=utf-8"))
    members = [m for m in call(Call("GET", "/v1/members?limit=200", admin))["items"] if m.get("in_service")]
    if members:
        member, member_user = members[0]["id"], members[0].get("user_id") or "member-cost"
    else:
        unit = call(Call("GET", "/v1/units?limit=1", admin))["items"][0]["id"]
        member_user = "member-cost"
        member = call(Call("POST", "/v1/members", admin, {"name": "在职党员", "unit_id": unit, "in_service": True,
                                                          "reported_community_id": community, "user_id": member_user}))["id"]
    resident = token(tenant, member_user, "member")
    report = {"category": "dispute", "description": "邻里漏水纠纷", "grid_id": grid["id"]}
    transit = [call(Call("POST", "/v1/incidents", worker, report))["id"] for _ in range(math.ceil(pool / len(INCIDENT_LOOP)))]
    incidents = [i["id"] for i in call(Call("GET", "/v1/incidents?limit=50", staff))["items"]]
    requests = [call(Call("POST", "/v1/service-requests", resident, {
        "type": "education", "mode": "one_stop", "community_id": community, "description": "子女入学咨询",
        "contact": {"name": "王女士"}}))["id"] for _ in range(math.ceil(pool / len(REQUEST_LOOP)))]
    today, back = date.today(), _oldest_patrol(call, admin, grid["id"])
    unverified = [call(Call("POST", "/v1/volunteer-activities", resident, {
        "member_id": member, "date": (today - timedelta(days=40 + n)).isoformat(), "hours": 1,
        "description": "在职党员进社区志愿服务", "dimension": "security"}))["id"] for n in range(pool)]
    patrol = call(Call("POST", "/v1/patrols", worker, {"grid_id": grid["id"], "date": (today - timedelta(days=back + 1)).isoformat(),
                                                       "findings": []}))["id"]
    return World(tenant=tenant, admin=admin, staff=staff, worker=worker, resident=resident, grid=grid["id"],
                 community=community, member=member, meeting=meeting, incidents=incidents, transit=transit,
                 requests=requests, unverified=unverified, patrol=patrol, sent_keys=sent_keys, today=today, back=back)


def _oldest_patrol(call: Caller, token: str, grid: str) -> int:
    """How many days ago the grid's oldest patrol was logged (0 for none): a run logs its patrols
    before that, so it never meets the one-patrol-a-day rule whatever ran in the district before."""
    oldest, cursor = 0, ""
    while True:
        page = call(Call("GET", f"/v1/patrols?grid_id={grid}&limit=200{cursor}", token))
        for patrol in page["items"]:
            oldest = max(oldest, (date.today() - date.fromisoformat(patrol["date"])).days)
        if not page.get("next_cursor"):
            return oldest
        cursor = f"&cursor={quote(page['next_cursor'])}"


# --- measuring ---------------------------------------------------------------------------------

@dataclass
class Measured:
    """Per-step usage samples, the district's storage and its jobs' monthly usage."""

    steps: dict[str, list[Usage]]
    shares: dict[str, float]
    table_bytes: float
    index_bytes: float
    s3_bytes: int
    jobs: dict[str, tuple[float, Usage]]  # job → (runs a month, usage of one run)
    max_memory_mb: int
    profile_cached: bool

    def per_request(self) -> dict[str, float]:
        """The mix's average request: each step's mean, weighted by its share."""
        total = sum(self.shares.values())
        out: dict[str, float] = {}
        for name, samples in self.steps.items():
            means = _mean([s.figures() for s in samples])
            for key, value in means.items():
                out[key] = out.get(key, 0.0) + value * self.shares[name] / total
        return out

    def write_parts(self) -> dict[str, float]:
        """Transactional write units per request by role (item, audit entry, chain head, …)."""
        total = sum(self.shares.values())
        out: dict[str, float] = {}
        for name, samples in self.steps.items():
            for s in samples:
                for role, units in s.write_parts.items():
                    out[role] = out.get(role, 0.0) + units / len(samples) * self.shares[name] / total
        return out


def _mean(rows: list[dict[str, float]]) -> dict[str, float]:
    return {key: sum(r[key] for r in rows) / len(rows) for key in rows[0]}


def tenant_storage(tenant: str) -> tuple[float, float, int]:
    """(table bytes, index bytes) of the tenant's items as DynamoDB bills them, and its S3 bytes
    (every version under `tenants/<tenant>/`). A Scan per table over the `<tenant>#` keys."""
    from functions import aws, config, storage
    from functions.models import ALL_TABLES

    dynamodb = aws.client("dynamodb")
    keys = index_keys()
    table_bytes = index_bytes = 0.0
    for model in ALL_TABLES:
        name = model.Meta.table_name
        for page in dynamodb.get_paginator("scan").paginate(
                TableName=name, FilterExpression="begins_with(pk, :t)", ExpressionAttributeValues={":t": {"S": f"{tenant}#"}}):
            for item in page["Items"]:
                table_bytes += item_size(item) + ITEM_OVERHEAD
                index_bytes += sum(c + ITEM_OVERHEAD for c in index_copies(item, keys[name]))
    s3_bytes = 0
    for page in storage.client().get_paginator("list_object_versions").paginate(Bucket=config.BUCKET,
                                                                                 Prefix=f"tenants/{tenant}/"):
        s3_bytes += sum(v["Size"] for v in page.get("Versions", []))
    return table_bytes, index_bytes, s3_bytes


def measure(client: Any, tenant: str, *, mix: list[Step] | None = None, repeats: int = 6, jobs: bool = True,
            profile_cached: bool = False, sent_keys: bool = True) -> Measured:
    """Run `mix` `repeats` times (round robin) in `tenant` through the Chalice test `client`.

    `profile_cached=False` drops the tenant-profile cache before every request, so each pays the
    profile read (a district's 100,000 requests a month are about two a minute: most arrive after
    the 30-second cache has lapsed in their container)."""
    import requests as http

    from functions.audit import chainer
    from functions.log import _logger
    from functions.platform import tenants

    mix = MIX if mix is None else mix
    _logger().setLevel("INFO")  # as deployed (POWERTOOLS_LOG_LEVEL is not set in the stage)
    table_bytes, index_bytes, s3_bytes = tenant_storage(tenant)
    with captured_logs():
        world = prepare(client, tenant, pool=repeats, sent_keys=sent_keys)
    caller = Caller(client, sent_keys)
    meter = Meter(index_keys())
    steps: dict[str, list[Usage]] = {s.name: [] for s in mix}
    with meter.active():
        for n in range(repeats):
            for step in mix:
                call = step.make(world, n)
                if not profile_cached:
                    tenants._cache.clear()
                meter.take()
                with captured_logs() as logs:
                    started = time.perf_counter()
                    answer = caller(call)
                    elapsed = time.perf_counter() - started
                usage = meter.take()
                usage.seconds, usage.log_bytes = elapsed, len(logs.getvalue().encode())
                if call.method != "GET":  # the stream's chainer links the write's audit entry: its share
                    started = time.perf_counter()
                    chainer.link(tenant)
                    linked = meter.take()
                    linked.seconds = time.perf_counter() - started
                    usage.absorb(linked)
                if call.download:  # the client's GET of the presigned URL: an S3 GET billed to the bucket
                    assert http.get(answer["download_url"], timeout=10).status_code == 200
                    usage.s3_calls["GetObject (client, presigned)"] += 1
                if call.method == "PATCH" and "/v1/patrols/" in call.path:
                    world.patrol_version = int(answer["version"])
                steps[step.name].append(usage)
        job_usage = run_jobs(meter, tenant) if jobs else {}
    max_rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024
    return Measured(steps=steps, shares={s.name: s.share for s in mix}, table_bytes=table_bytes, index_bytes=index_bytes,
                    s3_bytes=s3_bytes, jobs=job_usage, max_memory_mb=int(max_rss_mb), profile_cached=profile_cached)


def run_jobs(meter: Meter, tenant: str) -> dict[str, tuple[float, Usage]]:
    """Each scheduled job on the district, with its runs a month. The assessment is the SQS
    worker's path (`fanout.assess`); its queue adds a send (batched by 10), a receive and a delete."""
    from functions.assessments import fanout
    from functions.grid_work.incidents import sweep_overdue
    from functions.meetings import regularity
    from functions.periods import previous_month
    from functions.platform import tenants
    from functions.services import volunteers

    profile = tenants.active_profile(tenant)
    zone = profile.get("timezone", "Asia/Shanghai")
    ctx = next(c for c in tenants.active_tenants() if c.tenant == tenant)
    # The sweep's first run cards the district's backlog: the demo holds a month of incidents,
    # so that run is a month's breaches; every further hourly run only looks.
    jobs: dict[str, tuple[float, Callable[[], Any]]] = {
        "incident-sweep (a month's breaches)": (1, lambda: sweep_overdue(ctx)),
        "incident-sweep (hourly check)": (24 * DAYS_A_MONTH - 1, lambda: sweep_overdue(ctx)),
        "meeting-regularity (monthly)": (1, lambda: regularity.flag_committees(ctx, previous_month(zone))),
        "assessment (monthly, SQS worker)": (1, lambda: fanout.assess({"tenant": tenant, "period": previous_month(zone)})),
        "volunteer-quarterly": (1 / 3, lambda: volunteers.run_quarter(ctx, volunteers.previous_quarter(zone))),
    }
    out = {}
    for name, (runs, job) in jobs.items():
        meter.take()
        started = time.perf_counter()
        job()
        usage = meter.take()
        usage.seconds = time.perf_counter() - started
        if name.startswith("assessment"):
            usage.sqs_requests += 1 / 10 + 2
        out[name] = (runs, usage)
    return out


# --- pricing -----------------------------------------------------------------------------------

def memory_mb() -> int:
    """The API function's memory setting (prod stage of `infra/chalice/config.json`)."""
    return int(json.loads(CHALICE_CONFIG.read_text())["stages"]["prod"]["lambda_memory_size"])


def monthly(m: Measured, requests: int, prices: dict[str, Any]) -> dict[str, float]:
    """Dollars for `requests` requests a month, from the measured figures."""
    r = m.per_request()
    gb = memory_mb() / 1024
    jobs = {k: sum(runs * u.figures()[k] for runs, u in m.jobs.values()) for k in Usage().figures()}
    platform_log = lambda_platform_log_bytes(r["ms"], memory_mb(), m.max_memory_mb)
    growth_all = r["new_bytes"] * requests + jobs["new_bytes"]
    growth_table = r["new_table_bytes"] * requests + jobs["new_table_bytes"]
    stored_all = m.table_bytes + m.index_bytes + growth_all
    stored_table = m.table_bytes + growth_table
    s3_stored = m.s3_bytes + r["s3_bytes_put"] * requests + jobs["s3_bytes_put"]
    transact = r["transact_write_units"] + 2 * r["condition_checks"]
    costs = {
        "api_gateway": requests / 1e6 * prices["api_gateway_rest_per_million"],
        "lambda": (requests + sum(runs for runs, _ in m.jobs.values())) / 1e6 * prices["lambda_requests_per_million"]
        + (r["billed_ms"] * requests + jobs["billed_ms"]) / 1000 * gb * prices["lambda_gb_second"],
        "dynamodb_reads": (r["read_units"] * requests + jobs["read_units"]) / 1e6
        * prices["dynamodb_read_request_units_per_million"],
        "dynamodb_writes": (r["write_units"] * requests + jobs["billed_write_units"]) / 1e6
        * prices["dynamodb_write_request_units_per_million"],
        "dynamodb_transactions": transact * requests / 1e6 * prices["dynamodb_write_request_units_per_million"],
        "dynamodb_storage_pitr": stored_all / GB * prices["dynamodb_storage_gb_month"]
        + stored_table / GB * prices["dynamodb_pitr_gb_month"],
        "s3": s3_stored / GB * prices["s3_storage_gb_month"]
        + (r["s3_put_class"] * requests + jobs["s3_put_class"]) / 1000 * prices["s3_put_per_thousand"]
        + (r["s3_get_class"] * requests + jobs["s3_get_class"]) / 1000 * prices["s3_get_per_thousand"],
        "logs": ((r["log_bytes"] + platform_log) * requests + jobs["log_bytes"]) / GB * prices["cloudwatch_logs_ingest_per_gb"],
        "sqs": jobs["sqs_requests"] / 1e6 * prices["sqs_per_million"],
    }
    costs["total"] = sum(costs.values())
    return costs


def report(m: Measured, volumes: list[int]) -> dict[str, Any]:
    prices = json.loads(PRICES.read_text())
    r = m.per_request()
    rows = {n: monthly(m, n, prices) for n in volumes}
    http_api = {n: n / 1e6 * (prices["api_gateway_http_per_million"] - prices["api_gateway_rest_per_million"])
                for n in volumes}
    return {"as_of": prices["as_of"], "measured_on": date.today().isoformat(), "currency": prices["currency"],
            "memory_mb": memory_mb(), "max_memory_mb": m.max_memory_mb, "profile_cached": m.profile_cached,
            "per_request": r, "write_parts": m.write_parts(),
            "platform_log_bytes": lambda_platform_log_bytes(r["ms"], memory_mb(), m.max_memory_mb),
            "storage": {"table_bytes": m.table_bytes, "index_bytes": m.index_bytes, "s3_bytes": m.s3_bytes},
            "jobs": {name: {"runs_a_month": runs, **u.figures()} for name, (runs, u) in m.jobs.items()},
            "steps": {name: {"share": m.shares[name], "samples": len(s), **_mean([u.figures() for u in s])}
                      for name, s in m.steps.items()},
            "months": {str(n): rows[n] for n in volumes}, "http_api_delta": {str(n): v for n, v in http_api.items()}}


def render(rep: dict[str, Any]) -> str:
    volumes = list(rep["months"])
    r = rep["per_request"]
    lines = [f"| {rep['currency']} / district / month (prices as of {rep['as_of']}, measured {rep['measured_on']}) | "
             + " | ".join(f"{int(n):,} requests" for n in volumes) + " |", "|---|" + "---:|" * len(volumes)]
    for key in rep["months"][volumes[0]]:
        label = f"**{key}**" if key == "total" else key
        lines.append(f"| {label} | " + " | ".join(f"{rep['months'][n][key]:.2f}" for n in volumes) + " |")
    s = rep["storage"]
    jobs = rep["jobs"]
    lines += [
        "",
        "Measured per request (the mix's weighted mean):",
        f"  DynamoDB calls {r['dynamodb_calls']:.2f}; read units {r['read_units']:.2f}; write units {r['write_units']:.2f} "
        f"+ transactional {r['transact_write_units']:.2f} (of which index writes {r['index_write_units']:.2f}) "
        f"+ condition checks {r['condition_checks']:.2f} × 2",
        f"  items read {r['items_read']:.1f} ({r['bytes_read'] / 1024:.1f} KB); items written {r['items_written']:.2f} "
        f"({r['bytes_put']:.0f} bytes put); new storage {r['new_bytes']:.0f} bytes (table {r['new_table_bytes']:.0f})",
        "  transactional write units by part: " + ", ".join(f"{k} {v:.2f}" for k, v in
                                                          sorted(rep["write_parts"].items(), key=lambda x: -x[1])),
        f"  S3 PUT-class {r['s3_put_class']:.3f}, GET-class {r['s3_get_class']:.3f}",
        f"  in-process time {r['ms']:.1f} ms (billed {r['billed_ms']:.1f} ms at {rep['memory_mb']} MB; "
        f"process peak {rep['max_memory_mb']} MB)",
        f"  log {r['log_bytes']:.0f} bytes from the app + {rep['platform_log_bytes']} from Lambda's START/END/REPORT",
        f"  tenant profile read on every request: {'no (30 s cache kept)' if rep['profile_cached'] else 'yes (cache dropped)'}",
        f"District storage at start: DynamoDB {s['table_bytes'] / 2**20:.2f} MB in tables + {s['index_bytes'] / 2**20:.2f} MB "
        f"in indexes; S3 {s['s3_bytes'] / 2**20:.2f} MB",
        "Jobs a month: " + "; ".join(f"{name} ×{j['runs_a_month']:g}: {j['read_units']:.0f} RRU, "
                                     f"{j['billed_write_units']:.0f} WRU, {j['ms']:.0f} ms" for name, j in jobs.items()),
        "API Gateway HTTP API instead of REST would change the total by "
        + ", ".join(f"{float(v):+.2f}" for v in rep["http_api_delta"].values()) + " (see README: why REST stays)",
        "",
        "| step | share % | samples | DynamoDB calls | RRU | WRU (std + tx) | items written | ms | log bytes |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|"]
    for name, st in rep["steps"].items():
        lines.append(f"| {name} | {st['share']:g} | {st['samples']} | {st['dynamodb_calls']:.1f} | {st['read_units']:.1f} | "
                     f"{st['billed_write_units']:.1f} | {st['items_written']:.1f} | {st['ms']:.1f} | {st['log_bytes']:.0f} |")
    return "\n".join(lines)


# --- the local stack ---------------------------------------------------------------------------

@contextmanager
def local_stack() -> Iterator[None]:
    """DynamoDB Local (in memory) and the S3 server on free ports, tables and bucket created."""
    sys.path.insert(0, str(ROOT))
    from infra.local import stack

    ddb_port, s3_port = stack.free_port(), stack.free_port()
    os.environ.update(stack.local_environment(ddb_port, s3_port))
    os.environ.setdefault("GONGJIAN_TABLE_PREFIX", "gongjian-cost")
    os.environ.setdefault("GONGJIAN_BUCKET", "gongjian-cost-data")
    os.environ.setdefault("GONGJIAN_LOCAL_DIR", tempfile.mkdtemp(prefix="gongjian-cost-"))
    procs = [stack.start_dynamodb(ddb_port, None), stack.start_s3(s3_port)]
    try:
        stack.create_tables_and_bucket()
        yield
    finally:
        stack.stop(procs)


def main(volumes: list[int]) -> dict[str, Any]:
    os.environ.setdefault("POWERTOOLS_LOG_LEVEL", "WARNING")  # the demo load's lines; measure() logs at INFO
    with local_stack():
        from chalice.test import Client

        from app import app
        from functions.demo import gangbei, loader

        loader.load_demo()
        with Client(app) as client:
            rep = report(measure(client, gangbei.TENANT["id"]), volumes)
    out = ROOT / "build" / "cost.json"
    out.parent.mkdir(exist_ok=True)
    out.write_text(json.dumps(rep, ensure_ascii=False, indent=1))
    return rep


if __name__ == "__main__":
    print(render(main([int(a) for a in sys.argv[1:]] or [100_000, 1_000_000])))
