"""Programmes run by a community's big committee (e.g. 荷城社区's 阳光妈妈俱乐部 for single mothers,
妇女儿童之家) and their participants.

Keys: `<tenant>#programme` / id; participants `<tenant>#programme#<pid>#participant` / id.
"""
from __future__ import annotations

from typing import Any

from functions import authz, store
from functions.ids import new_id
from functions.models import ServicesTable
from functions.structure.service import community_must_exist
from functions.tenancy import TenantContext

KIND = "programme"
PARTICIPANT = "programme_participant"


def create_programme(ctx: TenantContext, body: dict[str, Any], item_id: str | None = None) -> dict[str, Any]:
    if body.get("community_id"):
        authz.require(ctx, authz.MANAGE_COMMUNITY, community_id=body["community_id"])
        extra = [community_must_exist(ctx, body["community_id"])]
    else:
        authz.require(ctx, authz.MANAGE_DISTRICT)
        extra = []
    return store.create(ctx, ServicesTable, KIND, body, item_id=item_id, extra=extra)


def get_programme(ctx: TenantContext, programme_id: str) -> dict[str, Any]:
    item = store.get(ServicesTable, ctx, KIND, programme_id)
    return {**item.public(), "participants": int(item.child_count)}


def list_programmes(ctx: TenantContext, *, limit: int | None, cursor_text: str | None) -> dict[str, Any]:
    return store.list_kind(ServicesTable, ctx, KIND, limit=limit, cursor_text=cursor_text)


def add_participant(ctx: TenantContext, programme_id: str, body: dict[str, Any]) -> dict[str, Any]:
    programme = store.get(ServicesTable, ctx, KIND, programme_id).fields()
    if programme.get("community_id"):
        authz.require(ctx, authz.MANAGE_COMMUNITY, community_id=programme["community_id"])
    else:
        authz.require(ctx, authz.MANAGE_DISTRICT)
    count = store.Require(ServicesTable, ctx.key(KIND), programme_id, store.not_found(KIND), child_delta=+1)
    return store.create(ctx, ServicesTable, PARTICIPANT, {**body, "programme_id": programme_id}, item_id=new_id(),
                        partition=ctx.key(KIND, programme_id, "participant"), extra=[count])


def list_participants(ctx: TenantContext, programme_id: str, *, limit: int | None, cursor_text: str | None) -> dict[str, Any]:
    """A programme's participants (names of residents, some of them children): staff and auditors only."""
    authz.require(ctx, authz.READ_PEOPLE)
    store.get(ServicesTable, ctx, KIND, programme_id)
    key = ctx.key(KIND, programme_id, "participant")
    return store.page(ServicesTable, key, scope=f"{ctx.tenant}|{key}", limit=limit, cursor_text=cursor_text).body()
