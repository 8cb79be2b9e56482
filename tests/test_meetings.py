"""Meetings, minutes in S3 (text and presigned uploads), approval, decisions and actions, regularity."""
from __future__ import annotations

import hashlib
from datetime import datetime, timedelta, UTC

import pytest
import requests
from botocore.stub import Stubber

from conftest import make_structure, token
from functions import storage
from functions.ids import today_in
from functions.meetings import regularity
from functions.periods import previous_month
from functions.tenancy import system_context

MINUTES = "# 荷城社区大党委联席会议纪要\n\n议定：联合整治中心城区夜宵摊点乱摆乱卖。\n".encode()


@pytest.fixture
def committee(api, admin, tenant):
    ids = make_structure(api, admin)
    units = [api.post("/v1/units", admin, {"name": n, "kind": "government", "community_id": ids["community"]}).json["id"]
             for n in ("港北区环境保护局", "港北区工商局", "港北区市政管理局")]
    c = api.post("/v1/committees", admin, {"community_id": ids["community"], "secretary_user_id": "secretary-wei",
                                           "members": [{"unit_id": units[0], "name": "韦书记", "role": "secretary"},
                                                       {"unit_id": units[1], "name": "李委员", "role": "member"}]})
    assert c.status == 201, c
    return {**ids, "committee": c.json["id"], "units": units}


def meeting(api, admin, committee, when="2026-11-05T15:00:00+08:00", kind="joint", present=(True, True, False)):
    r = api.post("/v1/meetings", admin, {
        "committee_id": committee["committee"], "kind": kind, "scheduled_at": when, "location": "党群服务中心",
        "agenda": ["夜宵摊点整治"],
        "attendees": [{"unit_id": u, "name": f"代表{i}", "present": p} for i, (u, p) in enumerate(zip(committee["units"], present))]})
    assert r.status == 201, r
    return r.json


def put_minutes(api, admin, meeting_id, body=MINUTES, content_type="text/markdown; charset=utf-8", reason=None):
    path = f"/v1/meetings/{meeting_id}/minutes" + (f"?reason={reason}" if reason else "")
    return api.call("PUT", path, admin, raw=body, headers={"Content-Type": content_type})


def test_meeting_attendance_and_periods(api, admin, committee):
    m = meeting(api, admin, committee)
    assert m["attendance"] == {"present": 2, "invited": 3, "rate": 0.6667}
    assert m["scheduled_utc"] == "2026-11-05T07:00:00+00:00"
    meeting(api, admin, committee, when="2026-10-08T09:00:00+08:00", present=(True, False, False))
    # 00:30 on November 1st in Shanghai is still October 31st in UTC: it belongs to November
    meeting(api, admin, committee, when="2026-11-01T00:30:00+08:00", kind="expanded", present=(True, True, True))
    oct_ = api.get(f"/v1/meetings?committee_id={committee['committee']}&from=2026-10-01&to=2026-10-31", admin).json
    assert [x["scheduled_at"] for x in oct_["items"]] == ["2026-10-08T09:00:00+08:00"]
    nov = api.get("/v1/meetings?from=2026-11-01&to=2026-11-30", admin).json["items"]
    assert len(nov) == 2
    rates = api.get(f"/v1/meetings/attendance?committee_id={committee['committee']}&from=2026-10-01&to=2026-11-30",
                    admin).json
    assert rates["meetings"] == 3
    assert [(u["attended"], u["invited"]) for u in rates["units"]] == [(3, 3), (2, 3), (1, 3)]


def test_attendee_units_must_be_of_the_committees_community(api, admin, committee):
    elsewhere = api.post("/v1/communities", admin, {"name": "金港社区", "street_id": committee["street"]}).json["id"]
    stranger = api.post("/v1/units", admin, {"name": "外单位", "kind": "government", "community_id": elsewhere}).json["id"]
    r = api.post("/v1/meetings", admin, {"committee_id": committee["committee"], "kind": "joint",
                                         "scheduled_at": "2026-11-05T15:00:00+08:00",
                                         "attendees": [{"unit_id": stranger, "name": "x"}]})
    assert r.status == 422 and r.json["errors"][0]["path"] == "/attendees/0/unit_id"
    r = api.post("/v1/meetings", admin, {"committee_id": committee["committee"], "kind": "joint",
                                         "scheduled_at": "2026-11-05 15:00"})
    assert r.status == 400 and r.json["errors"][0]["path"] == "/scheduled_at"


def test_text_minutes_round_trip_byte_for_byte(api, admin, committee):
    m = meeting(api, admin, committee)
    r = put_minutes(api, admin, m["id"])
    assert r.status == 201, r
    assert r.json["revision"] == 1 and r.json["size"] == len(MINUTES)
    assert r.json["sha256"] == hashlib.sha256(MINUTES).hexdigest()
    latest = api.get(f"/v1/meetings/{m['id']}/minutes", admin).json
    downloaded = requests.get(latest["download_url"], timeout=10)
    assert downloaded.status_code == 200 and downloaded.content == MINUTES
    head = storage.client().head_object(Bucket=storage.config.BUCKET, Key=latest["key"])
    assert head["ServerSideEncryption"] == "AES256"
    assert latest["key"].startswith(f"tenants/{committee_tenant(api, admin)}/minutes/")


def committee_tenant(api, admin):
    return api.get("/v1/me", admin).json["tenant"]


def test_minutes_refusals(api, admin, committee):
    m = meeting(api, admin, committee)
    assert put_minutes(api, admin, m["id"], content_type="text/html").status == 415
    assert put_minutes(api, admin, m["id"], body="乱码".encode("gbk")).status == 400
    assert put_minutes(api, admin, m["id"], body=b"").status == 400
    assert api.get(f"/v1/meetings/{m['id']}/minutes", admin).status == 404
    r = api.post(f"/v1/meetings/{m['id']}/minutes/uploads", admin,
                 {"filename": "a.exe", "content_type": "application/x-msdownload", "size": 10, "sha256": "0" * 64})
    assert r.status == 415 and "application/pdf" in r.json["allowed"]
    r = api.post(f"/v1/meetings/{m['id']}/minutes/uploads", admin,
                 {"filename": "big.pdf", "content_type": "application/pdf", "size": 21 * 1024 * 1024, "sha256": "0" * 64})
    assert r.status == 413


def upload(api, admin, meeting_id, declared: bytes, sent: bytes, reason=None):
    start = api.post(f"/v1/meetings/{meeting_id}/minutes/uploads", admin, {
        "filename": "十一月纪要.pdf", "content_type": "application/pdf", "size": len(declared),
        "sha256": hashlib.sha256(declared).hexdigest()})
    assert start.status == 201, start
    put = requests.put(start.json["url"], data=sent, headers=start.json["headers"], timeout=10)
    assert put.status_code == 200, put.text
    path = f"/v1/meetings/{meeting_id}/minutes/uploads/{start.json['upload_id']}/complete"
    return start.json, api.post(path + (f"?reason={reason}" if reason else ""), admin, {})


def test_presigned_upload_verified_or_refused(api, admin, committee):
    m = meeting(api, admin, committee)
    pdf = b"%PDF-1.7 minutes " * 1000
    started, bad = upload(api, admin, m["id"], declared=pdf, sent=pdf[:-1] + b"X")
    assert bad.status == 422 and [e["path"] for e in bad.json["errors"]] == ["/sha256"], bad
    assert api.get(f"/v1/meetings/{m['id']}/minutes/revisions", admin).json["items"] == []
    staged = storage.size_and_sha256(f"tenants/{committee_tenant(api, admin)}/uploads/{started['upload_id']}")
    assert staged is None  # the mismatching object was deleted
    _, short = upload(api, admin, m["id"], declared=pdf, sent=pdf[:100])
    assert short.status == 422 and {e["path"] for e in short.json["errors"]} == {"/size", "/sha256"}
    started, good = upload(api, admin, m["id"], declared=pdf, sent=pdf)
    assert good.status == 201 and good.json["revision"] == 1, good
    assert requests.get(good.json["download_url"], timeout=10).content == pdf
    again = api.post(f"/v1/meetings/{m['id']}/minutes/uploads/{started['upload_id']}/complete", admin, {})
    assert again.status == 409


def test_revisions_are_immutable_and_listed_oldest_first(api, admin, committee):
    m = meeting(api, admin, committee)
    texts = ["第一稿".encode(), "第二稿".encode(), "第三稿".encode()]
    for t in texts:
        assert put_minutes(api, admin, m["id"], body=t).status == 201
    revisions = api.get(f"/v1/meetings/{m['id']}/minutes/revisions", admin).json["items"]
    assert [r["revision"] for r in revisions] == [1, 2, 3]
    assert [requests.get(r["download_url"], timeout=10).content for r in revisions] == texts
    assert len({r["key"] for r in revisions}) == 3  # content-addressed: each revision its own object
    assert api.get(f"/v1/meetings/{m['id']}/minutes", admin).json["revision"] == 3


def test_s3_failure_leaves_no_revision(api, admin, committee):
    m = meeting(api, admin, committee)
    with Stubber(storage.client()) as stub:
        stub.add_client_error("put_object", service_error_code="InternalError", http_status_code=500)
        r = put_minutes(api, admin, m["id"])
    assert r.status == 503 and r.headers["retry-after"] == "5", r
    assert api.get(f"/v1/meetings/{m['id']}/minutes/revisions", admin).json["items"] == []
    assert api.get(f"/v1/meetings/{m['id']}", admin).json["minutes_revisions"] == 0
    assert put_minutes(api, admin, m["id"]).json["revision"] == 1  # numbering did not skip


def test_secretary_approves_and_corrections_need_a_reason(api, admin, tenant, committee):
    m = meeting(api, admin, committee)
    put_minutes(api, admin, m["id"], body="初稿".encode())
    put_minutes(api, admin, m["id"], body="定稿".encode())
    staff = token("community_staff", tenant, communities=[committee["community"]])
    assert api.post(f"/v1/meetings/{m['id']}/minutes/revisions/2/approve", staff, {}).status == 403
    assert api.post(f"/v1/meetings/{m['id']}/minutes/revisions/2/approve", admin, {}).status == 403  # the secretary approves
    secretary = token("community_staff", tenant, sub="secretary-wei", communities=[committee["community"]])
    ok = api.post(f"/v1/meetings/{m['id']}/minutes/revisions/2/approve", secretary, {"note": "同意"})
    assert ok.status == 200 and ok.json["status"] == "approved", ok
    assert api.post(f"/v1/meetings/{m['id']}/minutes/revisions/1/approve", secretary, {}).status == 409
    assert api.post(f"/v1/meetings/{m['id']}/minutes/revisions/2/approve", secretary, {}).status == 409
    no_reason = put_minutes(api, admin, m["id"], body="更正稿".encode())
    assert no_reason.status == 422 and no_reason.json["errors"][0]["path"] == "/reason"
    fixed = put_minutes(api, admin, m["id"], body="更正稿".encode(), reason="更正参会人数")
    assert fixed.status == 201 and fixed.json["reason"] == "更正参会人数"
    assert api.post(f"/v1/meetings/{m['id']}/minutes/revisions/3/approve", secretary, {}).status == 200
    statuses = [r["status"] for r in api.get(f"/v1/meetings/{m['id']}/minutes/revisions", admin).json["items"]]
    assert statuses == ["draft", "superseded", "approved"]


def test_restore_repins_only_lost_versions_of_the_same_bytes(api, admin, tenant, committee):
    """The local S3 forgets objects on restart: the demo loader puts the minutes back and re-pins them."""
    from functions.meetings import minutes

    m = meeting(api, admin, committee)
    first = put_minutes(api, admin, m["id"]).json
    ctx = system_context(tenant)
    assert minutes.restore(ctx, m["id"], MINUTES, "text/markdown") == 0  # its version is there
    storage.client().delete_object(Bucket=storage.config.BUCKET, Key=first["key"], VersionId=first["version_id"])
    assert api.get(f"/v1/meetings/{m['id']}/minutes", admin).status == 409
    assert minutes.restore(ctx, m["id"], "别的内容".encode(), "text/markdown") == 0  # no record has those bytes
    assert minutes.restore(ctx, m["id"], MINUTES, "text/markdown") == 1
    latest = api.get(f"/v1/meetings/{m['id']}/minutes", admin).json
    assert latest["version_id"] != first["version_id"] and latest["sha256"] == first["sha256"]
    assert requests.get(latest["download_url"], timeout=10).content == MINUTES


def test_minutes_reminder_after_seven_days(api, admin, committee):
    old = meeting(api, admin, committee, when=(datetime.now(UTC) - timedelta(days=8)).isoformat())
    recent = meeting(api, admin, committee, when=(datetime.now(UTC) - timedelta(days=2)).isoformat())
    assert old["minutes_reminder"] is True and recent["minutes_reminder"] is False


def departments(api, admin) -> dict[str, str]:
    """The article's three departments, by name → id."""
    made = {}
    for name, kind in (("港北区环境保护局", "environment"), ("港北区工商局", "market_regulation"), ("港北区市政管理局", "municipal")):
        r = api.post("/v1/departments", admin, {"name": name, "kind": kind})
        assert r.status == 201, r
        made[name] = r.json["id"]
    return made


def test_decision_creates_actions_and_they_move_forward(api, admin, committee):
    m = meeting(api, admin, committee)
    dept = departments(api, admin)
    d = api.post(f"/v1/meetings/{m['id']}/decisions", admin, {"title": "联合整治夜宵摊点", "actions": [
        {"assignee": dept["港北区环境保护局"], "due_date": "2099-12-15", "description": "牵头联合执法",
         "assisting": [{"assignee": dept["港北区工商局"], "due_date": "2099-12-10"},
                       {"assignee": dept["港北区市政管理局"], "due_date": "2099-12-10"}]},
        {"assignee": dept["港北区市政管理局"], "due_date": "2020-01-01", "description": "设置临时疏导点"}]})
    assert d.status == 201, d
    lead, late = d.json["actions"]
    assert lead["status"] == "open" and len(lead["parts"]) == 3 and late["overdue"] is True
    assert lead["assignee_name"] == "港北区环境保护局" and [p["assignee_name"] for p in lead["parts"]][1] == "港北区工商局"
    assert [a["id"] for a in api.get("/v1/actions?status=open", admin).json["items"]] == [late["id"], lead["id"]]
    assert [a["id"] for a in api.get(f"/v1/actions?assignee={dept['港北区环境保护局']}", admin).json["items"]] == [lead["id"]]
    a = api.post(f"/v1/actions/{lead['id']}/parts/1/sign-off", admin, {"note": "代工商局签收", "version": 1}).json
    assert a["status"] == "in_progress" and a["parts"][1]["signed_off_by"] and a["parts"][1]["sign_off_note"] == "代工商局签收"
    a = api.post(f"/v1/actions/{lead['id']}/parts/0/progress", admin, {"progress": 90, "note": "清理摊点 12 处", "version": 2}).json
    assert a["progress"] == 30
    bad = api.post(f"/v1/actions/{lead['id']}/parts/0/progress", admin,
                   {"progress": 100, "evidence": [{"key": "tenants/other/x.jpg"}], "version": 3})
    assert bad.status == 422 and bad.json["errors"][0]["path"] == "/evidence/0/key"
    stale = api.patch(f"/v1/actions/{lead['id']}", admin, {"status": "done", "version": 1})
    assert stale.status == 409 and stale.json["type"].endswith("/stale-version")
    assert api.post(f"/v1/actions/{lead['id']}/close", admin, {"version": 3}).status == 409  # not done yet
    early = api.patch(f"/v1/actions/{lead['id']}", admin, {"status": "done", "note": "已完成", "version": 3})
    assert early.status == 409 and early.json["incomplete_parts"] == [0, 1, 2], early  # nothing signed off and at 100 %
    staff = token("community_staff", committee_tenant(api, admin), communities=[committee["community"]])
    forced = api.patch(f"/v1/actions/{lead['id']}", staff, {"status": "done", "reason": "已整改", "version": 3})
    assert forced.status == 409  # only a district admin may, with a reason
    done = api.patch(f"/v1/actions/{lead['id']}", admin, {"status": "done", "note": "已完成", "version": 3,
                                                          "reason": "配合部门已口头报告完成，书面材料补交"})
    assert done.status == 200 and done.json["status"] == "done", done
    assert done.json["done_despite"]["parts"] == [0, 1, 2] and done.json["done_despite"]["reason"].startswith("配合部门")
    assert api.get(f"/v1/meetings/{m['id']}/decisions", admin).json["items"][0]["status"] == "in_progress"
    back = api.patch(f"/v1/actions/{lead['id']}", admin, {"status": "open", "version": 4})
    assert back.status == 409 and back.json["allowed"] == []
    closed = api.post(f"/v1/actions/{lead['id']}/close", admin, {"note": "核查属实", "version": 4})
    assert closed.status == 200 and closed.json["closed"] is True
    assert api.get(f"/v1/meetings/{m['id']}/decisions", admin).json["items"][0]["status"] == "in_progress"  # one still open
    assert api.post(f"/v1/actions/{lead['id']}/close", admin, {"version": 5}).status == 409
    agenda = api.get(f"/v1/committees/{committee['committee']}/next-agenda", admin).json
    assert [a["id"] for a in agenda["overdue_actions"]] == [late["id"]]
    assert agenda["agenda"][0].startswith("督办逾期任务：设置临时疏导点（牵头：港北区市政管理局")
    assert agenda["open_decisions"] == [{"decision_id": d.json["id"], "title": "联合整治夜宵摊点", "unfinished_actions": 1}]


def test_evidence_must_be_an_uploaded_object_of_the_tenant(api, admin, tenant, committee):
    import requests

    m = meeting(api, admin, committee)
    d = api.post(f"/v1/meetings/{m['id']}/decisions", admin, {"title": "联合整治夜宵摊点", "actions": [
        {"assignee": departments(api, admin)["港北区环境保护局"], "due_date": "2099-12-15", "description": "牵头联合执法"}]})
    assert d.status == 201, d
    action = d.json["actions"][0]
    up = api.post("/v1/uploads", admin, {"purpose": "action_evidence", "filename": "现场.pdf",
                                         "content_type": "application/pdf", "size": 8, "sha256": "0" * 64}).json
    assert up["key"].startswith(f"tenants/{tenant}/action_evidence/")
    progress = f"/v1/actions/{action['id']}/parts/0/progress"

    # the presigned upload never happened: the key is the tenant's, but there is no object
    missing = api.post(progress, admin, {"progress": 50, "evidence": [{"key": up["key"]}], "version": 1},
                       headers={"Accept-Language": "en"})
    assert missing.status == 422, missing
    assert missing.json["errors"] == [{"path": "/evidence/0/key", "message": "No such evidence object: upload it first"}]
    zh = api.post(progress, admin, {"progress": 50, "evidence": [{"key": up["key"]}], "version": 1})
    assert zh.json["errors"][0]["message"] == "证据文件不存在，请先上传"
    assert api.get(f"/v1/actions/{action['id']}", admin).json["parts"][0]["evidence"] == []  # nothing linked

    assert requests.put(up["url"], data=b"%PDF-1.4", headers=up["headers"], timeout=10).status_code == 200
    mixed = api.post(progress, admin, {"progress": 50, "version": 1, "evidence": [
        {"key": up["key"]}, {"key": f"tenants/{tenant}/action_evidence/never-uploaded"}, {"key": "tenants/other/x.pdf"}]})
    assert mixed.status == 422
    assert [e["path"] for e in mixed.json["errors"]] == ["/evidence/1/key", "/evidence/2/key"]
    ok = api.post(progress, admin, {"progress": 50, "evidence": [{"key": up["key"], "name": "现场.pdf"}], "version": 1})
    assert ok.status == 200, ok
    assert ok.json["parts"][0]["evidence"] == [{"key": up["key"], "name": "现场.pdf"}]


def test_regularity_flags_committees_without_a_joint_meeting(api, admin, tenant, committee):
    other_community = api.post("/v1/communities", admin, {"name": "金港社区", "street_id": committee["street"]}).json["id"]
    u = api.post("/v1/units", admin, {"name": "某单位", "kind": "government", "community_id": other_community}).json["id"]
    quiet = api.post("/v1/committees", admin, {"community_id": other_community, "members": [
        {"unit_id": u, "name": "书记", "role": "secretary"}]}).json["id"]
    # October in Shanghai, still September in UTC (2026-09-30T23:00Z): a UTC month would miss it
    meeting(api, admin, committee, when="2026-10-01T07:00:00+08:00")
    ctx = system_context(tenant)
    assert regularity.flag_committees(ctx, "2026-10") == [quiet]
    assert regularity.flag_committees(ctx, "2026-10") == []  # once per period
    flags = api.get("/v1/meetings/flags?period=2026-10", admin).json["items"]
    assert [f["committee_id"] for f in flags] == [quiet]
    assert api.get("/v1/meetings/flags?period=2026-13", admin).status == 400
    # the job takes the previous month in the tenant's zone
    assert previous_month("Asia/Shanghai", datetime(2026, 10, 31, 17, 0, tzinfo=UTC)) == "2026-10"
    assert today_in("Asia/Shanghai")


def test_the_route_accepts_exactly_the_text_types_the_service_stores():
    from functions.api.meetings import MINUTES_TEXT_TYPES
    from functions.meetings.minutes import TEXT_TYPES

    assert tuple(MINUTES_TEXT_TYPES) == TEXT_TYPES


def test_an_action_is_done_when_every_part_is_and_its_decision_follows(api, admin, committee):
    m = meeting(api, admin, committee)
    dept = departments(api, admin)
    past = "2020-01-01"
    d = api.post(f"/v1/meetings/{m['id']}/decisions", admin, {"title": "设置临时疏导点", "actions": [
        {"assignee": dept["港北区市政管理局"], "due_date": "2099-12-15", "description": "设置疏导点",
         "assisting": [{"assignee": dept["港北区工商局"], "due_date": past}]}]}).json
    [action] = d["actions"]
    assert action["overdue"] is True and [p["overdue"] for p in action["parts"]] == [False, True]  # the part's own date
    assert d["status"] == "open"
    version = action["version"]
    for index in (0, 1):
        version = api.post(f"/v1/actions/{action['id']}/parts/{index}/sign-off", admin, {"version": version}).json["version"]
        answer = api.post(f"/v1/actions/{action['id']}/parts/{index}/progress", admin, {"progress": 100, "version": version})
        assert answer.status == 200, answer
        version = answer.json["version"]
    assert answer.json["overdue"] is False and answer.json["progress"] == 100
    assert api.get(f"/v1/meetings/{m['id']}/decisions", admin).json["items"][0]["status"] == "in_progress"
    done = api.patch(f"/v1/actions/{action['id']}", admin, {"status": "done", "version": version})
    assert done.status == 200 and "done_despite" not in done.json
    assert api.get(f"/v1/meetings/{m['id']}/decisions", admin).json["items"][0]["status"] == "done"
    api.post(f"/v1/actions/{action['id']}/close", admin, {"version": done.json["version"]})
    assert api.get(f"/v1/meetings/{m['id']}/decisions", admin).json["items"][0]["status"] == "closed"
