"""Tasks for open work recorded before the task index existed (a district's data from before, or a
local stack kept between runs): open incidents, actions not yet closed, minutes awaiting approval,
pairings' next contacts, hours awaiting verification and open appeals.
Written once per tenant (a marker says so), without events: nobody is told of old work as if new."""
from __future__ import annotations

from typing import Any

from functions import store
from functions.grid_work.incidents import OPEN_STATES, task_of
from functions.meetings.decisions import tasks_of
from functions.meetings.minutes import approval_task
from functions.models import GridsTable, MeetingsTable, TasksTable
from functions.tasks import index
from functions.tenancy import TenantContext

MARKER = ("task-backfill", "v1")


def backfill(ctx: TenantContext) -> int:
    """Write the missing tasks of every open object of the tenant, once; returns how many were written."""
    try:
        TasksTable.get(ctx.key(MARKER[0]), MARKER[1])
        return 0
    except TasksTable.DoesNotExist:
        pass
    found: list[index.Task] = []
    for status in (*OPEN_STATES, "resolved", "verified"):
        for incident in store.query_all(GridsTable, ctx.key("incident-status", status), index="gsi1"):
            task = task_of(incident.fields(), incident.sk)
            found += [task] if task else []
    for status in ("open", "in_progress", "done"):
        for action in store.query_all(MeetingsTable, ctx.key("action-status", status), index="gsi1"):
            found += tasks_of(ctx, action.fields(), action.sk)
    for meeting in store.query_all(MeetingsTable, ctx.key("meeting")):
        data: dict[str, Any] = meeting.fields()
        newest = int(meeting.child_count)
        if newest and (data.get("approved_revision") or 0) < newest:
            found.append(approval_task(ctx, data, meeting.sk, newest))
    found += _other_waiting(ctx)
    puts = [op.item for op in index.moved(ctx, None, found, tell=False) if isinstance(op, store.Upsert)]
    have = {(i.pk, i.sk) for start in range(0, len(puts), 100)
            for i in TasksTable.batch_get([(p.pk, p.sk) for p in puts[start:start + 100]], attributes_to_get=["pk", "sk"])}
    puts = [p for p in puts if (p.pk, p.sk) not in have]  # those the writes made already stay as they are
    with TasksTable.batch_write() as batch:
        for put in puts:
            batch.save(put)
    store.write(ctx, [store.Put(TasksTable(ctx.key(MARKER[0]), MARKER[1], kind="marker", data={"tasks": len(puts)}))],
                action="tasks.backfill", target="tasks", state={"tasks": len(puts)})
    return len(puts)


def _other_waiting(ctx: TenantContext) -> list[index.Task]:
    """Pairings' next contacts, hours awaiting verification, and open appeals of published months."""
    from functions.assessments.publication import answer_task
    from functions.committees.pairings import contact_task
    from functions.models import AssessmentsTable, CommitteesTable, ServicesTable
    from functions.services.volunteers import verify_task

    found: list[index.Task] = []
    pairings = [(p.sk, p.fields()) for p in store.query_all(CommitteesTable, ctx.key("pairing"))]
    units = store.get_many(CommitteesTable, ctx, "unit", sorted({p["from_unit_id"] for _, p in pairings}))
    found += [contact_task(p, pid, units[p["from_unit_id"]]["community_id"]) for pid, p in pairings if p["from_unit_id"] in units]
    found += [verify_task(v.fields(), v.sk) for v in store.query_all(ServicesTable, ctx.key("volunteer_activity"))
              if v.data["status"] == "pending"]
    for period in store.query_all(AssessmentsTable, ctx.key("assessment-period")):
        until = period.fields().get("appeal_until", "")
        for appeal in store.query_all(AssessmentsTable, ctx.key("assessment-appeal", period.sk)):
            if appeal.data["status"] == "open":
                unit = units.get(appeal.data["unit_id"]) or {}
                found.append(answer_task(period.sk, appeal.sk, unit.get("name", ""), until))
    return found
