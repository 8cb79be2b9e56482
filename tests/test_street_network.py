"""The 20-minute circle along the district's street network: upload, checks, routing, fallback."""
from __future__ import annotations

import hashlib
import json

import pytest
import requests

from conftest import make_structure, token
from functions.services.centres import great_circle_m
from functions.services.street_network import nearest_sources, parse


@pytest.fixture
def place(api, admin):
    return make_structure(api, admin)  # one grid: the square 109.60–109.61 E × 23.10–23.11 N, centroid 109.605, 23.105


def line(*points):
    return {"type": "Feature", "properties": {}, "geometry": {"type": "LineString", "coordinates": [list(p) for p in points]}}


def upload(api, admin, document) -> dict:
    raw = json.dumps(document).encode()
    up = api.post("/v1/uploads", admin, {"purpose": "street_network", "filename": "roads.geojson",
                                         "content_type": "application/geo+json", "size": len(raw),
                                         "sha256": hashlib.sha256(raw).hexdigest()})
    assert up.status == 201, up
    assert requests.put(up.json["url"], data=raw, headers=up.json["headers"], timeout=10).status_code == 200
    return {"key": up.json["key"], "sha256": hashlib.sha256(raw).hexdigest()}


def test_shortest_walk_goes_round_the_river_by_the_bridge():
    # a square block: from the south-west corner to the north-east one, two ways of equal length,
    # plus a long way round; the walk is the short one, whichever source is nearer wins
    network, figures = parse(json.dumps({"type": "FeatureCollection", "features": [
        line((0, 0), (0.01, 0)), line((0.01, 0), (0.01, 0.01)), line((0, 0), (0, 0.01)), line((0, 0.01), (0.01, 0.01)),
        line((0.01, 0.01), (0.05, 0.01))]}).encode())
    assert figures["junctions"] == 5 and figures["segments"] == 5 and figures["connected_parts"] == 1
    start = network.nearest(0, 0)
    far = network.nearest(0.05, 0.01)
    assert start is not None and far is not None and start[1] == 0
    best, label = nearest_sources(network, [(start[0], 0.0, "A"), (far[0], 0.0, "B")])
    corner = network.nearest(0.01, 0.01)
    assert corner is not None
    expected = great_circle_m(0, 0, 0.01, 0) + great_circle_m(0.01, 0, 0.01, 0.01)
    assert best[corner[0]] == pytest.approx(expected) and label[corner[0]] == "A"
    assert network.nearest(1, 1) is None  # more than 500 m from any street


def test_coverage_walks_the_network_and_says_so(api, admin, place):
    api.post("/v1/service-centres", admin, {"name": "服务中心", "level": "community", "community_id": place["community"],
                                            "location": {"lat": 23.115, "lon": 109.605}})
    before = api.get("/v1/service-centres/coverage", admin).json
    assert before["method"]["kind"] == "straight_line_with_detour_factor"
    assert "未导入路网" in before["method"]["description"]
    assert before["covered_grids"][0]["method"] == "straight_line_with_detour_factor"
    assert api.get("/v1/street-network", admin).status == 404
    # the only street from the grid's centre to the centre goes 0.01° east, north, then back west
    roads = {"type": "FeatureCollection", "features": [
        line((109.605, 23.105), (109.615, 23.105), (109.615, 23.115), (109.605, 23.115))]}
    loaded = api.call("PUT", "/v1/street-network", admin, {**upload(api, admin, roads), "name": "测试路网"})
    assert loaded.status == 200, loaded
    assert loaded.json["lines"] == 1 and loaded.json["junctions"] == 4 and loaded.json["connected_parts"] == 1
    assert api.get("/v1/street-network", admin).json["sha256"] == loaded.json["sha256"]
    after = api.get("/v1/service-centres/coverage", admin).json
    assert after["method"]["kind"] == "street_network" and "500" in after["method"]["description"]
    grid = (after["covered_grids"] + after["uncovered_grids"])[0]
    walked = (great_circle_m(109.605, 23.105, 109.615, 23.105) + great_circle_m(109.615, 23.105, 109.615, 23.115)
              + great_circle_m(109.615, 23.115, 109.605, 23.115))
    assert grid["method"] == "street_network" and grid["walking_m"] == round(walked)  # ≈ 3.2 km, not 1.4 km
    assert grid["covered"] is False  # 43 minutes on foot
    # a grid far from every street keeps the straight-line figure and says so
    far = api.post("/v1/grids", admin, {"name": "远郊网格", "community_id": place["community"], "boundary": {
        "type": "Polygon", "coordinates": [[[109.70, 23.10], [109.71, 23.10], [109.71, 23.11], [109.70, 23.11], [109.70, 23.10]]]}}).json
    cov = api.get("/v1/service-centres/coverage", admin).json
    assert next(g for g in cov["uncovered_grids"] if g["grid_id"] == far["id"])["method"] == "straight_line_with_detour_factor"
    # stopping the network brings back the straight line
    assert api.delete("/v1/street-network", admin).status == 204
    assert api.get("/v1/service-centres/coverage", admin).json["method"]["kind"] == "straight_line_with_detour_factor"


def test_a_bad_file_is_refused_naming_the_line(api, admin, place):
    bad = {"type": "FeatureCollection", "features": [line((109.6, 23.1), (109.61, 23.1)), line((109.6, 23.1)),
                                                     line((109.6, 23.1), (200, 23.1))]}
    r = api.call("PUT", "/v1/street-network", admin, upload(api, admin, bad))
    assert r.status == 422
    assert [e["path"] for e in r.json["errors"]] == ["/file/features/1/geometry/coordinates",
                                                     "/file/features/2/geometry/coordinates/1"]
    points = {"type": "FeatureCollection", "features": [{"type": "Feature", "geometry": {"type": "Point", "coordinates": [1, 2]}}]}
    r = api.call("PUT", "/v1/street-network", admin, upload(api, admin, points), headers={"Accept-Language": "en"})
    assert r.status == 422 and "LineString" in r.json["errors"][0]["message"]
    stored = upload(api, admin, {"type": "FeatureCollection", "features": [line((109.6, 23.1), (109.61, 23.1))]})
    assert api.call("PUT", "/v1/street-network", admin, {**stored, "sha256": "0" * 64}).json["errors"][0]["path"] == "/sha256"
    assert api.get("/v1/street-network", admin).status == 404  # nothing half-adopted
    inline = api.call("PUT", "/v1/street-network", admin, {"geojson": bad})
    assert inline.status == 422 and inline.json["errors"][0]["path"] == "/geojson/features/1/geometry/coordinates"
    both = api.call("PUT", "/v1/street-network", admin, {**stored, "geojson": bad})
    assert both.status == 422 and both.json["errors"][0]["path"] == "/key"
    assert api.call("PUT", "/v1/street-network", admin, {"name": "x"}).status == 422
    assert api.call("PUT", "/v1/street-network", admin, {"key": stored["key"]}).status == 400  # sha256 goes with key
    small = api.call("PUT", "/v1/street-network", admin, {"geojson": {"type": "FeatureCollection", "features": [
        line((109.6, 23.1), (109.61, 23.1))]}, "name": "小路网"})
    assert small.status == 200 and small.json["name"] == "小路网" and small.json["segments"] == 1


def test_only_district_staff_load_a_network_and_only_their_own_files(api, admin, tenant, platform_token, place):
    from conftest import make_tenant

    roads = {"type": "FeatureCollection", "features": [line((109.6, 23.1), (109.61, 23.1))]}
    secretary = token("community_staff", tenant, communities=[place["community"]])
    r = api.post("/v1/uploads", secretary, {"purpose": "street_network", "filename": "r.geojson", "content_type": "application/json",
                                            "size": 10, "sha256": "0" * 64})
    assert r.status == 403
    stored = upload(api, admin, roads)
    assert api.call("PUT", "/v1/street-network", secretary, stored).status == 403
    other = make_tenant(api, platform_token)
    r = api.call("PUT", "/v1/street-network", token("district_admin", other), stored)
    assert r.status == 422 and r.json["errors"][0]["path"] == "/key"  # another district's file
    assert api.get("/v1/street-network", token("district_admin", other)).status == 404


def test_a_centre_off_the_streets_still_counts_and_a_cut_off_grid_is_outside(api, admin, place):
    # the grid's centre sits on a street that reaches no centre; one centre stands 1 km from any street
    roads = {"type": "FeatureCollection", "features": [line((109.605, 23.105), (109.606, 23.105))]}
    assert api.call("PUT", "/v1/street-network", admin, {"geojson": roads}).status == 200
    cut_off = api.get("/v1/service-centres/coverage", admin).json
    assert cut_off["centres"] == 0 and cut_off["uncovered_grids"][0]["walking_m"] is None
    api.post("/v1/service-centres", admin, {"name": "远处的中心", "level": "district", "location": {"lat": 23.114, "lon": 109.605}})
    cov = api.get("/v1/service-centres/coverage", admin).json
    grid = (cov["covered_grids"] + cov["uncovered_grids"])[0]
    expected = great_circle_m(109.605, 23.105, 109.605, 23.114) * 1.3
    assert grid["method"] == "straight_line_with_detour_factor" and grid["walking_m"] == round(expected)
