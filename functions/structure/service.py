"""Streets, communities and grids of a district, in the grids table.

Keys: `<tenant>#street|community|grid` / `<ulid>`. Communities are also on gsi1 under
`<tenant>#street#<street_id>`, grids under `<tenant>#community#<community_id>`, so each list with
a parent filter is one Query. A parent's `child_count` moves in the same transaction as its
children, so deleting a street that still has communities is refused even under races.
"""
from __future__ import annotations

from typing import Any

from functions import authz, store
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
    return Unprocessable(Text(f"{zh}不存在", f"No such {en}"),
                         errors=[FieldError(f"/{field}", Text(f"{zh}不存在", f"No such {en}"))])


def _parent_index(ctx: TenantContext, kind: str, data: dict[str, Any], item_id: str) -> dict[str, str]:
    if kind not in PARENT:
        return {}
    parent, field = PARENT[kind]
    return store.parent_keys(ctx, parent, data[field], kind, item_id)


def _require_parent(ctx: TenantContext, kind: str, parent_id: str, delta: int) -> store.Require:
    parent, _ = PARENT[kind]
    return store.Require(GridsTable, ctx.key(parent), parent_id, _missing_parent(kind), child_delta=delta)


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


def delete(ctx: TenantContext, kind: str, item_id: str, expected_version: int | None) -> None:
    """Delete if unchanged and nothing points at it any more (409 listing what does): a street's
    communities and users, a community's grids, units, committees and users, a grid's incidents,
    patrols and workers — the records of what happened there must keep their place."""
    item = store.get(GridsTable, ctx, kind, item_id)
    data = item.fields()
    _authorise(ctx, kind, data)
    pointing = references(ctx, kind, item_id, data)
    if pointing or item.child_count:
        zh, en = NAMES[kind]
        names = "、".join(f"{p['kind']}（{len(p['ids'])}{'+' if len(p['ids']) == 5 else ''}）" for p in pointing) \
            or f"{item.child_count} 个下级单元"
        raise Conflict(Text(f"该{zh}仍被引用，不能删除：{names}", f"This {en} is still referred to and cannot be deleted: {names}"),
                       extra={"referenced_by": pointing})
    version = item.version if expected_version is None else expected_version
    ops: list[store.Operation] = [store.Remove(item, version)]
    if kind in PARENT:
        ops.append(_require_parent(ctx, kind, data[PARENT[kind][1]], -1))
    store.write(ctx, ops, action=f"{kind}.delete", target=f"{kind}/{item_id}")


def list_items(ctx: TenantContext, kind: str, *, parent_id: str | None, limit: int | None,
               cursor_text: str | None) -> dict[str, Any]:
    """One page of streets, communities or grids, optionally of one parent — one Query either way."""
    parent = (PARENT[kind][0], parent_id) if kind in PARENT else None
    return store.list_kind(GridsTable, ctx, kind, parent=parent, limit=limit, cursor_text=cursor_text)


def locate(ctx: TenantContext, lon: float, lat: float) -> dict[str, Any]:
    """The grid whose boundary contains the point, or 404. One paginated Query over the
    tenant's grids, filtered by bounding box before the exact test."""
    for item in store.query_all(GridsTable, ctx.key(GRID)):
        data = item.fields()
        box = data.get("bbox")
        if not box or not (box[0] <= lon <= box[2] and box[1] <= lat <= box[3]):
            continue
        if geo.contains(data["boundary"], lon, lat):
            return item.public()
    raise store.not_found(GRID)


def community_must_exist(ctx: TenantContext, community_id: str, path: str = "/community_id") -> store.Require:
    """A transaction check that the tenant's community exists, failing as a 422 naming `path`."""
    error = Unprocessable(Text("社区不存在", "No such community"),
                          errors=[FieldError(path, Text("社区不存在", "No such community"))])
    return store.Require(GridsTable, ctx.key(COMMUNITY), community_id, error)
