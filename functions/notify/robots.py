"""企业微信 and 钉钉 group robots: a district names, per community, street, department or the
district itself, a group's webhook URL (and 钉钉's signing secret) and the events it wants; the
worker posts each such event there as markdown with a link into the console.

Keys (platform table): `<tenant>#robot` / id. The URL is shown masked and the secret never: both
are write-only through the API, the secret stored sealed (`functions.notify.sealed`).
"""
from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time
import urllib.parse
from typing import Any

from functions import authz, config, store
from functions.errors import FieldError, Text, Unprocessable
from functions.models import PlatformTable
from functions.notify import sealed, subscriptions, targets
from functions.notify.catalogue import DEFAULT_ROBOT_EVENTS, EVENT_KINDS, label, outside_title
from functions.tenancy import TenantContext

KIND = "robot"
TIMEOUT_SECONDS = 5


def _public(item: PlatformTable) -> dict[str, Any]:
    body = item.public()
    url = body.pop("url")
    body["url_masked"] = mask(url)
    body["secret_set"] = bool(body.pop("secret_sealed", None))
    return body


def mask(url: str) -> str:
    """The URL with its key or token hidden: enough to tell robots apart, useless to call."""
    parts = urllib.parse.urlsplit(url)
    return urllib.parse.urlunsplit((parts.scheme, parts.netloc, parts.path, "…" if parts.query else "", ""))


def _checked(ctx: TenantContext, body: dict[str, Any], old: dict[str, Any] | None = None) -> dict[str, Any]:
    errors = []
    try:
        targets.check(body["url"])
    except targets.UnsafeTarget as exc:
        errors.append(FieldError("/url", Text(exc.zh, exc.en)))
    unknown = [e for e in body.get("events", []) if e not in EVENT_KINDS]
    errors += [FieldError("/events", Text(f"未知事件类型：{e}", f"Unknown event type: {e}")) for e in unknown]
    if errors:
        raise Unprocessable(errors=errors)
    data = {k: v for k, v in body.items() if k not in ("secret", "version")}
    data.setdefault("events", list(DEFAULT_ROBOT_EVENTS))
    if "secret" in body:
        data["secret_sealed"] = sealed.seal(ctx.tenant, body["secret"]) if body["secret"] else None
    elif old is not None:
        data["secret_sealed"] = old.get("secret_sealed")
    return data


def _scope_exists(ctx: TenantContext, scope: dict[str, Any]) -> list[store.Operation]:
    """The scope's street, community or department must exist in the tenant (422 naming `/scope/id`)."""
    from functions.models import CommitteesTable, GridsTable

    if scope["kind"] == "district":
        if scope.get("id"):
            raise Unprocessable(errors=[FieldError("/scope/id", Text("全区范围不填 id", "A district scope takes no id"))])
        return []
    missing = Unprocessable(errors=[FieldError("/scope/id", Text("所属街道、社区或部门不存在", "No such street, community or department"))])
    if not scope.get("id"):
        raise missing
    model = CommitteesTable if scope["kind"] == "department" else GridsTable
    return [store.Require(model, ctx.key(scope["kind"]), scope["id"], missing)]


def create_robot(ctx: TenantContext, body: dict[str, Any], item_id: str | None = None) -> dict[str, Any]:
    authz.require(ctx, authz.MANAGE_DISTRICT)
    data = _checked(ctx, body)
    return subscriptions.create_one(ctx, KIND, data, _public, item_id=item_id, extra=_scope_exists(ctx, data["scope"]))


def update_robot(ctx: TenantContext, robot_id: str, body: dict[str, Any]) -> dict[str, Any]:
    """Change a robot's settings; without `secret` the stored one is kept, without `url` the URL."""
    authz.require(ctx, authz.MANAGE_DISTRICT)
    item = store.get(PlatformTable, ctx, KIND, robot_id)
    old = item.fields()
    data = _checked(ctx, {**{k: v for k, v in old.items() if k != "secret_sealed"}, **body}, old)
    store.update(ctx, item, data, body["version"], extra=_scope_exists(ctx, data["scope"]))
    return _public(PlatformTable.get(ctx.key(KIND), robot_id))


def send_test(ctx: TenantContext, robot_id: str, text: str | None = None) -> dict[str, Any]:
    """Queue a test message to one robot (its delivery shows in the log like any other)."""
    from functions.notify import outbox

    authz.require(ctx, authz.MANAGE_DISTRICT)
    robot = store.get(PlatformTable, ctx, KIND, robot_id).fields()
    event = outbox.event(ctx, "test", f"robot#{robot_id}", {
        "title": f"{robot['name']} 测试消息 / test message",
        "reason": text or "区管理员发送的测试消息 / sent by a district admin",
        "link": "/v1/robots", "object": {"kind": KIND, "id": robot_id}, "robot_id": robot_id})
    store.write(ctx, [event], action="robot.test", target=f"robot/{robot_id}")
    return {"event_id": event.item.sk, "robot_id": robot_id, "status": "queued"}


def get_robot(ctx: TenantContext, robot_id: str) -> dict[str, Any]:
    return subscriptions.get_one(ctx, KIND, robot_id, _public)


def list_robots(ctx: TenantContext) -> dict[str, Any]:
    return subscriptions.list_all(ctx, KIND, _public)


def delete_robot(ctx: TenantContext, robot_id: str, expected_version: int | None) -> None:
    subscriptions.delete_one(ctx, KIND, robot_id, expected_version)


def for_event(ctx: TenantContext, event: dict[str, Any]) -> list[dict[str, Any]]:
    """The robots of the event's audience that subscribe to its kind (a test event: the one named)."""
    if event["kind"] == "test":
        return [{"id": i.sk, **i.fields()} for i in store.query_all(PlatformTable, ctx.key(KIND))
                if i.sk == event.get("robot_id")]
    kind, _, scope_id = event["audience"].partition("#")
    found = []
    for item in store.query_all(PlatformTable, ctx.key(KIND)):
        robot = item.fields()
        scope = robot["scope"]
        if scope["kind"] == kind and scope.get("id", "") == scope_id and event["kind"] in robot["events"]:
            found.append({"id": item.sk, **robot})
    return found


def message(event: dict[str, Any]) -> tuple[str, str]:
    """The event as a markdown title and text, with a link into the console."""
    title = f"【{label(event['kind']).split(' / ')[0]}】{outside_title(event)}"
    lines = [f"### {title}", f"> {event.get('reason') or ''}"]
    if event.get("due_at"):
        lines.append(f"> 时限 / due: {event['due_at'][:16].replace('T', ' ')}")
    if event.get("link"):
        lines.append(f"[在共建平台中查看 / open in Gongjian]({config.CONSOLE_URL}/#{event['link']})")
    return title, "\n".join(lines)


def send(ctx: TenantContext, robot: dict[str, Any], event: dict[str, Any]) -> tuple[bool, str]:
    """Post the event to the robot; (delivered, what happened). Never raises for the target's faults."""
    title, text = message(event)
    url = robot["url"]
    if robot["provider"] == "wecom":
        payload: dict[str, Any] = {"msgtype": "markdown", "markdown": {"content": text}}
    else:
        payload = {"msgtype": "markdown", "markdown": {"title": title, "text": text}}
        if robot.get("secret_sealed"):
            url = signed_dingtalk_url(url, sealed.unseal(ctx.tenant, robot["secret_sealed"]))
    try:
        status, raw = targets.post(url, json.dumps(payload, ensure_ascii=False).encode(),
                                   {"Content-Type": "application/json; charset=utf-8"}, TIMEOUT_SECONDS)
    except targets.UnsafeTarget as exc:
        return False, f"refused: {exc.en}"
    except Exception as exc:  # whatever the far end does, it is recorded, never raised (nor its URL logged)
        return False, type(exc).__name__
    if not 200 <= status < 300:
        return False, f"HTTP {status}"
    try:
        reply = json.loads(raw or b"{}")
    except ValueError:
        return False, "not JSON"
    if not isinstance(reply, dict):
        return False, "not a robot's answer"
    if reply.get("errcode", 0) != 0:  # both robots answer 200 with an error code when they refuse
        return False, f"errcode {reply.get('errcode')}"
    return True, "HTTP 200"


def signed_dingtalk_url(url: str, secret: str, now_ms: int | None = None) -> str:
    """钉钉's signature: base64(HMAC-SHA256(secret, "<timestamp>\\n<secret>")), URL-encoded, with the
    millisecond timestamp, appended to the webhook URL."""
    timestamp = str(now_ms if now_ms is not None else int(time.time() * 1000))
    digest = hmac.new(secret.encode(), f"{timestamp}\n{secret}".encode(), hashlib.sha256).digest()
    sign = urllib.parse.quote_plus(base64.b64encode(digest).decode())
    return f"{url}{'&' if '?' in url else '?'}timestamp={timestamp}&sign={sign}"
