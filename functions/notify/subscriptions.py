"""What group robots and webhook subscriptions share: district admins' reads and deletes of items
kept in the platform table under `<tenant>#<kind>`, shown through each kind's own `public`."""
from __future__ import annotations

from collections.abc import Callable
from typing import Any

from functions import authz, store
from functions.models import PlatformTable
from functions.tenancy import TenantContext

Public = Callable[[PlatformTable], dict[str, Any]]


def get_one(ctx: TenantContext, kind: str, item_id: str, public: Public) -> dict[str, Any]:
    authz.require(ctx, authz.MANAGE_DISTRICT)
    return public(store.get(PlatformTable, ctx, kind, item_id))


def list_all(ctx: TenantContext, kind: str, public: Public) -> dict[str, Any]:
    authz.require(ctx, authz.MANAGE_DISTRICT)
    return {"items": [public(i) for i in store.query_all(PlatformTable, ctx.key(kind))], "next_cursor": None}


def delete_one(ctx: TenantContext, kind: str, item_id: str, expected_version: int | None) -> None:
    authz.require(ctx, authz.MANAGE_DISTRICT)
    store.delete(ctx, store.get(PlatformTable, ctx, kind, item_id), expected_version)
