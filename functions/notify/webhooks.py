"""Outbound webhooks for integrators (a district's 12345 hotline system, its own dashboards): a
subscription names a URL and the event types it wants; every such event of the district is POSTed
as JSON signed per the Standard Webhooks convention, retried with backoff for a day, and logged.

Signing: `webhook-id` (the event id, stable across retries), `webhook-timestamp` (Unix seconds) and
`webhook-signature: v1,<base64 HMAC-SHA256>` over `"<id>.<timestamp>.<body>"`, keyed with the
base64-decoded part of the `whsec_…` secret the integrator gave. The secret is write-only and
stored sealed.

Keys (platform table): `<tenant>#webhook` / id.
"""
from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
import time
from typing import Any

from functions import authz, config, store
from functions.errors import FieldError, Text, Unprocessable
from functions.models import PlatformTable
from functions.notify import sealed, subscriptions, targets
from functions.notify.catalogue import EVENT_KINDS, outside_title
from functions.tenancy import TenantContext

KIND = "webhook"
TIMEOUT_SECONDS = 10
# Seconds after the first attempt at which the next ones fall due: a day in all (scaled by
# NOTIFY_RETRY_SECONDS / 60, so tests retry at once).
SCHEDULE = (5, 300, 1800, 7200, 18000, 36000, 86400)


def _public(item: PlatformTable) -> dict[str, Any]:
    from functions.notify.robots import mask

    body = item.public()
    body["url_masked"] = mask(body.pop("url"))
    body.pop("secret_sealed", None)
    body["secret_set"] = True
    return body


def _secret_key(secret: str) -> bytes | None:
    if not secret.startswith("whsec_"):
        return None
    try:
        key = base64.b64decode(secret.removeprefix("whsec_"), validate=True)
    except (binascii.Error, ValueError):
        return None
    return key if 24 <= len(key) <= 64 else None


def _checked(ctx: TenantContext, body: dict[str, Any], old: dict[str, Any] | None = None) -> dict[str, Any]:
    errors = []
    try:
        targets.check(body["url"])
    except targets.UnsafeTarget as exc:
        errors.append(FieldError("/url", Text(exc.zh, exc.en)))
    errors += [FieldError("/events", Text(f"未知事件类型：{e}", f"Unknown event type: {e}"))
               for e in body.get("events", []) if e not in EVENT_KINDS]
    if "secret" in body and _secret_key(body["secret"]) is None:
        errors.append(FieldError("/secret", Text("密钥须为 whsec_ 加 24–64 字节的 base64", "The secret must be whsec_ and 24–64 bytes of base64")))
    if "secret" not in body and old is None:
        errors.append(FieldError("/secret", Text("需要签名密钥", "A signing secret is required")))
    if errors:
        raise Unprocessable(errors=errors)
    data = {k: v for k, v in body.items() if k not in ("secret", "version")}
    data["secret_sealed"] = sealed.seal(ctx.tenant, body["secret"]) if "secret" in body else (old or {})["secret_sealed"]
    return data


def create_webhook(ctx: TenantContext, body: dict[str, Any], item_id: str | None = None) -> dict[str, Any]:
    authz.require(ctx, authz.MANAGE_DISTRICT)
    return subscriptions.create_one(ctx, KIND, _checked(ctx, body), _public, item_id=item_id)


def update_webhook(ctx: TenantContext, webhook_id: str, body: dict[str, Any]) -> dict[str, Any]:
    authz.require(ctx, authz.MANAGE_DISTRICT)
    item = store.get(PlatformTable, ctx, KIND, webhook_id)
    old = item.fields()
    data = _checked(ctx, {**{k: v for k, v in old.items() if k != "secret_sealed"}, **body}, old)
    store.update(ctx, item, data, body["version"])
    return _public(PlatformTable.get(ctx.key(KIND), webhook_id))


def get_webhook(ctx: TenantContext, webhook_id: str) -> dict[str, Any]:
    return subscriptions.get_one(ctx, KIND, webhook_id, _public)


def list_webhooks(ctx: TenantContext) -> dict[str, Any]:
    return subscriptions.list_all(ctx, KIND, _public)


def delete_webhook(ctx: TenantContext, webhook_id: str, expected_version: int | None) -> None:
    subscriptions.delete_one(ctx, KIND, webhook_id, expected_version)


def send_test(ctx: TenantContext, webhook_id: str, text: str | None = None) -> dict[str, Any]:
    """Queue a `test` event for this subscription alone; it shows in the delivery log."""
    from functions.notify import outbox

    authz.require(ctx, authz.MANAGE_DISTRICT)
    store.get(PlatformTable, ctx, KIND, webhook_id)
    event = outbox.event(ctx, "test", f"webhook#{webhook_id}", {
        "title": "测试事件 / test event", "reason": text or "区管理员发送的测试事件 / sent by a district admin",
        "link": "/v1/webhooks", "object": {"kind": KIND, "id": webhook_id}, "webhook_id": webhook_id})
    store.write(ctx, [event], action="webhook.test", target=f"webhook/{webhook_id}")
    return {"event_id": event.item.sk, "webhook_id": webhook_id, "status": "queued"}


def find(ctx: TenantContext, webhook_id: str) -> dict[str, Any] | None:
    """A subscription as stored (sealed secret included), or None once deleted."""
    try:
        return {"id": webhook_id, **PlatformTable.get(ctx.key(KIND), webhook_id).fields()}
    except PlatformTable.DoesNotExist:
        return None


def for_event(ctx: TenantContext, event: dict[str, Any]) -> list[dict[str, Any]]:
    """The district's subscriptions to the event's kind (a test event: the one it names)."""
    found = []
    for item in store.query_all(PlatformTable, ctx.key(KIND)):
        hook = {"id": item.sk, **item.fields()}
        if (event["kind"] == "test" and event.get("webhook_id") == item.sk) or \
                (event["kind"] != "test" and event["kind"] in hook["events"]):
            found.append(hook)
    return found


def payload(event: dict[str, Any]) -> bytes:
    """What integrators receive: the event's type, time and object, never people's contact details."""
    body = {"type": event["kind"], "timestamp": event["at"], "data": {
        "tenant": event["tenant"], "audience": event["audience"], "title": outside_title(event), "reason": event.get("reason"),
        "object": event.get("object"), "link": event.get("link"), "due_at": event.get("due_at"), "urgent": event.get("urgent", False)}}
    return json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode()


def sign(secret: str, message_id: str, timestamp: int, body: bytes) -> str:
    """The Standard Webhooks signature header value."""
    key = _secret_key(secret)
    assert key is not None  # checked when the secret was saved
    digest = hmac.new(key, f"{message_id}.{timestamp}.".encode() + body, hashlib.sha256).digest()
    return "v1," + base64.b64encode(digest).decode()


def send(ctx: TenantContext, hook: dict[str, Any], event: dict[str, Any]) -> tuple[bool, str]:
    """POST the event, signed; (delivered, what happened). A 2xx is delivered; anything else is not."""
    body, timestamp = payload(event), int(time.time())
    headers = {"Content-Type": "application/json; charset=utf-8", "webhook-id": event["id"],
               "webhook-timestamp": str(timestamp),
               "webhook-signature": sign(sealed.unseal(ctx.tenant, hook["secret_sealed"]), event["id"], timestamp, body)}
    try:
        status, _ = targets.post(hook["url"], body, headers, TIMEOUT_SECONDS)
    except targets.UnsafeTarget as exc:
        return False, f"refused: {exc.en}"
    except Exception as exc:  # whatever the far end does, it is recorded, never raised (nor its URL logged)
        return False, type(exc).__name__
    return 200 <= status < 300, f"HTTP {status}"


def next_delay(attempts: int) -> int | None:
    """Seconds to wait before the next attempt after `attempts` (≥ 1) failed ones; None once the
    schedule (a day) is spent. So the second attempt comes 5 s after the first, the last a day on."""
    if attempts > len(SCHEDULE):
        return None
    step = SCHEDULE[attempts - 1] - (SCHEDULE[attempts - 2] if attempts > 1 else 0)
    return round(step * config.NOTIFY_RETRY_SECONDS / 60)
