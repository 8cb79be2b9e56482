"""Routes for streets, communities and grids (`/v1/streets`, `/v1/communities`, `/v1/grids`)."""
from __future__ import annotations

from chalice import Blueprint
from chalice.app import Response

from functions import lazy
from functions.api.request import (begin_write, expected_version, limit_param, query_param, respond,
                                   tenant_context)
from functions.errors import FieldError, Text, ValidationFailed

bp = Blueprint(__name__)
service = lazy.modules("functions.structure", "service")
STREET, COMMUNITY, GRID = "street", "community", "grid"


def _list(kind: str, parent_param: str | None = None) -> Response:
    request = bp.current_request
    ctx = tenant_context(request)
    parent_id = query_param(request, parent_param) if parent_param else None
    return respond(service.list_items(ctx, kind, parent_id=parent_id, limit=limit_param(request),
                                      cursor_text=query_param(request, "cursor")))


def _create(kind: str) -> Response:
    ctx, body = begin_write(bp.current_request, kind)
    return respond(service.create(ctx, kind, body), 201)


def _update(kind: str, item_id: str) -> Response:
    ctx, body = begin_write(bp.current_request, kind, patch=True)
    return respond(service.update(ctx, kind, item_id, body))


def _delete(kind: str, item_id: str) -> Response:
    request = bp.current_request
    ctx = tenant_context(request, write=True)
    version = expected_version(request) if request.headers.get("if-match") else None
    service.delete(ctx, kind, item_id, version)
    return Response(body="", status_code=204)


@bp.route("/v1/streets", methods=["POST"])
def create_street() -> Response:
    return _create(STREET)


@bp.route("/v1/streets", methods=["GET"])
def list_streets() -> Response:
    return _list(STREET)


@bp.route("/v1/streets/{street_id}", methods=["GET"])
def get_street(street_id: str) -> Response:
    return respond(service.get(tenant_context(bp.current_request), STREET, street_id))


@bp.route("/v1/streets/{street_id}", methods=["PATCH"])
def update_street(street_id: str) -> Response:
    return _update(STREET, street_id)


@bp.route("/v1/streets/{street_id}", methods=["DELETE"])
def delete_street(street_id: str) -> Response:
    return _delete(STREET, street_id)


@bp.route("/v1/communities", methods=["POST"])
def create_community() -> Response:
    return _create(COMMUNITY)


@bp.route("/v1/communities", methods=["GET"])
def list_communities() -> Response:
    return _list(COMMUNITY, "street_id")


@bp.route("/v1/communities/{community_id}", methods=["GET"])
def get_community(community_id: str) -> Response:
    return respond(service.get(tenant_context(bp.current_request), COMMUNITY, community_id))


@bp.route("/v1/communities/{community_id}", methods=["PATCH"])
def update_community(community_id: str) -> Response:
    return _update(COMMUNITY, community_id)


@bp.route("/v1/communities/{community_id}", methods=["DELETE"])
def delete_community(community_id: str) -> Response:
    return _delete(COMMUNITY, community_id)


@bp.route("/v1/grids", methods=["POST"])
def create_grid() -> Response:
    return _create(GRID)


@bp.route("/v1/grids", methods=["GET"])
def list_grids() -> Response:
    return _list(GRID, "community_id")


@bp.route("/v1/grids/locate", methods=["GET"])
def locate_grid() -> Response:
    request = bp.current_request
    ctx = tenant_context(request)
    return respond(service.locate(ctx, *_point(request)))


@bp.route("/v1/grids/{grid_id}", methods=["GET"])
def get_grid(grid_id: str) -> Response:
    return respond(service.get(tenant_context(bp.current_request), GRID, grid_id))


@bp.route("/v1/grids/{grid_id}", methods=["PATCH"])
def update_grid(grid_id: str) -> Response:
    return _update(GRID, grid_id)


@bp.route("/v1/grids/{grid_id}", methods=["DELETE"])
def delete_grid(grid_id: str) -> Response:
    return _delete(GRID, grid_id)


def _point(request) -> tuple[float, float]:
    """(lon, lat) from `?lat=&lon=`, each named when missing or out of range."""
    errors, values = [], {}
    for name, bound in (("lon", 180.0), ("lat", 90.0)):
        raw = query_param(request, name)
        try:
            value = float(raw) if raw is not None else None
        except ValueError:
            value = None
        if value is None or not -bound <= value <= bound:
            errors.append(FieldError(f"/{name}", Text(f"{name} 须为 ±{bound:g} 以内的数字", f"{name} must be a number within ±{bound:g}")))
        values[name] = value
    if errors:
        raise ValidationFailed(errors=errors)
    return values["lon"], values["lat"]
