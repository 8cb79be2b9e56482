"""Monthly regularity check: flag every committee that held no joint meeting in the previous month
(months in the tenant's time zone). Flags are `<tenant>#meeting-flag#<YYYY-MM>` / `<committee id>`,
written once: running the job twice flags nothing new.
"""
from __future__ import annotations

from datetime import datetime
from typing import Any

from functions import store
from functions.errors import Conflict
from functions.meetings.meetings import KIND as MEETING, period_bounds
from functions.periods import month_dates, previous_month
from functions.models import CommitteesTable, MeetingsTable
from functions.platform.tenants import for_each_active_tenant
from functions.tenancy import TenantContext

FLAG = "meeting_flag"


def flag_committees(ctx: TenantContext, period: str) -> list[str]:
    """Flag this tenant's committees with no joint meeting in `period`; returns the newly flagged ids."""
    low, high = period_bounds(ctx, *month_dates(period))
    flagged = []
    for committee in store.query_all(CommitteesTable, ctx.key("committee")):
        meetings = store.query_all(MeetingsTable, ctx.key("committee", committee.sk, MEETING), index="gsi1",
                                   range_condition=MeetingsTable.gsi1sk.between(low, high))
        if any(m.data["kind"] == "joint" for m in meetings):
            continue
        try:
            store.create(ctx, MeetingsTable, FLAG, {"period": period, "committee_id": committee.sk,
                                                     "community_id": committee.data["community_id"],
                                                     "reason": "no_joint_meeting"},
                         item_id=committee.sk, partition=ctx.key("meeting-flag", period))
            flagged.append(committee.sk)
        except Conflict:
            continue  # flagged by an earlier run
    return flagged


def list_flags(ctx: TenantContext, period: str, *, limit: int | None, cursor_text: str | None) -> dict[str, Any]:
    key = ctx.key("meeting-flag", period)
    return store.page(MeetingsTable, key, scope=f"{ctx.tenant}|{key}", limit=limit, cursor_text=cursor_text).body()


def run_all_tenants(now: datetime | None = None) -> dict[str, Any]:
    """The scheduled job: each active tenant's previous month."""
    return for_each_active_tenant(lambda ctx: flag_committees(ctx, previous_month(ctx.timezone, now)), "regularity check")
