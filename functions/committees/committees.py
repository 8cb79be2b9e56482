"""The big Party committee (大党委): exactly one per community, its members drawn from the
community's units, with one secretary. Changing members keeps who served when.

Keys: `<tenant>#committee` / id; gsi1 `<tenant>#community#<cid>#committee`. A lock item
`<tenant>#committee-of-community` / `<cid>` is written in the same transaction, so a second
committee for a community is a 409 even when two requests race.
"""
from __future__ import annotations

from collections.abc import Collection
from typing import Any

from functions import authz, store
from functions.committees.units import require_units_in
from functions.errors import Conflict, FieldError, Text, Unprocessable
from functions.ids import new_id, today_in
from functions.models import CommitteesTable
from functions.structure.service import community_must_exist
from functions.tenancy import TenantContext

KIND = "committee"
LOCK = "committee-of-community"


def _check_members(ctx: TenantContext, community_id: str, members: list[dict[str, Any]],
                   seated: Collection[str] = ()) -> None:
    secretaries = [m for m in members if m["role"] == "secretary"]
    if len(secretaries) != 1:
        raise Unprocessable(Text("大党委须有且只有一名书记", "A committee needs exactly one secretary"),
                            errors=[FieldError("/members", Text(f"书记人数为 {len(secretaries)}，应为 1",
                                                                f"{len(secretaries)} secretaries, expected 1"))])
    require_units_in(ctx, [m["unit_id"] for m in members],
                     [f"/members/{i}/unit_id" for i in range(len(members))], community_id, already=seated)


def _seat(member: dict[str, Any]) -> tuple[str, str, str]:
    return member["unit_id"], member["name"], member["role"]


def create_committee(ctx: TenantContext, body: dict[str, Any], item_id: str | None = None) -> dict[str, Any]:
    community_id = body["community_id"]
    authz.require(ctx, authz.MANAGE_COMMUNITY, community_id=community_id)
    _check_members(ctx, community_id, body["members"])
    today = today_in(ctx.timezone)
    data = {**body, "members": [{**m, "since": today} for m in body["members"]], "history": []}
    item_id = item_id or new_id()
    lock = CommitteesTable(ctx.key(LOCK), community_id, kind="lock", data={"committee_id": item_id})
    taken = Conflict(Text("该社区已有大党委", "This community already has a committee"))
    return store.create(ctx, CommitteesTable, KIND, data, item_id=item_id,
                        extra=[store.Put(lock, taken), community_must_exist(ctx, community_id)],
                        **store.parent_keys(ctx, "community", community_id, KIND, item_id))


def get_committee(ctx: TenantContext, committee_id: str) -> dict[str, Any]:
    return store.get(CommitteesTable, ctx, KIND, committee_id).public()


def update_committee(ctx: TenantContext, committee_id: str, body: dict[str, Any]) -> dict[str, Any]:
    """Rename or change members. A member who leaves (or changes role) moves to `history` with
    `since`/`until`; one who stays keeps their `since`."""
    item = store.get(CommitteesTable, ctx, KIND, committee_id)
    old = item.fields()
    authz.require(ctx, authz.MANAGE_COMMUNITY, community_id=old["community_id"])
    if body.get("community_id", old["community_id"]) != old["community_id"]:
        raise Unprocessable(errors=[FieldError("/community_id", Text("大党委不能移到其他社区",
                                                                      "A committee cannot move to another community"))])
    data = {**old, **{k: v for k, v in body.items() if k not in ("version", "members")}}
    if "members" in body:
        _check_members(ctx, old["community_id"], body["members"], {m["unit_id"] for m in old["members"]})
        today = today_in(ctx.timezone)
        serving = {_seat(m): m for m in old["members"]}
        staying = {_seat(m) for m in body["members"]}
        data["members"] = [{**m, "since": serving[_seat(m)]["since"] if _seat(m) in serving else today}
                           for m in body["members"]]
        data["history"] = old.get("history", []) + [{**m, "until": today} for seat, m in serving.items()
                                                    if seat not in staying]
    from functions.meetings.minutes import pending_approvals

    moved = pending_approvals(ctx, committee_id, old.get("secretary_user_id"), data.get("secretary_user_id"))
    return store.update(ctx, item, data, body["version"], extra=moved)


def list_committees(ctx: TenantContext, *, community_id: str | None, limit: int | None,
                    cursor_text: str | None) -> dict[str, Any]:
    return store.list_kind(CommitteesTable, ctx, KIND, parent=("community", community_id), limit=limit,
                           cursor_text=cursor_text)
