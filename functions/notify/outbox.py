"""The outbox: an event is written in the same transaction as the change that causes it
(`store.Notify`), so no event is sent for a write that did not happen and none is lost for one that
did. After the commit `relay` sends it to the queue and removes it; if the queue cannot be reached,
the write still stands and the hourly sweep's `relay_waiting` sends what is left.

Keys (tasks table): `<tenant>#outbox` / `<event id>`, expiring after 7 days.
"""
from __future__ import annotations

import time
from datetime import UTC, datetime
from typing import Any

from functions import store
from functions.ids import new_id, now_iso
from functions.models import TasksTable
from functions.tenancy import TenantContext

KEEP_SECONDS = 7 * 24 * 3600


def event(ctx: TenantContext, kind: str, audience: str, fields: dict[str, Any], *, urgent: bool = False) -> store.Notify:
    """An event of `kind` for everyone in `audience` (see `functions.tasks.index`): `fields` carry the
    title, reason, link and object the messages show."""
    event_id = new_id()
    data = {"id": event_id, "tenant": ctx.tenant, "kind": kind, "audience": audience, "urgent": urgent,
            "at": now_iso(), "by": ctx.actor, **fields}
    return store.Notify(TasksTable(ctx.key("outbox"), event_id, kind="outbox_event", data=data, version=1,
                                   created_at=data["at"], updated_at=data["at"], expires_at=datetime.fromtimestamp(time.time() + KEEP_SECONDS, tz=UTC)))


def relay(items: list[Any]) -> int:
    """Send committed events to the queue and take them out of the outbox; on any failure log it and
    leave them for `relay_waiting`. Never raises: the write they belong to has happened."""
    from functions.log import logger
    from functions.notify import queue

    try:
        sent = set(queue.send([item.fields() for item in items]))
        with TasksTable.batch_write() as batch:
            for item in items:
                if item.sk in sent:
                    batch.delete(TasksTable(item.pk, item.sk))
        return len(sent)
    except Exception as exc:  # the queue or the table being down must not fail a committed write
        logger.warning("events left in the outbox", extra={"event": "outbox_relay_failed", "error": type(exc).__name__,
                                                           "events": [item.sk for item in items]})
        return 0


def relay_waiting(ctx: TenantContext) -> int:
    """Send the tenant's events still in the outbox (a relay that failed after its commit)."""
    items = list(TasksTable.query(ctx.key("outbox")))
    return relay(items) if items else 0
