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


# --- the article's actors, acting as themselves in the demo district ---------------------------------

def demo_user(api, tenant: str, name_prefix: str) -> dict:
    admin = token("district_admin", tenant)
    [user] = [u for u in api.all_items("/v1/users", admin) if u["name"].startswith(name_prefix)]
    return user


def test_a_department_user_lists_its_open_parts_and_signs_one_off(api, demo_tenant):
    commerce = demo_user(api, demo_tenant, "港北区工商局")
    tok = user_token(demo_tenant, commerce)
    [department] = commerce["departments"]
    # 荷城社区's secretary records a new decision at last month's joint meeting: 城管 leads, 工商 assists
    secretary = demo_user(api, demo_tenant, "荷城社区书记")
    staff = user_token(demo_tenant, secretary)
    admin = token("district_admin", demo_tenant)
    meeting = next(m for m in api.all_items("/v1/meetings", admin) if m["location"].startswith("荷城社区"))
    city = next(d["id"] for d in api.all_items("/v1/departments", admin) if d["name"] == "港北区城市管理局")
    decided = api.post(f"/v1/meetings/{meeting['id']}/decisions", staff, {"title": "整治占道经营", "actions": [
        {"assignee": city, "due_date": "2099-12-31", "description": "清理占道摊点",
         "assisting": [{"assignee": department, "due_date": "2099-12-20"}]}]})
    assert decided.status == 201, decided
    mine = api.get("/v1/actions?status=open", tok).json["items"]
    assert mine and all(department in a["departments"] for a in mine)
    everything = api.get("/v1/actions", token("district_admin", demo_tenant)).json["items"]
    assert {a["id"] for a in api.get("/v1/actions", tok).json["items"]} == \
        {a["id"] for a in everything if department in a["departments"]}
    action = mine[0]
    index = next(i for i, p in enumerate(action["parts"]) if p["assignee"] == department)
    assert action["parts"][index]["assignee_name"] == "港北区工商局"
    other = next(i for i, p in enumerate(action["parts"]) if p["assignee"] != department)
    refused = api.post(f"/v1/actions/{action['id']}/parts/{other}/sign-off", tok, {"version": action["version"]})
    assert refused.status == 403
    signed = api.post(f"/v1/actions/{action['id']}/parts/{index}/sign-off", tok,
                      {"note": "已签收，安排执法科落实", "version": action["version"]})
    assert signed.status == 200, signed
    part = signed.json["parts"][index]
    assert part["signed_off_by"] == commerce["id"] and part["signed_off_at"] and signed.json["status"] == "in_progress"
    progress = api.post(f"/v1/actions/{action['id']}/parts/{index}/progress", tok,
                        {"progress": 50, "note": "已查处无照摊点 6 处", "version": signed.json["version"]})
    assert progress.status == 200 and progress.json["parts"][index]["progress"] == 50
    assert api.patch(f"/v1/actions/{action['id']}", tok, {"status": "done", "version": progress.json["version"]}).status == 403


def test_a_street_user_accepts_an_incident_escalated_to_their_street(api, demo_tenant):
    admin = token("district_admin", demo_tenant)
    street_user = demo_user(api, demo_tenant, "贵城街道")
    tok = user_token(demo_tenant, street_user)
    secretary = demo_user(api, demo_tenant, "荷城社区书记")
    staff = user_token(demo_tenant, secretary)
    grid = api.get(f"/v1/grids?community_id={secretary['communities'][0]}&limit=1", admin).json["items"][0]
    incident = api.post("/v1/incidents", staff, {"category": "safety_hazard", "description": "井盖缺失", "grid_id": grid["id"]}).json
    assert incident["street_id"] == street_user["streets"][0]
    assert api.post(f"/v1/incidents/{incident['id']}/transitions", tok, {"action": "accept"}).status == 403  # still the community's
    escalate = {"action": "escalate", "note": "需街道协调"}
    assert api.post(f"/v1/incidents/{incident['id']}/transitions", staff, escalate).json["level"] == "community"
    up = api.post(f"/v1/incidents/{incident['id']}/transitions", staff, escalate)
    assert up.status == 200 and up.json["level"] == "street"
    assert api.post(f"/v1/incidents/{incident['id']}/transitions", staff, {"action": "accept"}).status == 403
    accepted = api.post(f"/v1/incidents/{incident['id']}/transitions", tok, {"action": "accept", "note": "街道受理"})
    assert accepted.status == 200 and accepted.json["status"] == "accepted", accepted
    listed = {i["id"] for i in api.all_items("/v1/incidents?status=accepted", tok)}
    assert incident["id"] in listed
    other_street = demo_user(api, demo_tenant, "港城街道")
    assert api.get(f"/v1/incidents/{incident['id']}", user_token(demo_tenant, other_street)).status == 404


def test_an_employer_downloads_its_members_quarterly_hours(api, demo_tenant):
    from functions.periods import previous_month
    from functions.services.volunteers import previous_quarter

    admin = token("district_admin", demo_tenant)
    month = previous_month("Asia/Shanghai")
    quarter = f"{month[:4]}-Q{(int(month[5:]) - 1) // 3 + 1}"
    assert api.post("/v1/volunteer-reports/runs", admin, {"quarter": quarter}).status == 201
    employer = demo_user(api, demo_tenant, "港北区环境保护局荷城联络组")
    tok = user_token(demo_tenant, employer)
    [unit] = employer["units"]
    reports = api.get(f"/v1/volunteer-reports?quarter={quarter}", tok).json["items"]
    assert [r["unit_id"] for r in reports] == [unit]
    assert len(api.get(f"/v1/volunteer-reports?quarter={quarter}", admin).json["items"]) > 1
    download = api.get(f"/v1/volunteer-reports/{quarter}/units/{unit}/csv", tok)
    assert download.status == 200 and download.headers["content-type"].startswith("text/csv")
    text = download.body.decode("utf-8-sig")
    rows = text.strip().splitlines()
    assert rows[0].startswith("姓名 / Name") and len(rows) == 1 + len(reports[0]["members"])
    assert all(str(m["quarter_hours"]) in text for m in reports[0]["members"])
    other = next(r["unit_id"] for r in api.get(f"/v1/volunteer-reports?quarter={quarter}", admin).json["items"] if r["unit_id"] != unit)
    assert api.get(f"/v1/volunteer-reports/{quarter}/units/{other}/csv", tok).status == 404
    assert api.get("/v1/incidents", tok).json["items"] == []
    assert previous_quarter("Asia/Shanghai")  # the schedule's quarter is a real one


def test_a_resident_reports_an_incident_then_sees_and_rates_it(api, demo_tenant):
    admin = token("district_admin", demo_tenant)
    resident = demo_user(api, demo_tenant, "荷城社区居民")
    tok = user_token(demo_tenant, resident)
    report = api.post("/v1/incidents", tok, {"category": "public_service", "description": "楼下路灯不亮",
                                             "location": {"lat": 23.0775, "lon": 109.5575}})
    assert report.status == 201 and report.json["source"] == "resident_report", report
    incident = report.json
    assert [i["id"] for i in api.get("/v1/incidents", tok).json["items"]] == [incident["id"]]  # only their own
    early = api.post(f"/v1/incidents/{incident['id']}/rating", tok, {"rating": 5})
    assert early.status == 409
    for action in ("accept", "dispatch", "start", "resolve"):
        body = {"action": action, **({"assignee": "gw-x"} if action == "dispatch" else {})}
        assert api.post(f"/v1/incidents/{incident['id']}/transitions", admin, body).status == 200
    seen = api.get(f"/v1/incidents/{incident['id']}", tok).json
    assert seen["status"] == "resolved" and [h["action"] for h in seen["history"]][-1] == "resolve"
    rated = api.post(f"/v1/incidents/{incident['id']}/rating", tok, {"rating": 4, "comment": "修好了，谢谢"})
    assert rated.status == 200 and rated.json["rating"] == 4
    assert api.post(f"/v1/incidents/{incident['id']}/rating", tok, {"rating": 1}).status == 409
    assert api.post(f"/v1/incidents/{incident['id']}/rating", admin, {"rating": 1}).status == 403
    assert api.get("/v1/actions", tok).json["items"] == []


# --- the identity provider: Cognito's trigger and admin calls, the local issuer ----------------------

def cognito_token(tenant: str, user_id: str) -> tuple[str, dict]:
    """Run the pre-token trigger as Cognito would for the user's sign-in, and sign what it returns
    as Cognito signs an ID token (its own `sub`, string claims)."""
    import time

    import jwt

    from functions import config
    from functions.accounts import pre_token

    event = {"version": "1", "triggerSource": "TokenGeneration_Authentication", "region": "ap-east-1",
             "userPoolId": "ap-east-1_test", "userName": user_id,
             "request": {"userAttributes": {"sub": "7d2f0c1e-cognito", "custom:tenant": tenant}}, "response": {}}
    claims = pre_token.handle(event)["response"]["claimsOverrideDetails"]["claimsToAddOrOverride"]
    now = int(time.time())
    payload = {"sub": "7d2f0c1e-cognito", "iss": config.JWT_ISSUER, "aud": config.JWT_AUDIENCE, "iat": now, "exp": now + 600,
               "token_use": "id", **claims}
    return jwt.encode(payload, local_issuer.private_key(), algorithm="RS256", headers={"kid": "local"}), claims


def test_the_pre_token_trigger_builds_every_claim_from_the_record(api, admin, tenant, place):
    from functions.accounts import pre_token

    worker = add(api, admin, {"name": "覃网格员", "roles": ["grid_worker", "resident"], "grids": [place["grid"]],
                              "communities": [place["community"]]})
    tok, claims = cognito_token(tenant, worker["id"])
    assert claims == {"tenant": tenant, "uid": worker["id"], "roles": "grid_worker,resident", "grids": place["grid"],
                      "communities": place["community"], "streets": "", "departments": "", "units": ""}
    assert api.get(f"/v1/users/{worker['id']}", admin).json["status"] == "active"  # the first token
    r = api.post("/v1/incidents", tok, {"category": "sanitation", "description": "x", "grid_id": place["grid"]})
    assert r.status == 201 and r.json["reporter"] == worker["id"]  # acts as the directory's user, not Cognito's sub
    api.patch(f"/v1/users/{worker['id']}", admin, {"status": "disabled", "version": 2})
    with pytest.raises(pre_token.SignInRefused):
        cognito_token(tenant, worker["id"])
    with pytest.raises(pre_token.SignInRefused):
        cognito_token(tenant, "01JAAAAAAAAAAAAAAAAAAAAAAA")
    assert api.get("/v1/incidents", tok).status == 401  # the token it had before is refused too


def test_cognito_is_kept_in_step_with_the_directory(api, admin, tenant, place, monkeypatch):
    """Against the local AWS-compatible server (the one serving S3): invitation, disabling with a
    global sign-out, enabling, and no Cognito user left behind when the record cannot be written."""
    from functions import aws, config

    monkeypatch.setattr(config, "COGNITO_ENDPOINT", config.S3_ENDPOINT)
    monkeypatch.setattr(config, "USER_POOL_ID", "ap-east-1_pending")
    setup = aws.session().create_client("cognito-idp", region_name="ap-east-1", endpoint_url=config.S3_ENDPOINT)
    pool = setup.create_user_pool(PoolName=f"gongjian-{tenant}", Schema=[
        {"Name": "tenant", "AttributeDataType": "String", "Mutable": False}])["UserPool"]["Id"]
    monkeypatch.setattr(config, "USER_POOL_ID", pool)
    cognito = aws.client("cognito-idp")
    worker = add(api, admin, {"name": "黄网格员", "phone": "13807751234", "email": "huang@example.cn",
                              "roles": ["grid_worker"], "grids": [place["grid"]]})
    made = cognito.admin_get_user(UserPoolId=pool, Username=worker["id"])
    attributes = {a["Name"]: a["Value"] for a in made["UserAttributes"]}
    assert attributes["custom:tenant"] == tenant and attributes["phone_number"] == "+8613807751234"
    assert made["Enabled"] is True and made["UserStatus"] == "FORCE_CHANGE_PASSWORD"
    api.patch(f"/v1/users/{worker['id']}", admin, {"status": "disabled", "version": 1})
    assert cognito.admin_get_user(UserPoolId=pool, Username=worker["id"])["Enabled"] is False
    api.patch(f"/v1/users/{worker['id']}", admin, {"status": "active", "version": 2})
    assert cognito.admin_get_user(UserPoolId=pool, Username=worker["id"])["Enabled"] is True
    before = len(cognito.list_users(UserPoolId=pool)["Users"])
    refused = api.post("/v1/users", admin, {"name": "x", "roles": ["street_staff"], "streets": ["01JAAAAAAAAAAAAAAAAAAAAAAA"],
                                            "phone": "13807750009"})
    assert refused.status == 422
    assert len(cognito.list_users(UserPoolId=pool)["Users"]) == before  # the invitation was withdrawn
    silent = api.post("/v1/users", admin, {"name": "无联系方式", "roles": ["resident"]})
    assert silent.status == 422 and silent.json["errors"][0]["path"] == "/phone"  # nobody to invite
    platform = token("platform_admin")
    api.patch(f"/v1/tenants/{tenant}", platform, {"status": "suspended", "version": 1})
    api.job_result(api.post(f"/v1/tenants/{tenant}/offboard", platform, {"confirm": True}), platform)
    assert [u["Username"] for u in cognito.list_users(UserPoolId=pool)["Users"]] == []  # a district leaving takes its accounts


def test_make_token_reads_the_record(api, admin, tenant, place, capsys):
    from functions import cli

    worker = add(api, admin, {"name": "莫网格员", "roles": ["grid_worker"], "grids": [place["grid"]]})
    assert cli.main(["token", "--tenant", tenant, "--sub", "莫网格员"]) == 0
    tok = capsys.readouterr().out.strip().splitlines()[-1]
    r = api.post("/v1/incidents", tok, {"category": "sanitation", "description": "x", "grid_id": place["grid"]})
    assert r.status == 201 and r.json["reporter"] == worker["id"]
    api.patch(f"/v1/users/{worker['id']}", admin, {"status": "disabled", "version": 2})
    assert cli.main(["token", "--tenant", tenant, "--sub", worker["id"]]) == 1
    assert cli.main(["token", "--tenant", tenant, "--sub", "nobody"]) == 1


def test_exports_carry_the_directory_with_contacts_masked(api, admin, tenant, place, tmp_path):
    import json

    import requests

    add(api, admin, {"name": "黄网格员", "phone": "13807751234", "email": "huang@example.cn", "roles": ["grid_worker"],
                     "grids": [place["grid"]]})
    started = api.post("/v1/exports", admin, {"tenants": [tenant], "datasets": ["users"], "format": "jsonl"})
    job = api.get(f"/v1/exports/{api.job_result(started, admin)['export_id']}", admin).json
    [file] = [f for f in job["files"] if f["name"] == "users.jsonl"]
    [row] = [json.loads(line) for line in requests.get(file["url"], timeout=10).content.decode().splitlines()]
    assert row["name"] == "黄网格员" and row["roles"] == ["grid_worker"]
    assert row["phone"] == "138****1234" and row["email"] == "h***@example.cn"


def test_a_new_district_comes_with_its_first_admin(api, platform_token):
    import uuid

    tenant = f"t{uuid.uuid4().hex[:10]}"
    r = api.post("/v1/tenants", platform_token, {"id": tenant, "name": "测试区", "tier": "standard",
                                                 "first_admin": {"name": "韦主任", "phone": "13807750001"}})
    assert r.status == 201, r
    first = r.json["first_admin"]
    assert first["roles"] == ["district_admin"] and first["status"] == "invited"
    tok = user_token(tenant, first)
    assert api.post("/v1/streets", tok, {"name": "贵城街道"}).status == 201
    assert [u["id"] for u in api.get("/v1/users", tok).json["items"]] == [first["id"]]
    last = api.patch(f"/v1/users/{first['id']}", tok, {"status": "disabled", "version": 1})
    assert last.status == 409  # the only one
    bad = api.post("/v1/tenants", platform_token, {"id": f"{tenant}-b", "name": "x", "tier": "standard",
                                                   "first_admin": {"name": "x", "phone": "123"}})
    assert bad.status == 400 and bad.json["errors"][0]["path"] == "/first_admin/phone"
    assert api.get(f"/v1/tenants/{tenant}-b", platform_token).status == 404


def test_the_trigger_gives_platform_groups_their_role_and_refuses_anyone_else_without_a_district():
    from functions.accounts import pre_token

    def event(groups, attributes):
        return {"userName": "platform-1", "request": {"userAttributes": attributes,
                                                      "groupConfiguration": {"groupsToOverride": groups}}, "response": {}}

    out = pre_token.handle(event(["platform_admin"], {}))["response"]["claimsOverrideDetails"]["claimsToAddOrOverride"]
    assert out == {"roles": "platform_admin", "audit_tenants": ""}
    out = pre_token.handle(event(["auditor"], {"custom:audit_tenants": "gangbei,qintang"}))
    assert out["response"]["claimsOverrideDetails"]["claimsToAddOrOverride"] == {"roles": "auditor",
                                                                                "audit_tenants": "gangbei,qintang"}
    with pytest.raises(pre_token.SignInRefused):
        pre_token.handle(event(["someone_else"], {}))


def test_a_demotion_holds_before_the_token_expires(api, admin, tenant, place):
    worker = add(api, admin, {"name": "黄网格员", "roles": ["grid_worker"], "grids": [place["grid"]]})
    tok = user_token(tenant, worker)  # still claims grid_worker over the grid after the change below
    report = {"category": "sanitation", "description": "x", "grid_id": place["grid"]}
    first = api.post("/v1/incidents", tok, report).json
    other = api.post("/v1/incidents", admin, report).json  # in the grid, not theirs
    assert {i["id"] for i in api.get("/v1/incidents", tok).json["items"]} == {first["id"], other["id"]}
    api.patch(f"/v1/users/{worker['id']}", admin, {"roles": ["resident"], "grids": [], "version": 1})
    assert api.post("/v1/incidents", tok, report).status == 403  # the old token's grid_worker no longer counts
    assert [i["id"] for i in api.get("/v1/incidents", tok).json["items"]] == [first["id"]]  # nor its grid: only their own
    fresh = user_token(tenant, api.get(f"/v1/users/{worker['id']}", admin).json)
    mine = api.post("/v1/incidents", fresh, report)
    assert mine.status == 201 and mine.json["source"] == "resident_report"  # the next token: a resident


def test_a_disabled_admin_exports_nothing(api, admin, tenant):
    first = add(api, admin, {"name": "区管理员甲", "roles": ["district_admin"]})
    add(api, admin, {"name": "区管理员乙", "roles": ["district_admin"]})
    tok = user_token(tenant, first)
    job = api.post("/v1/exports", tok, {"tenants": [tenant], "datasets": ["streets"], "format": "csv"})
    assert job.status == 202, job
    api.patch(f"/v1/users/{first['id']}", admin, {"status": "disabled", "version": 1})
    assert api.post("/v1/exports", tok, {"tenants": [tenant], "datasets": ["streets"], "format": "csv"}).status == 401
    assert api.get(f"/v1/exports/{job.json['id']}", tok).status == 401


def test_staff_list_only_the_users_they_can_open(api, admin, tenant, place):
    elsewhere = make_structure(api, admin)
    staff = token("community_staff", tenant, communities=[place["community"]])
    both = add(api, admin, {"name": "两社区居民", "roles": ["resident"], "communities": [place["community"], elsewhere["community"]]})
    mine = add(api, admin, {"name": "本社区居民", "roles": ["resident"], "communities": [place["community"]]})
    assert [u["id"] for u in api.get("/v1/users", staff).json["items"]] == [mine["id"]]
    assert api.get(f"/v1/users/{both['id']}", staff).status == 404


def test_report_cells_are_never_formulas():
    from functions.services.volunteers import _cell

    assert [_cell(v) for v in ("=HYPERLINK(1)", "+1", "-1", "@x", "韦建华", 3.5)] == ["'=HYPERLINK(1)", "'+1", "'-1", "'@x", "韦建华", 3.5]


def test_the_platform_adds_a_district_admin_to_a_tenant_without_one(api, platform_token, tenant):
    r = api.post(f"/v1/tenants/{tenant}/admins", platform_token, {"name": "黄主任", "email": "huang@example.cn"})
    assert r.status == 201 and r.json["roles"] == ["district_admin"] and r.json["status"] == "invited", r
    tok = user_token(tenant, r.json)
    assert [u["id"] for u in api.get("/v1/users", tok).json["items"]] == [r.json["id"]]
    assert api.post(f"/v1/tenants/{tenant}/admins", tok, {"name": "x"}).status == 403  # the platform's to do
    assert api.post("/v1/tenants/nosuchdistrict/admins", platform_token, {"name": "x"}).status == 404
    bad = api.post(f"/v1/tenants/{tenant}/admins", platform_token, {"name": "x", "email": "nope"})
    assert bad.status == 400 and bad.json["errors"][0]["path"] == "/email"
