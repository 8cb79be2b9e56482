"""Loads the demo district through the same services the API uses, so it is audited like any
other write. Ids are fixed by each object's natural key: a second load finds everything and
writes nothing. Later areas add their own `load_*` step here."""
from __future__ import annotations

from functions import ids, store
from functions.demo import gangbei
from functions.errors import ProblemError
from functions.models import GridsTable
from functions.platform import tenants
from functions.structure import service as structure
from functions.tenancy import PLATFORM_ADMIN, Principal, TenantContext, system_context

SYSTEM_ADMIN = Principal(sub="system", roles=frozenset({PLATFORM_ADMIN}))


def ensure_tenant() -> TenantContext:
    try:
        tenants.get_tenant(gangbei.TENANT["id"])
    except ProblemError:
        tenants.create_tenant(SYSTEM_ADMIN, gangbei.TENANT)
    return system_context(gangbei.TENANT["id"], gangbei.TENANT["timezone"])


def _ensure(ctx: TenantContext, kind: str, item_id: str, body: dict) -> bool:
    if store.exists(GridsTable, ctx, kind, item_id):
        return False
    structure.create(ctx, kind, body, item_id=item_id)
    return True


def load_structure(ctx: TenantContext) -> dict[str, int]:
    created = {"streets": 0, "communities": 0, "grids": 0}
    index = 0
    for street_no, (street_name, communities) in enumerate(gangbei.STREETS.items()):
        street_id = ids.stable_id(ctx.tenant, "street", street_name, seq=street_no)
        created["streets"] += _ensure(ctx, "street", street_id, {"name": street_name})
        for community_name in communities:
            community_id = ids.stable_id(ctx.tenant, "community", community_name, seq=index)
            created["communities"] += _ensure(ctx, "community", community_id,
                                              {"name": community_name, "street_id": street_id})
            for n, grid in enumerate(gangbei.grids_of(index, community_name)):
                grid_id = ids.stable_id(ctx.tenant, "grid", grid["name"], seq=index * 10 + n)
                created["grids"] += _ensure(ctx, "grid", grid_id, {**grid, "community_id": community_id})
            index += 1
    return created


def load_demo() -> dict[str, int]:
    """Load (or top up) the demo district; returns how many objects of each kind were created."""
    ctx = ensure_tenant()
    return load_structure(ctx)
