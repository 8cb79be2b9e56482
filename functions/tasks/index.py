"""The task index: one item per open task, under the audience that must act on it.

An audience is who answers for something, not a person: the district (`district`), a street's
office (`street#<id>`), a community's staff (`community#<id>`), a department (`department#<id>`) or
one user (`user#<id>`). Keying tasks by audience keeps them right when people join or leave: a new
secretary sees the community's open tasks at once, and nothing is rewritten. A caller's task list
is one Query per audience they belong to (`inbox`).

Keys (tasks table): `<tenant>#task#<audience>` / `<kind>#<object id>`. The writes that create, move
and end tasks do it in their own transaction (`moved`), so a task never outlives its reason or
appears before it.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from functions import store
from functions.ids import now_iso
from functions.models import TasksTable
from functions.notify import outbox
from functions.tenancy import TenantContext

DISTRICT = "district"


@dataclass(frozen=True)
class Task:
    """A task as its source describes it: whose it is, what kind, about which object, and its fields
    (`title`, `reason`, `due_at`, `link`, and anything the list shows with it)."""

    audience: str
    kind: str
    object_id: str
    fields: dict[str, Any]

    @property
    def sk(self) -> str:
        return f"{self.kind}#{self.object_id}"


def audience(scope: str, scope_id: str | None = None) -> str:
    return DISTRICT if scope == DISTRICT else f"{scope}#{scope_id}"


def partition(ctx: TenantContext, who: str) -> str:
    return ctx.key("task", who)


def moved(ctx: TenantContext, before: Task | list[Task] | None, after: Task | list[Task] | None, *,
          tell: bool = True) -> list[store.Operation]:
    """The operations that take the index from the tasks `before` to those `after` (a task, a list or
    None): drop each old item that is not rewritten, write each new one, and put an event in the
    outbox for each object whose task reaches a new audience (reported to a community, dispatched to
    a worker, escalated to a street), so they are told."""
    old = [before] if isinstance(before, Task) else (before or [])
    new = [after] if isinstance(after, Task) else (after or [])
    kept = {(t.audience, t.sk) for t in new}
    ops: list[store.Operation] = [store.Drop(TasksTable, partition(ctx, t.audience), t.sk)
                                  for t in old if (t.audience, t.sk) not in kept]
    at = now_iso()
    had = {(t.audience, t.object_id) for t in old}
    for t in new:
        data = {"kind": t.kind, "object_id": t.object_id, "audience": t.audience, **t.fields}
        ops.append(store.Upsert(TasksTable(partition(ctx, t.audience), t.sk, kind="task", data=data,
                                           version=1, created_at=at, updated_at=at)))
        if tell and (t.audience, t.object_id) not in had:  # it reaches someone new: tell them
            ops.append(outbox.event(ctx, f"task.{t.kind}", t.audience, _message(t)))
    return ops


def _message(t: Task) -> dict[str, Any]:
    message = {k: t.fields.get(k) for k in ("title", "reason", "due_at", "link", "object")}
    if t.fields.get("public_title"):
        message["public_title"] = t.fields["public_title"]
    return message


def end_of_day(ctx: TenantContext, day: str) -> str:
    """A due date as the last second of that day in the tenant's zone."""
    from datetime import datetime, time
    from zoneinfo import ZoneInfo

    return datetime.combine(datetime.fromisoformat(day).date(), time(23, 59, 59), ZoneInfo(ctx.timezone)).isoformat()


def exists(ctx: TenantContext, task: Task) -> bool:
    try:
        TasksTable.get(partition(ctx, task.audience), task.sk)
        return True
    except TasksTable.DoesNotExist:
        return False
