"""Idempotency-Key: same key and body → same answer, one object; same key, other body → 422."""
from conftest import token


def test_same_key_same_body_replays(api, admin):
    h = {"Idempotency-Key": "create-street-1"}
    first = api.post("/v1/streets", admin, {"name": "贵城街道"}, headers=h)
    again = api.post("/v1/streets", admin, {"name": "贵城街道"}, headers=h)
    assert first.status == again.status == 201
    assert first.json == again.json
    assert again.headers.get("idempotent-replayed") == "true"
    assert len(api.get("/v1/streets", admin).json["items"]) == 1


def test_same_key_other_body_is_422(api, admin):
    h = {"Idempotency-Key": "k-2"}
    assert api.post("/v1/streets", admin, {"name": "贵城街道"}, headers=h).status == 201
    r = api.post("/v1/streets", admin, {"name": "港城街道"}, headers=h)
    assert r.status == 422, r
    assert [s["name"] for s in api.get("/v1/streets", admin).json["items"]] == ["贵城街道"]


def test_keys_are_per_user(api, tenant, admin):
    other_admin = token("district_admin", tenant)
    h = {"Idempotency-Key": "shared-key"}
    assert api.post("/v1/streets", admin, {"name": "A"}, headers=h).status == 201
    assert api.post("/v1/streets", other_admin, {"name": "B"}, headers=h).status == 201
    assert len(api.get("/v1/streets", admin).json["items"]) == 2


def test_failed_request_does_not_burn_the_key(api, admin):
    h = {"Idempotency-Key": "k-3"}
    ghost = "01J0000000000000000000000Z"
    assert api.post("/v1/communities", admin, {"name": "c", "street_id": ghost}, headers=h).status == 422
    street = api.post("/v1/streets", admin, {"name": "s"}).json["id"]
    # nothing was stored for the failed attempt, so the corrected request may reuse the key
    fixed = api.post("/v1/communities", admin, {"name": "c", "street_id": street}, headers=h)
    assert fixed.status == 201, fixed
    assert api.post("/v1/communities", admin, {"name": "c", "street_id": street}, headers=h).json == fixed.json


def test_bad_key_is_400(api, admin):
    assert api.post("/v1/streets", admin, {"name": "x"}, headers={"Idempotency-Key": "含中文"}).status == 400
