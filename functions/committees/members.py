"""Party members (党员): their unit, building branch, and — for in-service members (在职党员进社区) —
the community they report to.

Keys: `<tenant>#member` / id; gsi1 `<tenant>#unit#<unit_id>#member` (a unit's members);
gsi2 `<tenant>#reported#<cid>` only for in-service members who reported there (sparse), so
"a community's reported in-service members" is one Query.
A member's own record is readable by that member (`user_id` equals the token's `sub`).
"""
from __future__ import annotations

from typing import Any

from functions import archiving, store
from functions.committees.units import require_units_in
from functions.errors import FieldError, Forbidden, Text, Unprocessable
from functions.ids import new_id
from functions.models import CommitteesTable
from functions.structure.service import community_must_exist
from functions.tenancy import COMMUNITY_STAFF, DISTRICT_ADMIN, TenantContext

KIND = "member"


def _keys(ctx: TenantContext, data: dict[str, Any], item_id: str) -> dict[str, Any]:
    keys: dict[str, Any] = {"gsi1pk": None, "gsi1sk": None, "gsi2pk": None, "gsi2sk": None}
    if data.get("unit_id"):
        keys.update(store.parent_keys(ctx, "unit", data["unit_id"], KIND, item_id))
    if data.get("in_service") and data.get("reported_community_id"):
        keys.update(gsi2pk=ctx.key("reported", data["reported_community_id"]), gsi2sk=item_id)
    return keys


def _communities_of(ctx: TenantContext, data: dict[str, Any]) -> set[str]:
    """The communities a member belongs to: their unit's and the one they report to."""
    found = {data["reported_community_id"]} if data.get("reported_community_id") else set()
    if data.get("unit_id"):
        # who may change the member: their unit's community, archived or not
        unit = require_units_in(ctx, [data["unit_id"]], ["/unit_id"], None, already=[data["unit_id"]])[data["unit_id"]]
        found.add(unit["community_id"])
    return found


def _authorise_write(ctx: TenantContext, data: dict[str, Any]) -> None:
    p = ctx.principal
    if p.has(DISTRICT_ADMIN):
        return
    if p.has(COMMUNITY_STAFF) and _communities_of(ctx, data) & p.communities:
        return
    raise Forbidden(Text("无权维护该党员的信息", "Not allowed to change this member"))


def _references(ctx: TenantContext, data: dict[str, Any], old: dict[str, Any] | None = None) -> list[store.Operation]:
    """Checks of what the member points at; on an update, of a community only when it changes (the
    one reported to may have been archived since, and the record keeps it)."""
    ops: list[store.Operation] = []
    if data.get("reported_community_id") and data["reported_community_id"] != (old or {}).get("reported_community_id"):
        ops.append(community_must_exist(ctx, data["reported_community_id"], "/reported_community_id"))
    if data.get("unit_id") and data["unit_id"] != (old or {}).get("unit_id"):
        archived = Unprocessable(errors=[FieldError("/unit_id", Text("单位不存在或已归档", "No such unit, or archived"))])
        ops.append(store.Require(CommitteesTable, ctx.key("unit"), data["unit_id"], archived,
                                 condition=archiving.not_archived(CommitteesTable)))
    if data.get("branch_id"):
        missing = Unprocessable(errors=[FieldError("/branch_id", Text("支部不存在", "No such branch"))])
        ops.append(store.Require(CommitteesTable, ctx.key("branch"), data["branch_id"], missing))
    if data.get("reported_community_id") and not data.get("in_service"):
        raise Unprocessable(errors=[FieldError("/in_service", Text("向社区报到的须为在职党员",
                                                                    "Only in-service members report to a community"))])
    return ops


def create_member(ctx: TenantContext, body: dict[str, Any], item_id: str | None = None) -> dict[str, Any]:
    data = {"in_service": False, **body}
    _authorise_write(ctx, data)
    item_id = item_id or new_id()
    return store.create(ctx, CommitteesTable, KIND, data, item_id=item_id, extra=_references(ctx, data),
                        **_keys(ctx, data, item_id))


def get_member(ctx: TenantContext, member_id: str) -> dict[str, Any]:
    """District and community staff read any member; a member only their own record (else 404)."""
    member = store.get(CommitteesTable, ctx, KIND, member_id).public()
    p = ctx.principal
    if not p.has(DISTRICT_ADMIN, COMMUNITY_STAFF) and member.get("user_id") != p.sub:
        raise store.not_found(KIND)
    return member


def update_member(ctx: TenantContext, member_id: str, body: dict[str, Any]) -> dict[str, Any]:
    item = store.get(CommitteesTable, ctx, KIND, member_id)
    old = item.fields()
    _authorise_write(ctx, old)
    data = {**old, **{k: v for k, v in body.items() if k != "version"}}
    _authorise_write(ctx, data)
    return store.update(ctx, item, data, body["version"], extra=_references(ctx, data, old), **_keys(ctx, data, member_id))


def list_members(ctx: TenantContext, *, unit_id: str | None, reported_community_id: str | None,
                 limit: int | None, cursor_text: str | None) -> dict[str, Any]:
    """Members of a unit, a community's reported in-service members, or all. Staff only."""
    if not ctx.principal.has(DISTRICT_ADMIN, COMMUNITY_STAFF):
        raise Forbidden(Text("党员名册仅限区、社区工作人员查看", "Member lists are for district and community staff"))
    if reported_community_id:
        return store.page(CommitteesTable, ctx.key("reported", reported_community_id), index="gsi2",
                          scope=f"{ctx.tenant}|reported|{reported_community_id}", limit=limit,
                          cursor_text=cursor_text).body()
    return store.list_kind(CommitteesTable, ctx, KIND, parent=("unit", unit_id), limit=limit, cursor_text=cursor_text)
