"""Streets, communities and grids of a district, in the grids table.

Keys: `<tenant>#street|community|grid` / `<ulid>`. Communities are also on gsi1 under
`<tenant>#street#<street_id>`, grids under `<tenant>#community#<community_id>`, so each list with
a parent filter is one Query. A parent's `child_count` moves in the same transaction as its
children, so deleting a street that still has communities is refused even under races.
"""
from __future__ import annotations

from typing import Any

from functions import archiving, authz, store
from functions.errors import Conflict, FieldError, Text, Unprocessable, ValidationFailed
from functions.ids import new_id
from functions.models import GridsTable
from functions.structure import geo
from functions.tenancy import TenantContext

STREET, COMMUNITY, GRID = "street", "community", "grid"
PARENT = {COMMUNITY: (STREET, "street_id"), GRID: (COMMUNITY, "community_id")}
NAMES = {STREET: ("街道", "street"), COMMUNITY: ("社区", "community"), GRID: ("网格", "grid")}


def _missing_parent(kind: str) -> Unprocessable:
    parent, field = PARENT[kind]
    zh, en = NAMES[parent]
    return Unprocessable(Text(f"{zh}不存在或已归档", f"No such {en}, or archived"),
                         errors=[FieldError(f"/{field}", Text(f"{zh}不存在或已归档", f"No such {en}, or archived"))])


def _parent_index(ctx: TenantContext, kind: str, data: dict[str, Any], item_id: str) -> dict[str, str]:
    if kind not in PARENT:
        return {}
    parent, field = PARENT[kind]
    return store.parent_keys(ctx, parent, data[field], kind, item_id)


def _require_parent(ctx: TenantContext, kind: str, parent_id: str, delta: int) -> store.Require:
    """The parent exists and moves its child count; a new child (delta +1) needs it not archived."""
    parent, _ = PARENT[kind]
    return store.Require(GridsTable, ctx.key(parent), parent_id, _missing_parent(kind), child_delta=delta,
                         condition=archiving.not_archived(GridsTable) if delta > 0 else None)


def _authorise(ctx: TenantContext, kind: str, data: dict[str, Any]) -> None:
    """Streets and communities are the district's; grids also their community's staff."""
    if kind == GRID:
        authz.require(ctx, authz.MANAGE_COMMUNITY, community_id=data["community_id"])
    else:
        authz.require(ctx, authz.MANAGE_DISTRICT)


def _checked(kind: str, data: dict[str, Any]) -> dict[str, Any]:
    if kind == GRID and data.get("boundary"):
        errors = geo.polygon_errors(data["boundary"])
        if errors:
            raise ValidationFailed(errors=errors)
        data["bbox"] = geo.bbox(data["boundary"])
    return data


def create(ctx: TenantContext, kind: str, body: dict[str, Any], item_id: str | None = None) -> dict[str, Any]:
    """Create a street, community or grid; its parent must exist in the same tenant (else 422)."""
    _authorise(ctx, kind, body)
    # a grid's workers are the users given the grid_worker role over it (functions.accounts.users)
    data = _checked(kind, {**({"workers": []} if kind == GRID else {}), **body})
    item_id = item_id or new_id()
    keys = _parent_index(ctx, kind, data, item_id)
    extra = [_require_parent(ctx, kind, data[PARENT[kind][1]], +1)] if kind in PARENT else []
    return store.create(ctx, GridsTable, kind, data, item_id=item_id, extra=extra, **keys)


def get(ctx: TenantContext, kind: str, item_id: str) -> dict[str, Any]:
    return store.get(GridsTable, ctx, kind, item_id).public()


def update(ctx: TenantContext, kind: str, item_id: str, body: dict[str, Any]) -> dict[str, Any]:
    """Apply a PATCH at the version the client read; moving to another parent moves the counts."""
    item = store.get(GridsTable, ctx, kind, item_id)
    old = item.fields()
    _authorise(ctx, kind, old)
    changes = {k: v for k, v in body.items() if k != "version"}
    data = _checked(kind, {**old, **changes})
    _authorise(ctx, kind, data)
    keys = _parent_index(ctx, kind, data, item_id)
    extra: list[store.Operation] = []
    if kind in PARENT:
        field = PARENT[kind][1]
        if data[field] != old[field]:
            if kind == GRID and old.get("workers"):
                # its workers' community decides which staff manage them: move them first, then the grid
                raise Conflict(Text("网格仍有网格员，请先在用户目录中调整其网格，再移动网格",
                                    "The grid still has grid workers: change their grids in the user directory first"),
                               extra={"referenced_by": [{"kind": "grid_worker", "ids": old["workers"]}]})
            extra = [_require_parent(ctx, kind, data[field], +1), _require_parent(ctx, kind, old[field], -1)]
    return store.update(ctx, item, data, body["version"], extra=extra, **keys)


def references(ctx: TenantContext, kind: str, item_id: str, data: dict[str, Any]) -> list[dict[str, Any]]:
    """What still points at a street, community or grid: each kind with the ids found (a few each, one
    Query per kind), so a 409 can say what to move or close first."""
    from functions.models import CommitteesTable, PlatformTable

    def ids(model: Any, hash_key: str, index: str | None = None, condition: Any = None) -> list[str]:
        source = getattr(model, index) if index else model
        return [i.sk for i in source.query(hash_key, filter_condition=condition, limit=5, page_size=50)]

    found: dict[str, list[str]] = {}
    if kind == GRID:
        found["incident"] = ids(GridsTable, ctx.key(GRID, item_id, "incident"), "gsi3")
        found["patrol"] = ids(GridsTable, ctx.key(GRID, item_id, "patrol"), "gsi1")
        found["grid_worker"] = list(data.get("workers", []))[:5]
    elif kind == COMMUNITY:
        found["grid"] = ids(GridsTable, ctx.key(COMMUNITY, item_id, GRID), "gsi1")
        found["unit"] = ids(CommitteesTable, ctx.key(COMMUNITY, item_id, "unit"), "gsi1")
        found["committee"] = ids(CommitteesTable, ctx.key(COMMUNITY, item_id, "committee"), "gsi1")
        found["user"] = ids(PlatformTable, ctx.key("user"), condition=PlatformTable.data["community_ids"].contains(item_id))
    else:
        found["community"] = ids(GridsTable, ctx.key(STREET, item_id, COMMUNITY), "gsi1")
        found["user"] = ids(PlatformTable, ctx.key("user"), condition=PlatformTable.data["streets"].contains(item_id))
    return [{"kind": k, "ids": v} for k, v in found.items() if v]


def live_work(ctx: TenantContext, kind: str, item_id: str, data: dict[str, Any]) -> list[dict[str, Any]]:
    """What still needs a street, community or grid in daily work, so it cannot be archived yet: a
    grid's open incidents and workers, a community's active grids and units, its staff and its actions
    not yet closed, a street's active communities and staff."""
    from functions.models import CommitteesTable, MeetingsTable, PlatformTable

    active = archiving.listed(GridsTable, False)

    def ids(model: Any, hash_key: str, index: str | None = None, condition: Any = None) -> list[str]:
        source = getattr(model, index) if index else model
        return [i.sk for i in source.query(hash_key, filter_condition=condition, limit=5, page_size=100)]

    found: dict[str, list[str]] = {}
    if kind == GRID:
        found["open_incident"] = ids(GridsTable, ctx.key(GRID, item_id, "incident"), "gsi3",
                                     ~GridsTable.data["status"].is_in("closed", "rejected"))
        found["grid_worker"] = list(data.get("workers", []))[:5]
    elif kind == COMMUNITY:
        found["grid"] = ids(GridsTable, ctx.key(COMMUNITY, item_id, GRID), "gsi1", active)
        found["unit"] = ids(CommitteesTable, ctx.key(COMMUNITY, item_id, "unit"), "gsi1",
                            archiving.listed(CommitteesTable, False))
        found["user"] = ids(PlatformTable, ctx.key("user"), condition=PlatformTable.data["community_ids"].contains(item_id))
        # its joint-meeting decisions not yet verified and closed: its staff answer for them
        here = (MeetingsTable.data["community_id"] == item_id) & (MeetingsTable.data["closed"] == False)  # noqa: E712
        found["open_action"] = [a for status in ("open", "in_progress", "done")
                                for a in ids(MeetingsTable, ctx.key("action-status", status), "gsi1", here)][:5]
    else:
        found["community"] = ids(GridsTable, ctx.key(STREET, item_id, COMMUNITY), "gsi1", active)
        found["user"] = ids(PlatformTable, ctx.key("user"), condition=PlatformTable.data["streets"].contains(item_id))
    return [{"kind": k, "ids": v} for k, v in found.items() if v]


def archive(ctx: TenantContext, kind: str, item_id: str, body: dict[str, Any]) -> dict[str, Any]:
    """Take a street, community or grid out of daily work, keeping it for the records that name it."""
    item = store.get(GridsTable, ctx, kind, item_id)
    data = item.fields()
    _authorise(ctx, kind, data)
    return archiving.archive(ctx, item, body, live_work(ctx, kind, item_id, data), NAMES[kind])


def restore(ctx: TenantContext, kind: str, item_id: str, body: dict[str, Any]) -> dict[str, Any]:
    """Bring it back; a community or grid only while its parent is active."""
    item = store.get(GridsTable, ctx, kind, item_id)
    data = item.fields()
    _authorise(ctx, kind, data)
    if kind in PARENT:
        parent_kind, field = PARENT[kind]
        parent = store.get(GridsTable, ctx, parent_kind, data[field]).fields()
        if archiving.is_archived(parent):
            raise Conflict(Text(f"上级{NAMES[parent_kind][0]}已归档，请先恢复它", f"Its {NAMES[parent_kind][1]} is archived: restore that first"))
    return archiving.restore(ctx, item, body)


def delete(ctx: TenantContext, kind: str, item_id: str, expected_version: int | None) -> None:
    """Delete if unchanged and nothing points at it any more (409 listing what does): a street's
    communities and users, a community's grids, units, committees and users, a grid's incidents,
    patrols and workers — the records of what happened there must keep their place."""
    item = store.get(GridsTable, ctx, kind, item_id)
    data = item.fields()
    _authorise(ctx, kind, data)
    extra = [_require_parent(ctx, kind, data[PARENT[kind][1]], -1)] if kind in PARENT else []
    archiving.delete_unreferenced(ctx, item, references(ctx, kind, item_id, data), NAMES[kind], expected_version, extra)


def list_items(ctx: TenantContext, kind: str, *, parent_id: str | None, limit: int | None,
               cursor_text: str | None, archived: bool | None = None) -> dict[str, Any]:
    """One page of streets, communities or grids, optionally of one parent — one Query either way;
    the active ones, or with `archived` the archived ones."""
    parent = (PARENT[kind][0], parent_id) if kind in PARENT else None
    return store.list_kind(GridsTable, ctx, kind, parent=parent, limit=limit, cursor_text=cursor_text,
                           filter_condition=archiving.listed(GridsTable, archived))


def locate(ctx: TenantContext, lon: float, lat: float) -> dict[str, Any]:
    """The active grid whose boundary contains the point, or 404. One paginated Query over the
    tenant's grids, filtered by bounding box before the exact test."""
    for item in store.query_all(GridsTable, ctx.key(GRID)):
        data = item.fields()
        box = data.get("bbox")
        if archiving.is_archived(data):
            continue
        if not box or not (box[0] <= lon <= box[2] and box[1] <= lat <= box[3]):
            continue
        if geo.contains(data["boundary"], lon, lat):
            return item.public()
    raise store.not_found(GRID)


def community_must_exist(ctx: TenantContext, community_id: str, path: str = "/community_id") -> store.Require:
    """A transaction check that the tenant's community exists and is not archived, failing as a 422 naming `path`."""
    error = Unprocessable(Text("社区不存在或已归档", "No such community, or archived"),
                          errors=[FieldError(path, Text("社区不存在或已归档", "No such community, or archived"))])
    return store.Require(GridsTable, ctx.key(COMMUNITY), community_id, error, condition=archiving.not_archived(GridsTable))
