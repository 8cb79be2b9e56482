"""What group robots and webhook subscriptions share: district admins' reads and deletes of items
kept in the platform table under `<tenant>#<kind>`, shown through each kind's own `public`."""
from __future__ import annotations

from collections.abc import Callable
from typing import Any

from functions import authz, store
from functions.models import PlatformTable
from functions.tenancy import TenantContext

Public = Callable[[PlatformTable], dict[str, Any]]


def create_one(ctx: TenantContext, kind: str, data: dict[str, Any], public: Public, *, item_id: str | None = None,
               extra: list[store.Operation] | None = None) -> dict[str, Any]:
    """Create it, audited; what is returned — and kept for an idempotent replay — is its public form,
    so a replay never hands back the URL or the sealed secret."""
    from functions.ids import new_id

    item = store.new_item(PlatformTable, ctx, kind, item_id or new_id(), data)
    result = public(item)  # type: ignore[arg-type]  # a new item of the platform table
    store.write(ctx, [store.Put(item), *(extra or [])], action=f"{kind}.create", target=f"{kind}/{item.sk}",
                state=result, result=result)
    return result


def get_one(ctx: TenantContext, kind: str, item_id: str, public: Public) -> dict[str, Any]:
    authz.require(ctx, authz.MANAGE_DISTRICT)
    return public(store.get(PlatformTable, ctx, kind, item_id))


def list_all(ctx: TenantContext, kind: str, public: Public) -> dict[str, Any]:
    authz.require(ctx, authz.MANAGE_DISTRICT)
    return {"items": [public(i) for i in store.query_all(PlatformTable, ctx.key(kind))], "next_cursor": None}


def delete_one(ctx: TenantContext, kind: str, item_id: str, expected_version: int | None) -> None:
    authz.require(ctx, authz.MANAGE_DISTRICT)
    store.delete(ctx, store.get(PlatformTable, ctx, kind, item_id), expected_version)
