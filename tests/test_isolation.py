"""Tenant isolation, walked over every route of the app's route table.

The owner tenant gets one object of every kind, made by POSTing each `create_<noun>` route's
schema example (placeholders like "{street}" replaced by the owner's ids). Then an intruder from
another tenant — whose id is a prefix of, or extends, the owner's — calls every route, with the
owner's ids in the path and the body. It must never read or change the owner's data:

- a route naming an owner's object answers 404 (403 for platform-only routes);
- a create that references an owner's object is refused (404/422);
- a list never shows an owner's id;
- afterwards the owner's objects and audit chain are exactly as before.

A route added tomorrow is walked tomorrow: nothing here names a route.
"""
from __future__ import annotations

import json
import os
import re
from pathlib import Path
from typing import Any

import pytest

from conftest import make_tenant, token
from functions.audit import verify as audit_verify
from functions.ids import new_id

PLACEHOLDER = re.compile(r"^\{(\w+)\}$")
OWNER, INTRUDER = "acme", "acme-corp"
WALKED: list[tuple[str, str, str, int]] = []  # (method, route, intruder role, status) for the report


@pytest.fixture(scope="module", autouse=True)
def isolation_report():
    """With ISOLATION_REPORT=<file> (make isolation-report), write what every route answered."""
    yield
    target = os.environ.get("ISOLATION_REPORT")
    if not target or not WALKED:
        return
    roles = sorted({w[2] for w in WALKED})
    table: dict[tuple[str, str], dict[str, int]] = {}
    for method, route, role, status in WALKED:
        table.setdefault((route, method), {})[role] = status
    lines = ["# 租户隔离报告 / Tenant isolation report", "",
             f"另一区（`{INTRUDER}`）的令牌访问 `{OWNER}` 的每个接口和对象时得到的状态码。两个区的标识互为前缀。",
             f"What a token of another district (`{INTRUDER}`) got from every route when naming `{OWNER}`'s objects. "
             "The two tenant ids are prefixes of one another. 404 = not found (another tenant's object), 403 = not allowed, "
             "400/422 = refused input; 2xx appear only where the caller acted on its own tenant's data (for example creating "
             "its own street), and after the walk the owner's data was compared and found unchanged.", "",
             "| route | " + " | ".join(roles) + " |", "|---|" + "---:|" * len(roles)]
    lines += [f"| `{method} {route}` | " + " | ".join(str(statuses.get(r, "")) for r in roles) + " |"
              for (route, method), statuses in sorted(table.items())]
    Path(target).parent.mkdir(parents=True, exist_ok=True)
    Path(target).write_text("\n".join(lines) + "\n", encoding="utf-8")


def routes() -> list[tuple[str, str, Any]]:
    """(path, method, declaration) of every route the app serves, public ones left out."""
    import app  # noqa: F401  (registers the declarations)
    from functions.api.declaration import OPERATIONS

    return [(path, method, op) for (method, path), op in sorted(OPERATIONS.items(), key=lambda i: (i[0][1], i[0][0]))
            if not op.public]


def body_examples(op: Any) -> list[Any]:
    """The examples of the route's declared body schema ([{}] when it takes none)."""
    from functions import validation

    if not op.body_schema:
        return [{}]
    schema = validation.patch_schema(op.body_schema) if op.patch else validation.load(op.body_schema)
    assert schema.get("examples"), f"schema {op.body_schema} needs an example for the isolation walk"
    return schema["examples"]


def noun_of(view_name: str) -> str:
    return view_name.split("_", 1)[1] if "_" in view_name else view_name


def fill(value: Any, ids: dict[str, str]) -> Any:
    """Replace "{noun}" placeholders with ids (unknown nouns get a random, non-existent ULID)."""
    if isinstance(value, str):
        m = PLACEHOLDER.match(value)
        return ids.get(m.group(1), new_id()) if m else value
    if isinstance(value, list):
        return [fill(v, ids) for v in value]
    if isinstance(value, dict):
        return {k: fill(v, ids) for k, v in value.items()}
    return value


# Path parameters that are positions, not objects: the owner's first minutes revision, first action part.
POSITIONS = {"revision": "1", "part": "0", "code": "street_vending", "year": "2027", "period": "2026-10",
             "quarter": "2026-Q4"}


def path_for(path: str, ids: dict[str, str]) -> str | None:
    """The path with owner ids for each `{x_id}`; None if some parameter has no owner object."""
    out = path
    for param in re.findall(r"{(\w+)}", path):
        noun = param.removesuffix("_id")
        value = ids.get(noun) or POSITIONS.get(noun) or next(
            (v for k, v in ids.items() if k.endswith(f"_{noun}")), None)
        if value is None:
            return None
        out = out.replace("{" + param + "}", value)
    return out


def example_body(op: Any, ids: dict[str, str]) -> Any:
    return fill(body_examples(op)[0], ids)


def call(api, method: str, path: str, tok: str, entry: Any, body: Any):
    types = entry.content_types
    if "application/json" in types:
        return api.call(method, path, tok, body if method in ("POST", "PUT", "PATCH") else None)
    return api.call(method, path, tok, raw="会议纪要 minutes".encode(), headers={"Content-Type": types[0]})


def owner_token(ids: dict[str, str]) -> str:
    """The owner as district admin and as grid worker of every grid made so far (patrols need one)."""
    from functions import local_issuer

    grids = [v for k, v in ids.items() if k in ("grid", "grid_2")]
    return local_issuer.mint("owner", ["district_admin", "grid_worker"], tenant=OWNER, grids=grids)


def build_owner_objects(api) -> dict[str, str]:
    """One object of every creatable kind, in dependency order."""
    ids: dict[str, str] = {"tenant": OWNER}
    pending = [(p, m, e) for p, m, e in routes() if (m == "POST" and e.view_name.startswith("create_")
               or m == "PUT" and e.view_name.startswith("put_")) and e.view_name != "create_tenant"]
    while pending:
        progressed = False
        for route in list(pending):
            path, method, entry = route
            real_path = path_for(path, ids)
            examples = body_examples(entry)
            needed = {m.group(1) for m in map(PLACEHOLDER.match, _strings(examples[0])) if m}
            if real_path is None or not needed <= set(ids):
                continue
            r = call(api, method, real_path, owner_token(ids), entry, example_body(entry, ids))
            assert r.status in ((201, 202) if method == "POST" else (200, 201)), (path, r)
            pending.remove(route)
            progressed = True
            if method == "PUT":
                continue
            noun = noun_of(entry.view_name)
            made = r.json.get("id") or r.json.get(f"{noun.split('_')[-1]}_id")
            if made:
                ids[noun] = made
            for field, value in r.json.items():  # objects created along (a decision's actions)
                if isinstance(value, list) and value and isinstance(value[0], dict) and "id" in value[0]:
                    ids.setdefault(field.removesuffix("s"), value[0]["id"])
            # a second of each kind where the rules allow it (pairings need two units)
            second = call(api, method, real_path, owner_token(ids), entry, example_body(entry, ids))
            if second.status == 201 and "id" in second.json:
                ids[f"{noun}_2"] = second.json["id"]
        assert progressed, f"cannot create owner objects for: {[p for p, _, _ in pending]}"
    return ids


def _strings(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, list):
        return [s for v in value for s in _strings(v)]
    if isinstance(value, dict):
        return [s for v in value.values() for s in _strings(v)]
    return []


def without_urls(value: Any) -> Any:
    """The answer minus presigned URLs, which are signed anew on every read."""
    if isinstance(value, dict):
        return {k: without_urls(v) for k, v in value.items() if not k.endswith("url")}
    if isinstance(value, list):
        return [without_urls(v) for v in value]
    return value


def snapshot(api, owner_token: str, ids: dict[str, str]) -> dict[str, Any]:
    """Everything the owner can read: every list and every object, plus its audit chain."""
    seen: dict[str, Any] = {}
    for path, method, entry in routes():
        if method != "GET" or path == "/v1/me":
            continue
        real = path_for(path, ids)
        if real is None:
            continue
        r = api.get(real, owner_token)
        seen[path] = (r.status, without_urls(r.json))
    seen["audit"] = audit_verify.verify(OWNER)
    return seen


@pytest.fixture(scope="module")
def tenants(api, platform_token):
    for tid in (OWNER, INTRUDER):
        make_tenant(api, platform_token, tid)
    return OWNER, INTRUDER


@pytest.mark.parametrize("role", ["district_admin", "community_staff", "grid_worker", "member"])
def test_every_route_keeps_tenants_apart(api, tenants, role):
    ids = build_owner_objects(api)
    owner = owner_token(ids)
    before = snapshot(api, owner, ids)
    # the intruder's scopes name the owner's objects, as a confused or hostile client might
    intruder = token(role, INTRUDER, communities=[ids.get("community", "")], grids=[ids.get("grid", "")])
    owner_ids = set(ids.values()) - {OWNER}
    walked = 0
    for path, method, entry in routes():
        if path == "/v1/me":
            continue
        real = path_for(path, ids)
        if real is None:  # a parameter naming something the owner cannot create: use an unknown id
            real = re.sub(r"{\w+}", new_id(), path)
        body = example_body(entry, ids)
        r = call(api, method, real, intruder, entry, body)
        walked += 1
        WALKED.append((method, path, role, r.status))
        assert r.status < 500, (method, path, r)
        leaked = [i for i in owner_ids if i in r.body.decode("utf-8", "replace")]
        has_ids = any(i in real for i in owner_ids) or any(isinstance(s, str) and s in owner_ids for s in _strings(body))
        if path.startswith("/v1/tenants"):
            assert r.status == 403, (method, path, r)
        elif has_ids:
            assert r.status in (403, 404, 422) and not (200 <= r.status < 300), (method, path, r)
            if any(i in real for i in owner_ids) and role == "district_admin":
                assert r.status == 404, (method, path, r)  # another tenant's object is a 404, not a 403
        assert not leaked or r.status >= 400 and not any(
            i in json.dumps(r.json.get("items", [])) for i in owner_ids), (method, path, r)
        assert not leaked, (method, path, "owner id in answer", r)
    # Measured against Chalice's own route table, not the list walked: every route it serves was walked
    # but the public ones and /v1/me (which reads only the token).
    from app import app

    served = {(m, p) for p, methods in app.routes.items() for m in methods}
    public = {("GET", "/v1/health"), ("GET", "/v1/openapi.json"), ("GET", "/docs"), ("GET", "/docs/{asset}"), ("GET", "/v1/me")}
    assert {(m, p) for m, p, r, _ in WALKED if r == role} == served - public
    assert walked == len(served - public)
    assert snapshot(api, owner, ids) == before


def test_every_key_starts_with_a_tenant_and_delimiter(api, tenants):
    """Walk the tables themselves (a Scan is fine in a test): no key without `<tenant>#`."""
    from functions.models import ALL_TABLES

    from functions.models import JobsTable

    known = {t["id"] for t in api.all_items("/v1/tenants", token("platform_admin"))}
    for model in ALL_TABLES:
        for item in model.scan():
            tenant, sep, _ = item.pk.partition("#")
            # the one key of no district: jobs of auditors and platform admins (`platform` is no tenant's id)
            platform_job = model is JobsTable and item.pk == "platform#job"
            assert sep and (tenant in known or platform_job), (model.Meta.table_name, item.pk)
            for key in (item.gsi1pk, item.gsi2pk):
                if key and not key.startswith("platform#"):
                    assert key.split("#", 1)[0] in known, (model.Meta.table_name, key)
