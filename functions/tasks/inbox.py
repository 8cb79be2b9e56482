"""The caller's open tasks (`GET /v1/me/tasks`): one Query per audience they belong to — themselves,
and each district, street, community or department they answer for — most urgent first."""
from __future__ import annotations

from collections import Counter
from datetime import datetime, UTC
from typing import Any

from functions import authz
from functions.models import TasksTable
from functions.tasks.index import DISTRICT, audience, partition
from functions.tenancy import COMMUNITY_STAFF, DEPARTMENT, DISTRICT_ADMIN, EMPLOYER, STREET_STAFF, TenantContext

PER_AUDIENCE = 500  # open tasks a list reads per audience; `truncated` says when there were more


def audiences(ctx: TenantContext) -> list[str]:
    """Everyone the caller answers for, as the index keys tasks (see `functions.tasks.index`)."""
    p = ctx.principal
    mine = [audience("user", p.sub)]
    if p.has(DISTRICT_ADMIN):
        mine.append(DISTRICT)
    for role, scope, ids in ((STREET_STAFF, "street", p.streets), (COMMUNITY_STAFF, "community", p.communities),
                             (DEPARTMENT, "department", p.departments), (EMPLOYER, "unit", p.units)):
        if p.has(role):
            mine += [audience(scope, i) for i in sorted(ids)]
    return mine


def _opens(ctx: TenantContext, task: dict[str, Any]) -> bool:
    """Whether the caller may open the task's object: an incident dispatched to someone who cannot
    (or no longer can) open it stays off their list; its community's staff still find it among their
    incidents, and the sweep cards it if it stalls."""
    place = task.get("place")
    if not place:
        return True
    return authz.allows(ctx, authz.READ_INCIDENT, street_id=place["street_id"], community_id=place["community_id"],
                        grid_id=place["grid_id"], owner=place["reporter"])


def _urgency(task: dict[str, Any], now: datetime) -> tuple[int, str]:
    """Overdue first, then due soon, then by due time; tasks without one last."""
    due = task.get("due_at")
    if not due:
        return 3, ""
    return (0 if task["overdue"] else 1 if task["due_soon"] else 2), datetime.fromisoformat(due).astimezone(UTC).isoformat()


def _flags(task: dict[str, Any], now: datetime) -> dict[str, Any]:
    due, started = task.get("due_at"), task.get("stage_started_at")
    due_at = datetime.fromisoformat(due) if due else None
    task["overdue"] = bool(due_at and now > due_at)
    task["due_soon"] = bool(due_at and started and not task["overdue"]
                            and now > due_at - (due_at - datetime.fromisoformat(started)) / 5)
    return task


def my_tasks(ctx: TenantContext, now: datetime | None = None) -> dict[str, Any]:
    """Every open task of the caller, most urgent first, with counts per kind for a badge."""
    now = now or datetime.now(UTC)
    items: list[dict[str, Any]] = []
    truncated = False
    for who in audiences(ctx):
        found = list(TasksTable.query(partition(ctx, who), limit=PER_AUDIENCE))
        truncated = truncated or len(found) == PER_AUDIENCE
        items += [_flags({"id": f"{who}/{t.sk}", **t.fields(), "updated_at": t.updated_at}, now) for t in found
                  if _opens(ctx, t.fields())]
    items.sort(key=lambda t: _urgency(t, now))
    return {"items": items, "counts": dict(Counter(t["kind"] for t in items)), "total": len(items),
            "truncated": truncated}
