"""Party organisation: units, the big Party committee, building branches, members, pairings, alliance."""
from __future__ import annotations

import pytest

from conftest import make_structure, token
from functions.ids import today_in


@pytest.fixture
def place(api, admin):
    ids = make_structure(api, admin)
    other = api.post("/v1/communities", admin, {"name": "金港社区", "street_id": ids["street"]}).json["id"]
    return {**ids, "other_community": other}


def unit(api, admin, community_id, name="港北区市政管理所", kind="public_institution", status="standardized", members=5):
    r = api.post("/v1/units", admin, {"name": name, "kind": kind, "community_id": community_id,
                                      "party_org": {"status": status, "members": members}})
    assert r.status == 201, r
    return r.json["id"]


def member(api, admin, **fields):
    r = api.post("/v1/members", admin, {"name": "党员", **fields})
    assert r.status == 201, r
    return r.json["id"]


def error_paths(r):
    return [e["path"] for e in r.json.get("errors", [])]


def test_units_by_community_and_status_with_summary(api, admin, place):
    c, o = place["community"], place["other_community"]
    unit(api, admin, c, "环保局", status="upgraded")
    unit(api, admin, c, "工商局", status="converted")
    unit(api, admin, c, "市政所", status="upgraded", members=8)
    unit(api, admin, o, "某非公企业", kind="non_public_enterprise", status="none", members=0)
    assert len(api.get(f"/v1/units?community_id={c}", admin).json["items"]) == 3
    upgraded = api.get(f"/v1/units?status=upgraded&community_id={c}", admin).json["items"]
    assert sorted(u["name"] for u in upgraded) == ["市政所", "环保局"]
    assert len(api.get("/v1/units?status=upgraded", admin).json["items"]) == 2
    summary = api.get(f"/v1/units/summary?community_id={c}", admin).json
    assert summary["by_status"] == {"upgraded": 2, "converted": 1, "standardized": 0, "none": 0}
    assert summary["units"] == 3 and summary["party_members"] == 18
    assert api.get("/v1/units/summary", admin).json["units"] == 4


def test_unit_negatives(api, admin, place):
    r = api.post("/v1/units", admin, {"name": "x", "kind": "club", "community_id": place["community"]})
    assert r.status == 400 and error_paths(r) == ["/kind"]
    r = api.post("/v1/units", admin, {"name": "x", "kind": "government", "community_id": "01J0000000000000000000000Z"})
    assert r.status == 422 and error_paths(r) == ["/community_id"]


def test_status_change_moves_the_unit_between_lists(api, admin, place):
    uid = unit(api, admin, place["community"], status="none")
    r = api.patch(f"/v1/units/{uid}", admin, {"party_org": {"status": "upgraded", "members": 9}, "version": 1})
    assert r.status == 200, r
    assert [u["id"] for u in api.get("/v1/units?status=upgraded", admin).json["items"]] == [uid]
    assert api.get("/v1/units?status=none", admin).json["items"] == []


def test_one_committee_per_community(api, admin, place):
    u = unit(api, admin, place["community"])
    body = {"community_id": place["community"], "members": [{"unit_id": u, "name": "韦书记", "role": "secretary"}]}
    assert api.post("/v1/committees", admin, body).status == 201
    again = api.post("/v1/committees", admin, body)
    assert again.status == 409, again
    assert len(api.get(f"/v1/committees?community_id={place['community']}", admin).json["items"]) == 1


def test_committee_members_must_be_units_of_the_community(api, admin, place):
    mine = unit(api, admin, place["community"])
    theirs = unit(api, admin, place["other_community"])
    r = api.post("/v1/committees", admin, {"community_id": place["community"], "members": [
        {"unit_id": mine, "name": "韦书记", "role": "secretary"},
        {"unit_id": theirs, "name": "李委员", "role": "member"},
        {"unit_id": "01J0000000000000000000000Z", "name": "无名", "role": "member"}]})
    assert r.status == 422 and error_paths(r) == ["/members/1/unit_id", "/members/2/unit_id"], r
    r = api.post("/v1/committees", admin, {"community_id": place["community"], "members": [
        {"unit_id": mine, "name": "甲", "role": "member"}]})
    assert r.status == 422 and error_paths(r) == ["/members"]
    assert api.get("/v1/committees", admin).json["items"] == []


def test_committee_member_history(api, admin, place):
    a = unit(api, admin, place["community"], "甲单位")
    b = unit(api, admin, place["community"], "乙单位")
    created = api.post("/v1/committees", admin, {"community_id": place["community"], "members": [
        {"unit_id": a, "name": "韦书记", "role": "secretary"}, {"unit_id": b, "name": "李委员", "role": "member"}]}).json
    r = api.patch(f"/v1/committees/{created['id']}", admin, {"version": 1, "members": [
        {"unit_id": a, "name": "韦书记", "role": "secretary"}, {"unit_id": b, "name": "陈委员", "role": "deputy_secretary"}]})
    assert r.status == 200, r
    today = today_in("Asia/Shanghai")
    assert [m["name"] for m in r.json["members"]] == ["韦书记", "陈委员"]
    assert r.json["history"] == [{"unit_id": b, "name": "李委员", "role": "member", "since": today, "until": today}]
    stale = api.patch(f"/v1/committees/{created['id']}", admin, {"version": 1, "name": "x"})
    assert stale.status == 409
    renamed = api.patch(f"/v1/committees/{created['id']}", admin, {"version": 2, "name": "荷城社区大党委"})
    assert renamed.status == 200 and renamed.json["history"] == r.json["history"]  # a rename keeps past members


def test_branch_size_warning_and_strict_setting(api, admin, tenant, platform_token, place):
    people = [member(api, admin) for _ in range(5)]
    body = {"community_id": place["community"], "name": "1栋党支部", "buildings": ["1栋"],
            "members": [{"member_id": p, "role": "secretary" if i == 0 else "member"} for i, p in enumerate(people)]}
    r = api.post("/v1/branches", admin, body)
    assert r.status == 201 and [w["code"] for w in r.json["warnings"]] == ["branch_size"], r
    body["members"].append({"member_id": member(api, admin), "role": "group_leader"})
    ok = api.post("/v1/branches", admin, {**body, "name": "2栋党支部"})
    assert ok.status == 201 and ok.json["warnings"] == []
    # the tenant turns the rule strict: five members is now refused
    api.patch(f"/v1/tenants/{tenant}", platform_token, {"settings": {"branch_size_strict": True}, "version": 1})
    body["members"] = body["members"][:5]
    strict = api.post("/v1/branches", admin, {**body, "name": "3栋党支部"})
    assert strict.status == 422 and error_paths(strict) == ["/members"], strict


def test_branch_references_and_service_team(api, admin, place):
    p = member(api, admin)
    u = unit(api, admin, place["community"])
    ghost = "01J0000000000000000000000Z"
    r = api.post("/v1/branches", admin, {"community_id": place["community"], "name": "b",
                                          "members": [{"member_id": ghost, "role": "member"}],
                                          "service_team": {"secretary_member_id": ghost, "unit_service_team": [u, ghost]}})
    assert r.status == 422
    assert error_paths(r) == ["/members/0/member_id", "/service_team/secretary_member_id", "/service_team/unit_service_team/1"]
    r = api.post("/v1/branches", admin, {"community_id": place["community"], "name": "b",
                                          "members": [{"member_id": p, "role": "secretary"}],
                                          "service_team": {"secretary_member_id": p, "group_leader_member_ids": [p],
                                                           "unit_service_team": [u], "resident_member_ids": [p],
                                                           "residents_served": 80}})
    assert r.status == 201 and r.json["service_team"]["residents_served"] == 80


def test_reported_in_service_members(api, admin, place):
    u = unit(api, admin, place["other_community"])
    reporting = member(api, admin, name="在职甲", unit_id=u, in_service=True, reported_community_id=place["community"])
    member(api, admin, name="离退休乙", unit_id=u)
    listed = api.get(f"/v1/members?reported_community_id={place['community']}", admin).json["items"]
    assert [m["id"] for m in listed] == [reporting]
    assert len(api.get(f"/v1/members?unit_id={u}", admin).json["items"]) == 2
    r = api.post("/v1/members", admin, {"name": "x", "in_service": False, "reported_community_id": place["community"]})
    assert r.status == 422 and error_paths(r) == ["/in_service"]


def test_member_reads_only_own_record(api, admin, tenant, place):
    mine = member(api, admin, name="本人", user_id="member-li")
    other = member(api, admin, name="别人", user_id="member-wang")
    li = token("member", tenant, sub="member-li")
    assert api.get(f"/v1/members/{mine}", li).json["name"] == "本人"
    assert api.get(f"/v1/members/{other}", li).status == 404
    assert api.get("/v1/members", li).status == 403
    assert api.post("/v1/members", li, {"name": "x"}).status == 403


def test_pairings_overdue_and_contacts(api, admin, place):
    a = unit(api, admin, place["community"], "甲")
    b = unit(api, admin, place["community"], "乙")
    c = unit(api, admin, place["community"], "丙")
    late = api.post("/v1/pairings", admin, {"kind": "help", "from_unit_id": a, "to_unit_id": b,
                                             "cadence_days": 30, "started_on": "2026-01-01"}).json
    fresh = api.post("/v1/pairings", admin, {"kind": "link", "from_unit_id": a, "to_unit_id": c}).json
    assert late["overdue"] is True and fresh["overdue"] is False
    overdue = api.get("/v1/pairings?overdue=true", admin).json["items"]
    assert [p["id"] for p in overdue] == [late["id"]]
    today = today_in("Asia/Shanghai")
    contact = api.post(f"/v1/pairings/{late['id']}/contacts", admin, {"date": today, "outcome": "帮助解决融资难题"})
    assert contact.status == 201, contact
    assert api.get("/v1/pairings?overdue=true", admin).json["items"] == []
    after = api.get(f"/v1/pairings/{late['id']}", admin).json
    assert after["last_contact_on"] == today and after["contacts"] == 1 and after["overdue"] is False
    assert [x["outcome"] for x in api.get(f"/v1/pairings/{late['id']}/contacts", admin).json["items"]] == ["帮助解决融资难题"]
    r = api.post("/v1/pairings", admin, {"kind": "lead", "from_unit_id": a, "to_unit_id": a})
    assert r.status == 422 and error_paths(r) == ["/to_unit_id"]
    r = api.post(f"/v1/pairings/{late['id']}/contacts", admin, {"date": "2999-01-01", "outcome": "x"})
    assert r.status == 422 and error_paths(r) == ["/date"]


def test_alliance_six_links_coverage(api, admin, place):
    firm = unit(api, admin, place["community"], "某物流公司", kind="non_public_enterprise")
    office = unit(api, admin, place["community"], "某局", kind="government")
    r = api.post("/v1/alliances", admin, {"name": "非公党建联盟", "unit_ids": [firm, office]})
    assert r.status == 422 and error_paths(r) == ["/unit_ids/1"]
    alliance = api.post("/v1/alliances", admin, {"name": "非公党建联盟", "unit_ids": [firm]}).json
    for kind, day in [("training", "2026-10-03"), ("activity", "2026-10-10"), ("training", "2026-10-20"),
                      ("service", "2026-11-02")]:
        assert api.post(f"/v1/alliances/{alliance['id']}/activities", admin, {"kind": kind, "date": day}).status == 201
    cov = api.get(f"/v1/alliances/{alliance['id']}/coverage?from=2026-10-01&to=2026-10-31", admin).json
    assert cov["covered"] == ["training", "activity"] and cov["all_six"] is False
    assert {link["kind"]: link["activities"] for link in cov["links"]}["training"] == 2
    assert len(api.get(f"/v1/alliances/{alliance['id']}/activities?from=2026-11-01", admin).json["items"]) == 1
    assert api.get(f"/v1/alliances/{alliance['id']}/coverage?from=2026-13-01", admin).status == 400


def test_community_staff_writes_only_in_its_communities(api, admin, tenant, place):
    staff = token("community_staff", tenant, communities=[place["community"]])
    assert api.post("/v1/units", staff, {"name": "本社区单位", "kind": "government", "community_id": place["community"]}).status == 201
    elsewhere = api.post("/v1/units", staff, {"name": "外社区单位", "kind": "government",
                                               "community_id": place["other_community"]})
    assert elsewhere.status == 403
    theirs = unit(api, admin, place["other_community"])
    assert api.patch(f"/v1/units/{theirs}", staff, {"name": "改名", "version": 1}).status == 403
    assert api.post("/v1/committees", staff, {"community_id": place["other_community"], "members": [
        {"unit_id": theirs, "name": "x", "role": "secretary"}]}).status == 403
    assert api.post("/v1/alliances", staff, {"name": "x"}).status == 403
    assert api.get(f"/v1/units?community_id={place['other_community']}", staff).status == 200
