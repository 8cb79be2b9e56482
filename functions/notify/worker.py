"""The delivery worker: one queued event at a time, the same code on SQS in AWS (`app.py`) and on the
local queue (`make run`, the tests' `drain`).

For an event it writes an in-app notice to every user of the audience, then posts to each robot
that subscribes. Every step can run again: notices are written once, a robot already delivered to is
skipped. A robot that fails is tried again with a doubling delay; after the queue's last receive it is
recorded as failed and the event is done, so nothing loops forever and the write that caused it stands.
"""
from __future__ import annotations

from typing import Any

from functions import config
from functions.notify import deliveries, notices, queue, recipients, robots
from functions.platform.tenants import context_of
from functions.tenancy import TenantContext


def handle(event: dict[str, Any], receives: int) -> bool:
    """Deliver `event`; True when done (delete it), False to retry it later."""
    ctx = context_of(event["tenant"])
    if ctx is None:
        return True  # the tenant is gone or suspended: nothing to deliver
    users = recipients.users_of(ctx, event["audience"]) if event["kind"] != "test" else []
    if users:
        notices.put_all(ctx, [u["id"] for u in users], event)
        deliveries.record(ctx, event, "in_app", event["audience"], outcome="delivered", detail=f"{len(users)} users")
    return _robots(ctx, event, receives)


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
