"""The delivery worker: one queued event at a time, the same code on SQS in AWS (`app.py`) and on the
local queue (`make run`, the tests' `drain`).

For an event it writes an in-app notice to every user of the audience, posts it to each webhook
subscription (retried on its own schedule for a day, see `webhooks`), then to each robot that
subscribes. Every step can run again: notices are written once, a robot already delivered to is
skipped. A robot that fails is tried again with a doubling delay; after the queue's last receive it is
recorded as failed and the event is done, so nothing loops forever and the write that caused it stands.
"""
from __future__ import annotations

import time
from datetime import UTC, datetime
from typing import Any

from functions import config
from functions.notify import deliveries, notices, personal, queue, recipients, robots, webhooks
from functions.platform.tenants import context_of
from functions.tenancy import TenantContext


def handle(message: dict[str, Any], receives: int) -> bool:
    """Deliver a queued event (or a held SMS, or a webhook's retry); True when done (delete it), False
    to retry it. Runs with the tenant's own scoped credentials, as the scheduled jobs do."""
    from functions import tenant_credentials

    ctx = context_of(message["tenant"])
    if ctx is None:
        return True  # the tenant is gone or suspended: nothing to deliver
    with tenant_credentials.scoped(ctx.tenant):
        if message.get("retry") == "webhook":
            return _webhook_retry(ctx, message)
        if message.get("retry") == "personal":
            return _held(ctx, message)
        return _deliver(ctx, message, receives)


def _deliver(ctx: TenantContext, event: dict[str, Any], receives: int) -> bool:
    users = recipients.users_of(ctx, event["audience"]) if event["kind"] != "test" else []
    if users:
        notices.put_all(ctx, [u["id"] for u in users], event)
        deliveries.record(ctx, event, "in_app", event["audience"], outcome="delivered", detail=f"{len(users)} users")
    # webhooks and personal channels keep their own schedules: each starts once per event and target
    # (a delivery record says it has), however often the event itself is received
    for hook in webhooks.for_event(ctx, event):
        if deliveries.find(ctx, event["id"], "webhook", hook["id"]) is None:
            _webhook_attempt(ctx, hook, event, attempts=0)
    for user in users:
        for channel in ("sms", "email"):
            if channel in user["channels"] and user.get("phone" if channel == "sms" else "email") \
                    and deliveries.find(ctx, event["id"], channel, user["id"]) is None:
                _personal(ctx, event, user, channel)
    return _robots(ctx, event, receives)


def _held(ctx: TenantContext, message: dict[str, Any]) -> bool:
    """A held SMS whose quiet hours are over (or not yet: sent on again), to the user as the directory
    has them now: a changed number, a channel dropped or a disabled user are respected."""
    left = message["not_before"] - time.time()
    if left > 1:
        queue.send_later(message, int(left))
        return True
    current = [u for u in recipients.users_of(ctx, f"user#{message['user_id']}") if message["channel"] in u["channels"]
               and u.get("phone" if message["channel"] == "sms" else "email")]
    if current:
        _personal(ctx, message["event"], current[0], message["channel"], quiet_checked=True)
    return True


def _personal(ctx: TenantContext, event: dict[str, Any], user: dict[str, Any], channel: str, *,
              quiet_checked: bool = False) -> bool:
    """One SMS or email: skipped where the deployment has no such channel, held until the quiet hours
    end for a non-urgent SMS (sent on by a delayed message naming only the user), else sent."""
    target, shown = f"{user['id']}", personal.masked(channel, user)
    if not personal.configured(channel):
        deliveries.record(ctx, event, channel, target, outcome="skipped", detail="not configured", target_label=shown)
        return True
    now = datetime.now(UTC)
    until = personal.quiet_until(ctx, now) if channel == "sms" and not event.get("urgent") and not quiet_checked else None
    if until is not None:
        deliveries.record(ctx, event, channel, target, outcome="held", detail=f"quiet hours until {until.isoformat()}",
                          target_label=shown)
        queue.send_later({"retry": "personal", "tenant": ctx.tenant, "event": event, "user_id": user["id"], "channel": channel,
                          "not_before": until.timestamp()}, int((until - now).total_seconds()))
        return True
    ok, detail = personal.send(channel, user, event)
    deliveries.record(ctx, event, channel, target, outcome="delivered" if ok else "failed", detail=detail, target_label=shown)
    return True


def _webhook_attempt(ctx: TenantContext, hook: dict[str, Any], event: dict[str, Any], attempts: int) -> None:
    ok, detail = webhooks.send(ctx, hook, event)
    delay = None if ok else webhooks.next_delay(attempts + 1)
    outcome = "delivered" if ok else ("retrying" if delay is not None else "failed")
    deliveries.record(ctx, event, "webhook", hook["id"], outcome=outcome, detail=detail, target_label=hook.get("name"))
    if delay is not None:
        queue.send_later({"retry": "webhook", "tenant": ctx.tenant, "webhook_id": hook["id"], "event": event,
                          "attempts": attempts + 1, "not_before": time.time() + delay}, delay)


def _webhook_retry(ctx: TenantContext, message: dict[str, Any]) -> bool:
    """The next attempt of one webhook delivery, once its time has come (SQS delays at most 15 minutes,
    so a longer wait comes back here and is sent on again)."""
    left = message["not_before"] - time.time()
    if left > 1:
        queue.send_later(message, int(left))
        return True
    hook = webhooks.find(ctx, message["webhook_id"])
    if hook is not None:  # deleted meanwhile: nothing more to send
        _webhook_attempt(ctx, hook, message["event"], message["attempts"])
    return True


def _robots(ctx: TenantContext, event: dict[str, Any], receives: int) -> bool:
    last_try = receives >= queue.MAX_RECEIVES
    finished = True
    for robot in robots.for_event(ctx, event):
        earlier = deliveries.find(ctx, event["id"], robot["provider"], robot["id"])
        if earlier and earlier["outcome"] in ("delivered", "failed"):
            continue
        ok, detail = robots.send(ctx, robot, event)
        outcome = "delivered" if ok else ("failed" if last_try else "retrying")
        deliveries.record(ctx, event, robot["provider"], robot["id"], outcome=outcome, detail=detail,
                          target_label=robot.get("name"))
        finished = finished and outcome != "retrying"
    return finished


def backoff(receives: int) -> int:
    return config.NOTIFY_RETRY_SECONDS * 2 ** (receives - 1)


def drain(max_rounds: int = 20, wait_seconds: int = 0) -> int:
    """Work the queue until it is empty (the local worker's step, and the tests'); returns events done."""
    handled = 0
    for _ in range(max_rounds):
        messages = queue.receive(wait_seconds=wait_seconds, visibility=max(1, config.NOTIFY_RETRY_SECONDS))
        if not messages:
            return handled
        for message in messages:
            if handle(message["body"], message["receives"]):
                queue.done(message["receipt"])
                handled += 1
            else:
                queue.retry_after(message["receipt"], backoff(message["receives"]))
    return handled
