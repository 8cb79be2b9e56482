"""The bench's peer app does the same job as ours on the same items, and the local HTTP server runs
requests side by side (`infra/local/server.py`: one app per worker process)."""
from __future__ import annotations

import copy
import importlib
import json
import os
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import requests
from chalice.app import Chalice

from infra.local import server, stack

# A test-only app whose one route takes a while and says when and where (which worker) it ran.
slow_app = Chalice(app_name="slow")


@slow_app.route("/slow/{n}")
def slow(n: str) -> dict[str, Any]:
    started = time.time()
    time.sleep(1.0)
    return {"n": n, "pid": os.getpid(), "started": started, "ended": time.time()}


def test_ten_slow_requests_are_handled_at_the_same_time():
    port = stack.free_port()
    api = server.Server(port, workers=10, app="test_bench:slow_app", log_requests=False)
    threading.Thread(target=api.serve_forever, daemon=True).start()
    try:
        with ThreadPoolExecutor(10) as clients:
            answers = list(clients.map(lambda n: requests.get(f"http://127.0.0.1:{port}/slow/{n}", timeout=60).json(),
                                       range(10)))
    finally:
        api.shutdown()
    assert sorted(int(a["n"]) for a in answers) == list(range(10))
    assert len({a["pid"] for a in answers}) == 10, "each request ran in a worker of its own"
    # every request had started before any had ended: all ten were inside the app at one moment
    assert max(a["started"] for a in answers) < min(a["ended"] for a in answers), answers


def test_the_server_answers_unknown_paths_as_the_gateway_does():
    port = stack.free_port()
    api = server.Server(port, workers=1, app="test_bench:slow_app", log_requests=False)
    threading.Thread(target=api.serve_forever, daemon=True).start()
    try:
        r = requests.get(f"http://127.0.0.1:{port}/nowhere", headers={"Authorization": "Bearer x"}, timeout=30)
    finally:
        api.shutdown()
    assert r.status_code == 404 and r.headers["content-type"].startswith("application/problem+json")
    assert "Bearer" not in r.text


def test_the_peer_reads_lists_and_writes_what_ours_does(api, admin, tenant, monkeypatch):
    from app import app
    from infra.bench import figures

    for name, value in figures.peer_environment().items():
        monkeypatch.setenv(name, value)
    peer = importlib.import_module("infra.bench.peer_app").app
    street = api.post("/v1/streets", admin, {"name": "贵城街道"}).json["id"]
    read, listing = figures.read_event(admin, street), figures.list_event(admin)
    for target in (app, peer):
        answer = target(copy.deepcopy(read), None)
        assert answer["statusCode"] == 200 and json.loads(answer["body"])["name"] == "贵城街道"
        answer = target(copy.deepcopy(listing), None)
        assert answer["statusCode"] == 200 and [s["id"] for s in json.loads(answer["body"])["items"]] == [street]
    assert peer(figures.write_event(admin, 1), None)["statusCode"] == 201
    assert len(json.loads(peer(copy.deepcopy(listing), None)["body"])["items"]) == 2
    # the same token checks: another audience is refused
    from functions import local_issuer

    foreign = local_issuer.mint("someone", ["district_admin"], tenant=tenant, aud="elsewhere")
    assert peer(figures.read_event(foreign, street), None)["statusCode"] == 401
