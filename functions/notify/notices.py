"""In-app notifications: one per recipient and event (written by the worker, once: a retried event
finds them there), listed newest first with unread ones marked; the recipient marks them read.

Keys (tasks table): `<tenant>#notice#<user id>` / `<event id>`, expiring after 90 days.
"""
from __future__ import annotations

import time
from datetime import UTC, datetime
from typing import Any

from functions import store
from functions.ids import now_iso
from functions.models import TasksTable
from functions.notify.catalogue import label
from functions.tenancy import TenantContext

KEEP_SECONDS = 90 * 24 * 3600


def partition(ctx: TenantContext, user_id: str) -> str:
    return ctx.key("notice", user_id)


def put_all(ctx: TenantContext, user_ids: list[str], event: dict[str, Any]) -> None:
    """One notice per user for `event`; a retried event rewrites the same items, unread kept as it was."""
    data = {"event_id": event["id"], "kind": event["kind"], "label": label(event["kind"]), "title": event.get("title"),
            "reason": event.get("reason"), "link": event.get("link"), "object": event.get("object"),
            "due_at": event.get("due_at"), "urgent": event.get("urgent", False), "at": event["at"]}
    from pynamodb.exceptions import PutError

    expires = datetime.fromtimestamp(time.time() + KEEP_SECONDS, tz=UTC)
    for user_id in user_ids:
        notice = TasksTable(partition(ctx, user_id), event["id"], kind="notice", data={**data, "read": False},
                            version=1, created_at=event["at"], updated_at=event["at"], expires_at=expires)
        try:
            notice.save(condition=TasksTable.pk.does_not_exist())
        except PutError as exc:
            if getattr(exc, "cause_response_code", None) != "ConditionalCheckFailedException":
                raise  # anything but "already there" (a retried event) is a failure to retry


def list_mine(ctx: TenantContext, *, unread: bool, limit: int | None, cursor_text: str | None) -> dict[str, Any]:
    """The caller's notices, newest first (`unread`: only those not read), with the unread count."""
    key = partition(ctx, ctx.principal.sub)
    only = TasksTable.data["read"] == False if unread else None  # noqa: E712 (a DynamoDB condition, not a comparison)
    page = store.page(TasksTable, key, scope=f"{ctx.tenant}|notice|{ctx.principal.sub}|{unread}", limit=limit,
                      cursor_text=cursor_text, newest_first=True, filter_condition=only).body()
    page["unread"] = sum(1 for _ in TasksTable.query(key, filter_condition=TasksTable.data["read"] == False,  # noqa: E712
                                                      attributes_to_get=["pk"]))
    return page


def mark_read(ctx: TenantContext, notice_id: str, read: bool = True) -> dict[str, Any]:
    """Mark one of the caller's notices read, or unread again (404 for anyone else's: it is not in
    their partition)."""
    try:
        item = TasksTable.get(partition(ctx, ctx.principal.sub), notice_id)
    except TasksTable.DoesNotExist as exc:
        raise store.not_found("notification") from exc
    data = item.fields()
    if bool(data.get("read")) == read:
        return item.public()
    changed = {**data, "read": read, "read_at": now_iso() if read else None}
    return store.update(ctx, item, changed, item.version, action="notice.read" if read else "notice.unread")
