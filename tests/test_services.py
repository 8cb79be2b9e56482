"""Services: the 20-minute circle, service requests, volunteer hours and their reports, programmes."""
from __future__ import annotations

from math import pi

import pytest

from conftest import make_structure, token
from functions.services.centres import great_circle_m
from functions.tenancy import system_context
from datetime import UTC

R = 6_371_008.8


@pytest.fixture
def place(api, admin):
    return make_structure(api, admin)  # one grid: the square 109.60–109.61 E × 23.10–23.11 N


def centre(api, admin, place, lat, lon, level="community", name="荷城社区党群服务中心"):
    body = {"name": name, "level": level, "location": {"lat": lat, "lon": lon}}
    if level == "community":
        body["community_id"] = place["community"]
    r = api.post("/v1/service-centres", admin, body)
    assert r.status == 201, r
    return r.json


def test_great_circle_against_hand_computation():
    # along a meridian, 0.01 degree of latitude is R × 0.01 × π / 180
    assert great_circle_m(109.605, 23.105, 109.605, 23.115) == pytest.approx(R * 0.01 * pi / 180, rel=1e-9)
    assert great_circle_m(0, 0, 0, 0) == 0


def test_coverage_inside_and_outside_the_circle(api, admin, tenant, platform_token, place):
    far_grid = api.post("/v1/grids", admin, {"name": "远郊网格", "community_id": place["community"], "boundary": {
        "type": "Polygon", "coordinates": [[[109.70, 23.10], [109.71, 23.10], [109.71, 23.11], [109.70, 23.11], [109.70, 23.10]]]}}).json
    near = centre(api, admin, place, 23.115, 109.605)  # 0.01° north of the first grid's centroid
    cov = api.get("/v1/service-centres/coverage", admin).json
    assert cov["method"]["kind"] == "straight_line_with_detour_factor" and "1.3" in cov["method"]["description"]
    assert cov["grids"] == 2 and cov["covered"] == 1 and cov["share_covered"] == 0.5
    inside = cov["covered_grids"][0]
    expected_m = R * 0.01 * pi / 180 * 1.3  # ≈ 1445.5 m walked
    assert inside["grid_id"] == place["grid"] and inside["nearest_centre"]["id"] == near["id"]
    assert inside["walking_m"] == round(expected_m)
    assert inside["walking_minutes"] == round(expected_m / 75, 1)  # 4.5 km/h = 75 m a minute
    assert inside["centroid"] == {"lon": 109.605, "lat": 23.105}
    assert [g["grid_id"] for g in cov["uncovered_grids"]] == [far_grid["id"]]
    # a slower walking speed set by the district pushes the near grid out of the circle
    api.patch(f"/v1/tenants/{tenant}", platform_token, {"settings": {"walking_speed_kmh": 4.0}, "version": 1})
    assert api.get("/v1/service-centres/coverage", admin).json["covered"] == 0


def test_centre_levels_need_their_place(api, admin, place):
    r = api.post("/v1/service-centres", admin, {"name": "x", "level": "street", "location": {"lat": 23.1, "lon": 109.6}})
    assert r.status == 422 and r.json["errors"][0]["path"] == "/street_id"
    r = api.post("/v1/service-centres", admin, {"name": "x", "level": "district", "location": {"lat": 95, "lon": 109.6}})
    assert r.status == 400 and r.json["errors"][0]["path"] == "/location/lat"


def test_service_request_loop_and_rating(api, admin, tenant, place):
    resident = token("member", tenant, sub="resident-1")
    req = api.post("/v1/service-requests", resident, {"type": "employment", "mode": "door_to_door",
                                                      "community_id": place["community"], "description": "求职",
                                                      "contact": {"name": "王女士", "phone": "13812345678"}})
    assert req.status == 201 and req.json["contact"]["phone"] == "138****5678", req
    rid = req.json["id"]
    assert api.get(f"/v1/service-requests/{rid}", admin).json["contact"]["phone"] == "13812345678"
    assert api.post(f"/v1/service-requests/{rid}/rating", resident, {"rating": 5}).status == 409  # not completed
    bad = api.post(f"/v1/service-requests/{rid}/transitions", admin, {"action": "complete"})
    assert bad.status == 409 and bad.json["allowed"] == ["accept", "decline"]
    english = api.call("POST", f"/v1/service-requests/{rid}/transitions", admin, {"action": "complete"}, headers={"Accept-Language": "en"})
    assert english.json["detail"] == "'complete' is not allowed when submitted; allowed: accept, decline"
    assert api.post(f"/v1/service-requests/{rid}/transitions", resident, {"action": "accept"}).status == 403
    for action in ("accept", "start", "complete"):
        assert api.post(f"/v1/service-requests/{rid}/transitions", admin, {"action": action}).status == 200
    assert api.post(f"/v1/service-requests/{rid}/rating", resident, {"rating": 6}).status == 400
    rated = api.post(f"/v1/service-requests/{rid}/rating", resident, {"rating": 4, "comment": "及时"})
    assert rated.status == 200 and rated.json["rating"] == 4
    assert api.post(f"/v1/service-requests/{rid}/rating", resident, {"rating": 5}).status == 409
    assert [r["id"] for r in api.get("/v1/service-requests?status=completed", admin).json["items"]] == [rid]


def member(api, admin, place, name="在职党员", unit=None):
    unit = unit or api.post("/v1/units", admin, {"name": "港北区工商局", "kind": "government",
                                                 "community_id": place["community"]}).json["id"]
    r = api.post("/v1/members", admin, {"name": name, "unit_id": unit, "in_service": True,
                                        "reported_community_id": place["community"], "user_id": f"u-{name}"})
    assert r.status == 201, r
    return r.json["id"], unit


def hours(api, tok, member_id, day, h, **extra):
    return api.post("/v1/volunteer-activities", tok, {"member_id": member_id, "date": day, "hours": h, **extra})


def test_volunteer_hour_limits_name_the_field(api, admin, place):
    m, _ = member(api, admin, place)
    for bad in (-1, 0, 25):
        r = hours(api, admin, m, "2026-11-02", bad)
        assert r.status == 400 and [e["path"] for e in r.json["errors"]] == ["/hours"], (bad, r)
    assert hours(api, admin, m, "2026-11-02", 20).status == 201
    over = hours(api, admin, m, "2026-11-02", 4.5)
    assert over.status == 422 and over.json["errors"][0]["path"] == "/hours"
    assert hours(api, admin, m, "2026-11-02", 4).status == 201  # exactly 24
    assert hours(api, admin, m, "2026-11-03", 8).status == 201
    assert hours(api, admin, m, "2999-01-01", 1).json["errors"][0]["path"] == "/date"


def test_rejection_frees_the_day(api, admin, place):
    m, _ = member(api, admin, place)
    first = hours(api, admin, m, "2026-11-02", 20).json
    assert hours(api, admin, m, "2026-11-02", 8).status == 422
    assert api.post(f"/v1/volunteer-activities/{first['id']}/verify", admin, {"verified": False}).status == 200
    assert hours(api, admin, m, "2026-11-02", 8).status == 201


def test_totals_count_verified_hours_only(api, admin, tenant, place):
    m1, unit = member(api, admin, place, "甲")
    m2, _ = member(api, admin, place, "乙", unit=unit)
    a = hours(api, admin, m1, "2026-10-05", 3).json
    b = hours(api, admin, m1, "2026-11-02", 2.5).json
    c = hours(api, admin, m2, "2026-11-03", 4).json
    hours(api, admin, m2, "2026-11-04", 6)  # never verified
    staff = token("community_staff", tenant, communities=[place["community"]])
    member_token = token("member", tenant, sub="u-甲")
    assert api.post(f"/v1/volunteer-activities/{a['id']}/verify", member_token, {"verified": True}).status == 403
    for x in (a, b, c):
        assert api.post(f"/v1/volunteer-activities/{x['id']}/verify", staff, {"verified": True}).status == 200
    assert api.post(f"/v1/volunteer-activities/{a['id']}/verify", staff, {"verified": True}).status == 409
    nov = api.get("/v1/volunteer-activities/totals?period=2026-11", admin).json
    assert nov["hours"] == 6.5
    assert {r["member_id"]: r["hours"] for r in nov["members"]} == {m1: 2.5, m2: 4.0}
    assert nov["units"] == [{"unit_id": unit, "hours": 6.5, "activities": 2}]
    assert nov["communities"][0]["community_id"] == place["community"]
    assert api.get("/v1/volunteer-activities/totals?period=2026-Q4", admin).json["hours"] == 9.5
    assert api.get("/v1/volunteer-activities/totals?period=2026-Q5", admin).status == 400
    # the 双报到 report to the employing unit: threshold 50 h a year, both members below it
    run = api.post("/v1/volunteer-reports/runs", admin, {"quarter": "2026-Q4"})
    assert run.status == 201 and run.json["units"] == 1
    report = api.get("/v1/volunteer-reports?quarter=2026-Q4", admin).json["items"][0]
    assert report["unit_id"] == unit and sorted(report["below"]) == sorted([m1, m2])
    assert {m["member_id"]: (m["quarter_hours"], m["year_hours"]) for m in report["members"]} == {m1: (5.5, 5.5), m2: (4.0, 4.0)}
    assert api.post("/v1/volunteer-reports/runs", admin, {"quarter": "2026-Q4"}).status == 201  # rerun replaces


def test_members_record_their_own_hours_only(api, admin, tenant, place):
    m1, unit = member(api, admin, place, "丙")
    m2, _ = member(api, admin, place, "丁", unit=unit)
    me = token("member", tenant, sub="u-丙")
    assert hours(api, me, m1, "2026-11-02", 2).status == 201
    assert hours(api, me, m2, "2026-11-02", 2).status == 403


def test_programmes_and_participants(api, admin, place):
    p = api.post("/v1/programmes", admin, {"name": "阳光妈妈俱乐部", "community_id": place["community"], "audience": "单亲妈妈"}).json
    for name in ("刘女士", "陈女士"):
        assert api.post(f"/v1/programmes/{p['id']}/participants", admin, {"name": name, "needs": ["employment"]}).status == 201
    assert api.get(f"/v1/programmes/{p['id']}", admin).json["participants"] == 2
    assert len(api.get(f"/v1/programmes/{p['id']}/participants", admin).json["items"]) == 2


def test_quarter_job_reports_previous_quarter(api, admin, tenant, place):
    from datetime import datetime

    from functions.services import volunteers

    # The job's own instant: 01:00 on January 1st in Shanghai, still December 31st in UTC.
    assert volunteers.previous_quarter("Asia/Shanghai", datetime(2026, 12, 31, 17, tzinfo=UTC)) == "2026-Q4"
    # The quarter is that of the previous month where the district is: February 1st 01:00 in Shanghai
    # (January 31st in UTC) looks back at January, 2027-Q1; a UTC clock would look back at December.
    assert volunteers.previous_quarter("Asia/Shanghai", datetime(2027, 1, 31, 17, tzinfo=UTC)) == "2027-Q1"
    assert volunteers.previous_quarter("UTC", datetime(2027, 1, 31, 17, tzinfo=UTC)) == "2026-Q4"
    member(api, admin, place)
    assert volunteers.run_quarter(system_context(tenant), "2026-Q3")["units"] == 1
