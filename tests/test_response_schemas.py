"""The response schemas (`schemas/responses/`) describe what the routes really answer.

Each route's declaration (`functions/api/declaration.py`) names its success status and the schema of
its body (none for 204, a media type for answers that are not JSON). Here the demo
district is loaded into a fresh tenant and a representative call of every operation is made; each
answer must have the mapped status and validate against the mapped schema, with `$ref`s between the
files resolved through a `referencing` registry of all of them.
"""
from __future__ import annotations

import hashlib
import json
import uuid
from datetime import date, timedelta
from typing import Any
from urllib.parse import quote

import pytest
import requests
from jsonschema import Draft202012Validator
from referencing import Registry, Resource

from conftest import ROOT, make_tenant, token

RESPONSES = ROOT / "schemas" / "responses"


def _declared() -> dict[str, dict[str, str | None]]:
    """{operationId: {status: response schema}} from the route declarations."""
    import app  # noqa: F401  (registers the declarations)
    from functions.api.declaration import OPERATIONS

    return {op.view_name: {str(op.status): op.response} for op in OPERATIONS.values()}


ROUTES = _declared()
CHECKED: set[str] = set()  # operations whose answer was validated in this run


def _schemas() -> dict[str, dict[str, Any]]:
    return {path.stem: json.loads(path.read_text(encoding="utf-8"))
            for path in sorted(RESPONSES.glob("*.json"))}


SCHEMAS = _schemas()
REGISTRY = Registry().with_resources((schema["$id"], Resource.from_contents(schema)) for schema in SCHEMAS.values())


def validator(name: str) -> Draft202012Validator:
    return Draft202012Validator(SCHEMAS[name], registry=REGISTRY, format_checker=Draft202012Validator.FORMAT_CHECKER)


def problems(name: str, body: Any) -> list[str]:
    return [f"{'/'.join(map(str, e.absolute_path)) or '/'}: {e.message}" for e in validator(name).iter_errors(body)]


def check(operation: str, answer: Any) -> Any:
    """Assert the answer has the operation's mapped status and matches its mapped schema; return its body."""
    [(status, schema)] = ROUTES[operation].items()
    assert answer.status == int(status), f"{operation}: {answer}"
    if schema is None:
        assert not answer.body
        body = None
    elif "/" in schema:
        assert answer.headers["content-type"].split(";")[0] == schema
        body = answer.body
    else:
        errors = problems(schema, answer.json)
        assert not errors, f"{operation} does not match {schema}.json:\n" + "\n".join(errors[:10])
        body = answer.json
    CHECKED.add(operation)
    return body


def yesterday() -> str:
    from functions.ids import today_in

    return (date.fromisoformat(today_in("Asia/Shanghai")) - timedelta(days=1)).isoformat()


def previous_month() -> str:
    from functions.periods import previous_month as previous

    return previous("Asia/Shanghai")


# --- the files themselves -----------------------------------------------------------------------

def test_every_operation_is_mapped_to_an_existing_schema():
    from app import app

    operations = {entry.view_name for methods in app.routes.values() for entry in methods.values()}
    assert set(ROUTES) == operations
    for operation, answers in ROUTES.items():
        assert len(answers) == 1 and set(answers) <= {"200", "201", "202", "204"}, operation
        [(status, schema)] = answers.items()
        assert (schema is None) == (status == "204"), operation
        assert schema is None or "/" in schema or schema in SCHEMAS, f"{operation}: no schemas/responses/{schema}.json"


def test_schema_files_are_valid_named_by_their_id_and_all_used():
    referenced = {schema for answers in ROUTES.values() for schema in answers.values() if schema and "/" not in schema}
    for name, schema in SCHEMAS.items():
        Draft202012Validator.check_schema(schema)
        assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
        assert schema["$id"] == f"responses/{name}.json"
        assert " / " in schema["title"] and schema.get("description"), name
        text = json.dumps(schema)
        referenced |= {other for other in SCHEMAS if f'"$ref": "{other}.json' in text}
    assert referenced == set(SCHEMAS), f"unused: {set(SCHEMAS) - referenced}"


def test_schemas_refuse_wrong_answers():
    """The schemas are not vacuous: every one refuses an empty object, and typical mistakes are caught."""
    for name in SCHEMAS:
        assert problems(name, {}), f"{name}.json accepts {{}}"
    street = {"id": "01AVHGQ300C1BTY5C3EP4FSKHK", "name": "贵城街道", "version": 1,
              "created_at": "2026-11-29T05:22:21.021+00:00", "updated_at": "2026-11-29T05:22:21.021+00:00"}
    assert not problems("street", street)
    assert problems("street", {**street, "id": "street-1"})  # not a ULID
    assert problems("street", {**street, "created_at": "yesterday"})  # not RFC 3339
    assert problems("street", {k: v for k, v in street.items() if k != "version"})
    assert not problems("street-list", {"items": [street], "next_cursor": None})
    assert problems("street-list", {"items": [{**street, "version": "1"}], "next_cursor": None})  # through the $ref
    assert problems("street-list", {"items": [street]})
    assert problems("health", {"status": "ok", "extra": 1})


# --- the demo district in a fresh tenant --------------------------------------------------------

@pytest.fixture(scope="module")
def demo(api, demo_tenant) -> dict[str, Any]:
    """The demo district in a tenant of its own, and the ids the tests need."""
    tenant = demo_tenant
    admin = token("district_admin", tenant)
    hecheng = next(c for c in api.all_items("/v1/communities", admin) if c["name"] == "荷城社区")
    committee = api.get(f"/v1/committees?community_id={hecheng['id']}", admin).json["items"][0]
    return {"tenant": tenant, "admin": admin, "community": hecheng, "committee": committee,
            "grid": api.get(f"/v1/grids?community_id={hecheng['id']}", admin).json["items"][0],
            "units": api.get(f"/v1/units?community_id={hecheng['id']}", admin).json["items"],
            "members": api.get("/v1/members?limit=200", admin).json["items"]}


def test_platform(api, platform_token):
    check("health", api.get("/v1/health"))
    check("openapi_document", api.get("/v1/openapi.json"))
    check("docs_page", api.get("/docs"))
    check("docs_asset", api.get("/docs/swagger-ui-bundle.js"))
    check("me", api.get("/v1/me", platform_token))
    tenant_id = f"t{uuid.uuid4().hex[:10]}"
    created = check("create_tenant", api.post("/v1/tenants", platform_token, {
        "id": tenant_id, "name": "测试区", "tier": "basic", "settings": {"appeal_window_days": 3}}))
    check("get_tenant", api.get(f"/v1/tenants/{tenant_id}", platform_token))
    check("add_district_admin", api.post(f"/v1/tenants/{tenant_id}/admins", platform_token, {"name": "韦主任"}))
    check("list_tenants", api.get("/v1/tenants?limit=5", platform_token))
    check("update_tenant", api.patch(f"/v1/tenants/{tenant_id}", platform_token,
                                     {"status": "suspended", "version": created["version"]}))


def test_structure(api, platform_token, demo):
    admin = token("district_admin", make_tenant(api, platform_token))
    street = check("create_street", api.post("/v1/streets", admin, {"name": "贵城街道", "code": "450802001"}))
    community = check("create_community", api.post("/v1/communities", admin, {"name": "荷城社区", "street_id": street["id"]}))
    square = {"type": "Polygon", "coordinates": [[[109.60, 23.10], [109.61, 23.10], [109.61, 23.11], [109.60, 23.11], [109.60, 23.10]]]}
    grid = check("create_grid", api.post("/v1/grids", admin, {"name": "第1网格", "community_id": community["id"],
                                                              "boundary": square}))
    bare = check("create_grid", api.post("/v1/grids", admin, {"name": "第2网格", "community_id": community["id"]}))
    for kind, plural, item in (("street", "streets", street), ("community", "communities", community), ("grid", "grids", grid)):
        check(f"get_{kind}", api.get(f"/v1/{plural}/{item['id']}", admin))
        check(f"update_{kind}", api.patch(f"/v1/{plural}/{item['id']}", admin, {"name": item["name"] + "（改）", "version": 1}))
    check("list_grids", api.get(f"/v1/grids?community_id={community['id']}", admin))
    check("locate_grid", api.get("/v1/grids/locate?lat=23.105&lon=109.605", admin))
    for plural, item in (("grids", grid), ("grids", bare), ("communities", community), ("streets", street)):
        check(f"delete_{'community' if plural == 'communities' else plural[:-1]}", api.delete(f"/v1/{plural}/{item['id']}", admin))
    demo_admin = demo["admin"]
    check("list_streets", api.get("/v1/streets", demo_admin))
    check("list_communities", api.get("/v1/communities?limit=3", demo_admin))
    assert check("list_grids", api.get("/v1/grids?limit=3", demo_admin))["next_cursor"]


def test_accounts(api, demo):
    admin, grid = demo["admin"], demo["grid"]
    department = check("create_department", api.post("/v1/departments", admin, {
        "name": "港北区城管局", "kind": "urban_management", "contacts": [{"name": "黄科长", "phone": "0775-4212345"}]}))
    check("get_department", api.get(f"/v1/departments/{department['id']}", admin))
    check("update_department", api.patch(f"/v1/departments/{department['id']}", admin, {"kind": "municipal", "version": 1}))
    assert check("list_departments", api.get("/v1/departments", admin))["items"]
    user = check("create_user", api.post("/v1/users", admin, {"name": "黄网格员", "phone": "13807751234",
                                                                "roles": ["grid_worker"], "grids": [grid["id"]]}))
    check("get_user", api.get(f"/v1/users/{user['id']}", admin))
    check("update_user", api.patch(f"/v1/users/{user['id']}", admin, {"email": "huang@example.cn", "version": 1}))
    for item in check("list_users", api.get("/v1/users?limit=200", admin))["items"]:
        assert not problems("user", item), problems("user", item)[:3]
    check("list_users", api.get("/v1/users?role=grid_worker", admin))


def test_committees(api, demo):
    admin, hecheng = demo["admin"], demo["community"]
    units = demo["units"]
    check("list_units", api.get(f"/v1/units?community_id={hecheng['id']}", admin))
    check("list_units", api.get("/v1/units?status=upgraded&limit=3", admin))
    check("units_summary", api.get("/v1/units/summary", admin))
    check("units_summary", api.get(f"/v1/units/summary?community_id={hecheng['id']}", admin))
    unit = check("create_unit", api.post("/v1/units", admin, {
        "name": "荷城物业公司", "kind": "non_public_enterprise", "community_id": hecheng["id"], "address": "荷城路 1 号",
        "contact_name": "覃经理", "party_org": {"status": "converted", "members": 4, "org_name": "荷城物业党支部"}}))
    check("get_unit", api.get(f"/v1/units/{unit['id']}", admin))
    check("update_unit", api.patch(f"/v1/units/{unit['id']}", admin, {"address": "荷城路 2 号", "version": 1}))

    street_id = hecheng["street_id"]
    community = api.post("/v1/communities", admin, {"name": "新建社区", "street_id": street_id}).json
    seat = api.post("/v1/units", admin, {"name": "新建社区居委会", "kind": "government", "community_id": community["id"]}).json
    committee = check("create_committee", api.post("/v1/committees", admin, {
        "community_id": community["id"], "name": "新建社区大党委", "secretary_user_id": "secretary-new",
        "members": [{"unit_id": seat["id"], "name": "蒙书记", "role": "secretary"}]}))
    check("get_committee", api.get(f"/v1/committees/{committee['id']}", admin))
    changed = check("update_committee", api.patch(f"/v1/committees/{committee['id']}", admin, {
        "members": [{"unit_id": seat["id"], "name": "黎书记", "role": "secretary"}], "version": 1}))
    assert changed["history"]
    check("list_committees", api.get("/v1/committees?limit=3", admin))

    check("list_members", api.get("/v1/members?limit=3", admin))
    check("list_members", api.get(f"/v1/members?reported_community_id={hecheng['id']}", admin))
    member = check("create_member", api.post("/v1/members", admin, {
        "name": "黄党员", "unit_id": units[0]["id"], "in_service": True, "reported_community_id": hecheng["id"],
        "user_id": "member-new", "phone": "13800000000"}))
    check("get_member", api.get(f"/v1/members/{member['id']}", admin))
    check("get_member", api.get(f"/v1/members/{member['id']}", token("member", demo["tenant"], sub="member-new")))
    check("update_member", api.patch(f"/v1/members/{member['id']}", admin, {"phone": "13900000000", "version": 1}))

    branch = check("create_branch", api.post("/v1/branches", admin, {
        "community_id": hecheng["id"], "name": "荷城小区9栋党支部", "buildings": ["9栋"],
        "members": [{"member_id": member["id"], "role": "secretary"}],
        "service_team": {"secretary_member_id": member["id"], "unit_service_team": [units[0]["id"]], "residents_served": 40}}))
    assert branch["warnings"]
    check("get_branch", api.get(f"/v1/branches/{branch['id']}", admin))
    check("update_branch", api.patch(f"/v1/branches/{branch['id']}", admin, {"buildings": ["9栋", "10栋"], "version": 1}))
    check("list_branches", api.get(f"/v1/branches?community_id={hecheng['id']}", admin))

    pairing = check("create_pairing", api.post("/v1/pairings", admin, {
        "kind": "link", "from_unit_id": units[0]["id"], "to_unit_id": unit["id"], "cadence_days": 14, "goal": "共建文明小区"}))
    check("get_pairing", api.get(f"/v1/pairings/{pairing['id']}", admin))
    check("list_pairings", api.get("/v1/pairings", admin))
    check("list_pairings", api.get("/v1/pairings?overdue=true", admin))  # the demo's overdue one may be contacted by now
    check("create_pairing_contact", api.post(f"/v1/pairings/{pairing['id']}/contacts", admin,
                                             {"date": yesterday(), "outcome": "共商小区停车问题", "mode": "meeting"}))
    assert check("list_pairing_contacts", api.get(f"/v1/pairings/{pairing['id']}/contacts", admin))["items"]

    alliance = check("create_alliance", api.post("/v1/alliances", admin, {"name": "荷城非公联盟", "unit_ids": [unit["id"]]}))
    check("get_alliance", api.get(f"/v1/alliances/{alliance['id']}", admin))
    assert check("list_alliances", api.get("/v1/alliances", admin))["items"]
    check("create_alliance_activity", api.post(f"/v1/alliances/{alliance['id']}/activities", admin, {
        "kind": "training", "date": yesterday(), "description": "党员联合培训", "unit_ids": [unit["id"]]}))
    check("list_alliance_activities", api.get(f"/v1/alliances/{alliance['id']}/activities", admin))
    check("alliance_coverage", api.get(f"/v1/alliances/{alliance['id']}/coverage", admin))
    demo_alliance = api.get("/v1/alliances", admin).json["items"][0]
    check("alliance_coverage", api.get(f"/v1/alliances/{demo_alliance['id']}/coverage?from=2000-01-01&to=2100-12-31", admin))


def test_meetings_minutes_and_actions(api, demo):

    admin, committee, tenant = demo["admin"], demo["committee"], demo["tenant"]
    attendees = [{"unit_id": m["unit_id"], "name": m["name"], "present": i % 2 == 0} for i, m in enumerate(committee["members"])]
    meeting = check("create_meeting", api.post("/v1/meetings", admin, {
        "committee_id": committee["id"], "kind": "expanded", "scheduled_at": f"{yesterday()}T15:00:00+08:00",
        "location": "荷城社区党群服务中心", "chair": "韦建华", "agenda": ["研究停车整治"], "attendees": attendees}))
    check("get_meeting", api.get(f"/v1/meetings/{meeting['id']}", admin))
    check("update_meeting", api.patch(f"/v1/meetings/{meeting['id']}", admin, {"location": "荷城社区会议室", "version": 1}))
    assert check("list_meetings", api.get(f"/v1/meetings?committee_id={committee['id']}", admin))["items"]
    check("list_meetings", api.get("/v1/meetings?limit=2&from=2000-01-01", admin))
    check("meeting_attendance", api.get(f"/v1/meetings/attendance?committee_id={committee['id']}", admin))

    from functions.meetings import regularity
    from functions.tenancy import system_context

    regularity.flag_committees(system_context(tenant, "Asia/Shanghai"), "2025-01")
    assert check("list_meeting_flags", api.get("/v1/meetings/flags?period=2025-01&limit=3", admin))["items"]

    minutes_path = f"/v1/meetings/{meeting['id']}/minutes"
    check("put_minutes", api.call("PUT", minutes_path, admin, raw="# 纪要\n\n研究停车整治。".encode(),
                                  headers={"Content-Type": "text/markdown; charset=utf-8"}))
    pdf = b"%PDF-1.4 minutes"
    ticket = check("create_minutes_upload", api.post(f"{minutes_path}/uploads", admin, {
        "filename": "纪要.pdf", "content_type": "application/pdf", "size": len(pdf), "sha256": hashlib.sha256(pdf).hexdigest()}))
    assert requests.put(ticket["url"], data=pdf, headers=ticket["headers"], timeout=10).status_code == 200
    check("complete_minutes_upload", api.post(f"{minutes_path}/uploads/{ticket['upload_id']}/complete", admin, {}))
    secretary = token("community_staff", tenant, sub=committee["secretary_user_id"], communities=[demo["community"]["id"]])
    approved = check("approve_minutes_revision", api.post(f"{minutes_path}/revisions/2/approve", secretary, {"note": "同意"}))
    assert approved["status"] == "approved"
    check("put_minutes", api.call("PUT", f"{minutes_path}?reason={quote('更正错别字')}", admin, raw=b"corrected",
                                  headers={"Content-Type": "text/plain"}))
    assert check("get_minutes", api.get(minutes_path, admin))["approved_revision"] == 2
    assert len(check("list_minutes_revisions", api.get(f"{minutes_path}/revisions", admin))["items"]) == 3
    demo_meeting = api.get(f"/v1/meetings?committee_id={committee['id']}&limit=1", admin).json["items"][0]
    check("get_minutes", api.get(f"/v1/meetings/{demo_meeting['id']}/minutes", admin))

    traffic = api.post("/v1/departments", admin, {"name": "港北区交通运输局", "kind": "other"}).json
    municipal = next(d["id"] for d in api.all_items("/v1/departments", admin) if d["name"] == "港北区市政管理局")
    decision = check("create_decision", api.post(f"/v1/meetings/{meeting['id']}/decisions", admin, {
        "title": "整治小区停车", "description": "联合整治",
        "actions": [{"assignee": traffic["id"], "due_date": yesterday(), "description": "划定停车位",
                     "assisting": [{"assignee": municipal, "due_date": yesterday()}]},
                    {"assignee": municipal, "due_date": "2099-12-31", "description": "宣传引导"}]}))
    assert len(decision["actions"]) == 2
    check("list_decisions", api.get(f"/v1/meetings/{meeting['id']}/decisions", admin))
    action_id = decision["actions"][0]["id"]
    check("get_action", api.get(f"/v1/actions/{action_id}", admin))
    check("list_actions", api.get("/v1/actions", admin))
    check("list_actions", api.get("/v1/actions?status=open", admin))
    check("list_actions", api.get(f"/v1/actions?assignee={traffic['id']}&status=open", admin))
    check("sign_off_action_part", api.post(f"/v1/actions/{action_id}/parts/0/sign-off", admin, {"note": "已签收", "version": 1}))
    evidence = b"%PDF-1.4 x"
    upload = api.post("/v1/uploads", admin, {"purpose": "action_evidence", "filename": "现场.pdf", "content_type": "application/pdf",
                                              "size": len(evidence), "sha256": hashlib.sha256(evidence).hexdigest()}).json
    assert requests.put(upload["url"], data=evidence, headers=upload["headers"], timeout=10).status_code == 200
    check("report_action_progress", api.post(f"/v1/actions/{action_id}/parts/1/progress", admin, {
        "progress": 60, "note": "已划线 30 处", "evidence": [{"key": upload["key"], "name": "现场.pdf"}], "version": 2}))
    agenda = check("next_agenda", api.get(f"/v1/committees/{committee['id']}/next-agenda", admin))
    assert agenda["overdue_actions"] and agenda["open_decisions"]
    check("update_action", api.patch(f"/v1/actions/{action_id}", admin, {"status": "done", "note": "已完成", "version": 3,
                                                                         "reason": "交通局已书面报告完成"}))
    check("close_action", api.post(f"/v1/actions/{action_id}/close", admin, {"note": "核验通过", "version": 4}))


def test_grid_work(api, demo):
    admin, grid, tenant = demo["admin"], demo["grid"], demo["tenant"]
    photo = check("create_upload", api.post("/v1/uploads", admin, {"purpose": "incident_photo", "filename": "现场.jpg",
                                                                   "content_type": "image/jpeg", "size": 1024, "sha256": "0" * 64}))
    assert photo["key"].startswith(f"tenants/{tenant}/")
    incident = check("create_incident", api.post("/v1/incidents", admin, {
        "category": "sanitation", "description": "夜宵摊点油烟扰民", "grid_id": grid["id"], "priority": "urgent",
        "source": "grid_patrol", "address": "荷城路"}))
    check("create_incident", api.post("/v1/incidents", admin, {
        "category": "dispute", "description": "邻里纠纷", "location": {"lat": 23.0775, "lon": 109.5575}}))
    check("get_incident", api.get(f"/v1/incidents/{incident['id']}", admin))
    check("transition_incident", api.post(f"/v1/incidents/{incident['id']}/transitions", admin, {"action": "accept", "note": "已受理"}))
    check("transition_incident", api.post(f"/v1/incidents/{incident['id']}/transitions", admin,
                                          {"action": "escalate", "note": "需街道协调"}))
    check("transition_incident", api.post(f"/v1/incidents/{incident['id']}/transitions", admin,
                                          {"action": "dispatch", "assignee": "gw-01-01a"}))
    every = api.all_items("/v1/incidents", admin)  # the demo's month of incidents, in every state
    assert {i["status"] for i in every} >= {"closed", "rejected", "verified"}
    for item in every:
        assert not problems("incident", item), (item["id"], problems("incident", item)[:3])
    check("list_incidents", api.get("/v1/incidents?limit=20", admin))
    assert check("list_incidents", api.get("/v1/incidents?overdue=true&limit=20", admin))["items"]
    check("list_incidents", api.get(f"/v1/incidents?grid_id={grid['id']}&status=accepted", admin))
    check("list_incidents", api.get("/v1/incidents?category=sanitation", admin))
    check("list_incidents", api.get("/v1/incidents?status=closed", admin))

    check("list_incident_categories", api.get("/v1/incident-categories", admin))
    check("put_incident_category", api.call("PUT", "/v1/incident-categories/street_stall", admin, {
        "name": "占道经营", "fields_schema": {"type": "object", "additionalProperties": False,
                                            "properties": {"stalls": {"type": "integer", "minimum": 1}}}}))
    check("put_incident_category", api.call("PUT", "/v1/incident-categories/other", admin, {"name": "其他事项"}))
    assert check("list_incident_categories", api.get("/v1/incident-categories", admin))["items"][-1]["source"] == "tenant"

    check("get_calendar", api.get("/v1/calendars/2026", admin))
    check("put_calendar", api.call("PUT", "/v1/calendars/2027", admin, {"holidays": ["2027-01-01"], "workdays": []}))
    assert check("get_calendar", api.get("/v1/calendars/2027", admin))["source"] == "tenant"

    worker = token("grid_worker", tenant, sub="gw-01-01a", grids=[grid["id"]])
    patrol = check("create_patrol", api.post("/v1/patrols", worker, {
        "grid_id": grid["id"], "date": yesterday(), "findings": ["消防通道堆放杂物"], "hours": 2.5, "incident_ids": [incident["id"]]}))
    check("get_patrol", api.get(f"/v1/patrols/{patrol['id']}", worker))
    check("update_patrol", api.patch(f"/v1/patrols/{patrol['id']}", worker, {"findings": ["已清理"], "version": 1}))
    assert check("list_patrols", api.get(f"/v1/patrols?grid_id={grid['id']}", worker))["items"]
    check("grid_work_stats", api.get(f"/v1/stats/grid-work?period={previous_month()}", admin))
    check("grid_work_stats", api.get("/v1/stats/grid-work?period=2025-01", admin))


def test_services(api, demo):
    admin, hecheng, tenant = demo["admin"], demo["community"], demo["tenant"]
    centre = check("create_service_centre", api.post("/v1/service-centres", admin, {
        "name": "荷城社区服务站", "level": "community", "community_id": hecheng["id"], "location": {"lat": 23.078, "lon": 109.558},
        "address": "荷城路 8 号", "opening_hours": "周一至周五 8:30-17:30", "services": ["就业", "养老"]}))
    check("get_service_centre", api.get(f"/v1/service-centres/{centre['id']}", admin))
    check("update_service_centre", api.patch(f"/v1/service-centres/{centre['id']}", admin, {"services": ["就业"], "version": 1}))
    assert check("list_service_centres", api.get("/v1/service-centres?limit=5", admin))["next_cursor"]
    coverage = check("service_coverage", api.get("/v1/service-centres/coverage", admin))
    assert coverage["covered_grids"] and coverage["uncovered_grids"]
    assert check("get_street_network", api.get("/v1/street-network", admin))["connected_parts"] == 1

    resident = token("member", tenant, sub="resident-1")
    request = check("create_service_request", api.post("/v1/service-requests", resident, {
        "type": "childcare", "mode": "one_stop", "community_id": hecheng["id"], "description": "托育咨询",
        "contact": {"name": "王女士", "phone": "13800001234"}}))
    masked = check("get_service_request", api.get(f"/v1/service-requests/{request['id']}", resident))
    assert "****" in masked["contact"]["phone"]
    for action in ("accept", "start", "complete"):
        check("transition_service_request", api.post(f"/v1/service-requests/{request['id']}/transitions", admin,
                                                     {"action": action, "handler": "staff-1", "note": action}))
    reporter = token("resident", demo["tenant"], sub="resident-rating")
    mine = api.post("/v1/incidents", reporter, {"category": "dispute", "description": "楼上漏水", "grid_id": demo["grid"]["id"]})
    for action in ("accept", "dispatch", "start", "resolve"):
        assert api.post(f"/v1/incidents/{mine.json['id']}/transitions", admin,
                        {"action": action, **({"assignee": "gw-x"} if action == "dispatch" else {})}).status == 200
    check("rate_incident", api.post(f"/v1/incidents/{mine.json['id']}/rating", reporter, {"rating": 4, "comment": "处理及时"}))
    check("rate_service_request", api.post(f"/v1/service-requests/{request['id']}/rating", admin, {"rating": 5, "comment": "满意"}))
    check("list_service_requests", api.get("/v1/service-requests", admin))
    check("list_service_requests", api.get("/v1/service-requests?status=completed", resident))

    member = next(m for m in demo["members"] if m.get("reported_community_id"))
    activity = check("create_volunteer_activity", api.post("/v1/volunteer-activities", admin, {
        "member_id": member["id"], "date": yesterday(), "hours": 1.5, "description": "社区清扫", "dimension": "sanitation"}))
    check("verify_volunteer_activity", api.post(f"/v1/volunteer-activities/{activity['id']}/verify", admin, {"verified": True, "note": "属实"}))
    assert check("list_volunteer_activities", api.get("/v1/volunteer-activities?limit=5", admin))["items"]
    check("list_volunteer_activities", api.get(f"/v1/volunteer-activities?member_id={member['id']}", admin))
    assert check("volunteer_totals", api.get(f"/v1/volunteer-activities/totals?period={previous_month()}", admin))["members"]
    check("volunteer_totals", api.get(f"/v1/volunteer-activities/totals?period={previous_month()[:4]}", admin))
    month = int(previous_month()[5:])
    quarter = f"{previous_month()[:4]}-Q{(month - 1) // 3 + 1}"
    check("run_volunteer_reports", api.post("/v1/volunteer-reports/runs", admin, {"quarter": quarter}))
    reports = check("list_volunteer_reports", api.get(f"/v1/volunteer-reports?quarter={quarter}", admin))["items"]
    check("get_volunteer_report", api.get(f"/v1/volunteer-reports/{quarter}/units/{reports[0]['unit_id']}", admin))
    check("download_volunteer_report", api.get(f"/v1/volunteer-reports/{quarter}/units/{reports[0]['unit_id']}/csv", admin))

    programme = check("create_programme", api.post("/v1/programmes", admin, {
        "name": "四点半课堂", "community_id": hecheng["id"], "audience": "小学生", "description": "课后托管"}))
    check("create_programme", api.post("/v1/programmes", admin, {"name": "全区助老行动"}))
    check("create_programme_participant", api.post(f"/v1/programmes/{programme['id']}/participants", admin, {
        "name": "刘女士", "joined_on": yesterday(), "needs": ["childcare"]}))
    assert check("get_programme", api.get(f"/v1/programmes/{programme['id']}", admin))["participants"] == 1
    check("list_programmes", api.get("/v1/programmes", admin))
    check("list_programme_participants", api.get(f"/v1/programmes/{programme['id']}/participants", admin))


def test_assessments(api, platform_token, demo):
    admin, units, period = demo["admin"], demo["units"], previous_month()
    check("create_cobuilding_activity", api.post("/v1/cobuilding/activities", admin, {
        "unit_id": units[0]["id"], "dimension": "security", "date": yesterday(), "participants": 5, "hours": 2,
        "beneficiaries": 50, "description": "夜间巡逻"}))
    check("create_cobuilding_activity", api.post("/v1/cobuilding/activities", admin, {
        "unit_id": units[1]["id"], "dimension": "public_welfare", "date": f"{yesterday()}T09:30:00+08:00"}))
    check("list_cobuilding_activities", api.get(f"/v1/cobuilding/activities?period={period}&limit=5", admin))
    check("list_cobuilding_activities", api.get(f"/v1/cobuilding/activities?unit_id={units[0]['id']}", admin))

    check("get_assessment_rules", api.get("/v1/assessment-rules", admin))
    rules = {"weights": {"dimensions": {"public_welfare": 0.15, "sanitation": 0.15, "security": 0.15, "vulnerable_support": 0.15,
                                        "development_planning": 0.1},
                         "factors": {"meeting_attendance": 0.1, "action_completion": 0.1, "pairing_activity": 0.05, "volunteer_hours": 0.05}},
             "grade_bands": [{"grade": "优秀", "grade_en": "excellent", "min": 85}, {"grade": "良好", "min": 70}, {"grade": "合格", "min": 0}]}
    check("put_assessment_rules", api.call("PUT", "/v1/assessment-rules", admin, rules))
    assert check("get_assessment_rules", api.get("/v1/assessment-rules", admin))["version"] == 1

    check("create_assessment_run", api.post("/v1/assessments/runs", admin, {"period": period}))
    ranking = check("list_assessments", api.get(f"/v1/assessments?period={period}&limit=10", admin))
    assert ranking["items"] and ranking["next_cursor"]
    result = check("get_unit_assessment", api.get(f"/v1/assessments/{period}/units/{ranking['items'][0]['unit_id']}", admin))
    assert check("list_community_assessments", api.get(f"/v1/assessments/{period}/communities", admin))["items"]
    assert result["inputs"]["counts"]
    appeals = [check("create_assessment_appeal", api.post(f"/v1/assessments/{period}/appeals", admin,
                                                          {"unit_id": unit["id"], "reason": "活动漏登"})) for unit in units[:2]]
    check("list_assessment_appeals", api.get(f"/v1/assessments/{period}/appeals", admin))
    check("resolve_assessment_appeal", api.post(f"/v1/assessments/{period}/appeals/{appeals[0]['id']}/resolve", admin,
                                                {"decision": "dismissed", "note": "不在本月"}))
    upheld = check("resolve_assessment_appeal", api.post(f"/v1/assessments/{period}/appeals/{appeals[1]['id']}/resolve", admin, {
        "decision": "upheld", "note": "补登", "correction": {"dimensions": {"sanitation": 12.0}, "factors": {"meeting_attendance": 1}}}))
    assert upheld["rerun"]["status"] == "published"
    corrected = check("get_unit_assessment", api.get(f"/v1/assessments/{period}/units/{units[1]['id']}", admin))
    assert corrected["inputs"]["corrected"]

    quick = make_tenant(api, platform_token, settings={"appeal_window_days": 0})
    quick_admin = token("district_admin", quick)
    check("create_assessment_run", api.post("/v1/assessments/runs", quick_admin, {"period": "2025-01"}))
    check("finalize_assessment", api.post("/v1/assessments/2025-01/finalize", quick_admin, {"note": "定稿"}))
    assert check("list_assessments", api.get("/v1/assessments?period=2025-01", quick_admin))["status"] == "final"


def test_audit_and_exports(api, platform_token, demo):
    admin, tenant = demo["admin"], demo["tenant"]
    assert check("list_audit_log", api.get("/v1/audit-log?limit=5", admin))["next_cursor"]
    auditor = token("auditor", audit_tenants=[tenant])
    check("list_audit_log", api.get(f"/v1/audit-log?tenant={tenant}&from=2000-01-01", auditor))
    check("verify_audit_log", api.get("/v1/audit-log/verify", admin))
    assert check("get_audit_public_key", api.get("/v1/audit-log/public-key", auditor, headers={"X-Tenant": tenant}))["public_key_pem"].startswith("-----BEGIN PUBLIC KEY-----")
    job = check("create_export", api.post("/v1/exports", admin, {"tenants": [tenant], "datasets": ["communities", "audit_log"],
                                                                 "format": "csv", "lang": "zh-CN"}))
    assert job["status"] == "pending" and job["job_url"] == f"/v1/jobs/{job['id']}"
    assert check("get_export", api.get(f"/v1/exports/{job['id']}", admin))["files"]
    ran = check("get_job", api.get(job["job_url"], admin))
    assert ran["state"] == "succeeded" and ran["progress"]["unit"] == "rows"
    assert ran["id"] in [j["id"] for j in check("list_jobs", api.get("/v1/jobs?kind=export", admin))["items"]]
    assert check("list_jobs", api.get("/v1/jobs?kind=offboarding", admin))["items"] == []
    assert api.post(f"{job['job_url']}/cancel", admin, {}).status == 409  # it has ended
    api.run_jobs = False
    try:
        queued = api.post("/v1/exports", admin, {"tenants": [tenant], "datasets": ["streets"], "format": "csv"}).json
        cancelled = check("cancel_job", api.post(f"{queued['job_url']}/cancel", admin, {"reason": "选错了"}))
        assert cancelled["state"] == "cancelled"
    finally:
        api.run_jobs = True
    audited = check("create_export", api.post("/v1/exports", auditor, {"tenants": [tenant], "datasets": ["streets"], "format": "jsonl"}))
    check("get_export", api.get(f"/v1/exports/{audited['id']}", auditor))
    mine = check("list_exports", api.get("/v1/exports", auditor))["items"]
    assert [j["id"] for j in mine] == [audited["id"]] and mine[0]["status"] == "done"  # only the caller's own
    assert job["id"] in [j["id"] for j in check("list_exports", api.get("/v1/exports", admin))["items"]]

    leaving = make_tenant(api, platform_token)
    api.post("/v1/streets", token("district_admin", leaving), {"name": "待注销街道"})
    profile = api.get(f"/v1/tenants/{leaving}", platform_token).json
    api.patch(f"/v1/tenants/{leaving}", platform_token, {"status": "suspended", "version": profile["version"]})
    check("offboard_tenant", api.post(f"/v1/tenants/{leaving}/offboard", platform_token, {"confirm": True}))


def test_street_network(api, admin):
    """Loading and dropping a network, in a district of its own (the demo's stays)."""
    from test_street_network import line, upload

    stored = upload(api, admin, {"type": "FeatureCollection", "features": [line((109.6, 23.1), (109.61, 23.1))]})
    assert check("put_street_network", api.call("PUT", "/v1/street-network", admin, stored))["junctions"] == 2
    inline = {"geojson": {"type": "FeatureCollection", "features": [line((109.6, 23.1), (109.6, 23.11), (109.61, 23.11))]}}
    assert check("put_street_network", api.call("PUT", "/v1/street-network", admin, inline))["junctions"] == 3
    check("delete_street_network", api.delete("/v1/street-network", admin))


def test_tasks(api, demo):
    secretary = token("community_staff", demo["tenant"], communities=[demo["community"]["id"]])
    mine = check("my_tasks", api.get("/v1/me/tasks", secretary))
    assert mine["total"] == len(mine["items"]) > 0 and {t["kind"] for t in mine["items"]} <= set(mine["counts"])
    check("my_tasks", api.get("/v1/me/tasks", demo["admin"]))


def test_notifications(api, admin, tenant, monkeypatch):
    """Robots, the delivery log and an inbox, in a district of its own with a queue of its own."""
    import uuid

    from conftest import make_structure
    from functions import aws
    from functions.notify import queue, worker
    from infra.local.sink import Sink

    fresh = aws.client("sqs").create_queue(QueueName=f"gongjian-test-notify-{uuid.uuid4().hex[:12]}")["QueueUrl"]
    monkeypatch.setattr(queue, "url", lambda: fresh)
    sink = Sink()
    ids = make_structure(api, admin)
    robot = check("create_robot", api.post("/v1/robots", admin, {
        "name": "荷城社区网格群", "provider": "wecom", "scope": {"kind": "community", "id": ids["community"]},
        "url": sink.url + "/cgi-bin/webhook/send?key=k1"}))
    check("get_robot", api.get(f"/v1/robots/{robot['id']}", admin))
    check("list_robots", api.get("/v1/robots", admin))
    check("update_robot", api.patch(f"/v1/robots/{robot['id']}", admin, {"events": ["incident.overdue"], "version": robot["version"]}))
    check("test_robot", api.post(f"/v1/robots/{robot['id']}/test", admin, {}))
    worker_token = token("grid_worker", tenant, sub="gw-schema", grids=[ids["grid"]])
    iid = api.post("/v1/incidents", admin, {"category": "sanitation", "description": "x", "grid_id": ids["grid"]}).json["id"]
    api.post(f"/v1/incidents/{iid}/transitions", admin, {"action": "accept"})
    api.post(f"/v1/incidents/{iid}/transitions", admin, {"action": "dispatch", "assignee": "gw-schema"})
    worker.drain()
    sink.close()
    inbox = check("my_notifications", api.get("/v1/me/notifications", worker_token))
    check("read_notification", api.post(f"/v1/me/notifications/{inbox['items'][0]['id']}/read", worker_token, {}))
    assert check("list_deliveries", api.get("/v1/notification-deliveries", admin))["items"]
    check("delete_robot", api.delete(f"/v1/robots/{robot['id']}", admin))
    hook = check("create_webhook", api.post("/v1/webhooks", admin, {"name": "12345", "url": "http://127.0.0.1:9/hooks",
                                                                      "secret": "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw",
                                                                      "events": ["incident.overdue"]}))
    check("get_webhook", api.get(f"/v1/webhooks/{hook['id']}", admin))
    check("list_webhooks", api.get("/v1/webhooks", admin))
    check("update_webhook", api.patch(f"/v1/webhooks/{hook['id']}", admin, {"name": "12345 热线", "version": hook["version"]}))
    check("test_webhook", api.post(f"/v1/webhooks/{hook['id']}/test", admin, {}))
    check("delete_webhook", api.delete(f"/v1/webhooks/{hook['id']}", admin))
    person = api.post("/v1/users", admin, {"name": "李四", "phone": "13800000000", "roles": ["community_staff"],
                                           "communities": [ids["community"]]}).json
    me = token("community_staff", tenant, sub=person["id"], communities=[ids["community"]])
    check("my_notification_settings", api.get("/v1/me/notification-settings", me))
    check("set_notification_settings", api.call("PUT", "/v1/me/notification-settings", me, {"channels": ["in_app"]}))


def test_archiving(api, admin):
    """Archive, restore and delete each kind, in a district of its own."""
    from conftest import make_structure

    ids = make_structure(api, admin)
    unit = api.post("/v1/units", admin, {"name": "迁出单位", "kind": "government", "community_id": ids["community"]}).json
    department = api.post("/v1/departments", admin, {"name": "撤并的部门", "kind": "other"}).json
    paths = [("grid", f"/v1/grids/{ids['grid']}"), ("community", f"/v1/communities/{ids['community']}"),
             ("street", f"/v1/streets/{ids['street']}"), ("unit", f"/v1/units/{unit['id']}"),
             ("department", f"/v1/departments/{department['id']}")]
    for kind, path in paths[3:] + paths[:3]:  # units before their community
        archived = check(f"archive_{kind}", api.post(f"{path}/archive", admin, {"reason": "区划调整", "version": api.get(path, admin).json["version"]}))
        assert archived["archived"]["reason"] == "区划调整"
    for kind, path in reversed(paths[:3]):
        check(f"restore_{kind}", api.post(f"{path}/restore", admin, {"version": api.get(path, admin).json["version"]}))
    for kind, path in paths[3:]:
        check(f"restore_{kind}", api.post(f"{path}/restore", admin, {"version": api.get(path, admin).json["version"]}))
        check(f"delete_{kind}", api.delete(path, admin))


def test_every_operation_was_checked():
    """Runs last in this file: every operation of the route table had a real answer validated above."""
    if not CHECKED:
        pytest.skip("run with the rest of this file")
    assert set(ROUTES) - CHECKED == set()
