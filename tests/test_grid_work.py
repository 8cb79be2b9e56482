"""Grid work: the incident loop, time limits on the working-day calendar, cards, scopes, patrols, stats."""
from __future__ import annotations

from datetime import datetime, timedelta, UTC
from zoneinfo import ZoneInfo

import pytest

from conftest import make_structure, token
from functions.grid_work import incidents
from functions.grid_work.calendar import Calendar
from functions.tenancy import system_context

SH = ZoneInfo("Asia/Shanghai")
PATH_TO = {  # actions that walk a new incident to each status
    "reported": [], "accepted": ["accept"], "dispatched": ["accept", "dispatch"],
    "in_progress": ["accept", "dispatch", "start"], "resolved": ["accept", "dispatch", "start", "resolve"],
    "verified": ["accept", "dispatch", "start", "resolve", "verify"],
    "closed": ["accept", "dispatch", "start", "resolve", "verify", "close"], "rejected": ["reject"],
}
LEGAL = {("reported", "accept"), ("reported", "reject"), ("reported", "escalate"), ("accepted", "dispatch"),
         ("accepted", "escalate"), ("dispatched", "start"), ("dispatched", "escalate"), ("in_progress", "resolve"),
         ("in_progress", "escalate"), ("resolved", "verify"), ("verified", "close")}
ACTIONS = ["accept", "dispatch", "start", "resolve", "verify", "close", "reject", "escalate"]


@pytest.fixture
def grid(api, admin):
    return make_structure(api, admin)


def report(api, tok, grid_id, **extra):
    r = api.post("/v1/incidents", tok, {"category": "sanitation", "description": "垃圾堆放", "grid_id": grid_id, **extra})
    assert r.status == 201, r
    return r.json


def act(api, tok, incident_id, action, **extra):
    body = {"action": action, **({"assignee": "worker-1"} if action == "dispatch" else {}),
            **({"note": "超出本级处置能力"} if action == "escalate" else {}), **extra}
    return api.post(f"/v1/incidents/{incident_id}/transitions", tok, body)


@pytest.mark.parametrize("status", list(PATH_TO))
def test_every_transition_from_every_status(api, admin, grid, status):
    for action in ACTIONS:
        incident = report(api, admin, grid["grid"])
        for step in PATH_TO[status]:
            assert act(api, admin, incident["id"], step).status == 200
        r = act(api, admin, incident["id"], action)
        if (status, action) in LEGAL:
            assert r.status == 200, (status, action, r)
            assert r.json["history"][-1]["action"] == action
        else:
            assert r.status == 409, (status, action, r)
            assert r.json["allowed"] == sorted(a for s, a in LEGAL if s == status)


def test_history_assignee_and_satisfaction(api, admin, grid):
    incident = report(api, admin, grid["grid"])
    assert act(api, admin, incident["id"], "accept").status == 200
    r = api.post(f"/v1/incidents/{incident['id']}/transitions", admin, {"action": "dispatch"})
    assert r.status == 422 and r.json["errors"][0]["path"] == "/assignee"
    for step in ["dispatch", "start", "resolve", "verify"]:
        act(api, admin, incident["id"], step, note=f"{step} 备注")
    closed = act(api, admin, incident["id"], "close", satisfaction=5).json
    assert closed["status"] == "closed" and closed["satisfaction"] == 5 and closed["assignee"] == "worker-1"
    assert [h["action"] for h in closed["history"]] == ["report", "accept", "dispatch", "start", "resolve", "verify", "close"]
    assert all(h["by"] and h["at"] for h in closed["history"])
    assert closed["due_at"] is None and closed["overdue"] is False
    assert act(api, admin, incident["id"], "close", satisfaction=9).status == 400


def test_escalation_stops_at_district(api, admin, grid):
    incident = report(api, admin, grid["grid"])
    levels = [act(api, admin, incident["id"], "escalate").json["level"] for _ in range(3)]
    assert levels == ["community", "street", "district"]
    r = act(api, admin, incident["id"], "escalate")
    assert r.status == 409 and "escalate" not in r.json["allowed"]
    assert r.json["detail"] == "当前状态“已上报”不能执行“上报上级”，可执行：受理、不予受理"  # names, never codes


def test_report_by_location_and_worker_scope(api, admin, tenant, grid):
    worker = token("grid_worker", tenant, grids=[grid["grid"]])
    found = api.post("/v1/incidents", worker, {"category": "dispute", "description": "邻里纠纷",
                                               "location": {"lat": 23.105, "lon": 109.605}})
    assert found.status == 201 and found.json["grid_id"] == grid["grid"] and found.json["source"] == "grid_patrol"
    other = api.post("/v1/grids", admin, {"name": "第2网格", "community_id": grid["community"], "boundary": {
        "type": "Polygon", "coordinates": [[[109.61, 23.10], [109.62, 23.10], [109.62, 23.11], [109.61, 23.11], [109.61, 23.10]]]}}).json
    elsewhere = api.post("/v1/incidents", worker, {"category": "dispute", "description": "x",
                                                   "location": {"lat": 23.105, "lon": 109.615}})
    assert elsewhere.status == 403
    theirs = report(api, admin, other["id"])
    assert act(api, worker, theirs["id"], "escalate").status == 404  # not in the worker's grids: not visible
    assert act(api, worker, found.json["id"], "accept").status == 403  # staff accept, not workers
    assert act(api, worker, found.json["id"], "escalate").status == 200
    # without a filter a worker's list holds what the worker may open: their grid's incidents only
    assert [i["id"] for i in api.get("/v1/incidents", worker).json["items"]] == [found.json["id"]]
    assert [i["id"] for i in api.get(f"/v1/incidents?grid_id={grid['grid']}", worker).json["items"]] == [found.json["id"]]
    nowhere = api.post("/v1/incidents", admin, {"category": "dispute", "description": "x", "location": {"lat": 0, "lon": 0}})
    assert nowhere.status == 422 and nowhere.json["errors"][0]["path"] == "/location"


def test_lists_by_status_grid_category(api, admin, grid):
    a = report(api, admin, grid["grid"])
    b = report(api, admin, grid["grid"], category="dispute")
    act(api, admin, a["id"], "accept")
    assert [i["id"] for i in api.get("/v1/incidents?status=accepted", admin).json["items"]] == [a["id"]]
    assert [i["id"] for i in api.get("/v1/incidents?category=dispute", admin).json["items"]] == [b["id"]]
    assert [i["id"] for i in api.get(f"/v1/incidents?grid_id={grid['grid']}&status=reported", admin).json["items"]] == [b["id"]]
    assert len(api.get(f"/v1/incidents?grid_id={grid['grid']}", admin).json["items"]) == 2


def test_due_dates_follow_the_working_day_calendar(api, admin, tenant):
    ctx = system_context(tenant)
    cal = Calendar(ctx)
    friday = datetime(2026, 11, 20, 16, 0, tzinfo=SH)
    assert cal.add(friday, "working_days", 1) == datetime(2026, 11, 23, 16, 0, tzinfo=SH)  # Monday
    assert cal.add(friday, "working_hours", 2) == datetime(2026, 11, 23, 9, 30, tzinfo=SH)  # 1.5 h Fri, 0.5 h Mon
    assert cal.add(friday, "hours", 24) == datetime(2026, 11, 21, 16, 0, tzinfo=SH)
    # National Day week is off, and Saturday 10 October 2026 is a make-up workday (built-in table)
    assert cal.add(datetime(2026, 9, 30, 10, 0, tzinfo=SH), "working_days", 1) == datetime(2026, 10, 8, 10, 0, tzinfo=SH)
    assert cal.add(datetime(2026, 10, 9, 10, 0, tzinfo=SH), "working_days", 1) == datetime(2026, 10, 10, 10, 0, tzinfo=SH)
    # the district edits its calendar: Monday 23 November becomes a holiday
    r = api.call("PUT", "/v1/calendars/2026", admin, {"holidays": ["2026-11-23"], "workdays": ["2026-11-21"]})
    assert r.status == 200 and r.json["source"] == "tenant", r
    cal = Calendar(ctx)
    assert cal.add(friday, "working_days", 1) == datetime(2026, 11, 21, 16, 0, tzinfo=SH)  # Saturday now worked
    assert cal.add(friday, "working_days", 2) == datetime(2026, 11, 24, 16, 0, tzinfo=SH)
    bad = api.call("PUT", "/v1/calendars/2026", admin, {"holidays": ["2027-01-01"], "workdays": []})
    assert bad.status == 400 and bad.json["errors"][0]["path"] == "/holidays/0"


def test_due_soon_and_overdue_flags(api, admin, tenant, grid):
    ctx = system_context(tenant)
    created = incidents.report(ctx, {"category": "sanitation", "description": "x", "grid_id": grid["grid"],
                                     "priority": "urgent"}, reported_at=datetime.now(UTC) - timedelta(minutes=100))
    assert created["due_soon"] is True and created["overdue"] is False  # 100 of 120 minutes gone
    late = incidents.report(ctx, {"category": "sanitation", "description": "x", "grid_id": grid["grid"],
                                  "priority": "urgent"}, reported_at=datetime.now(UTC) - timedelta(hours=3))
    assert late["overdue"] is True
    assert [i["id"] for i in api.get("/v1/incidents?overdue=true", admin).json["items"]] == [late["id"]]


def test_sweep_cards_once_per_breach_yellow_then_red(api, admin, tenant, grid):
    ctx = system_context(tenant)
    t0 = datetime.now(UTC) - timedelta(hours=30)
    late = incidents.report(ctx, {"category": "safety_hazard", "description": "井盖缺失", "grid_id": grid["grid"],
                                  "priority": "urgent"}, reported_at=t0)
    report(api, admin, grid["grid"])  # on time: untouched
    first = incidents.sweep_overdue(ctx)
    assert first == [{"id": late["id"], "card": "yellow", "level": "community"}]
    assert incidents.sweep_overdue(ctx) == []  # run twice: nothing new
    incidents.transition(ctx, late["id"], {"action": "accept"}, at=t0 + timedelta(hours=3))  # resolve due t0+27h: late again
    assert incidents.sweep_overdue(ctx) == [{"id": late["id"], "card": "red", "level": "street"}]
    assert incidents.sweep_overdue(ctx) == []
    shown = api.get(f"/v1/incidents/{late['id']}", admin).json
    assert [c["card"] for c in shown["cards"]] == ["yellow", "red"] and shown["level"] == "street"
    # the sweep reads overdue incidents from an index, which holds no history: none of it is lost
    assert [h["action"] for h in shown["history"]] == ["report", "card", "accept", "card"]


def test_lists_leave_history_out_and_indexes_hold_no_copy_of_it(api, admin, tenant, grid):
    from functions.models import GridsTable

    a = report(api, admin, grid["grid"])
    act(api, admin, a["id"], "accept")
    assert [h["action"] for h in api.get(f"/v1/incidents/{a['id']}", admin).json["history"]] == ["report", "accept"]
    for path in ("/v1/incidents", "/v1/incidents?status=accepted", f"/v1/incidents?grid_id={grid['grid']}",
                 "/v1/incidents?category=sanitation"):
        listed = [i for i in api.get(path, admin).json["items"] if i["id"] == a["id"]]
        assert len(listed) == 1 and "history" not in listed[0] and listed[0]["status"] == "accepted", path
    copies = list(GridsTable.gsi3.query(f"{tenant}#grid#{grid['grid']}#incident"))
    assert copies and all(c.detail is None for c in copies)
    assert GridsTable.get(f"{tenant}#incident", a["id"]).detail["history"][-1]["action"] == "accept"


def test_categories_with_typed_fields(api, admin, grid):
    r = api.call("PUT", "/v1/incident-categories/street_vending", admin, {"name": "占道经营", "fields_schema": {
        "type": "object", "additionalProperties": False, "required": ["stalls"],
        "properties": {"stalls": {"type": "integer", "minimum": 1}, "night": {"type": "boolean"}}}})
    assert r.status == 200, r
    codes = [c["code"] for c in api.get("/v1/incident-categories", admin).json["items"]]
    assert codes[:6] == ["public_security", "dispute", "sanitation", "safety_hazard", "public_service", "other"]
    assert "street_vending" in codes
    ok = api.post("/v1/incidents", admin, {"category": "street_vending", "description": "夜宵摊占道", "grid_id": grid["grid"],
                                           "details": {"stalls": 6, "night": True}})
    assert ok.status == 201 and ok.json["category_name"] == "占道经营"
    bad = api.post("/v1/incidents", admin, {"category": "street_vending", "description": "x", "grid_id": grid["grid"],
                                            "details": {"stalls": 0, "color": "red"}})
    assert bad.status == 400 and {e["path"] for e in bad.json["errors"]} == {"/details/stalls", "/details/color"}
    unknown = api.post("/v1/incidents", admin, {"category": "ufo", "description": "x", "grid_id": grid["grid"]})
    assert unknown.status == 422 and unknown.json["errors"][0]["path"] == "/category"
    loose = api.call("PUT", "/v1/incident-categories/loose", admin, {"name": "x", "fields_schema": {"type": "object"}})
    assert loose.status == 400


def test_photos_must_be_uploaded_objects_of_the_tenant(api, admin, grid):
    import hashlib

    import requests

    photo = b"\xff\xd8\xff\xe0"
    up = api.post("/v1/uploads", admin, {"purpose": "incident_photo", "filename": "a.jpg", "content_type": "image/jpeg",
                                         "size": len(photo), "sha256": hashlib.sha256(photo).hexdigest()}).json
    missing = api.post("/v1/incidents", admin, {"category": "other", "description": "x", "grid_id": grid["grid"],
                                                "photos": [{"key": up["key"]}]})
    assert missing.status == 422 and missing.json["errors"][0]["path"] == "/photos/0/key"
    assert requests.put(up["url"], data=photo, headers=up["headers"], timeout=10).status_code == 200
    ok = api.post("/v1/incidents", admin, {"category": "other", "description": "x", "grid_id": grid["grid"],
                                           "photos": [{"key": up["key"], "name": "现场"}]})
    assert ok.status == 201
    foreign = api.post("/v1/incidents", admin, {"category": "other", "description": "x", "grid_id": grid["grid"],
                                                "photos": [{"key": "tenants/acme/incident_photo/x"}]})
    assert foreign.status == 422


def test_patrols_one_per_worker_grid_and_day(api, admin, tenant, grid):
    worker = token("grid_worker", tenant, sub="gw-1", grids=[grid["grid"]])
    other = token("grid_worker", tenant, sub="gw-2", grids=[grid["grid"]])
    body = {"grid_id": grid["grid"], "date": "2026-11-02", "findings": ["消防通道堵塞"]}
    first = api.post("/v1/patrols", worker, body)
    assert first.status == 201
    assert api.post("/v1/patrols", worker, body).status == 409
    assert api.post("/v1/patrols", other, body).status == 201
    assert api.post("/v1/patrols", admin, body).status == 403  # not a grid worker of the grid
    amended = api.patch(f"/v1/patrols/{first.json['id']}", worker, {"findings": ["消防通道堵塞", "已清理"], "version": 1})
    assert amended.status == 200 and len(amended.json["findings"]) == 2
    assert api.patch(f"/v1/patrols/{first.json['id']}", other, {"findings": [], "version": 2}).status == 403
    assert len(api.get(f"/v1/patrols?grid_id={grid['grid']}", worker).json["items"]) == 2


def test_monthly_stats_match_what_was_created(api, admin, tenant, grid):
    ctx = system_context(tenant)
    start = datetime(2026, 10, 5, 9, 0, tzinfo=SH)
    closed = incidents.report(ctx, {"category": "sanitation", "description": "a", "grid_id": grid["grid"]}, reported_at=start)
    for i, step in enumerate(PATH_TO["closed"], start=1):
        incidents.transition(ctx, closed["id"], {"action": step, "assignee": "w"}, at=start + timedelta(hours=i))
    incidents.report(ctx, {"category": "dispute", "description": "b", "grid_id": grid["grid"]}, reported_at=start)
    incidents.report(ctx, {"category": "dispute", "description": "c", "grid_id": grid["grid"]},
                     reported_at=datetime(2026, 11, 1, 0, 30, tzinfo=SH))  # November in Shanghai
    stats = api.get("/v1/stats/grid-work?period=2026-10", admin).json
    district = stats["district"]
    assert district["incidents"] == 2 and district["by_category"] == {"sanitation": 1, "dispute": 1}
    assert district["by_status"] == {"closed": 1, "reported": 1}
    assert district["closure_rate"] == 0.5 and district["median_hours_to_close"] == 6.0
    assert district["overdue"] == 1  # the unaccepted one is long past its limit
    assert [c["community_id"] for c in stats["communities"]] == [grid["community"]]
    assert stats["grids"][0]["incidents"] == 2
    assert api.get("/v1/stats/grid-work?period=2026-11", admin).json["district"]["incidents"] == 1
    assert api.get("/v1/stats/grid-work?period=oct", admin).status == 400


def test_escalation_hands_over_with_a_fresh_clock_and_says_why(api, admin, tenant, grid):
    ctx = system_context(tenant)
    t0 = datetime.now(UTC) - timedelta(hours=1)
    late = incidents.report(ctx, {"category": "safety_hazard", "description": "井盖缺失", "grid_id": grid["grid"],
                                  "priority": "urgent"}, reported_at=t0)
    act(api, admin, late["id"], "accept")
    dispatched = act(api, admin, late["id"], "dispatch")
    assert dispatched.json["assignee"] == "worker-1"
    silent = api.post(f"/v1/incidents/{late['id']}/transitions", admin, {"action": "escalate"})
    assert silent.status == 422 and silent.json["errors"][0]["path"] == "/note"
    before = datetime.fromisoformat(dispatched.json["due_at"])
    body = incidents.transition(ctx, late["id"], {"action": "escalate", "note": "需城管与市政联合处置"},
                                at=datetime.now(UTC) + timedelta(hours=2))
    assert body["level"] == "community" and body["owner"] == {"level": "community", "id": grid["community"]}
    assert body["assignee"] is None and body["stage"] == "resolve"
    # the new level gets the whole limit again, counted from the escalation: the clock moved 2 h (and
    # the second or two this test took between the dispatch and the escalation)
    assert timedelta(hours=2) <= datetime.fromisoformat(body["due_at"]) - before < timedelta(hours=2, seconds=5)
    step = body["history"][-1]
    assert step["action"] == "escalate" and step["note"] == "需城管与市政联合处置" and step["assignee_before"] == "worker-1"
    assert step["by"] and step["level"] == "community"


def test_a_year_without_a_holiday_table_counts_weekends_and_says_so(api, admin, tenant, grid):
    ctx = system_context(tenant)
    assert api.get("/v1/calendars/2031", admin).json["source"] == "none"
    r = api.call("PUT", "/v1/calendars/2030", admin, {"holidays": ["2030-01-01"], "workdays": []})
    assert r.status == 200, r
    # a normal report late in 2030: accepted within 2030 (its table is loaded), resolved in 5 working
    # days that run into 2031, which has no table
    late = incidents.report(ctx, {"category": "sanitation", "description": "x", "grid_id": grid["grid"]},
                            reported_at=datetime(2030, 12, 30, 10, 0, tzinfo=SH))
    assert late["calendar_warning"] is None
    accepted = incidents.transition(ctx, late["id"], {"action": "accept"}, at=datetime(2030, 12, 30, 11, 0, tzinfo=SH))
    assert "2031" in accepted["calendar_warning"] and "国务院" in accepted["calendar_warning"]
    ranges = {"holidays": ["2031-01-01", {"name": "春节", "from": "2031-01-22", "to": "2031-01-28"}], "workdays": ["2031-01-19"]}
    bad = api.call("PUT", "/v1/calendars/2031", admin, {"holidays": [{"name": "春节", "from": "2031-01-22", "to": "2031-01-28"},
                                                                   {"name": "x", "from": "2031-01-28", "to": "2031-01-29"},
                                                                   {"name": "y", "from": "2031-03-02", "to": "2031-03-01"},
                                                                   "2032-01-01"], "workdays": []})
    assert bad.status == 400 and {e["path"] for e in bad.json["errors"]} == {"/holidays/1", "/holidays/2/to", "/holidays/3"}
    good = api.call("PUT", "/v1/calendars/2031", admin, ranges)
    assert good.status == 200 and len(good.json["holidays"]) == 8 and good.json["workdays"] == ["2031-01-19"]
    again = incidents.transition(ctx, late["id"], {"action": "dispatch", "assignee": "w"}, at=datetime(2030, 12, 30, 12, 0, tzinfo=SH))
    assert again["status"] == "dispatched"


def test_a_step_may_carry_photos_and_one_incident_shows_links_to_view_them(api, admin):
    """The field app's 处理 sends photos of the work with the step; GET of the incident gives each photo
    (the report's and each step's) a time-limited link, so the console and the phone can show them."""
    import hashlib

    import requests

    grid = {"id": make_structure(api, admin)["grid"]}
    photo = b"\xff\xd8\xff jpeg of the stairwell"
    declared = {"purpose": "incident_photo", "filename": "a.jpg", "content_type": "image/jpeg", "size": len(photo),
                "sha256": hashlib.sha256(photo).hexdigest()}
    ticket = api.post("/v1/uploads", admin, declared, headers={"Idempotency-Key": "phone-action-1-photo-0"}).json
    again = api.post("/v1/uploads", admin, declared, headers={"Idempotency-Key": "phone-action-1-photo-0"}).json
    assert again["key"] == ticket["key"]  # a replayed ticket names the same object
    other = api.post("/v1/uploads", admin, declared, headers={"Idempotency-Key": "phone-action-2-photo-0"}).json
    assert other["key"] != ticket["key"] and api.post("/v1/uploads", admin, declared).json["key"] != ticket["key"]
    assert requests.put(ticket["url"], data=photo, headers=ticket["headers"], timeout=10).status_code == 200
    incident = api.post("/v1/incidents", admin, {"category": "sanitation", "description": "楼道堆物", "grid_id": grid["id"],
                                                 "photos": [{"key": ticket["key"], "name": "before.jpg"}]}).json
    moved = api.post(f"/v1/incidents/{incident['id']}/transitions", admin,
                     {"action": "accept", "note": "已到场", "photos": [{"key": ticket["key"], "name": "on-site.jpg"}]})
    assert moved.status == 200, moved
    bad = api.post(f"/v1/incidents/{incident['id']}/transitions", admin,
                   {"action": "dispatch", "assignee": "someone", "photos": [{"key": "tenants/other/x.jpg"}]})
    assert bad.status == 422 and bad.json["errors"][0]["path"] == "/photos/0/key"
    shown = api.get(f"/v1/incidents/{incident['id']}", admin).json
    assert shown["status"] == "accepted"  # the refused step changed nothing
    for url in (shown["photos"][0]["url"], shown["history"][-1]["photos"][0]["url"]):
        assert requests.get(url, timeout=10).content == photo
