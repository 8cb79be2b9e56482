"""The delivery log: one record per event, channel and target — attempts, outcome and what the target
answered — for district admins to see what reached whom (`GET /v1/notification-deliveries`).

Keys (tasks table): `<tenant>#delivery` / `<event id>#<channel>#<target>`, expiring after 90 days.
"""
from __future__ import annotations

import time
from datetime import UTC, datetime
from typing import Any

from functions import authz, store
from functions.ids import now_iso
from functions.models import TasksTable
from functions.tenancy import TenantContext

KEEP_SECONDS = 90 * 24 * 3600


def _key(event_id: str, channel: str, target: str) -> str:
    return f"{event_id}#{channel}#{target}"


def find(ctx: TenantContext, event_id: str, channel: str, target: str) -> dict[str, Any] | None:
    try:
        return TasksTable.get(ctx.key("delivery"), _key(event_id, channel, target)).fields()
    except TasksTable.DoesNotExist:
        return None


def record(ctx: TenantContext, event: dict[str, Any], channel: str, target: str, *, outcome: str, detail: str,
           target_label: str | None = None) -> dict[str, Any]:
    """Record an attempt (`outcome`: delivered, retrying, failed, held or skipped), counting attempts."""
    before = find(ctx, event["id"], channel, target) or {}
    at = now_iso()
    data = {"event_id": event["id"], "event_kind": event["kind"], "audience": event["audience"], "channel": channel,
            "target": target, "target_label": target_label or before.get("target_label") or target,
            "attempts": int(before.get("attempts", 0)) + (0 if outcome in ("held", "skipped") else 1),
            "outcome": outcome, "detail": detail[:300], "first_at": before.get("first_at", at), "last_at": at}
    TasksTable(ctx.key("delivery"), _key(event["id"], channel, target), kind="delivery", data=data, version=1,
               created_at=data["first_at"], updated_at=at, expires_at=datetime.fromtimestamp(time.time() + KEEP_SECONDS, tz=UTC)).save()
    return data


def list_deliveries(ctx: TenantContext, *, limit: int | None, cursor_text: str | None) -> dict[str, Any]:
    """Newest events first; district admins only."""
    authz.require(ctx, authz.MANAGE_DISTRICT)
    return store.page(TasksTable, ctx.key("delivery"), scope=f"{ctx.tenant}|delivery", limit=limit,
                      cursor_text=cursor_text, newest_first=True).body()
