"""Inputs that once answered 5xx or the wrong status, now a clear 4xx problem: each case was seen
against the running stack before it was fixed."""
from __future__ import annotations

from urllib.parse import quote

import pytest
import requests

from conftest import make_structure, token
from functions import local_issuer


@pytest.mark.parametrize("claim", [["gangbei"], {"id": "gangbei"}, 7, "Not A Tenant!"])
def test_a_signed_token_with_a_tenant_claim_of_the_wrong_shape_is_401(api, claim):
    forged = local_issuer.mint("someone", ["district_admin"], tenant=claim)
    r = api.get("/v1/streets", forged)
    assert r.status == 401 and r.headers["content-type"].startswith("application/problem+json")


def test_a_token_with_roles_of_the_wrong_shape_is_401(api, tenant):
    r = api.get("/v1/streets", local_issuer.mint("someone", [["district_admin"]], tenant=tenant))  # type: ignore[list-item]
    assert r.status == 401


def test_an_absurdly_nested_body_is_400(api, admin):
    r = api.call("POST", "/v1/streets", admin, raw=b"[" * 50_000)
    assert r.status == 400 and r.json["type"].endswith("bad-request")
    r = api.call("POST", "/v1/streets", admin, raw=b'{"name": ' + b"[" * 40 + b"1" + b"]" * 40 + b"}")
    assert r.status == 400 and "嵌套" in r.json["detail"]


@pytest.mark.parametrize("path", ["/v1/alliances", "/v1/programmes", "/v1/units", "/v1/volunteer-activities"])
def test_a_non_ascii_cursor_is_400(api, admin, path):
    r = api.get(f"{path}?cursor={quote('é.é')}", admin)
    assert r.status == 400 and r.json["errors"][0]["path"] == "/cursor"


def test_unknown_paths_and_methods_over_http(base_url, admin):
    auth = {"Authorization": f"Bearer {admin}"}
    r = requests.get(f"{base_url}/v1/no-such-thing", headers=auth, timeout=10)
    assert r.status_code == 404 and r.headers["content-type"].startswith("application/problem+json")
    assert admin not in r.text and "Signature" not in r.text
    r = requests.request("TRACE", f"{base_url}/v1/streets", headers=auth, timeout=10)
    assert r.status_code == 405 and r.headers["content-type"].startswith("application/problem+json")
    assert {"GET", "POST"} <= {m.strip() for m in r.headers["allow"].split(",")}
    r = requests.put(f"{base_url}/v1/streets", headers={**auth, "Accept-Language": "en"}, json={}, timeout=10)
    assert r.status_code == 405 and r.json()["title"] == "Method not allowed on this path"


def test_if_match_on_patch_and_delete(api, admin):
    ids = make_structure(api, admin)
    street = api.get(f"/v1/streets/{ids['street']}", admin)
    etag = street.headers["etag"]
    r = api.patch(f"/v1/streets/{ids['street']}", admin, {"name": "贵城街道（新）"}, headers={"If-Match": etag})
    assert r.status == 200 and r.json["version"] == 2 and r.headers["etag"] == '"2"'
    stale = api.patch(f"/v1/streets/{ids['street']}", admin, {"name": "又一名"}, headers={"If-Match": etag})
    assert stale.status == 409
    assert api.get(f"/v1/streets/{ids['street']}", admin).json["name"] == "贵城街道（新）"
    grid = api.get(f"/v1/grids/{ids['grid']}", admin)
    assert api.delete(f"/v1/grids/{ids['grid']}", admin, headers={"If-Match": '"9"'}).status == 409
    assert api.delete(f"/v1/grids/{ids['grid']}", admin, headers={"If-Match": grid.headers["etag"]}).status == 204


def test_idempotency_key_replays_a_transition(api, admin, tenant):
    ids = make_structure(api, admin)
    incident = api.post("/v1/incidents", admin, {"category": "dispute", "description": "邻里纠纷", "grid_id": ids["grid"]})
    path = f"/v1/incidents/{incident.json['id']}/transitions"
    first = api.post(path, admin, {"action": "accept"}, headers={"Idempotency-Key": "accept-once"})
    again = api.post(path, admin, {"action": "accept"}, headers={"Idempotency-Key": "accept-once"})
    assert first.status == again.status == 200 and again.headers.get("idempotent-replayed") == "true"
    assert api.get(f"/v1/incidents/{incident.json['id']}", token("district_admin", tenant)).json["status"] == "accepted"


def test_a_date_range_that_ends_before_it_starts_is_400(api, admin):
    """Found by `make fuzz`: DynamoDB refuses a BETWEEN whose bounds are reversed, which was a 500."""
    ids = make_structure(api, admin)
    committee = api.post("/v1/committees", admin, {"community_id": ids["community"], "name": "荷城社区大党委",
                                                   "members": []})
    committee_id = committee.json["id"] if committee.status == 201 else "01J0000000000000000000000A"
    r = api.get(f"/v1/meetings/attendance?committee_id={committee_id}&from=2100-11-02&to=2077-05-10", admin)
    assert r.status == 400 and r.json["errors"][0]["path"] == "/to"
    assert api.get("/v1/audit-log?from=2026-11-02&to=2026-11-01", admin).status == 400


def test_a_replayed_assessment_run_answers_what_the_first_did(api, admin):
    """Found by `make fuzz`: the run stored no answer with its idempotency record, so a retry got `null`."""
    first = api.post("/v1/assessments/runs", admin, {"period": "2026-10"}, headers={"Idempotency-Key": "run-oct"})
    again = api.post("/v1/assessments/runs", admin, {"period": "2026-10"}, headers={"Idempotency-Key": "run-oct"})
    assert first.status == again.status == 202 and again.headers.get("idempotent-replayed") == "true"
    assert again.json == first.json and again.headers["location"] == first.headers["location"] == f"/v1/jobs/{first.json['id']}"
    assert api.get(first.headers["location"], admin).json["result"]["period"] == "2026-10"  # and it ran once


@pytest.mark.parametrize("key", ["", "k" * 201])
def test_an_idempotency_key_out_of_bounds_is_400(api, admin, key):
    r = api.post("/v1/streets", admin, {"name": "贵城街道"}, headers={"Idempotency-Key": key})
    assert r.status == 400 and r.json["errors"][0]["path"] == "/Idempotency-Key"
    assert api.get("/v1/streets", admin).json["items"] == []
