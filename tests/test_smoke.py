from conftest import make_structure


def test_health_is_public(api):
    r = api.get("/v1/health")
    assert r.status == 200 and r.json == {"status": "ok"}


def test_structure_round_trip(api, admin):
    ids = make_structure(api, admin)
    r = api.get(f"/v1/grids/{ids['grid']}", admin)
    assert r.status == 200, r
    assert r.json["community_id"] == ids["community"]
