"""The non-public-enterprise Party alliance (非公党建联盟) and its "six links" (六联一化):
joint training 联训, joint activities 联办, shared systems 联建, shared positions 联创,
linked services 联动 and shared information 联通.

Keys: `<tenant>#alliance` / id; activities `<tenant>#alliance#<aid>#activity` / id, also on gsi1
with `<date>#<id>` so a period's activities (and the coverage summary) are one Query.
"""
from __future__ import annotations

from collections import Counter
from typing import Any

from functions import authz, store
from functions.committees.units import require_units_in
from functions.errors import FieldError, Text, Unprocessable
from functions.ids import new_id
from functions.models import CommitteesTable
from functions.tenancy import TenantContext

KIND = "alliance"
ACTIVITY = "alliance_activity"
SIX_LINKS = {"training": "党员联训", "activity": "活动联办", "system": "制度联建", "position": "阵地联创",
             "service": "服务联动", "information": "信息联通"}
ELIGIBLE_UNITS = ("non_public_enterprise", "social_organization")


def _check_units(ctx: TenantContext, unit_ids: list[str]) -> None:
    units = require_units_in(ctx, unit_ids, [f"/unit_ids/{i}" for i in range(len(unit_ids))], None)
    wrong = [FieldError(f"/unit_ids/{i}", Text("联盟成员须为非公企业或社会组织", "Members must be non-public enterprises or social organisations"))
             for i, uid in enumerate(unit_ids) if units[uid]["kind"] not in ELIGIBLE_UNITS]
    if wrong:
        raise Unprocessable(errors=wrong)


def create_alliance(ctx: TenantContext, body: dict[str, Any], item_id: str | None = None) -> dict[str, Any]:
    authz.require(ctx, authz.MANAGE_DISTRICT)
    _check_units(ctx, body.get("unit_ids", []))
    return store.create(ctx, CommitteesTable, KIND, {"unit_ids": [], **body}, item_id=item_id)


def get_alliance(ctx: TenantContext, alliance_id: str) -> dict[str, Any]:
    return store.get(CommitteesTable, ctx, KIND, alliance_id).public()


def list_alliances(ctx: TenantContext, *, limit: int | None, cursor_text: str | None) -> dict[str, Any]:
    return store.list_kind(CommitteesTable, ctx, KIND, limit=limit, cursor_text=cursor_text)


def _activities_key(ctx: TenantContext, alliance_id: str) -> str:
    return ctx.key(KIND, alliance_id, "activity")


def create_alliance_activity(ctx: TenantContext, alliance_id: str, body: dict[str, Any]) -> dict[str, Any]:
    authz.require(ctx, authz.MANAGE_DISTRICT)
    missing = store.not_found(KIND)
    activity_id = new_id()
    key = _activities_key(ctx, alliance_id)
    item = store.new_item(CommitteesTable, ctx, ACTIVITY, activity_id, {**body, "alliance_id": alliance_id},
                          partition=key, gsi1pk=key, gsi1sk=f"{body['date']}#{activity_id}")
    result = item.public()
    store.write(ctx, [store.Put(item), store.Require(CommitteesTable, ctx.key(KIND), alliance_id, missing)],
                action="alliance_activity.create", target=f"alliance/{alliance_id}/activity/{activity_id}",
                state=result, result=result)
    return result


def _period_condition(date_from: str | None, date_to: str | None) -> Any:
    low, high = date_from or "0000-00-00", (date_to or "9999-99-99") + "#~"
    return CommitteesTable.gsi1sk.between(low, high)


def list_alliance_activities(ctx: TenantContext, alliance_id: str, *, date_from: str | None, date_to: str | None,
                             limit: int | None, cursor_text: str | None) -> dict[str, Any]:
    store.get(CommitteesTable, ctx, KIND, alliance_id)
    key = _activities_key(ctx, alliance_id)
    return store.page(CommitteesTable, key, index="gsi1", range_condition=_period_condition(date_from, date_to),
                      scope=f"{ctx.tenant}|{key}|{date_from}|{date_to}", limit=limit, cursor_text=cursor_text).body()


def coverage(ctx: TenantContext, alliance_id: str, date_from: str | None, date_to: str | None) -> dict[str, Any]:
    """Which of the six links the alliance covered in the period, with counts, and whether all six were."""
    alliance = get_alliance(ctx, alliance_id)
    counts: Counter[str] = Counter()
    for item in store.query_all(CommitteesTable, _activities_key(ctx, alliance_id), index="gsi1",
                                range_condition=_period_condition(date_from, date_to)):
        counts[item.data["kind"]] += 1
    links = [{"kind": k, "name": name, "activities": counts.get(k, 0)} for k, name in SIX_LINKS.items()]
    return {"alliance_id": alliance_id, "name": alliance["name"], "from": date_from, "to": date_to, "links": links,
            "covered": [k for k in SIX_LINKS if counts.get(k)], "missing": [k for k in SIX_LINKS if not counts.get(k)],
            "all_six": all(counts.get(k) for k in SIX_LINKS)}
