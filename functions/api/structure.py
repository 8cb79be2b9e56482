"""Routes for streets, communities and grids (`/v1/streets`, `/v1/communities`, `/v1/grids`)."""
from __future__ import annotations

from typing import TYPE_CHECKING, Any

from chalice.app import Blueprint
from chalice.app import Response

from functions import lazy
from functions.api.declaration import ARCHIVED, COMMUNITY_STAFF_AND_UP, DISTRICT_STAFF, Param, query, route
from functions.api.request import begin_write, delete_context, paging, tenant_context

bp = Blueprint(__name__)
if TYPE_CHECKING:  # the real modules for readers and the type checker; loaded on first use at run time
    from functions.structure import service
else:
    service = lazy.modules("functions.structure", "service")

STREET, COMMUNITY, GRID = "street", "community", "grid"


STREET_ID = Param("street_id", "只列该街道的社区 / only this street's communities", "id")
LAT = Param("lat", "纬度（WGS84）/ latitude (WGS84)", "number", required=True, bounds=(-90.0, 90.0))
LON = Param("lon", "经度（WGS84）/ longitude (WGS84)", "number", required=True, bounds=(-180.0, 180.0))
COMMUNITY_ID = Param("community_id", "只列该社区的网格 / only this community's grids", "id")


def _list(kind: str, parent_param: str | None = None) -> dict[str, Any]:
    request = bp.current_request
    parent_id = query(request)[parent_param] if parent_param else None
    return service.list_items(tenant_context(request), kind, parent_id=parent_id, archived=bool(query(request)["archived"]),
                              **paging(request))


def _create(kind: str) -> dict[str, Any]:
    ctx, body = begin_write(bp.current_request)
    return service.create(ctx, kind, body)


def _update(kind: str, item_id: str) -> dict[str, Any]:
    ctx, body = begin_write(bp.current_request)
    return service.update(ctx, kind, item_id, body)


def _archive(kind: str, item_id: str) -> dict[str, Any]:
    ctx, body = begin_write(bp.current_request)
    return service.archive(ctx, kind, item_id, body)


def _restore(kind: str, item_id: str) -> dict[str, Any]:
    ctx, body = begin_write(bp.current_request)
    return service.restore(ctx, kind, item_id, body)


def _delete(kind: str, item_id: str) -> Response:
    ctx, version = delete_context(bp.current_request)
    service.delete(ctx, kind, item_id, version)
    return Response(body="", status_code=204)


@route(bp, "POST", "/v1/streets", "新建街道 / Create a street", body="street", status=201, idempotent=True, roles=DISTRICT_STAFF, response="street")
def create_street() -> dict[str, Any]:
    return _create(STREET)


@route(bp, "GET", "/v1/streets", "街道列表 / List streets", query=(ARCHIVED,), pages=True, response="street-list")
def list_streets() -> dict[str, Any]:
    return _list(STREET)


@route(bp, "GET", "/v1/streets/{street_id}", "查看街道 / Get a street", response="street")
def get_street(street_id: str) -> dict[str, Any]:
    return service.get(tenant_context(bp.current_request), STREET, street_id)


@route(bp, "PATCH", "/v1/streets/{street_id}", "修改街道 / Update a street", body="street#patch", roles=DISTRICT_STAFF, response="street")
def update_street(street_id: str) -> dict[str, Any]:
    return _update(STREET, street_id)


@route(bp, "POST", "/v1/streets/{street_id}/archive", "归档街道 / Archive a street", body="archive", roles=DISTRICT_STAFF, response="street")
def archive_street(street_id: str) -> dict[str, Any]:
    """Out of daily work and lists, kept for the records that name it; 409 while live work needs it."""
    return _archive(STREET, street_id)


@route(bp, "POST", "/v1/streets/{street_id}/restore", "恢复街道 / Restore an archived street", body="restore", roles=DISTRICT_STAFF, response="street")
def restore_street(street_id: str) -> dict[str, Any]:
    return _restore(STREET, street_id)


@route(bp, "DELETE", "/v1/streets/{street_id}", "删除街道 / Delete a street", status=204, roles=DISTRICT_STAFF)
def delete_street(street_id: str) -> Response:
    return _delete(STREET, street_id)


@route(bp, "POST", "/v1/communities", "新建社区 / Create a community", body="community", status=201, idempotent=True, roles=DISTRICT_STAFF, response="community")
def create_community() -> dict[str, Any]:
    return _create(COMMUNITY)


@route(bp, "GET", "/v1/communities", "社区列表 / List communities", query=(STREET_ID, ARCHIVED), pages=True, response="community-list")
def list_communities() -> dict[str, Any]:
    return _list(COMMUNITY, "street_id")


@route(bp, "GET", "/v1/communities/{community_id}", "查看社区 / Get a community", response="community")
def get_community(community_id: str) -> dict[str, Any]:
    return service.get(tenant_context(bp.current_request), COMMUNITY, community_id)


@route(bp, "PATCH", "/v1/communities/{community_id}", "修改社区 / Update a community", body="community#patch", roles=DISTRICT_STAFF, response="community")
def update_community(community_id: str) -> dict[str, Any]:
    return _update(COMMUNITY, community_id)


@route(bp, "POST", "/v1/communities/{community_id}/archive", "归档社区 / Archive a community", body="archive", roles=DISTRICT_STAFF, response="community")
def archive_community(community_id: str) -> dict[str, Any]:
    """Out of daily work and lists, kept for the records that name it; 409 while live work needs it."""
    return _archive(COMMUNITY, community_id)


@route(bp, "POST", "/v1/communities/{community_id}/restore", "恢复社区 / Restore an archived community", body="restore", roles=DISTRICT_STAFF, response="community")
def restore_community(community_id: str) -> dict[str, Any]:
    return _restore(COMMUNITY, community_id)


@route(bp, "DELETE", "/v1/communities/{community_id}", "删除社区 / Delete a community", status=204, roles=DISTRICT_STAFF)
def delete_community(community_id: str) -> Response:
    return _delete(COMMUNITY, community_id)


@route(bp, "POST", "/v1/grids", "新建网格 / Create a grid", body="grid", status=201, idempotent=True, roles=COMMUNITY_STAFF_AND_UP, response="grid")
def create_grid() -> dict[str, Any]:
    return _create(GRID)


@route(bp, "GET", "/v1/grids", "网格列表 / List grids", query=(COMMUNITY_ID, ARCHIVED), pages=True, response="grid-list")
def list_grids() -> dict[str, Any]:
    return _list(GRID, "community_id")


@route(bp, "GET", "/v1/grids/locate", "按位置查找网格 / Find the grid at a point", query=(LAT, LON), response="grid")
def locate_grid() -> dict[str, Any]:
    request = bp.current_request
    values = query(request)
    return service.locate(tenant_context(request), values["lon"], values["lat"])


@route(bp, "GET", "/v1/grids/{grid_id}", "查看网格 / Get a grid", response="grid")
def get_grid(grid_id: str) -> dict[str, Any]:
    return service.get(tenant_context(bp.current_request), GRID, grid_id)


@route(bp, "PATCH", "/v1/grids/{grid_id}", "修改网格 / Update a grid", body="grid#patch", roles=COMMUNITY_STAFF_AND_UP, response="grid")
def update_grid(grid_id: str) -> dict[str, Any]:
    return _update(GRID, grid_id)


@route(bp, "POST", "/v1/grids/{grid_id}/archive", "归档网格 / Archive a grid", body="archive", roles=COMMUNITY_STAFF_AND_UP, response="grid")
def archive_grid(grid_id: str) -> dict[str, Any]:
    """Out of daily work and lists, kept for the records that name it; 409 while live work needs it."""
    return _archive(GRID, grid_id)


@route(bp, "POST", "/v1/grids/{grid_id}/restore", "恢复网格 / Restore an archived grid", body="restore", roles=COMMUNITY_STAFF_AND_UP, response="grid")
def restore_grid(grid_id: str) -> dict[str, Any]:
    return _restore(GRID, grid_id)


@route(bp, "DELETE", "/v1/grids/{grid_id}", "删除网格 / Delete a grid", status=204, roles=COMMUNITY_STAFF_AND_UP)
def delete_grid(grid_id: str) -> Response:
    return _delete(GRID, grid_id)
