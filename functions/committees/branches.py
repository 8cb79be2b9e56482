"""Building Party branches (楼宇党支部): one building or a few neighbouring ones, 6–8 members
with a secretary and Party-group leaders, and the "5+N" unit service team (branch secretary +
building group leaders + unit service team + resident members + residents served).

Outside 6–8 members a branch is accepted with a `warnings` entry, or refused with 422 when the
tenant's setting `branch_size_strict` is on. Keys: `<tenant>#branch` / id; gsi1
`<tenant>#community#<cid>#branch`.
"""
from __future__ import annotations

from typing import Any

from functions import authz, store
from functions.errors import FieldError, Text, Unprocessable
from functions.ids import new_id
from functions.models import CommitteesTable
from functions.structure.service import community_must_exist
from functions.tenancy import TenantContext

KIND = "branch"
MIN_MEMBERS, MAX_MEMBERS = 6, 8


def _size_warnings(ctx: TenantContext, members: list[dict[str, Any]]) -> list[dict[str, str]]:
    count = len(members)
    if MIN_MEMBERS <= count <= MAX_MEMBERS:
        return []
    zh = f"楼宇党支部应有 {MIN_MEMBERS}–{MAX_MEMBERS} 名党员，现有 {count} 名"
    en = f"A building branch should have {MIN_MEMBERS}–{MAX_MEMBERS} members, it has {count}"
    if ctx.settings.get("branch_size_strict"):
        raise Unprocessable(Text(zh, en), errors=[FieldError("/members", Text(zh, en))])
    return [{"code": "branch_size", "message": zh, "message_en": en}]


def _check(ctx: TenantContext, data: dict[str, Any]) -> list[dict[str, str]]:
    members = data.get("members", [])
    if sum(1 for m in members if m["role"] == "secretary") > 1:
        raise Unprocessable(errors=[FieldError("/members", Text("支部书记只能有一名", "Only one branch secretary"))])
    ids = [m["member_id"] for m in members]
    found = store.get_many(CommitteesTable, ctx, "member", ids)
    errors = [FieldError(f"/members/{i}/member_id", Text("党员不存在", "No such member"))
              for i, mid in enumerate(ids) if mid not in found]
    team = data.get("service_team") or {}
    team_ids = [(f"/service_team/{k}", v) for k, v in team.items() if k in ("secretary_member_id",)] + \
        [(f"/service_team/{k}/{i}", v) for k in ("group_leader_member_ids", "resident_member_ids")
         for i, v in enumerate(team.get(k, []))]
    team_found = store.get_many(CommitteesTable, ctx, "member", [v for _, v in team_ids])
    errors += [FieldError(path, Text("党员不存在", "No such member")) for path, v in team_ids if v not in team_found]
    units = team.get("unit_service_team", [])
    unit_found = store.get_many(CommitteesTable, ctx, "unit", units)
    errors += [FieldError(f"/service_team/unit_service_team/{i}", Text("单位不存在", "No such unit"))
               for i, u in enumerate(units) if u not in unit_found]
    if errors:
        raise Unprocessable(Text("引用的党员或单位无效", "Invalid member or unit reference"), errors=errors)
    return _size_warnings(ctx, members)


def create_branch(ctx: TenantContext, body: dict[str, Any], item_id: str | None = None) -> dict[str, Any]:
    authz.require(ctx, authz.MANAGE_COMMUNITY, community_id=body["community_id"])
    data = {"buildings": [], "members": [], **body}
    data["warnings"] = _check(ctx, data)
    item_id = item_id or new_id()
    return store.create(ctx, CommitteesTable, KIND, data, item_id=item_id,
                        extra=[community_must_exist(ctx, data["community_id"])],
                        **store.parent_keys(ctx, "community", data["community_id"], KIND, item_id))


def get_branch(ctx: TenantContext, branch_id: str) -> dict[str, Any]:
    return store.get(CommitteesTable, ctx, KIND, branch_id).public()


def update_branch(ctx: TenantContext, branch_id: str, body: dict[str, Any]) -> dict[str, Any]:
    item = store.get(CommitteesTable, ctx, KIND, branch_id)
    old = item.fields()
    authz.require(ctx, authz.MANAGE_COMMUNITY, community_id=old["community_id"])
    data = {**old, **{k: v for k, v in body.items() if k != "version"}}
    authz.require(ctx, authz.MANAGE_COMMUNITY, community_id=data["community_id"])
    data["warnings"] = _check(ctx, data)
    extra = [community_must_exist(ctx, data["community_id"])] if data["community_id"] != old["community_id"] else []
    return store.update(ctx, item, data, body["version"], extra=extra,
                        **store.parent_keys(ctx, "community", data["community_id"], KIND, branch_id))


def list_branches(ctx: TenantContext, *, community_id: str | None, limit: int | None,
                  cursor_text: str | None) -> dict[str, Any]:
    return store.list_kind(CommitteesTable, ctx, KIND, parent=("community", community_id), limit=limit,
                           cursor_text=cursor_text)
