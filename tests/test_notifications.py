"""Notifications: events in the outbox of the write that causes them, delivered off the request path
to in-app inboxes and 企业微信 / 钉钉 group robots (a local sink here), retried, and logged."""
from __future__ import annotations

import base64
import hashlib
import hmac
import uuid
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo
from urllib.parse import parse_qs, unquote_plus, urlsplit

import pytest

from conftest import make_structure, make_tenant, token
from functions import aws
from functions.grid_work import incidents
from functions.models import TasksTable
from functions.notify import outbox, queue, worker
from functions.tenancy import system_context
from infra.local.sink import Sink


@pytest.fixture(scope="module")
def sink():
    s = Sink()
    yield s
    s.close()


@pytest.fixture
def place(api, admin, monkeypatch):
    # a queue of the test's own: events of earlier tests wait on the shared one
    fresh = aws.client("sqs").create_queue(QueueName=f"gongjian-test-notify-{uuid.uuid4().hex[:12]}")["QueueUrl"]
    monkeypatch.setattr(queue, "url", lambda: fresh)
    return make_structure(api, admin)


def robot(api, admin, sink, place, path="/robot/send?access_token=t1", **extra):
    body = {"name": "荷城社区网格群", "provider": "dingtalk", "scope": {"kind": "community", "id": place["community"]},
            "url": sink.url + path, "secret": "SECabc123", **extra}
    r = api.post("/v1/robots", admin, body)
    assert r.status == 201, r
    return r.json


def test_an_overdue_incident_sends_exactly_one_signed_message_to_its_community_group(api, admin, tenant, sink, place):
    made = robot(api, admin, sink, place, path="/overdue/send?access_token=t1", events=["incident.overdue"])
    assert made["secret_set"] is True and "secret" not in made and "t1" not in made["url_masked"]
    ctx = system_context(tenant)
    late = incidents.report(ctx, {"category": "safety_hazard", "description": "井盖缺失", "grid_id": place["grid"],
                                  "priority": "urgent"}, reported_at=datetime.now(UTC) - timedelta(hours=3))
    incidents.sweep_overdue(ctx)
    incidents.sweep_overdue(ctx)  # a second sweep finds nothing new
    worker.drain()
    calls = sink.paths("/overdue/")
    assert len(calls) == 1
    body = calls[0]["body"]
    assert body["msgtype"] == "markdown" and "超时" in body["markdown"]["title"] + body["markdown"]["text"]
    assert f"/v1/incidents/{late['id']}" in body["markdown"]["text"]
    query = parse_qs(urlsplit(calls[0]["path"]).query)
    timestamp, sign = query["timestamp"][0], query["sign"][0]
    expected = base64.b64encode(hmac.new(b"SECabc123", f"{timestamp}\nSECabc123".encode(), hashlib.sha256).digest()).decode()
    assert sign == expected  # parse_qs has already undone the URL encoding
    logged = api.get("/v1/notification-deliveries", admin).json["items"]
    mine = [d for d in logged if d["channel"] == "dingtalk"]
    assert [(d["outcome"], d["attempts"], d["event_kind"]) for d in mine] == [("delivered", 1, "incident.overdue")]


def test_a_dispatched_incident_reaches_the_workers_inbox(api, admin, tenant, sink, place):
    staff = token("community_staff", tenant, sub="secretary-1", communities=[place["community"]])
    worker_token = token("grid_worker", tenant, sub="gw-1", grids=[place["grid"]])
    iid = api.post("/v1/incidents", staff, {"category": "sanitation", "description": "垃圾堆放", "grid_id": place["grid"]}).json["id"]
    api.post(f"/v1/incidents/{iid}/transitions", staff, {"action": "accept"})
    api.post(f"/v1/incidents/{iid}/transitions", staff, {"action": "dispatch", "assignee": "gw-1"})
    worker.drain()
    inbox = api.get("/v1/me/notifications", worker_token).json
    assert [(n["kind"], n["link"], n["read"]) for n in inbox["items"]] == [("task.incident_handle", f"/v1/incidents/{iid}", False)]
    assert inbox["unread"] == 1
    notice = inbox["items"][0]["id"]
    assert api.post(f"/v1/me/notifications/{notice}/read", staff, {}).status == 404  # not theirs
    read = api.post(f"/v1/me/notifications/{notice}/read", worker_token, {})
    assert read.status == 200 and read.json["read"] is True
    assert api.get("/v1/me/notifications?unread=true", worker_token).json == {"items": [], "next_cursor": None, "unread": 0}
    again = api.post(f"/v1/me/notifications/{notice}/read", worker_token, {"read": False})
    assert again.json["read"] is False and api.get("/v1/me/notifications", worker_token).json["unread"] == 1
    assert [t["object_id"] for t in api.get("/v1/me/tasks", worker_token).json["items"]] == [iid]
    api.post(f"/v1/incidents/{iid}/transitions", worker_token, {"action": "start"})
    api.post(f"/v1/incidents/{iid}/transitions", worker_token, {"action": "resolve"})
    assert api.get("/v1/me/tasks", worker_token).json["items"] == []  # resolved: no longer theirs


def test_a_failing_robot_is_retried_then_recorded_failed_and_the_write_stands(api, admin, tenant, sink, place):
    robot(api, admin, sink, place, path="/fail/send?access_token=t2", provider="wecom", secret="")
    r = api.post("/v1/incidents", admin, {"category": "sanitation", "description": "垃圾堆放", "grid_id": place["grid"]})
    assert r.status == 201
    worker.drain()
    assert len(sink.paths("/fail/")) == queue.MAX_RECEIVES
    assert sink.paths("/fail/")[0]["body"]["msgtype"] == "markdown" and "content" in sink.paths("/fail/")[0]["body"]["markdown"]
    failed = [d for d in api.get("/v1/notification-deliveries", admin).json["items"] if d["channel"] == "wecom"]
    assert [(d["outcome"], d["attempts"], d["detail"]) for d in failed] == [("failed", 3, "HTTP 500")]
    assert api.get(f"/v1/incidents/{r.json['id']}", admin).status == 200


def test_a_queue_that_is_down_never_undoes_the_write(api, admin, tenant, sink, place, monkeypatch):
    def down(events):
        raise ConnectionError("queue unreachable")

    send = queue.send
    monkeypatch.setattr(queue, "send", down)
    r = api.post("/v1/incidents", admin, {"category": "sanitation", "description": "x", "grid_id": place["grid"]})
    assert r.status == 201
    ctx = system_context(tenant)
    assert len(list(TasksTable.query(ctx.key("outbox")))) == 1  # kept for the next relay
    monkeypatch.setattr(queue, "send", send)
    assert outbox.relay_waiting(ctx) == 1 and list(TasksTable.query(ctx.key("outbox"))) == []


def test_robot_urls_secrets_and_events_are_checked(api, admin, tenant, sink, place, platform_token):
    base = {"name": "群", "provider": "wecom", "scope": {"kind": "community", "id": place["community"]}}
    for url in ("http://10.0.0.8/send", "https://169.254.169.254/latest", "ftp://example.org/x", "http://192.168.1.1/x"):
        r = api.post("/v1/robots", admin, {**base, "url": url})
        assert r.status == 422 and r.json["errors"][0]["path"] == "/url", url
    r = api.post("/v1/robots", admin, {**base, "url": sink.url + "/ok", "events": ["incident.exploded"]})
    assert r.status == 422 and r.json["errors"][0]["path"] == "/events"
    r = api.post("/v1/robots", admin, {**base, "scope": {"kind": "community", "id": "01J00000000000000000000000"}, "url": sink.url + "/ok"})
    assert r.status == 422 and r.json["errors"][0]["path"] == "/scope/id"
    made = robot(api, admin, sink, place, path="/test/send?access_token=secret-token")
    shown = api.get(f"/v1/robots/{made['id']}", admin).json
    assert "secret-token" not in str(shown) and "SECabc123" not in str(shown) and shown["secret_set"] is True
    changed = api.patch(f"/v1/robots/{made['id']}", admin, {"name": "改名", "version": shown["version"]}).json
    assert changed["secret_set"] is True and changed["name"] == "改名"  # the secret stays unless given
    staff = token("community_staff", tenant, communities=[place["community"]])
    assert api.get("/v1/robots", staff).status == 403
    other = token("district_admin", make_tenant(api, platform_token))
    assert api.get(f"/v1/robots/{made['id']}", other).status == 404
    queued = api.post(f"/v1/robots/{made['id']}/test", admin, {})
    assert queued.status == 202 and queued.json["status"] == "queued"
    worker.drain()
    assert [unquote_plus(c["body"]["markdown"]["title"]) for c in sink.paths("/test/")] == ["【测试消息】改名 测试消息 / test message"]
    assert api.delete(f"/v1/robots/{made['id']}", admin).status == 204


SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"


def test_webhooks_are_signed_per_standard_webhooks_and_retried_until_they_fail(api, admin, tenant, sink, place):
    from standardwebhooks import Webhook, WebhookVerificationError

    hook = api.post("/v1/webhooks", admin, {"name": "12345 热线", "url": sink.url + "/hooks/ok?token=abc", "secret": SECRET,
                                             "events": ["task.incident_accept"]})
    assert hook.status == 201, hook
    assert "secret" not in hook.json and "abc" not in hook.json["url_masked"]
    failing = api.post("/v1/webhooks", admin, {"name": "坏地址", "url": sink.url + "/fail/hooks", "secret": SECRET,
                                                "events": ["task.incident_accept"]}).json
    iid = api.post("/v1/incidents", admin, {"category": "sanitation", "description": "垃圾堆放", "grid_id": place["grid"]}).json["id"]
    worker.drain(max_rounds=40)
    calls = sink.paths("/hooks/ok")
    assert len(calls) == 1
    headers = {k: v for k, v in calls[0]["headers"].items() if k.startswith("webhook-")}
    verified = Webhook(SECRET).verify(calls[0]["raw"].encode(), headers)  # the reference implementation agrees
    assert verified["type"] == "task.incident_accept" and verified["data"]["object"] == {"kind": "incident", "id": iid}
    assert "phone" not in calls[0]["raw"] and "垃圾堆放" not in calls[0]["raw"]  # not the reporter's words
    assert verified["data"]["title"].endswith(f"（事件 {iid[-6:]}）")
    with pytest.raises(WebhookVerificationError):
        Webhook("whsec_" + "A" * 32).verify(calls[0]["raw"].encode(), headers)  # another key does not
    attempts = sink.paths("/fail/hooks")
    assert len(attempts) == 8 and len({c["headers"]["webhook-id"] for c in attempts}) == 1  # one message id throughout
    logged = {d["target"]: d for d in api.get("/v1/notification-deliveries?limit=50", admin).json["items"] if d["channel"] == "webhook"}
    assert (logged[failing["id"]]["outcome"], logged[failing["id"]]["attempts"]) == ("failed", 8)
    assert logged[hook.json["id"]]["outcome"] == "delivered"
    assert api.get(f"/v1/incidents/{iid}", admin).status == 200
    # a test event to one subscription, and bad input
    assert api.post(f"/v1/webhooks/{hook.json['id']}/test", admin, {"text": "联调"}).status == 202
    worker.drain()
    assert Webhook(SECRET).verify(sink.paths("/hooks/ok")[-1]["raw"].encode(),
                                  {k: v for k, v in sink.paths("/hooks/ok")[-1]["headers"].items()})["data"]["reason"] == "联调"
    bad = api.post("/v1/webhooks", admin, {"name": "x", "url": "https://10.1.2.3/x", "secret": "plain-secret-but-long-enough-1234567890",
                                            "events": ["incident.burned"]})
    assert bad.status == 422 and {e["path"] for e in bad.json["errors"]} == {"/url", "/secret", "/events"}


def test_sms_waits_out_the_quiet_hours_unless_urgent(api, admin, tenant, sink, place, platform_token, monkeypatch):
    from zoneinfo import ZoneInfo

    from functions import config, store

    monkeypatch.setattr(config, "SMS_SINK_URL", sink.url + "/sms")
    secretary = api.post("/v1/users", admin, {"name": "韦书记", "phone": "13807751234", "roles": ["community_staff"],
                                              "communities": [place["community"]]})
    assert secretary.status == 201, secretary
    me = token("community_staff", tenant, sub=secretary.json["id"], communities=[place["community"]])
    assert api.get("/v1/me/notification-settings", me).json["channels"] == ["in_app"]
    no_email = api.call("PUT", "/v1/me/notification-settings", me, {"channels": ["email"]})
    assert no_email.status == 422 and no_email.json["errors"][0]["path"] == "/channels"
    chosen = api.call("PUT", "/v1/me/notification-settings", me, {"channels": ["sms"]}).json
    assert chosen["channels"] == ["in_app", "sms"] and chosen["sms_to"] == "138****1234" and chosen["available"]["sms"] is True
    now = datetime.now(ZoneInfo("Asia/Shanghai"))
    quiet = {"from": (now - timedelta(hours=1)).strftime("%H:%M"), "to": (now + timedelta(hours=1)).strftime("%H:%M")}
    profile = api.get(f"/v1/tenants/{tenant}", platform_token).json
    assert api.patch(f"/v1/tenants/{tenant}", platform_token, {"settings": {**profile["settings"], "quiet_hours": quiet},
                                                               "version": profile["version"]}).status == 200
    api.post("/v1/incidents", admin, {"category": "sanitation", "description": "垃圾堆放", "grid_id": place["grid"]})
    worker.drain()
    assert sink.paths("/sms") == []
    held = [d for d in api.get("/v1/notification-deliveries", admin).json["items"] if d["channel"] == "sms"]
    assert [(d["outcome"], d["target_label"]) for d in held] == [("held", "138****1234")] and "quiet hours" in held[0]["detail"]
    ctx = system_context(tenant)
    store.write(ctx, [outbox.event(ctx, "incident.overdue", f"community#{place['community']}",
                                   {"title": "井盖缺失", "reason": "红牌", "link": "/v1/incidents/x"}, urgent=True)],
                action="test.urgent", target="incident/x")
    worker.drain()
    sent = sink.paths("/sms")
    assert len(sent) == 1 and sent[0]["body"]["to"] == "13807751234" and "事件超时亮牌" in sent[0]["body"]["text"]


def test_meetings_due_soon_and_quarterly_reports_reach_the_people_concerned(api, admin, tenant, sink, place):
    from functions.grid_work.incidents import remind_due_soon
    from functions.meetings.meetings import remind_and_close
    from functions.services.volunteers import run_quarter
    from test_services import member

    ctx = system_context(tenant)
    unit = api.post("/v1/units", admin, {"name": "港北区工商局荷城工商所", "kind": "government", "community_id": place["community"]}).json
    contact = api.post("/v1/users", admin, {"name": "黄科长", "phone": "13900000000", "roles": ["employer"], "units": [unit["id"]]}).json
    employer = token("employer", tenant, sub=contact["id"], units=[unit["id"]])
    committee = api.post("/v1/committees", admin, {"community_id": place["community"], "members": [
        {"unit_id": unit["id"], "name": "黄科长", "role": "secretary"}]}).json
    when = (datetime.now(UTC) + timedelta(hours=20)).astimezone(ZoneInfo("Asia/Shanghai")).isoformat(timespec="seconds")
    meeting = api.post("/v1/meetings", admin, {"committee_id": committee["id"], "kind": "joint", "scheduled_at": when,
                                               "location": "党群服务中心", "agenda": ["夜宵摊点整治"],
                                               "attendees": [{"unit_id": unit["id"], "name": "黄科长", "present": False}]}).json
    assert "id" in meeting, meeting
    assert [t["kind"] for t in api.get("/v1/me/tasks", employer).json["items"]] == ["meeting_attend"]
    robot(api, admin, sink, place, path="/meeting/send?access_token=t9", events=["meeting.tomorrow"])
    assert remind_and_close(ctx) == {"told": 1, "closed": 0}
    assert remind_and_close(ctx)["told"] == 0  # once
    worker.drain()
    assert len(sink.paths("/meeting/")) == 1
    kinds_seen = [n["kind"] for n in api.get("/v1/me/notifications", employer).json["items"]]
    assert kinds_seen == ["meeting.tomorrow"]  # told once, the day before (the invitation itself is a task)
    assert remind_and_close(ctx, now=datetime.now(UTC) + timedelta(hours=21))["closed"] == 1  # held: off the list
    assert api.get("/v1/me/tasks", employer).json["items"] == []
    assert meeting["id"]
    # an urgent incident entering the last fifth of its two hours
    incidents.report(ctx, {"category": "safety_hazard", "description": "井盖缺失", "grid_id": place["grid"], "priority": "urgent"},
                     reported_at=datetime.now(UTC) - timedelta(minutes=100))
    assert remind_due_soon(ctx) == 1 and remind_due_soon(ctx) == 0
    # the quarter's report is ready for the employer
    member_id, _ = member(api, admin, place, unit=unit["id"])
    run_quarter(ctx, "2026-Q3")
    worker.drain()
    ready = [n for n in api.get("/v1/me/notifications", employer).json["items"] if n["kind"] == "volunteer_report.ready"]
    assert len(ready) == 1 and ready[0]["link"] == f"/v1/volunteer-reports/2026-Q3/units/{unit['id']}"
    assert api.get(ready[0]["link"], employer).status == 200


def test_the_contract_lists_every_event_kind_the_code_sends():
    import json

    from conftest import ROOT
    from functions.notify.catalogue import EVENT_KINDS

    for name, path in (("notification", ["properties", "kind", "enum"]), ("robot", ["properties", "events", "items", "enum"]),
                       ("webhook", ["properties", "events", "items", "enum"])):
        node = json.loads((ROOT / "schemas" / "responses" / f"{name}.json").read_text(encoding="utf-8"))
        for key in path:
            node = node[key]
        assert set(node) == set(EVENT_KINDS), name


def test_targets_are_never_redirected_or_wrapped_into_private_addresses(api, admin, tenant, sink, place):
    from functions.notify import targets

    for url in ("https://[64:ff9b::a00:1]/x", "https://[::ffff:10.0.0.1]/x", "https://[2002:a9fe:a9fe::]/x",
                "https://[::1/x", "https://example.org:99999/x", "https://example.org/a b"):
        with pytest.raises(targets.UnsafeTarget):
            targets.check(url)
    r = api.post("/v1/robots", admin, {"name": "x", "provider": "wecom", "scope": {"kind": "district"}, "url": "https://[::1/x"})
    assert r.status == 422 and r.json["errors"][0]["path"] == "/url"
    robot(api, admin, sink, place, path="/redirect/send?access_token=t3", provider="wecom", secret="")
    api.post("/v1/incidents", admin, {"category": "sanitation", "description": "x", "grid_id": place["grid"]})
    worker.drain()
    assert sink.paths("/redirect/") and sink.paths("/secret-target") == []
    logged = [d["detail"] for d in api.get("/v1/notification-deliveries", admin).json["items"] if d["channel"] == "wecom"]
    assert logged == ["HTTP 302"]
