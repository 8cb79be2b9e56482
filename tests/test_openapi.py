"""The OpenAPI document is served, valid, and covers every route and request body."""
from openapi_spec_validator import validate

from functions import openapi


def routes():
    from app import app

    return [(p, m, e) for p, ms in app.routes.items() for m, e in ms.items()]


def test_document_is_valid_and_complete(api):
    r = api.get("/v1/openapi.json")
    assert r.status == 200
    doc = r.json
    validate(doc)
    for path, method, _ in routes():
        assert method.lower() in doc["paths"][path], (method, path)


def test_every_json_write_route_has_a_schema_with_an_example():
    for path, method, entry in routes():
        if method in ("POST", "PUT", "PATCH") and "application/json" in (entry.content_types or ["application/json"]):
            found = openapi.body_schema(entry.view_name)
            assert found, f"{method} {path} ({entry.view_name}) has no schema in schemas/"
            assert found[1].get("examples"), f"schema {found[0]} has no example"
            assert found[1].get("additionalProperties") is False, f"schema {found[0]} allows unknown fields"


def test_docs_page_is_public(api):
    r = api.get("/docs")
    assert r.status == 200 and "openapi.json" in r.body.decode()
