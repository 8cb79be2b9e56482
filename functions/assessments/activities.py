"""Co-building activities of member units along the "five together" (五齐) dimensions: public
welfare 公益事业齐参与, sanitation 社区卫生齐治理, security 社区治安齐维护, vulnerable support
弱势群体齐帮扶, development planning 社区发展齐谋划.

An activity belongs to the month it happened in the tenant's time zone (2026-10-31T20:00Z is
November in Asia/Shanghai). Keys: `<tenant>#cobuilding` / id; gsi1 `<tenant>#unit#<uid>#cobuilding`
/ `<period>#<id>`; gsi2 `<tenant>#cobuilding-period#<YYYY-MM>` / `<unit>#<id>` — the assessment
reads a month's activities with one (paginated) Query.
"""
from __future__ import annotations

from datetime import datetime, time
from collections.abc import Iterator
from typing import Any
from zoneinfo import ZoneInfo

from functions import authz, store
from functions.committees.units import require_units_in
from functions.errors import FieldError, Text, Unprocessable
from functions.grid_work import uploads
from functions.ids import new_id
from functions.models import AssessmentsTable
from functions.periods import period_of
from functions.tenancy import TenantContext

KIND = "cobuilding_activity"
DIMENSIONS = ("public_welfare", "sanitation", "security", "vulnerable_support", "development_planning")


def occurred_at(ctx: TenantContext, when: str) -> str:
    """A date (noon in the tenant's zone) or a date-time with offset, as ISO with offset."""
    if len(when) == 10:
        return datetime.combine(datetime.fromisoformat(when).date(), time(12), ZoneInfo(ctx.timezone)).isoformat()
    return datetime.fromisoformat(when).isoformat()


def create_cobuilding_activity(ctx: TenantContext, body: dict[str, Any], item_id: str | None = None) -> dict[str, Any]:
    unit = require_units_in(ctx, [body["unit_id"]], ["/unit_id"], None)[body["unit_id"]]
    authz.require(ctx, authz.MANAGE_COMMUNITY, community_id=unit["community_id"])
    uploads.require_objects(ctx, body.get("evidence", []), "/evidence")
    at = occurred_at(ctx, body["date"])
    if at > datetime.now(ZoneInfo(ctx.timezone)).isoformat():
        raise Unprocessable(errors=[FieldError("/date", Text("活动时间不能晚于现在", "The activity is in the future"))])
    period = period_of(at, ctx.timezone)
    data = {"participants": 1, "hours": 0, "beneficiaries": 0, **body, "occurred_at": at, "period": period,
            "community_id": unit["community_id"], "unit_name": unit["name"]}
    item_id = item_id or new_id()
    return store.create(ctx, AssessmentsTable, KIND, data, item_id=item_id,
                        gsi1pk=ctx.key("unit", body["unit_id"], "cobuilding"), gsi1sk=f"{period}#{item_id}",
                        gsi2pk=ctx.key("cobuilding-period", period), gsi2sk=f"{body['unit_id']}#{item_id}")


def list_cobuilding_activities(ctx: TenantContext, *, unit_id: str | None, period: str | None, limit: int | None,
                               cursor_text: str | None) -> dict[str, Any]:
    """By unit (optionally one month), by month, or all — one Query each."""
    if unit_id:
        key, index = ctx.key("unit", unit_id, "cobuilding"), "gsi1"
        condition = AssessmentsTable.gsi1sk.startswith(f"{period}#") if period else None
    elif period:
        key, index, condition = ctx.key("cobuilding-period", period), "gsi2", None
    else:
        key, index, condition = ctx.key(KIND), None, None
    return store.page(AssessmentsTable, key, index=index, range_condition=condition,
                      scope=f"{ctx.tenant}|{key}|{period}", limit=limit, cursor_text=cursor_text).body()


def of_unit(ctx: TenantContext, unit_id: str, period: str) -> Iterator[Any]:
    """One unit's activities of one month: a Query of the unit's own (small) partition on gsi1."""
    return store.query_all(AssessmentsTable, ctx.key("unit", unit_id, "cobuilding"), index="gsi1",
                           range_condition=AssessmentsTable.gsi1sk.startswith(f"{period}#"))
