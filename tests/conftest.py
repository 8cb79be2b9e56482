"""Test stack: DynamoDB Local (in memory) and the S3 server on free loopback ports, started once
per session before the app is imported, so `functions.config` points at them."""
from __future__ import annotations

import json
import os
import sys
import tempfile
import uuid
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from infra.local import stack  # noqa: E402
from hypothesis import settings  # noqa: E402

# `make test` replays the same generated examples everywhere, so a fresh clone is never red at random;
# `make fuzz` (FUZZ_RANDOM=1) explores anew.
settings.register_profile("derandomized", derandomize=True, deadline=None)
settings.register_profile("random", deadline=None, max_examples=500)
settings.load_profile("random" if os.environ.get("FUZZ_RANDOM") == "1" else "derandomized")

_procs: list = []


def pytest_configure(config: Any) -> None:
    ddb_port, s3_port = stack.free_port(), stack.free_port()
    os.environ.update(stack.local_environment(ddb_port, s3_port))
    os.environ["GONGJIAN_TABLE_PREFIX"] = "gongjian-test"
    os.environ["GONGJIAN_BUCKET"] = "gongjian-test-data"
    os.environ["GONGJIAN_LOCAL_DIR"] = tempfile.mkdtemp(prefix="gongjian-test-")
    os.environ["POWERTOOLS_LOG_LEVEL"] = "WARNING"
    os.environ["GONGJIAN_NOTIFY_RETRY_SECONDS"] = "0"  # a failed delivery is retried at once
    _procs.append(stack.start_dynamodb(ddb_port, None))
    _procs.append(stack.start_s3(s3_port))
    stack.create_tables_and_bucket()


def pytest_unconfigure(config: Any) -> None:
    stack.stop(_procs)


class Api:
    """The app through Chalice's test client, answering (status, parsed body, headers)."""

    def __init__(self, client: Any) -> None:
        self.client = client
        self.run_jobs = True  # like `make run`'s worker: a job a request starts runs before the answer returns


    def call(self, method: str, path: str, token: str | None = None, body: Any = None,
             headers: dict[str, str] | None = None, raw: bytes | None = None) -> "Answer":
        h = {"Content-Type": "application/json"}
        if token:
            h["Authorization"] = f"Bearer {token}"
        h.update(headers or {})
        payload = raw if raw is not None else (json.dumps(body, ensure_ascii=False).encode() if body is not None else b"")
        r = getattr(self.client.http, method.lower())(path, headers=h, body=payload)
        answer = Answer(r.status_code, r.body, {k.lower(): v for k, v in r.headers.items()})
        if answer.status == 202 and answer.headers.get("location", "").startswith("/v1/jobs/") and self.run_jobs:
            from functions.jobs import worker

            worker.drain()
        return answer

    def job_result(self, started: "Answer", token: str) -> Any:
        """The result of the job a 202 answer started, which must have succeeded."""
        assert started.status == 202 and started.headers["location"].startswith("/v1/jobs/"), started
        job = self.get(started.headers["location"], token).json
        assert job["state"] == "succeeded", job
        return job["result"]

    def get(self, path: str, token: str | None = None, **kw: Any) -> "Answer":
        return self.call("GET", path, token, **kw)

    def post(self, path: str, token: str | None, body: Any, **kw: Any) -> "Answer":
        return self.call("POST", path, token, body, **kw)

    def patch(self, path: str, token: str | None, body: Any, **kw: Any) -> "Answer":
        return self.call("PATCH", path, token, body, **kw)

    def delete(self, path: str, token: str | None, **kw: Any) -> "Answer":
        return self.call("DELETE", path, token, **kw)

    def all_items(self, path: str, token: str) -> list[dict]:
        """Follow `next_cursor` to the end of a list."""
        items, cursor = [], None
        while True:
            sep = "&" if "?" in path else "?"
            r = self.get(path + (f"{sep}limit=200&cursor={cursor}" if cursor else f"{sep}limit=200"), token)
            assert r.status == 200, r.body
            items += r.json["items"]
            cursor = r.json["next_cursor"]
            if not cursor:
                return items


class Answer:
    def __init__(self, status: int, body: bytes, headers: dict[str, str]) -> None:
        self.status, self.body, self.headers = status, body, headers

    @property
    def json(self) -> Any:
        return json.loads(self.body) if self.body else None

    def __repr__(self) -> str:
        return f"<{self.status} {self.body[:300]!r}>"


@pytest.fixture(scope="session")
def api() -> Api:
    from chalice.test import Client

    from app import app

    with Client(app) as client:
        yield Api(client)


@pytest.fixture(scope="session")
def base_url(api) -> str:
    """The same app served over HTTP on loopback (infra/local/server.py), once per session."""
    import threading

    from infra.local import server

    port = stack.free_port()
    threading.Thread(target=server.serve, args=(port,), daemon=True).start()
    stack.wait_for_port(port, "API server")
    return f"http://127.0.0.1:{port}"


@pytest.fixture(scope="session")
def demo_tenant(api: Api) -> str:
    """The demo district loaded once per session into a tenant of its own, so tests that walk it never
    take the first load away from the tests of the demo district itself."""
    from functions.demo import gangbei, loader

    tenant = f"demo{uuid.uuid4().hex[:8]}"
    with pytest.MonkeyPatch.context() as patch:
        patch.setitem(gangbei.TENANT, "id", tenant)
        loader.load_demo()
    return tenant


def token(role: str, tenant: str | None = None, **claims: Any) -> str:
    from functions import local_issuer

    return local_issuer.mint(claims.pop("sub", f"{role}-{uuid.uuid4().hex[:6]}"), [role], tenant=tenant, **claims)


@pytest.fixture(scope="session")
def platform_token() -> str:
    return token("platform_admin")


def make_tenant(api: Api, platform_token: str, tenant_id: str | None = None, **extra: Any) -> str:
    tenant_id = tenant_id or f"t{uuid.uuid4().hex[:10]}"
    r = api.post("/v1/tenants", platform_token, {"id": tenant_id, "name": f"测试区 {tenant_id}", "tier": "standard", **extra})
    assert r.status == 201, r
    return tenant_id


@pytest.fixture
def tenant(api: Api, platform_token: str) -> str:
    """A fresh tenant per test, so tests never see each other's data."""
    return make_tenant(api, platform_token)


@pytest.fixture
def admin(tenant: str) -> str:
    return token("district_admin", tenant)


SQUARE = {"type": "Polygon", "coordinates": [[[109.60, 23.10], [109.61, 23.10], [109.61, 23.11], [109.60, 23.11], [109.60, 23.10]]]}


def make_structure(api: Api, admin: str, boundary: dict | None = None) -> dict[str, str]:
    """A street, a community and a grid; returns their ids."""
    street = api.post("/v1/streets", admin, {"name": "贵城街道"})
    assert street.status == 201, street
    community = api.post("/v1/communities", admin, {"name": "荷城社区", "street_id": street.json["id"]})
    assert community.status == 201, community
    grid = api.post("/v1/grids", admin, {"name": "荷城社区第1网格", "community_id": community.json["id"],
                                         "boundary": boundary or SQUARE})
    assert grid.status == 201, grid
    return {"street": street.json["id"], "community": community.json["id"], "grid": grid.json["id"]}


@pytest.fixture(scope="session")
def browser():
    """Debian's chromium driven by Playwright for Python (its own browser download is not reachable
    here); `make test` installs it and builds the console (`web/dist`) first."""
    from playwright.sync_api import sync_playwright

    from browser import CHROMIUM

    assert Path(CHROMIUM).exists(), "make test installs Debian's chromium (make browser)"
    assert (ROOT / "web" / "dist" / "index.html").exists(), "make test builds the console (make web-build)"
    with sync_playwright() as p:
        launched = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        yield launched
        launched.close()
