"""Co-building activities and the monthly assessment: scores, grades, periods, determinism, atomic
re-runs, rules, the fan-out, appeals and the reports."""
from __future__ import annotations

import io
import zipfile
from datetime import datetime, UTC

import pytest
import requests

from conftest import make_structure, make_tenant, token
from functions.assessments import fanout, reports, runs
from functions.tenancy import system_context
from infra.local import scheduler


@pytest.fixture
def units(api, admin):
    place = make_structure(api, admin)
    made = {}
    for name in ("环保局", "工商局", "市政所"):
        r = api.post("/v1/units", admin, {"name": name, "kind": "government", "community_id": place["community"]})
        made[name] = r.json["id"]
    return {**place, **made}


def activity(api, admin, unit_id, dimension, day="2026-10-12", participants=1, hours=1.0):
    r = api.post("/v1/cobuilding/activities", admin, {"unit_id": unit_id, "dimension": dimension, "date": day,
                                                      "participants": participants, "hours": hours})
    assert r.status == 201, r
    return r.json


def run(api, admin, period="2026-10"):
    """An on-demand run: a job (202) the test client's worker runs; its result is the published run."""
    return api.job_result(api.post("/v1/assessments/runs", admin, {"period": period}), admin)


def test_more_and_broader_work_ranks_higher(api, admin, units):
    for dimension in ("public_welfare", "sanitation", "security", "vulnerable_support", "development_planning"):
        activity(api, admin, units["环保局"], dimension, participants=10, hours=3)
    activity(api, admin, units["工商局"], "sanitation", participants=10, hours=3)
    activity(api, admin, units["市政所"], "sanitation", participants=2, hours=1)
    run(api, admin)
    ranked = api.get("/v1/assessments?period=2026-10", admin).json
    assert [r["name"] for r in ranked["items"]] == ["环保局", "工商局", "市政所"]
    top, second, third = ranked["items"]
    assert top["score"] == 100.0 and top["grade"] == "优秀" and top["rank"] == 1 and top["rank_in_community"] == 1
    assert second["dimensions"]["sanitation"] == 100.0 and second["dimensions"]["security"] == 0
    assert third["dimensions"]["sanitation"] == pytest.approx(100 * (2 / 30) ** 0.5, abs=0.01)  # √ scale: 25.82, not 6.67
    assert second["score"] == 20.0 and second["grade"] == "不合格"  # one full dimension of five
    one = api.get(f"/v1/assessments/2026-10/units/{units['工商局']}", admin).json
    assert one["inputs"]["dimensions"]["sanitation"] == 30 and one["rule_version"] == 0
    assert len(one["inputs_sha256"]) == 64 and one["weights_used"]["sanitation"] == pytest.approx(0.2)
    assert one["grade_rule"] == {"version": 0, "grade": "不合格", "min": 0, "next": {"grade": "合格", "min": 30},
                                 "text": "第 0 版规则：总分 20.0 ≥ 0，为不合格；达到 30 分为合格"}
    best = api.get(f"/v1/assessments/2026-10/units/{units['环保局']}", admin).json["grade_rule"]
    assert best["grade"] == "优秀" and best["next"] is None


def test_activity_month_follows_the_tenant_time_zone(api, admin, units):
    late = activity(api, admin, units["环保局"], "security", day="2026-10-31T20:00:00Z")
    assert late["period"] == "2026-11"
    early = activity(api, admin, units["环保局"], "security", day="2026-10-31T15:59:00Z")
    assert early["period"] == "2026-10"
    assert [a["id"] for a in api.get("/v1/cobuilding/activities?period=2026-11", admin).json["items"]] == [late["id"]]
    in_oct = api.get(f"/v1/cobuilding/activities?unit_id={units['环保局']}&period=2026-10", admin).json["items"]
    assert [a["id"] for a in in_oct] == [early["id"]]


def test_factors_count_and_missing_ones_are_left_out(api, admin, units):
    committee = api.post("/v1/committees", admin, {"community_id": units["community"], "members": [
        {"unit_id": units["环保局"], "name": "书记", "role": "secretary"}]}).json
    # Both meetings straddle a month boundary between UTC and Shanghai: the first is October only in
    # Shanghai (2026-09-30T23:00Z), the second November only in Shanghai (2026-10-31T16:30Z). Month
    # bounds taken in UTC would drop the first and count the second, swapping the two units' attendance.
    for when, first_present in (("2026-10-01T07:00:00+08:00", True), ("2026-11-01T00:30:00+08:00", False)):
        r = api.post("/v1/meetings", admin, {"committee_id": committee["id"], "kind": "joint", "scheduled_at": when,
                                             "attendees": [{"unit_id": units["环保局"], "name": "甲", "present": first_present},
                                                           {"unit_id": units["工商局"], "name": "乙", "present": not first_present}]})
        assert r.status == 201, r
    activity(api, admin, units["环保局"], "sanitation", hours=2)
    activity(api, admin, units["工商局"], "sanitation", hours=2)
    run(api, admin)
    a = api.get(f"/v1/assessments/2026-10/units/{units['环保局']}", admin).json
    b = api.get(f"/v1/assessments/2026-10/units/{units['工商局']}", admin).json
    c = api.get(f"/v1/assessments/2026-10/units/{units['市政所']}", admin).json
    assert a["factors"]["meeting_attendance"] == 100.0 and b["factors"]["meeting_attendance"] == 0.0
    assert c["factors"]["meeting_attendance"] is None and "meeting_attendance" not in c["weights_used"]
    assert a["score"] > b["score"] > c["score"]
    assert sum(a["weights_used"].values()) == pytest.approx(1)


def test_grade_bands_from_rules_and_rule_validation(api, admin, units):
    bad = api.call("PUT", "/v1/assessment-rules", admin, {"weights": {
        "dimensions": {"public_welfare": 0.5, "sanitation": 0.5, "security": 0.5, "vulnerable_support": 0, "development_planning": 0},
        "factors": {"meeting_attendance": 0, "action_completion": 0, "pairing_activity": 0, "volunteer_hours": 0}},
        "grade_bands": [{"grade": "优秀", "min": 90}, {"grade": "不合格", "min": 0}]})
    assert bad.status == 400 and [e["path"] for e in bad.json["errors"]] == ["/weights"]
    only_sanitation = {"dimensions": {"public_welfare": 0, "sanitation": 1, "security": 0, "vulnerable_support": 0,
                                      "development_planning": 0},
                       "factors": {"meeting_attendance": 0, "action_completion": 0, "pairing_activity": 0, "volunteer_hours": 0}}
    unordered = api.call("PUT", "/v1/assessment-rules", admin, {"weights": only_sanitation, "grade_bands": [
        {"grade": "合格", "min": 50}, {"grade": "优秀", "min": 90}, {"grade": "不合格", "min": 0}]})
    assert unordered.status == 400 and unordered.json["errors"][0]["path"] == "/grade_bands"
    assert api.get("/v1/assessment-rules", admin).json["scale"] == "sqrt"  # the built-in rules
    ok = api.call("PUT", "/v1/assessment-rules", admin, {"weights": only_sanitation, "scale": "linear", "grade_bands": [
        {"grade": "优秀", "min": 90}, {"grade": "合格", "min": 40}, {"grade": "不合格", "min": 0}]})
    assert ok.status == 200 and ok.json["version"] == 1 and ok.json["scale"] == "linear"
    assert api.get("/v1/assessment-rules", admin).json["version"] == 1
    activity(api, admin, units["环保局"], "sanitation", participants=10, hours=1)
    activity(api, admin, units["工商局"], "sanitation", participants=5, hours=1)
    run(api, admin)
    grades = {r["name"]: (r["score"], r["grade"]) for r in api.get("/v1/assessments?period=2026-10", admin).json["items"]}
    assert grades == {"环保局": (100.0, "优秀"), "工商局": (50.0, "合格"), "市政所": (0.0, "不合格")}


def test_rerun_is_deterministic_and_atomic(api, admin, tenant, units, monkeypatch):
    activity(api, admin, units["环保局"], "sanitation", participants=3, hours=2)
    first = run(api, admin)
    before = api.get("/v1/assessments?period=2026-10", admin).json["items"]
    hashes = {u: api.get(f"/v1/assessments/2026-10/units/{u}", admin).json["inputs_sha256"] for u in (units["环保局"], units["工商局"])}
    second = run(api, admin)
    assert second["run_id"] != first["run_id"]
    assert api.get("/v1/assessments?period=2026-10", admin).json["items"] == before
    assert {u: api.get(f"/v1/assessments/2026-10/units/{u}", admin).json["inputs_sha256"] for u in hashes} == hashes
    # a run that dies after writing its results but before publishing leaves the period as it was
    activity(api, admin, units["工商局"], "sanitation", participants=30, hours=5)

    def crash(*args, **kwargs):
        raise RuntimeError("lambda timed out")

    monkeypatch.setattr(reports, "write", crash)
    with pytest.raises(RuntimeError):
        runs.run_period(system_context(tenant), "2026-10")
    assert api.get("/v1/assessments?period=2026-10", admin).json["items"] == before
    monkeypatch.undo()
    run(api, admin)
    assert api.get("/v1/assessments?period=2026-10", admin).json["items"][0]["name"] == "工商局"


def test_reports_are_real_files(api, admin, units):
    activity(api, admin, units["环保局"], "public_welfare", participants=4, hours=2)
    run(api, admin)
    links = api.get("/v1/assessments?period=2026-10", admin).json["reports"]
    book = requests.get(links["xlsx"], timeout=10).content
    with zipfile.ZipFile(io.BytesIO(book)) as z:
        assert "xl/workbook.xml" in z.namelist()
        shared = z.read("xl/sharedStrings.xml").decode()
    assert "区排名" in shared and "公益事业" in shared and "环保局" in shared
    page = requests.get(links["html"], timeout=10).content.decode()
    assert page.count("<svg") == 3 + 1 and "荷城社区 排名" in page  # a radar per unit, a ranking per community


def test_publication_appeal_and_final(api, admin, tenant, platform_token, units):
    activity(api, admin, units["环保局"], "sanitation", participants=10, hours=3)
    run(api, admin)
    staff = token("community_staff", tenant, communities=[units["community"]])
    appeal = api.post("/v1/assessments/2026-10/appeals", staff, {"unit_id": units["工商局"], "reason": "10月12日卫生整治漏登"})
    assert appeal.status == 201, appeal
    assert api.post("/v1/assessments/2026-10/finalize", admin, {}).status == 409  # window open, appeal open
    no_fix = api.post(f"/v1/assessments/2026-10/appeals/{appeal.json['id']}/resolve", admin, {"decision": "upheld"})
    assert no_fix.status == 422 and no_fix.json["errors"][0]["path"] == "/correction"
    assert api.post(f"/v1/assessments/2026-10/appeals/{appeal.json['id']}/resolve", staff,
                    {"decision": "dismissed"}).status == 403
    upheld = api.post(f"/v1/assessments/2026-10/appeals/{appeal.json['id']}/resolve", admin,
                      {"decision": "upheld", "correction": {"dimensions": {"sanitation": 30}}})
    assert upheld.status == 200 and upheld.json["rerun"]["status"] == "published", upheld
    corrected = api.get(f"/v1/assessments/2026-10/units/{units['工商局']}", admin).json
    assert corrected["dimensions"]["sanitation"] == 100.0 and corrected["inputs"]["corrected"]["dimensions"]["sanitation"] == 30
    # the window is a tenant setting; with it closed the period can be made final
    api.patch(f"/v1/tenants/{tenant}", platform_token, {"settings": {"appeal_window_days": 0}, "version": 1})
    ctx = system_context(tenant, settings={"appeal_window_days": 0})
    item = runs.state(ctx, "2026-10")
    data = item.data.as_dict()
    data["appeal_until"] = "2026-11-01T00:00:00+00:00"
    item.data = data
    item.save()
    final = api.post("/v1/assessments/2026-10/finalize", admin, {})
    assert final.status == 200 and final.json["status"] == "final"
    assert api.post("/v1/assessments/runs", admin, {"period": "2026-10"}).status == 409
    assert api.post("/v1/assessments/2026-10/appeals", staff, {"unit_id": units["工商局"], "reason": "x"}).status == 409
    assert api.get("/v1/assessments?period=2026-10", admin).json["status"] == "final"


def test_fan_out_one_tenant_per_message_and_poison_is_isolated(api, admin, platform_token, units, tenant):
    other = make_tenant(api, platform_token)
    result = fanout.handle_inline([{"tenant": tenant, "period": "2026-10"}, {"tenant": "no-such-tenant", "period": "2026-10"},
                                   {"tenant": other, "period": "2026-13"}, {"tenant": other, "period": "2026-10"}])
    assert result == {"assessed": [tenant, other], "failed": ["no-such-tenant", other],
                      "errors": {"no-such-tenant": "Forbidden", other: "ValueError"}}
    assert api.get("/v1/assessments?period=2026-10", admin).json["units"] == 3
    messages = fanout.messages(datetime(2026, 10, 31, 17, 0, tzinfo=UTC))
    assert {"tenant": tenant, "period": "2026-10"} in messages and {"tenant": other, "period": "2026-10"} in messages


def test_sqs_worker_assesses_the_tenant_in_its_message(api, admin, units, tenant):
    import json

    from chalice.test import Client

    from app import app

    activity(api, admin, units["环保局"], "sanitation", hours=1)
    with Client(app) as client:
        event = client.events.generate_sqs_event(message_bodies=[json.dumps({"tenant": tenant, "period": "2026-10"})],
                                                 queue_name="gongjian-test-assessments")
        client.lambda_.invoke("assessment-worker", event)
    assert api.get("/v1/assessments?period=2026-10", admin).json["items"][0]["name"] == "环保局"


def test_schedule_fires_at_one_in_the_morning_beijing_on_the_first():
    expression, _ = scheduler.schedules()["assessment-fanout"]
    after = datetime(2026, 11, 3, tzinfo=UTC)
    assert scheduler.next_run(expression, after) == datetime(2026, 11, 30, 17, 0, tzinfo=UTC)


def test_the_demo_month_per_community_in_words(api, demo_tenant):
    """荷城社区's month as its secretary reads it out, each figure from the unit results it sums."""
    from conftest import token as mint
    from functions.periods import previous_month

    admin = mint("district_admin", demo_tenant)
    period = previous_month("Asia/Shanghai")
    answer = api.get(f"/v1/assessments/{period}/communities", admin)
    assert answer.status == 200, answer
    items = answer.json["items"]
    assert len(items) == 17 and [c["rank"] for c in items] == list(range(1, 18))
    hecheng = next(c for c in items if c["name"] == "荷城社区")
    units = [u for u in api.all_items(f"/v1/assessments?period={period}", admin) if u["community_id"] == hecheng["community_id"]]
    assert hecheng["score"] == round(sum(u["score"] for u in units) / len(units), 2) and hecheng["units"] == len(units)
    assert sum(hecheng["grades"].values()) == len(units)
    text = hecheng["explanation"]
    assert text.startswith(f"荷城社区{period[:4]}年{int(period[5:])}月共建考核")
    assert "本月到期的决议事项分项 4 个，按期完成 1 个" in text  # the food-stall clean-up: 市政's sites on time
    assert f"评为{hecheng['grade']}" in text and hecheng["grade"] in hecheng["rule"]["text"]
    assert hecheng["rule"]["text"].split("（")[0] in text  # the rule, in the words the explanation uses
    completion = {u["name"]: u["factors"]["action_completion"] for u in units if u["factors"]["action_completion"] is not None}
    assert completion == {"荷城市政管理所": 50.0, "港北区环境保护局荷城联络组": 0.0, "港北区工商局荷城工商所": 0.0}
    assert len(hecheng["sources"]["unit_results"]) == len(units)
    assert api.get("/v1/assessments/2001-01/communities", admin).status == 404
