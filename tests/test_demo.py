"""The demo district from the article: 17 communities, 151 grids, loaded once however often run."""
from conftest import token
from functions.audit import verify as audit_verify
from functions.demo import loader


def test_demo_district_loads_once(api):
    first = loader.load_demo()
    assert first == {"streets": 2, "communities": 17, "grids": 151, "departments": 5, "users": 329, "units": 136,
                     "committees": 17,
                     "members": 10, "branches": 2, "pairings": 3, "alliances": 1,
                     "meetings": 17, "minutes": 17, "decisions": 1, "incidents": 151,
                     "centres": 13, "programmes": 2, "service_requests": 3, "volunteer_activities": 20,
                     "cobuilding_activities": first["cobuilding_activities"], "assessments": 1,
                     "tasks_backfilled": 0, "audit_linked": first["audit_linked"]}  # every task was made by the write that opened its work
    assert 300 < first["cobuilding_activities"] < 500
    checked = audit_verify.verify("gangbei")  # the loader links the chain it wrote
    assert (checked["ok"], checked["unchained"]) == (True, 0) and checked["entries"] >= first["audit_linked"] > 1000
    assert set(loader.load_demo().values()) == {0}
    assert audit_verify.verify("gangbei") == checked

    admin = token("district_admin", "gangbei")
    communities = api.all_items("/v1/communities", admin)
    grids = api.all_items("/v1/grids", admin)
    assert len(communities) == 17 and len(grids) == 151
    assert "荷城社区" in {c["name"] for c in communities}
    assert all(len(g["workers"]) == 2 for g in grids)
    workers = {u["id"]: u for u in api.all_items("/v1/users?role=grid_worker", admin)}
    assert all(workers[w]["grids"] == [g["id"]] for g in grids for w in g["workers"])  # one source: the directory

    # every grid's own centre locates back to that grid: the boundaries tile without overlap
    for grid in grids[::10]:
        ring = grid["boundary"]["coordinates"][0]
        lon = sum(p[0] for p in ring[:4]) / 4
        lat = sum(p[1] for p in ring[:4]) / 4
        assert api.get(f"/v1/grids/locate?lat={lat}&lon={lon}", admin).json["id"] == grid["id"]


def test_demo_committees_slice(api):
    loader.load_demo()
    admin = token("district_admin", "gangbei")
    assert len(api.all_items("/v1/committees", admin)) == 17
    summary = api.get("/v1/units/summary", admin).json
    assert summary["units"] == 136 and summary["by_status"]["upgraded"] == 51
    branches = api.all_items("/v1/branches", admin)
    assert sorted(len(b["warnings"]) for b in branches) == [0, 1]
    assert len(api.get("/v1/pairings?overdue=true", admin).json["items"]) == 1
    alliance = api.all_items("/v1/alliances", admin)[0]
    assert api.get(f"/v1/alliances/{alliance['id']}/coverage", admin).json["missing"] == ["information"]


def test_demo_meetings_slice(api):
    import requests

    loader.load_demo()
    admin = token("district_admin", "gangbei")
    meetings = api.all_items("/v1/meetings", admin)
    assert len(meetings) == 17 and all(m["kind"] == "joint" and not m["minutes_reminder"] for m in meetings)
    hecheng = next(m for m in meetings if m["location"].startswith("荷城社区"))
    text = requests.get(api.get(f"/v1/meetings/{hecheng['id']}/minutes", admin).json["download_url"], timeout=10)
    assert "夜宵摊点" in text.content.decode()
    decisions = api.get(f"/v1/meetings/{hecheng['id']}/decisions", admin).json["items"]
    assert decisions[0]["title"] == "联合整治中心城区夜宵摊点乱摆乱卖"
    environment = next(d for d in api.all_items("/v1/departments", admin) if d["name"] == "港北区环境保护局")
    assert len(api.get(f"/v1/actions?assignee={environment['id']}", admin).json["items"]) == 1


def test_demo_grid_work_slice(api):
    loader.load_demo()
    admin = token("district_admin", "gangbei")
    statuses = {i["status"] for i in api.all_items("/v1/incidents", admin)}
    assert statuses == {"reported", "accepted", "dispatched", "in_progress", "resolved", "verified", "closed", "rejected"}
    assert api.get("/v1/incidents?overdue=true", admin).json["items"]


def test_demo_services_slice(api):
    loader.load_demo()
    admin = token("district_admin", "gangbei")
    cov = api.get("/v1/service-centres/coverage", admin).json
    assert cov["grids"] == 151 and 0 < cov["covered"] < 151
    levels = {c["level"] for c in api.all_items("/v1/service-centres", admin)}
    assert levels == {"district", "street", "community"}
    assert api.get("/v1/volunteer-activities/totals?period=" + cov_period(), admin).json["hours"] > 0


def cov_period():
    from functions.periods import previous_month

    return previous_month("Asia/Shanghai")


def test_demo_assessment_is_believable(api):
    loader.load_demo()
    admin = token("district_admin", "gangbei")
    ranked = api.all_items(f"/v1/assessments?period={cov_period()}", admin)
    assert len(ranked) == 136
    grades = {r["grade"] for r in ranked}
    assert len(grades) >= 3 and ranked[0]["score"] > ranked[-1]["score"]
