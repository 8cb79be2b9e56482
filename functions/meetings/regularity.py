"""Monthly regularity check: flag every committee that held no joint meeting in the previous month
(months in the tenant's time zone). Flags are `<tenant>#meeting-flag#<YYYY-MM>` / `<committee id>`,
written once: running the job twice flags nothing new.
"""
from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from functions import store
from functions.errors import Conflict
from functions.log import logger
from functions.meetings.meetings import KIND as MEETING, period_bounds
from functions.models import CommitteesTable, MeetingsTable, PlatformTable
from functions.platform.tenants import LIST_KEY
from functions.tenancy import TenantContext, system_context

FLAG = "meeting_flag"


def previous_month(timezone_name: str, now: datetime | None = None) -> str:
    today = (now or datetime.now(ZoneInfo(timezone_name))).astimezone(ZoneInfo(timezone_name)).date()
    return (today.replace(day=1) - timedelta(days=1)).strftime("%Y-%m")


def month_dates(period: str) -> tuple[str, str]:
    first = date.fromisoformat(f"{period}-01")
    last = (first.replace(day=28) + timedelta(days=4)).replace(day=1) - timedelta(days=1)
    return first.isoformat(), last.isoformat()


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


def run_all_tenants(now: datetime | None = None) -> dict[str, list[str]]:
    """The scheduled job: each active tenant's previous month. One tenant failing does not stop the others."""
    results: dict[str, list[str]] = {}
    for tenant in PlatformTable.gsi1.query(LIST_KEY):
        profile = tenant.data.as_dict()
        if profile.get("status") != "active":
            continue
        ctx = system_context(profile["id"], profile.get("timezone", "Asia/Shanghai"))
        try:
            results[profile["id"]] = flag_committees(ctx, previous_month(ctx.timezone, now))
        except Exception:
            logger.exception("regularity check failed", extra={"tenant": profile["id"]})
    return results
