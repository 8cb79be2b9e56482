"""Grid workers' patrol logs (巡查日志): one per worker per grid per day. A second log for the same
day is a 409 — the first is amended with PATCH instead, so a day's record has one author and history
in the audit log.

Keys: `<tenant>#patrol` / id; gsi1 `<tenant>#grid#<gid>#patrol` / `<date>#<id>`; a lock
`<tenant>#patrol-day#<gid>#<date>` / `<worker>` written in the same transaction.
"""
from __future__ import annotations

from typing import Any

from functions import store
from functions.errors import Conflict, FieldError, Forbidden, Text, Unprocessable
from functions.ids import new_id, today_in
from functions.models import GridsTable
from functions.tenancy import COMMUNITY_STAFF, DISTRICT_ADMIN, GRID_WORKER, TenantContext

KIND = "patrol"


def create_patrol(ctx: TenantContext, body: dict[str, Any], item_id: str | None = None) -> dict[str, Any]:
    if not (ctx.principal.has(GRID_WORKER) and body["grid_id"] in ctx.principal.grids):
        raise Forbidden(Text("只有本网格的网格员可以记录巡查", "Only the grid's own workers log patrols"))
    if body["date"] > today_in(ctx.timezone):
        raise Unprocessable(errors=[FieldError("/date", Text("巡查日期不能晚于今天", "The patrol date is in the future"))])
    missing = Unprocessable(errors=[FieldError("/grid_id", Text("网格不存在", "No such grid"))])
    lock = GridsTable(ctx.key("patrol-day", body["grid_id"], body["date"]), ctx.actor, kind="lock")
    taken = Conflict(Text("今天已记录过该网格的巡查，请修改原记录", "A patrol for this grid and day exists: amend it instead"))
    item_id = item_id or new_id()
    return store.create(ctx, GridsTable, KIND, {"findings": [], **body, "worker": ctx.actor}, item_id=item_id,
                        extra=[store.Put(lock, taken), store.Require(GridsTable, ctx.key("grid"), body["grid_id"], missing)],
                        gsi1pk=ctx.key("grid", body["grid_id"], KIND), gsi1sk=f"{body['date']}#{item_id}")


def update_patrol(ctx: TenantContext, patrol_id: str, body: dict[str, Any]) -> dict[str, Any]:
    item = store.get(GridsTable, ctx, KIND, patrol_id)
    data = item.fields()
    if data["worker"] != ctx.actor:
        raise Forbidden(Text("只能修改自己的巡查记录", "You may amend only your own patrols"))
    if any(body.get(k, data[k]) != data[k] for k in ("grid_id", "date")):
        raise Unprocessable(errors=[FieldError("/date", Text("不能改变巡查的网格或日期", "The grid and date of a patrol are fixed"))])
    return store.update(ctx, item, {**data, **{k: v for k, v in body.items() if k != "version"}}, body["version"])


def list_patrols(ctx: TenantContext, *, grid_id: str | None, limit: int | None, cursor_text: str | None) -> dict[str, Any]:
    p = ctx.principal
    if not (p.has(DISTRICT_ADMIN, COMMUNITY_STAFF) or (grid_id and grid_id in p.grids)):
        raise Forbidden(Text("网格员只能查看自己网格的巡查（请带 grid_id）", "Grid workers list their own grids' patrols (pass grid_id)"))
    return store.list_kind(GridsTable, ctx, KIND, parent=("grid", grid_id), limit=limit, cursor_text=cursor_text)


def get_patrol(ctx: TenantContext, patrol_id: str) -> dict[str, Any]:
    return store.get(GridsTable, ctx, KIND, patrol_id).public()
