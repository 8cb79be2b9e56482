"""Archiving: out of daily work and lists, kept for the records that name it; deleting only what
nothing names; nothing new may point at an archived object."""
from __future__ import annotations

import pytest

from conftest import make_structure, token
from test_meetings import committee, departments, meeting  # noqa: F401  (fixtures and helpers)

REASON = "2026 年区划调整，并入邻近网格"


@pytest.fixture
def place(api, admin):
    return make_structure(api, admin)


def version(api, admin, path):
    return api.get(path, admin).json["version"]


def archive(api, admin, path, reason=REASON):
    return api.post(f"{path}/archive", admin, {"reason": reason, "version": version(api, admin, path)})


def test_a_grid_with_open_incidents_is_archived_only_once_they_are_done(api, admin, tenant, place):
    grid = f"/v1/grids/{place['grid']}"
    incident = api.post("/v1/incidents", admin, {"category": "other", "description": "井盖缺失", "grid_id": place["grid"]}).json
    refused = archive(api, admin, grid)
    assert refused.status == 409 and refused.json["referenced_by"] == [{"kind": "open_incident", "ids": [incident["id"]]}]
    assert api.post(f"/v1/incidents/{incident['id']}/transitions", admin, {"action": "reject", "note": "重复上报"}).status == 200
    done = archive(api, admin, grid)
    assert done.status == 200, done
    assert done.json["archived"]["reason"] == REASON and done.json["archived"]["by"]
    assert archive(api, admin, grid).status == 409  # already archived
    # its history still resolves; lists leave it out unless asked
    assert api.get(grid, admin).status == 200
    assert api.get(f"/v1/incidents/{incident['id']}", admin).json["grid_id"] == place["grid"]
    assert api.get(f"/v1/grids?community_id={place['community']}", admin).json["items"] == []
    assert [g["id"] for g in api.all_items("/v1/grids?archived=true", admin)] == [place["grid"]]
    # deleting is still refused: the incident names it
    gone = api.delete(grid, admin)
    assert gone.status == 409 and gone.json["referenced_by"][0]["kind"] == "incident" and "归档" in gone.json["detail"]
    # nothing new may point at it
    report = api.post("/v1/incidents", admin, {"category": "other", "description": "x", "grid_id": place["grid"]})
    assert report.status == 422 and report.json["errors"][0]["path"] == "/grid_id"
    by_place = api.post("/v1/incidents", admin, {"category": "other", "description": "x", "location": {"lon": 109.605, "lat": 23.105}})
    assert by_place.status == 422 and by_place.json["errors"][0]["path"] == "/location"
    worker = api.post("/v1/users", admin, {"name": "网格员", "phone": "13800000001", "roles": ["grid_worker"], "grids": [place["grid"]]})
    assert worker.status == 422 and worker.json["errors"][0]["path"] == "/grids/0"
    # and back
    back = api.post(f"{grid}/restore", admin, {"version": version(api, admin, grid)})
    assert back.status == 200 and "archived" not in back.json
    assert [g["id"] for g in api.get(f"/v1/grids?community_id={place['community']}", admin).json["items"]] == [place["grid"]]
    staff = token("community_staff", tenant, communities=["01J00000000000000000000000"])
    assert api.post(f"{grid}/archive", staff, {"reason": REASON, "version": 1}).status == 403


def test_a_community_goes_after_its_grids_and_nothing_new_lands_in_it(api, admin, place):
    community, grid = f"/v1/communities/{place['community']}", f"/v1/grids/{place['grid']}"
    refused = archive(api, admin, community, "撤并社区")
    assert refused.status == 409 and refused.json["referenced_by"] == [{"kind": "grid", "ids": [place["grid"]]}]
    assert archive(api, admin, grid).status == 200
    assert archive(api, admin, community, "撤并社区").status == 200
    assert archive(api, admin, f"/v1/streets/{place['street']}", "撤并街道").status == 200
    new_grid = api.post("/v1/grids", admin, {"name": "新网格", "community_id": place["community"]})
    assert new_grid.status == 422 and new_grid.json["errors"][0]["path"] == "/community_id"
    unit = api.post("/v1/units", admin, {"name": "新单位", "kind": "government", "community_id": place["community"]})
    assert unit.status == 422 and unit.json["errors"][0]["path"] == "/community_id"
    # a grid comes back only under an active community
    assert api.post(f"{grid}/restore", admin, {"version": version(api, admin, grid)}).status == 409
    assert api.get("/v1/communities", admin).json["items"] == []
    assert len(api.get("/v1/communities?archived=true", admin).json["items"]) == 1


def test_units_archive_for_history_and_delete_only_when_nothing_names_them(api, admin, place):
    unit = api.post("/v1/units", admin, {"name": "贵港市某物流公司", "kind": "non_public_enterprise", "community_id": place["community"]}).json
    member = api.post("/v1/members", admin, {"name": "党员甲", "unit_id": unit["id"]}).json
    refused = api.delete(f"/v1/units/{unit['id']}", admin)
    assert refused.status == 409 and refused.json["referenced_by"] == [{"kind": "member", "ids": [member["id"]]}]
    assert archive(api, admin, f"/v1/units/{unit['id']}", "企业迁出本社区").status == 200
    assert api.get(f"/v1/units?community_id={place['community']}", admin).json["items"] == []
    assert api.get("/v1/units/summary", admin).json["units"] == 0
    assert api.get(f"/v1/members/{member['id']}", admin).json["unit_id"] == unit["id"]
    other = api.post("/v1/units", admin, {"name": "另一单位", "kind": "government", "community_id": place["community"]}).json
    pairing = api.post("/v1/pairings", admin, {"kind": "link", "from_unit_id": other["id"], "to_unit_id": unit["id"],
                                               "cadence_days": 30})
    assert pairing.status == 422 and pairing.json["errors"][0]["path"] == "/to_unit_id"
    mistake = api.post("/v1/units", admin, {"name": "录错的单位", "kind": "government", "community_id": place["community"]}).json
    assert api.delete(f"/v1/units/{mistake['id']}", admin).status == 204
    assert api.get(f"/v1/units/{mistake['id']}", admin).status == 404


def test_departments_with_open_parts_stay_and_archived_ones_take_no_new_parts(api, admin, tenant, committee):  # noqa: F811
    dept = departments(api, admin)
    m = meeting(api, admin, committee)
    d = api.post(f"/v1/meetings/{m['id']}/decisions", admin, {"title": "联合整治夜宵摊点", "actions": [
        {"assignee": dept["港北区环境保护局"], "due_date": "2099-12-15", "description": "牵头联合执法"}]})
    assert d.status == 201, d
    env = f"/v1/departments/{dept['港北区环境保护局']}"
    refused = archive(api, admin, env, "机构改革")
    assert refused.status == 409 and refused.json["referenced_by"] == [{"kind": "open_action", "ids": [d.json["actions"][0]["id"]]}]
    deleted = api.delete(env, admin)
    assert deleted.status == 409 and deleted.json["referenced_by"][0]["kind"] == "action"
    commerce = f"/v1/departments/{dept['港北区工商局']}"
    assert archive(api, admin, commerce, "并入市场监管局").status == 200
    names = [x["name"] for x in api.all_items("/v1/departments", admin)]
    assert "港北区工商局" not in names and "港北区环境保护局" in names
    late = api.post(f"/v1/meetings/{m['id']}/decisions", admin, {"title": "再整治", "actions": [
        {"assignee": dept["港北区工商局"], "due_date": "2099-12-15", "description": "查处无照经营"}]})
    assert late.status == 422 and late.json["errors"][0]["path"] == "/actions/0/assignee"
    assert api.delete(commerce, admin).status == 204  # nothing names it
    staff = token("community_staff", tenant, communities=[committee["community"]])
    assert api.post(f"{env}/archive", staff, {"reason": "不该由社区归档", "version": 1}).status == 403


def test_an_archived_unit_leaves_the_assessment_from_the_next_month(api, admin, tenant, place):
    from functions.assessments.runs import gather
    from functions.ids import now_iso
    from functions.tenancy import system_context

    unit = api.post("/v1/units", admin, {"name": "迁出单位", "kind": "government", "community_id": place["community"]}).json
    assert archive(api, admin, f"/v1/units/{unit['id']}", "迁出").status == 200
    this_month = now_iso()[:7]
    year, month = map(int, this_month.split("-"))
    next_month = f"{year + month // 12}-{month % 12 + 1:02d}"
    assert unit["id"] in gather(system_context(tenant), this_month)[0]
    assert unit["id"] not in gather(system_context(tenant), next_month)[0]


def test_records_that_named_a_unit_keep_it_and_stay_editable(api, admin, committee):  # noqa: F811
    seated, guest = committee["units"][0], committee["units"][2]
    refused = archive(api, admin, f"/v1/units/{seated}", "迁出")
    assert refused.status == 409 and [r["kind"] for r in refused.json["referenced_by"]] == ["committee"]
    m = meeting(api, admin, committee)  # invites all three units
    activity = api.post("/v1/cobuilding/activities", admin, {"unit_id": guest, "dimension": "sanitation", "date": "2026-11-02",
                                                             "participants": 3, "hours": 2, "description": "清扫"})
    assert activity.status == 201, activity
    gone = api.delete(f"/v1/units/{guest}", admin)
    assert gone.status == 409 and {r["kind"] for r in gone.json["referenced_by"]} == {"cobuilding_activity", "meeting"}
    assert archive(api, admin, f"/v1/units/{guest}", "迁出").status == 200
    edited = api.patch(f"/v1/meetings/{m['id']}", admin, {"location": "社区会议室", "version": m["version"]})
    assert edited.status == 200, edited  # the archived attendee stays on the record
    again = meeting(api, admin, committee, when="2026-11-20T15:00:00+08:00", present=(True, True))
    assert {a["unit_id"] for a in again["attendees"]} == set(committee["units"][:2])
    with_guest = api.post("/v1/meetings", admin, {"committee_id": committee["committee"], "kind": "joint",
                                                  "scheduled_at": "2026-11-25T15:00:00+08:00", "location": "x", "agenda": ["x"],
                                                  "attendees": [{"unit_id": guest, "name": "代表", "present": True}]})
    assert with_guest.status == 422 and with_guest.json["errors"][0]["path"] == "/attendees/0/unit_id"
