"""The OpenAPI document is served, valid, and built from the route declarations: every route,
parameter, body and answer is in it, and the query checks it describes are the ones the app applies."""
from openapi_spec_validator import validate

from functions import validation
from functions.api.declaration import OPERATIONS


def served() -> set[tuple[str, str]]:
    from app import app

    return {(m, p) for p, ms in app.routes.items() for m in ms}


def test_document_is_valid_and_complete(api):
    r = api.get("/v1/openapi.json")
    assert r.status == 200
    doc = r.json
    validate(doc)
    assert served() == set(OPERATIONS)  # every route Chalice serves is declared, and only those
    for method, path in served():
        assert method.lower() in doc["paths"][path], (method, path)


def test_every_json_write_declares_a_strict_body_with_an_example():
    for (method, path), op in OPERATIONS.items():
        if method in ("POST", "PUT", "PATCH") and op.content_types == ("application/json",):
            assert op.body_schema, f"{method} {path} declares no body schema"
            schema = validation.load(op.body_schema)
            assert schema.get("examples"), f"schema {op.body_schema} has no example"
            assert schema.get("additionalProperties") is False, f"schema {op.body_schema} allows unknown fields"


def test_filters_are_documented_with_their_values(api):
    doc = api.get("/v1/openapi.json").json
    params = {p["name"]: p for p in doc["paths"]["/v1/incidents"]["get"]["parameters"]}
    assert params["status"]["schema"]["enum"][:2] == ["reported", "accepted"]
    assert params["overdue"]["schema"] == {"type": "boolean"}
    assert {"limit", "cursor", "grid_id", "category", "X-Tenant", "Accept-Language"} <= set(params)
    assert "Idempotency-Key" not in params
    located = {p["name"]: p for p in doc["paths"]["/v1/grids/locate"]["get"]["parameters"]}
    assert located["lat"]["required"] and "limit" not in located  # not a list: no paging offered
    created = doc["paths"]["/v1/exports"]["post"]
    assert "202" in created["responses"] and "201" not in created["responses"]
    patch = {p["name"] for p in doc["paths"]["/v1/streets/{street_id}"]["patch"]["parameters"]}
    assert "If-Match" in patch
    assert {"409", "422", "423", "503"} <= set(doc["paths"]["/v1/streets"]["post"]["responses"])
    links = doc["paths"]["/v1/streets"]["post"]["responses"]["201"]["links"]
    assert links["get_street"]["parameters"] == {"street_id": "$response.body#/id"}


def test_unknown_filter_values_and_names_are_refused(api, admin):
    admin_token = admin
    r = api.get("/v1/incidents?status=bogus", admin_token)
    assert r.status == 400 and r.json["errors"][0]["path"] == "/status"
    assert "reported" in r.json["errors"][0]["message"]
    r = api.get("/v1/incidents?stauts=open", admin_token, headers={"Accept-Language": "en"})
    assert r.status == 400 and r.json["errors"][0]["path"] == "/stauts"
    assert "Unknown query parameter" in r.json["errors"][0]["message"]
    r = api.get("/v1/grids/locate?lat=91&lon=x", admin_token)
    assert r.status == 400 and {e["path"] for e in r.json["errors"]} == {"/lat", "/lon"}
    r = api.get("/v1/stats/grid-work", admin_token)  # a required filter, missing
    assert r.status == 400 and r.json["errors"][0]["path"] == "/period"


def test_docs_page_is_a_bundled_reference_with_try_it(api):
    r = api.get("/docs")
    assert r.status == 200 and "/v1/openapi.json" in r.body.decode()
    assert "https://" not in r.body.decode()  # nothing from a CDN
    script = api.get("/docs/swagger-ui-bundle.js")
    assert script.status == 200 and script.headers["content-type"].startswith("text/javascript")
    assert b"SwaggerUIBundle" in script.body
    assert api.get("/docs/app.py").status == 404


def test_typescript_clients_get_a_real_type_for_every_answer(tmp_path):
    """openapi-typescript turns the document into the web app's committed client types
    (web/src/api/schema.d.ts, which `vue-tsc` checks the screens against in `make test`): a drift of
    the API from it fails here (`make openapi-types` regenerates it), and no answer is an empty
    `Record<string, never>`."""
    import subprocess

    from conftest import ROOT
    from functions import cli

    generator = ROOT / ".local" / "npm-tools" / "node_modules" / ".bin" / "openapi-typescript"
    assert generator.exists(), "run `make deps` (it installs openapi-typescript)"
    cli.main(["openapi", str(tmp_path / "openapi.json")])
    subprocess.run([str(generator), str(tmp_path / "openapi.json"), "-o", str(tmp_path / "types.d.ts")],
                   check=True, capture_output=True, timeout=120)
    generated = (tmp_path / "types.d.ts").read_text(encoding="utf-8")
    assert generated == (ROOT / "web" / "src" / "api" / "schema.d.ts").read_text(encoding="utf-8"), \
        "the API changed: run `make openapi-types` and commit web/src/api/schema.d.ts"
    empty = [line for line in generated.splitlines() if "Record<string, never>" in line]
    assert empty == ["export type webhooks = Record<string, never>;", "export type $defs = Record<string, never>;"]
    street = generated[generated.index("        street: {"):]
    assert "id: string;" in street[:400] and "version: number;" in street[:900]


def test_the_web_apps_access_table_is_the_apis_roles():
    """`web/src/api/access.ts` (which screens and buttons the console offers to whom) is generated
    from the operations' `x-roles`: a change of who may call a route fails here until regenerated."""
    from conftest import ROOT
    from functions import cli, openapi

    assert (ROOT / "web" / "src" / "api" / "access.ts").read_text(encoding="utf-8") == cli.web_access(), \
        "the API's roles changed: run `make openapi-types` and commit web/src/api/access.ts"
    incidents = openapi.document()["paths"]["/v1/incidents"]
    assert "resident" in incidents["post"]["x-roles"] and "auditor" not in incidents["post"]["x-roles"]
    assert "x-roles" not in openapi.document()["paths"]["/v1/health"]["get"]
