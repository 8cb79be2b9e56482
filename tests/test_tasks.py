"""Everyone's to-do list: tasks made, moved and ended by the writes of their objects."""
from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from conftest import make_structure, make_tenant, token
from test_meetings import committee  # noqa: F401  (fixture)
from functions.grid_work import calendar, incidents
from functions.tenancy import system_context


@pytest.fixture
def place(api, admin):
    return make_structure(api, admin)


def tasks_of(api, tok):
    r = api.get("/v1/me/tasks", tok)
    assert r.status == 200, r
    return r.json


def kinds(api, tok):
    return [(t["kind"], t["object_id"]) for t in tasks_of(api, tok)["items"]]


def test_an_incident_moves_through_the_lists_of_those_who_must_act(api, admin, tenant, place):
    staff = token("community_staff", tenant, sub="secretary-1", communities=[place["community"]])
    worker = token("grid_worker", tenant, sub="gw-1", grids=[place["grid"]])
    other_worker = token("grid_worker", tenant, sub="gw-2", grids=[place["grid"]])
    reported = api.post("/v1/incidents", worker, {"category": "sanitation", "description": "垃圾堆放", "grid_id": place["grid"]}).json
    iid = reported["id"]
    mine = tasks_of(api, staff)
    assert [(t["kind"], t["object_id"]) for t in mine["items"]] == [("incident_accept", iid)]
    task = mine["items"][0]
    assert task["audience"] == f"community#{place['community']}" and task["link"] == f"/v1/incidents/{iid}"
    assert task["due_at"] == reported["due_at"] and "垃圾堆放" in task["title"]
    assert mine["counts"] == {"incident_accept": 1} and mine["total"] == 1
    assert api.get(task["link"], staff).status == 200  # the task opens for the one it is for
    assert kinds(api, worker) == []  # a grid worker does not accept
    steps = [("accept", {}, staff, "incident_dispatch", staff), ("dispatch", {"assignee": "gw-1"}, staff, "incident_handle", worker),
             ("start", {}, worker, "incident_handle", worker), ("resolve", {}, worker, "incident_verify", staff),
             ("verify", {}, staff, "incident_close", staff)]
    for action, extra, actor, kind, holder in steps:
        r = api.post(f"/v1/incidents/{iid}/transitions", actor, {"action": action, **extra})
        assert r.status == 200, r
        assert kinds(api, holder) == [(kind, iid)], action
        for bystander in {staff, worker, other_worker} - {holder}:
            assert kinds(api, bystander) == [], (action, bystander)
    assert api.post(f"/v1/incidents/{iid}/transitions", staff, {"action": "close"}).status == 200
    assert kinds(api, staff) == [] and kinds(api, worker) == [] and kinds(api, admin) == []


def test_escalation_hands_the_task_to_the_next_level(api, admin, tenant, place):
    staff = token("community_staff", tenant, communities=[place["community"]])
    street = token("street_staff", tenant, streets=[place["street"]])
    iid = api.post("/v1/incidents", staff, {"category": "dispute", "description": "邻里纠纷", "grid_id": place["grid"]}).json["id"]
    for note in ("网格处理不了", "社区协调不成"):
        assert api.post(f"/v1/incidents/{iid}/transitions", staff, {"action": "escalate", "note": note}).status == 200
    assert kinds(api, staff) == []
    task = tasks_of(api, street)["items"][0]
    assert (task["kind"], task["object_id"], task["escalated"], task["level"]) == ("incident_accept", iid, True, "street")
    assert "上报" in task["reason"]
    assert api.post(f"/v1/incidents/{iid}/transitions", street, {"action": "escalate", "note": "需区里协调"}).status == 200
    assert kinds(api, street) == [] and kinds(api, admin) == [("incident_accept", iid)]


def test_overdue_first_with_its_cards(api, admin, tenant, place):
    ctx = system_context(tenant)
    staff = token("community_staff", tenant, communities=[place["community"]])
    fresh = incidents.report(ctx, {"category": "sanitation", "description": "新上报", "grid_id": place["grid"]})
    late = incidents.report(ctx, {"category": "safety_hazard", "description": "井盖缺失", "grid_id": place["grid"],
                                  "priority": "urgent"}, reported_at=datetime.now(UTC) - timedelta(hours=3))
    incidents.sweep_overdue(ctx)
    items = tasks_of(api, staff)["items"]
    assert [t["object_id"] for t in items] == [late["id"], fresh["id"]]
    assert items[0]["overdue"] is True and items[0]["cards"] == ["yellow"] and items[1]["overdue"] is False


def test_district_admins_are_reminded_of_next_years_calendar_from_november(api, admin, tenant):
    ctx = system_context(tenant)
    october = datetime(2026, 10, 30, 12, tzinfo=ZoneInfo("Asia/Shanghai"))
    assert calendar.remind_missing(ctx, october) == []
    november = datetime(2026, 11, 1, 9, tzinfo=ZoneInfo("Asia/Shanghai"))
    assert calendar.remind_missing(ctx, november) == [2027]
    assert calendar.remind_missing(ctx, november) == []  # once
    mine = tasks_of(api, admin)
    assert [(t["kind"], t["object_id"]) for t in mine["items"]] == [("calendar_missing", "2027")]
    assert "2027" in mine["items"][0]["reason"] and mine["items"][0]["link"] == "/v1/calendars/2027"
    assert kinds(api, token("community_staff", tenant, communities=["x"])) == []
    loaded = api.call("PUT", "/v1/calendars/2027", admin, {"holidays": [{"name": "元旦", "from": "2027-01-01", "to": "2027-01-01"}],
                                                           "workdays": []})
    assert loaded.status == 200, loaded
    assert kinds(api, admin) == []  # gone with the load, in the same write
    assert calendar.remind_missing(ctx, november) == []


def test_tasks_stay_in_their_district(api, admin, tenant, platform_token, place):
    api.post("/v1/incidents", admin, {"category": "sanitation", "description": "x", "grid_id": place["grid"]})
    other = make_tenant(api, platform_token)
    assert tasks_of(api, token("district_admin", other))["items"] == []
    assert tasks_of(api, token("community_staff", other, communities=[place["community"]]))["items"] == []
    assert api.get("/v1/me/tasks", token("auditor", None, audit_tenants=[tenant])).status == 403  # auditors have no tasks


def test_each_department_sees_its_parts_until_signed_off_and_the_community_finishes(api, admin, tenant, committee):  # noqa: F811
    from test_meetings import departments, meeting

    dept = departments(api, admin)
    env, commerce = dept["港北区环境保护局"], dept["港北区工商局"]
    m = meeting(api, admin, committee)
    d = api.post(f"/v1/meetings/{m['id']}/decisions", admin, {"title": "联合整治夜宵摊点", "actions": [
        {"assignee": env, "due_date": "2099-12-15", "description": "牵头联合执法",
         "assisting": [{"assignee": commerce, "due_date": "2099-12-10"}]}]})
    action = d.json["actions"][0]
    env_user = token("department", tenant, departments=[env])
    commerce_user = token("department", tenant, departments=[commerce])
    staff = token("community_staff", tenant, communities=[committee["community"]])
    assert kinds(api, env_user) == [("action_part", f"{action['id']}.0")]
    part = tasks_of(api, commerce_user)["items"][0]
    assert (part["kind"], part["part"], part["link"]) == ("action_part", 1, f"/v1/actions/{action['id']}")
    assert part["due_at"].startswith("2099-12-10T23:59:59") and "协办" in part["reason"]
    assert kinds(api, staff) == []
    version = action["version"]
    for index, who in ((0, env_user), (1, commerce_user)):
        version = api.post(f"/v1/actions/{action['id']}/parts/{index}/sign-off", who, {"version": version}).json["version"]
        version = api.post(f"/v1/actions/{action['id']}/parts/{index}/progress", who, {"progress": 100, "version": version}).json["version"]
    assert kinds(api, env_user) == [] and kinds(api, commerce_user) == []
    assert kinds(api, staff) == [("action_finish", action["id"])]
    done = api.patch(f"/v1/actions/{action['id']}", staff, {"status": "done", "version": version})
    assert done.status == 200, done
    assert kinds(api, staff) == [("action_verify", action["id"])]
    assert api.post(f"/v1/actions/{action['id']}/close", staff, {"version": done.json["version"]}).status == 200
    assert kinds(api, staff) == []


def test_the_secretary_is_asked_to_approve_the_newest_minutes(api, admin, tenant, committee):  # noqa: F811
    from test_meetings import meeting, put_minutes

    m = meeting(api, admin, committee)
    secretary = token("community_staff", tenant, sub="secretary-wei", communities=[committee["community"]])
    put_minutes(api, admin, m["id"], body="初稿".encode())
    put_minutes(api, admin, m["id"], body="定稿".encode())
    items = tasks_of(api, secretary)["items"]
    assert [(t["kind"], t["object_id"], t["revision"]) for t in items] == [("minutes_approval", m["id"], 2)]
    assert api.get(items[0]["link"], secretary).status == 200
    assert kinds(api, admin) == []  # the committee has a secretary: it is theirs
    # a new secretary takes over what waits for approval; the old one no longer sees it
    c = api.get(f"/v1/committees/{committee['committee']}", admin).json
    assert api.patch(f"/v1/committees/{c['id']}", admin, {"secretary_user_id": "secretary-li", "version": c["version"]}).status == 200
    successor = token("community_staff", tenant, sub="secretary-li", communities=[committee["community"]])
    assert kinds(api, secretary) == [] and kinds(api, successor) == [("minutes_approval", m["id"])]
    c = api.get(f"/v1/committees/{c['id']}", admin).json
    assert api.patch(f"/v1/committees/{c['id']}", admin, {"secretary_user_id": "secretary-wei", "version": c["version"]}).status == 200
    assert api.post(f"/v1/meetings/{m['id']}/minutes/revisions/1/approve", secretary, {}).status == 200
    assert [t["revision"] for t in tasks_of(api, secretary)["items"]] == [2]  # the newer draft still waits
    assert api.post(f"/v1/meetings/{m['id']}/minutes/revisions/2/approve", secretary, {}).status == 200
    assert kinds(api, secretary) == []


def test_open_work_from_before_the_task_list_is_backfilled_once(api, admin, tenant, place):
    from functions.models import TasksTable
    from functions.tasks.backfill import backfill

    ctx = system_context(tenant)
    staff = token("community_staff", tenant, communities=[place["community"]])
    iid = api.post("/v1/incidents", admin, {"category": "sanitation", "description": "旧事件", "grid_id": place["grid"]}).json["id"]
    for task in TasksTable.query(ctx.key("task", f"community#{place['community']}")):
        task.delete()  # as if recorded before the index existed
    assert kinds(api, staff) == []
    assert backfill(ctx) == 1
    assert kinds(api, staff) == [("incident_accept", iid)]
    assert backfill(ctx) == 0  # once


def test_pairings_hours_and_appeals_wait_in_the_right_lists(api, admin, tenant, place):
    from test_services import member

    staff = token("community_staff", tenant, communities=[place["community"]])
    units = [api.post("/v1/units", admin, {"name": n, "kind": "government", "community_id": place["community"]}).json["id"]
             for n in ("环保局", "工商局")]
    pairing = api.post("/v1/pairings", admin, {"kind": "link", "from_unit_id": units[0], "to_unit_id": units[1],
                                               "cadence_days": 30, "started_on": "2026-10-01"}).json
    task = next(t for t in tasks_of(api, staff)["items"] if t["kind"] == "pairing_contact")
    assert task["object_id"] == pairing["id"] and task["due_at"].startswith("2026-10-31") and task["overdue"] is True
    contact = api.post(f"/v1/pairings/{pairing['id']}/contacts", admin, {"date": "2026-11-20", "mode": "visit", "outcome": "走访"})
    assert contact.status == 201, contact
    task = next(t for t in tasks_of(api, staff)["items"] if t["kind"] == "pairing_contact")
    assert task["due_at"].startswith("2026-12-20")  # moved with the contact, not duplicated
    member_id, _ = member(api, admin, place)
    hours = api.post("/v1/volunteer-activities", admin, {"member_id": member_id, "date": "2026-11-02", "hours": 2}).json
    assert ("volunteer_verify", hours["id"]) in kinds(api, staff)
    assert api.post(f"/v1/volunteer-activities/{hours['id']}/verify", staff, {"verified": True}).status == 200
    assert ("volunteer_verify", hours["id"]) not in kinds(api, staff)
    api.post("/v1/cobuilding/activities", admin, {"unit_id": units[0], "dimension": "sanitation", "date": "2026-10-12",
                                                  "participants": 2, "hours": 1})
    assert api.job_result(api.post("/v1/assessments/runs", admin, {"period": "2026-10"}), admin)["status"] == "published"
    appeal = api.post("/v1/assessments/2026-10/appeals", staff, {"unit_id": units[1], "reason": "漏登"}).json
    assert ("appeal_answer", appeal["id"]) in kinds(api, admin) and ("appeal_answer", appeal["id"]) not in kinds(api, staff)
    api.post(f"/v1/assessments/2026-10/appeals/{appeal['id']}/resolve", admin, {"decision": "dismissed", "note": "已核"})
    assert ("appeal_answer", appeal["id"]) not in kinds(api, admin)
