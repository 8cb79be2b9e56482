"""Resident units (驻社区单位) and "two new" organisations (两新组织) with their Party organisation.

Keys: `<tenant>#unit` / id; gsi1 `<tenant>#community#<cid>#unit` (a community's units);
gsi2 `<tenant>#unit-status#<status>` / `<cid>#<id>` (units by Party-org status, optionally in one
community) — so every list filter is one Query.
"""
from __future__ import annotations

from collections import Counter
from collections.abc import Collection
from typing import Any

from functions import archiving, authz, store
from functions.accounts import departments
from functions.errors import FieldError, Text, Unprocessable
from functions.ids import new_id
from functions.models import CommitteesTable
from functions.structure.service import community_must_exist
from functions.vocabulary import PARTY_ORG_STATUSES
from functions.tenancy import TenantContext

KIND = "unit"
STATUSES = PARTY_ORG_STATUSES


def _keys(ctx: TenantContext, data: dict[str, Any], item_id: str) -> dict[str, Any]:
    status = (data.get("party_org") or {}).get("status", "none")
    return {**store.parent_keys(ctx, "community", data["community_id"], KIND, item_id),
            "gsi2pk": ctx.key("unit-status", status), "gsi2sk": f"{data['community_id']}#{item_id}"}


def create_unit(ctx: TenantContext, body: dict[str, Any], item_id: str | None = None) -> dict[str, Any]:
    authz.require(ctx, authz.MANAGE_COMMUNITY, community_id=body["community_id"])
    data = {"party_org": {"status": "none", "members": 0}, **body}
    item_id = item_id or new_id()
    extra = [community_must_exist(ctx, data["community_id"])]
    if data.get("department_id"):
        extra.append(departments.must_exist(ctx, data["department_id"]))
    return store.create(ctx, CommitteesTable, KIND, data, item_id=item_id, extra=extra, **_keys(ctx, data, item_id))


def get_unit(ctx: TenantContext, unit_id: str) -> dict[str, Any]:
    return store.get(CommitteesTable, ctx, KIND, unit_id).public()


def update_unit(ctx: TenantContext, unit_id: str, body: dict[str, Any]) -> dict[str, Any]:
    item = store.get(CommitteesTable, ctx, KIND, unit_id)
    old = item.fields()
    authz.require(ctx, authz.MANAGE_COMMUNITY, community_id=old["community_id"])
    data = {**old, **{k: v for k, v in body.items() if k != "version"}}
    authz.require(ctx, authz.MANAGE_COMMUNITY, community_id=data["community_id"])
    extra: list[store.Operation] = [community_must_exist(ctx, data["community_id"])] if data["community_id"] != old["community_id"] else []
    if data.get("department_id") and data.get("department_id") != old.get("department_id"):
        extra.append(departments.must_exist(ctx, data["department_id"]))
    return store.update(ctx, item, data, body["version"], extra=extra, **_keys(ctx, data, unit_id))


def list_units(ctx: TenantContext, *, community_id: str | None, status: str | None, limit: int | None,
               cursor_text: str | None, archived: bool | None = None) -> dict[str, Any]:
    """Active units (archived ones with `archived`), by community and Party-org status — one Query."""
    if status:
        scope = f"{ctx.tenant}|unit|{community_id or ''}|{status}"
        condition = CommitteesTable.gsi2sk.startswith(f"{community_id}#") if community_id else None
        page = store.page(CommitteesTable, ctx.key("unit-status", status), index="gsi2", range_condition=condition,
                          scope=scope, limit=limit, cursor_text=cursor_text,
                          filter_condition=archiving.listed(CommitteesTable, archived))
        return page.body()
    return store.list_kind(CommitteesTable, ctx, KIND, parent=("community", community_id), limit=limit,
                           cursor_text=cursor_text, filter_condition=archiving.listed(CommitteesTable, archived))


NAMES = ("驻区单位", "unit")


def _users_of(ctx: TenantContext, unit_id: str) -> list[str]:
    from functions.models import PlatformTable

    return [u.sk for u in PlatformTable.query(ctx.key("user"), filter_condition=PlatformTable.data["units"].contains(unit_id),
                                              limit=5, page_size=100)]


def references(ctx: TenantContext, unit_id: str) -> list[dict[str, Any]]:
    """What names the unit (up to 5 of each): its members, co-building activities and employer users;
    committee seats, alliances and pairings; meetings it was invited to. One Query each over bounded
    partitions. (Assessment results keep the unit's name and community themselves.)"""
    from functions.models import AssessmentsTable, MeetingsTable

    def first(items: Any) -> list[str]:
        return [i.sk for _, i in zip(range(5), items)]

    def naming(model: Any, kind: str, names: Any) -> list[str]:
        return first(i for i in store.query_all(model, ctx.key(kind)) if names(i.fields()))

    found = {
        "member": first(CommitteesTable.gsi1.query(ctx.key("unit", unit_id, "member"))),
        "cobuilding_activity": first(AssessmentsTable.gsi1.query(ctx.key("unit", unit_id, "cobuilding"))),
        "user": _users_of(ctx, unit_id),
        "committee": naming(CommitteesTable, "committee", lambda c: any(m["unit_id"] == unit_id for m in c.get("members", []))),
        "alliance": naming(CommitteesTable, "alliance", lambda a: unit_id in a.get("unit_ids", [])),
        "pairing": naming(CommitteesTable, "pairing", lambda p: unit_id in (p.get("from_unit_id"), p.get("to_unit_id"))),
        "meeting": naming(MeetingsTable, "meeting", lambda m: any(a["unit_id"] == unit_id for a in m.get("attendees", []))),
    }
    return [{"kind": k, "ids": v} for k, v in found.items() if v]


def archive_unit(ctx: TenantContext, unit_id: str, body: dict[str, Any]) -> dict[str, Any]:
    """A unit that left the community: out of lists and of the assessment from the next month, its
    members, activities, meetings and pairings kept. Refused while employer users still act for it or
    it still holds a seat on the big Party committee."""
    item = store.get(CommitteesTable, ctx, KIND, unit_id)
    authz.require(ctx, authz.MANAGE_COMMUNITY, community_id=item.fields()["community_id"])
    live = [r for r in references(ctx, unit_id) if r["kind"] in ("user", "committee")]
    return archiving.archive(ctx, item, body, live, NAMES)


def restore_unit(ctx: TenantContext, unit_id: str, body: dict[str, Any]) -> dict[str, Any]:
    """Bring a unit back, only while its community is active."""
    from functions.errors import Conflict
    from functions.models import GridsTable

    item = store.get(CommitteesTable, ctx, KIND, unit_id)
    data = item.fields()
    authz.require(ctx, authz.MANAGE_COMMUNITY, community_id=data["community_id"])
    if archiving.is_archived(store.get(GridsTable, ctx, "community", data["community_id"]).fields()):
        raise Conflict(Text("所在社区已归档，请先恢复社区", "Its community is archived: restore that first"))
    return archiving.restore(ctx, item, body)


def delete_unit(ctx: TenantContext, unit_id: str, expected_version: int | None) -> None:
    """Delete a unit entered by mistake: 409 listing what names it otherwise (archive it then)."""
    item = store.get(CommitteesTable, ctx, KIND, unit_id)
    authz.require(ctx, authz.MANAGE_COMMUNITY, community_id=item.fields()["community_id"])
    archiving.delete_unreferenced(ctx, item, references(ctx, unit_id), NAMES, expected_version)


def summary(ctx: TenantContext, community_id: str | None) -> dict[str, Any]:
    """How many units (and Party members in their organisations) are upgraded, converted,
    standardised or without a Party organisation, and of which kinds: the rectification at a glance."""
    key, index = (ctx.key("community", community_id, KIND), "gsi1") if community_id else (ctx.key(KIND), None)
    by_status: Counter[str] = Counter()
    by_kind: Counter[str] = Counter()
    party_members = 0
    for item in store.query_all(CommitteesTable, key, index=index):
        if archiving.is_archived(item.fields()):
            continue
        org = item.fields().get("party_org") or {}
        by_status[org.get("status", "none")] += 1
        by_kind[item.data["kind"]] += 1
        party_members += int(org.get("members") or 0)
    return {"community_id": community_id, "units": sum(by_status.values()),
            "by_status": {s: by_status.get(s, 0) for s in STATUSES}, "by_kind": dict(by_kind),
            "party_members": party_members}


def require_units_in(ctx: TenantContext, unit_ids: list[str], paths: list[str], community_id: str | None, *,
                     already: Collection[str] = ()) -> dict[str, dict[str, Any]]:
    """422 naming each path whose unit is missing, (when `community_id` is given) of another
    community, or archived — unless the record already named it (`already`): an archived unit stays
    in the records that had it, and they stay editable."""
    units = store.get_many(CommitteesTable, ctx, KIND, unit_ids)
    errors = []
    for unit_id, path in zip(unit_ids, paths):
        unit = units.get(unit_id)
        if unit is None:
            errors.append(FieldError(path, Text("单位不存在", "No such unit")))
        elif archiving.is_archived(unit) and unit_id not in already:
            errors.append(FieldError(path, Text("单位已归档", "The unit is archived")))
        elif community_id and unit["community_id"] != community_id:
            errors.append(FieldError(path, Text("该单位不属于本社区", "The unit belongs to another community")))
    if errors:
        raise Unprocessable(Text("引用的单位无效", "Invalid unit reference"), errors=errors)
    return units
