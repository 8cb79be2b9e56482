"""Archiving: how a street, community, grid, resident unit or department leaves daily work while its
history stays.

Deleting is for mistakes (nothing points at the object: see each service's `references`). An object
the records of the article's work point at — incidents, patrols, actions, assessments — is archived
instead: it keeps its id and every record keeps resolving, lists leave it out unless asked
(`?archived=true`), and nothing new may point at it (`not_archived` in the creating transaction).
Archiving is refused (409 `referenced_by`) while live work still needs it, and states its reason.
"""
from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from functions import store
from functions.errors import Conflict, Text
from functions.ids import now_iso
from functions.models.base import TenantItem
from functions.tenancy import TenantContext


def is_archived(data: dict[str, Any]) -> bool:
    return bool(data.get("archived"))


def not_archived(model: type[TenantItem]) -> Any:
    """A condition for `store.Require`: the item is not archived."""
    return model.data["archived"].does_not_exist()


def listed(model: type[TenantItem], archived: bool | None) -> Any:
    """The list filter: archived items only with `?archived=true`, otherwise the active ones."""
    return model.data["archived"].exists() if archived else model.data["archived"].does_not_exist()


def still_needed(kind: str, names: tuple[str, str], pointing: list[dict[str, Any]]) -> Conflict:
    """The 409 for an archive that live work still needs."""
    zh, en = names
    listing = "、".join(f"{p['kind']}（{len(p['ids'])}）" for p in pointing)
    return Conflict(Text(f"该{zh}仍有进行中的工作，不能归档：{listing}",
                         f"This {en} still has live work and cannot be archived: {listing}"),
                    extra={"referenced_by": pointing})


def archive(ctx: TenantContext, item: TenantItem, body: dict[str, Any], pointing: list[dict[str, Any]],
            names: tuple[str, str]) -> dict[str, Any]:
    """Archive `item` with the reason given, unless `pointing` lists live work (409)."""
    data = item.fields()
    if is_archived(data):
        raise Conflict(Text("已归档", "Already archived"))
    if pointing:
        raise still_needed(str(item.kind), names, pointing)
    archived = {"at": now_iso(), "by": ctx.actor, "reason": body["reason"]}
    return store.update(ctx, item, {**data, "archived": archived}, body["version"], action=f"{item.kind}.archive")


def restore(ctx: TenantContext, item: TenantItem, body: dict[str, Any]) -> dict[str, Any]:
    """Bring an archived item back into daily work."""
    data = item.fields()
    if not is_archived(data):
        raise Conflict(Text("未归档", "Not archived"))
    data.pop("archived")
    return store.update(ctx, item, data, body["version"], action=f"{item.kind}.restore")


def delete_unreferenced(ctx: TenantContext, item: TenantItem, pointing: list[dict[str, Any]], names: tuple[str, str],
                        expected_version: int | None, extra: Sequence[store.Operation] = ()) -> None:
    """Delete `item` (with `extra`) if unchanged and childless, unless `pointing` lists records that
    name it (409: archive it instead)."""
    if pointing:
        zh, en = names
        listing = "、".join(f"{p['kind']}（{len(p['ids'])}{'+' if len(p['ids']) == 5 else ''}）" for p in pointing)
        raise Conflict(Text(f"该{zh}仍被引用，不能删除，可归档：{listing}",
                            f"This {en} is still referred to and cannot be deleted (archive it instead): {listing}"),
                       extra={"referenced_by": pointing})
    store.delete(ctx, item, expected_version, extra=extra)
