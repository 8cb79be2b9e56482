"""The user directory: roles and scopes as data, tokens made from the record, disabling, who manages whom."""
from __future__ import annotations

import pytest

from conftest import make_structure, token
from functions import local_issuer
from functions.accounts import users


def user_token(tenant: str, user: dict) -> str:
    """A token as the pre-token trigger (or `make token SUB=`) makes it: claims from the record alone."""
    claims = users.claims(tenant, users.record(tenant, user["id"]))
    return local_issuer.mint(user["id"], claims.pop("roles"), tenant=claims.pop("tenant"), **claims)


@pytest.fixture
def place(api, admin):
    return make_structure(api, admin)


def add(api, tok, body, status=201):
    r = api.post("/v1/users", tok, body)
    assert r.status == status, r
    return r.json


def test_a_grid_worker_is_data_the_grid_and_the_token_agree(api, admin, tenant, place):
    worker = add(api, admin, {"name": "黄网格员", "phone": "13807751234", "roles": ["grid_worker"], "grids": [place["grid"]]})
    assert worker["status"] == "invited" and worker["community_ids"] == [place["community"]]
    assert api.get(f"/v1/grids/{place['grid']}", admin).json["workers"] == [worker["id"]]
    tok = user_token(tenant, worker)
    r = api.post("/v1/incidents", tok, {"category": "sanitation", "description": "垃圾堆放", "grid_id": place["grid"]})
    assert r.status == 201 and r.json["reporter"] == worker["id"], r
    moved = api.patch(f"/v1/users/{worker['id']}", admin, {"roles": ["resident"], "grids": [], "version": 1})
    assert moved.status == 200, moved
    assert api.get(f"/v1/grids/{place['grid']}", admin).json["workers"] == []


def test_disabling_refuses_the_next_request_and_keeps_what_they_wrote(api, admin, tenant, place):
    worker = add(api, admin, {"name": "韦网格员", "roles": ["grid_worker"], "grids": [place["grid"]]})
    tok = user_token(tenant, worker)
    report = api.post("/v1/incidents", tok, {"category": "sanitation", "description": "x", "grid_id": place["grid"]})
    assert api.get("/v1/incidents", tok).status == 200
    off = api.patch(f"/v1/users/{worker['id']}", admin, {"status": "disabled", "version": 1})
    assert off.status == 200 and off.json["status"] == "disabled"
    refused = api.get("/v1/incidents", tok)
    assert refused.status == 401 and refused.json["detail"] == "该用户已停用", refused
    assert api.post("/v1/incidents", tok, {"category": "sanitation", "description": "y", "grid_id": place["grid"]}).status == 401
    assert api.get(f"/v1/incidents/{report.json['id']}", admin).status == 200  # nothing they wrote is lost
    assert api.get(f"/v1/grids/{place['grid']}", admin).json["workers"] == []  # a disabled worker works no grid
    back = api.patch(f"/v1/users/{worker['id']}", admin, {"status": "active", "version": 2})
    assert back.status == 200 and api.get("/v1/incidents", tok).status == 200
    assert api.get(f"/v1/grids/{place['grid']}", admin).json["workers"] == [worker["id"]]


def test_the_last_district_admin_cannot_be_disabled_or_demoted(api, admin):
    first = add(api, admin, {"name": "区管理员甲", "roles": ["district_admin"]})
    for change in ({"status": "disabled"}, {"roles": ["resident"]}):
        r = api.patch(f"/v1/users/{first['id']}", admin, {**change, "version": 1})
        assert r.status == 409 and "最后一位区管理员" in r.json["detail"], r
    second = add(api, admin, {"name": "区管理员乙", "roles": ["district_admin"]})
    assert api.patch(f"/v1/users/{first['id']}", admin, {"status": "disabled", "version": 1}).status == 200
    assert api.patch(f"/v1/users/{second['id']}", admin, {"roles": ["resident"], "version": 1}).status == 409


def test_bad_roles_and_scopes_are_refused_naming_the_field(api, admin, place):
    cases = [
        ({"name": "x", "roles": ["grid_worker"]}, 422, "/grids"),
        ({"name": "x", "roles": ["resident"], "grids": [place["grid"]]}, 422, "/grids"),
        ({"name": "x", "roles": ["street_staff"], "streets": ["01JAAAAAAAAAAAAAAAAAAAAAAA"]}, 422, "/streets/0"),
        ({"name": "x", "roles": ["grid_worker"], "grids": ["01JAAAAAAAAAAAAAAAAAAAAAAA"]}, 422, "/grids/0"),
        ({"name": "x", "roles": ["platform_admin"]}, 400, "/roles/0"),
        ({"name": "x", "roles": ["resident"], "phone": "12345"}, 400, "/phone"),
        ({"name": "x", "roles": ["resident"], "email": "not-an-address"}, 400, "/email"),
        ({"name": "x", "roles": []}, 400, "/roles"),
    ]
    for body, status, path in cases:
        r = api.post("/v1/users", admin, body)
        assert r.status == status and path in [e["path"] for e in r.json["errors"]], (body, r)
    assert api.get("/v1/users", admin).json["items"] == []  # nothing half-written


def test_community_staff_manage_their_grid_workers_and_residents_and_nothing_above(api, admin, tenant, place):
    staff = token("community_staff", tenant, communities=[place["community"]])
    worker = add(api, staff, {"name": "网格员", "roles": ["grid_worker"], "grids": [place["grid"]]})
    resident = add(api, staff, {"name": "居民", "roles": ["resident"], "communities": [place["community"]]})
    above = api.post("/v1/users", staff, {"name": "x", "roles": ["community_staff"], "communities": [place["community"]]})
    assert above.status == 422 and above.json["errors"][0]["path"] == "/roles/0"
    elsewhere = make_structure(api, admin)
    outside = api.post("/v1/users", staff, {"name": "x", "roles": ["grid_worker"], "grids": [elsewhere["grid"]]})
    assert outside.status == 403
    other = add(api, admin, {"name": "他社区网格员", "roles": ["grid_worker"], "grids": [elsewhere["grid"]]})
    district = add(api, admin, {"name": "区管理员", "roles": ["district_admin"]})
    listed = {u["id"] for u in api.get("/v1/users", staff).json["items"]}
    assert listed == {worker["id"], resident["id"]}
    assert api.get(f"/v1/users/{other['id']}", staff).status == 404
    assert api.patch(f"/v1/users/{district['id']}", staff, {"status": "disabled", "version": 1}).status == 404
    assert {u["id"] for u in api.get("/v1/users", admin).json["items"]} == {worker["id"], resident["id"], other["id"],
                                                                            district["id"]}
    assert api.get("/v1/users", token("grid_worker", tenant, grids=[place["grid"]])).status == 403


def test_filters_and_another_tenant(api, admin, place, platform_token):
    from conftest import make_tenant

    worker = add(api, admin, {"name": "网格员", "roles": ["grid_worker"], "grids": [place["grid"]]})
    add(api, admin, {"name": "居民", "roles": ["resident"]})
    assert [u["id"] for u in api.get("/v1/users?role=grid_worker", admin).json["items"]] == [worker["id"]]
    assert [u["id"] for u in api.get(f"/v1/users?community_id={place['community']}", admin).json["items"]] == [worker["id"]]
    assert len(api.get("/v1/users?status=invited", admin).json["items"]) == 2
    intruder = token("district_admin", make_tenant(api, platform_token))
    assert api.get(f"/v1/users/{worker['id']}", intruder).status == 404
    assert api.get("/v1/users", intruder).json["items"] == []
