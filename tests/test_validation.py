"""Bad input: a clear problem+json naming the field, never a 500, and nothing written."""
import json

import pytest

from conftest import SQUARE, make_structure


def paths(r):
    return {e["path"] for e in r.json["errors"]}


def test_missing_required_field(api, admin):
    r = api.post("/v1/streets", admin, {})
    assert r.status == 400 and r.headers["content-type"].startswith("application/problem+json")
    assert paths(r) == {"/name"}
    assert "缺少必填字段 name" in r.json["errors"][0]["message"]


def test_unknown_field_is_refused(api, admin):
    r = api.post("/v1/streets", admin, {"name": "x", "tenant": "someone-else"})
    assert r.status == 400 and paths(r) == {"/tenant"}


@pytest.mark.parametrize("body,path", [
    ({"name": 5}, "/name"),
    ({"name": ""}, "/name"),
    ({"name": "x" * 101}, "/name"),
])
def test_field_types_and_lengths(api, admin, body, path):
    r = api.post("/v1/streets", admin, body)
    assert r.status == 400 and path in paths(r), r


def test_nested_paths_are_named(api, admin):
    ids = make_structure(api, admin)
    bad = {"name": "g", "community_id": ids["community"],
           "boundary": {"type": "Polygon", "coordinates": [[[109.6, 23.1], [109.61, 23.1], [109.61, "23.11"]]]}}
    r = api.post("/v1/grids", admin, bad)
    assert r.status == 400
    assert {"/boundary/coordinates/0/2/1", "/boundary/coordinates/0"} <= paths(r)


def test_ring_not_closed_and_out_of_range(api, admin):
    ids = make_structure(api, admin)
    open_ring = {"type": "Polygon", "coordinates": [[[109.6, 23.1], [109.61, 23.1], [109.61, 23.11], [109.6, 23.12]]]}
    r = api.post("/v1/grids", admin, {"name": "g", "community_id": ids["community"], "boundary": open_ring})
    assert r.status == 400 and paths(r) == {"/boundary/coordinates/0"}, r
    far = {"type": "Polygon", "coordinates": [[[190, 23.1], [109.61, 23.1], [109.61, 23.11], [190, 23.1]]]}
    r = api.post("/v1/grids", admin, {"name": "g", "community_id": ids["community"], "boundary": far})
    assert r.status == 400 and "/boundary/coordinates/0/0" in paths(r), r


def test_not_json(api, admin):
    r = api.post("/v1/streets", admin, None, raw=b"{name:")
    assert r.status == 400 and r.json["type"].endswith("/bad-request")


def test_body_over_one_megabyte(api, admin):
    r = api.post("/v1/streets", admin, None, raw=json.dumps({"name": "x" * (1024 * 1024)}).encode())
    assert r.status == 413 and r.json["status"] == 413


def test_reference_to_missing_parent_writes_nothing(api, admin):
    ghost = "01J0000000000000000000000Z"
    r = api.post("/v1/grids", admin, {"name": "g", "community_id": ghost, "boundary": SQUARE})
    assert r.status == 422 and paths(r) == {"/community_id"}, r
    assert api.get("/v1/grids", admin).json["items"] == []


def test_wrong_content_type_is_problem(api, admin):
    r = api.post("/v1/streets", admin, {"name": "x"}, headers={"Content-Type": "text/csv"})
    assert r.status == 415 and r.headers["content-type"].startswith("application/problem+json"), r


def test_bad_locate_query_names_fields(api, admin):
    r = api.get("/v1/grids/locate?lat=abc", admin)
    assert r.status == 400 and paths(r) == {"/lat", "/lon"}


def test_bad_limit(api, admin):
    r = api.get("/v1/streets?limit=0", admin)
    assert r.status == 400 and paths(r) == {"/limit"}


def test_numbers_dynamodb_cannot_store_are_named(api, admin):
    ids = make_structure(api, admin)
    tiny = api.post("/v1/service-centres", admin, {"name": "x", "level": "district", "location": {"lat": 1e-200, "lon": 109.6}})
    assert tiny.status == 400 and paths(tiny) == {"/location/lat"}, tiny
    huge = api.post("/v1/incidents", admin, {"category": "other", "description": "x", "grid_id": ids["grid"],
                                             "details": {"n": 1e300}})
    assert huge.status == 400 and "/details/n" in paths(huge)
    nan = api.post("/v1/streets", admin, None, raw=b'{"name": "x", "code": NaN}')
    assert nan.status == 400


def test_oversized_or_malformed_key_values_are_refused(api, admin):
    assert api.get("/v1/streets/" + "A" * 3000, admin).status == 404
    r = api.get("/v1/patrols?grid_id=" + "x" * 3000, admin)
    assert r.status == 400 and paths(r) == {"/grid_id"}
    assert api.get("/v1/communities?street_id=not-a-ulid", admin).status == 400
    assert api.get("/v1/incidents?status=" + "s" * 500, admin).status == 400


def test_every_pattern_in_the_schemas_is_explained_in_words():
    """A pattern error says what is expected, never "格式不正确" or the regex itself."""
    import json
    import re

    from functions.validation import PATTERN_WORDS, SCHEMA_DIR

    patterns = set()
    for path in SCHEMA_DIR.glob("*.json"):
        patterns |= {json.loads(m) for m in re.findall(r'"pattern":\s*("(?:[^"\\]|\\.)*")', path.read_text(encoding="utf-8"))}
    assert patterns and patterns <= set(PATTERN_WORDS), patterns - set(PATTERN_WORDS)


def test_a_pattern_error_names_the_field_and_the_form_in_words(api, admin):
    r = api.post("/v1/communities", admin, {"name": "荷城社区", "street_id": "not-a-ulid"})
    assert r.status == 400
    error = next(e for e in r.json["errors"] if e["path"] == "/street_id")
    assert "ULID" in error["message"] and "^" not in error["message"] and "格式不正确" not in error["message"]
    r = api.post("/v1/communities", admin, {"name": "荷城社区", "street_id": "x"}, headers={"Accept-Language": "en"})
    assert next(e for e in r.json["errors"] if e["path"] == "/street_id")["message"].startswith("must be a 26-character ULID")
