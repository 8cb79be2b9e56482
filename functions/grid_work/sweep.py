"""The hourly sweep across tenants: overdue incidents (see `incidents.sweep_overdue`), from 1 November
the reminder to load next year's working-day calendar (`calendar.remind_missing`), and notification
events still in the outbox (`outbox.relay_waiting`)."""
from __future__ import annotations

from typing import Any

from functions.grid_work.calendar import remind_missing
from functions.grid_work.incidents import remind_due_soon, sweep_overdue
from functions.platform.tenants import for_each_active_tenant
from functions.tenancy import TenantContext


def sweep(ctx: TenantContext) -> dict[str, Any]:
    """Cards, due-soon and meeting reminders, calendar reminders, and any notification events a
    failed relay left in the outbox."""
    from functions.meetings.meetings import remind_and_close
    from functions.notify import outbox

    relayed = outbox.relay_waiting(ctx)  # first: a failing step below must not keep earlier events waiting
    return {"carded": sweep_overdue(ctx), "due_soon": remind_due_soon(ctx), "meetings": remind_and_close(ctx),
            "calendar_tasks": remind_missing(ctx), "relayed": relayed}


def run_all_tenants() -> dict[str, Any]:
    return for_each_active_tenant(sweep, "hourly sweep")
