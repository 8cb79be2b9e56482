"""Party-mass service centres at three levels (district, street, community) and the
"20-minute Party-member service circle" (20分钟党员服务圈).

Coverage: for every grid, the nearest centre and the walking distance and time from the grid's
centroid — great-circle distance times a detour factor, at a walking speed (tenant settings,
defaults 1.3 and 4.5 km/h). Two Queries (grids, centres) and G × C haversines: a district of
hundreds of grids and dozens of centres takes milliseconds.

Keys: `<tenant>#centre` / id.
"""
from __future__ import annotations

from math import asin, cos, radians, sin, sqrt
from typing import Any

from functions import authz, store
from functions.errors import FieldError, Text, Unprocessable
from functions.models import GridsTable, ServicesTable
from functions.structure import geo
from functions.tenancy import TenantContext

KIND = "centre"
EARTH_RADIUS_M = 6_371_008.8
DEFAULTS = {"walking_speed_kmh": 4.5, "detour_factor": 1.3, "service_circle_minutes": 20}


def great_circle_m(lon1: float, lat1: float, lon2: float, lat2: float) -> float:
    """Haversine distance in metres."""
    p1, p2 = radians(lat1), radians(lat2)
    a = sin((p2 - p1) / 2) ** 2 + cos(p1) * cos(p2) * sin(radians(lon2 - lon1) / 2) ** 2
    return 2 * EARTH_RADIUS_M * asin(sqrt(a))


def settings(ctx: TenantContext) -> dict[str, float]:
    return {k: float(ctx.settings.get(k, v)) for k, v in DEFAULTS.items()}


def _check_place(ctx: TenantContext, body: dict[str, Any]) -> list[store.Operation]:
    """A street centre names its street, a community centre its community; both must exist."""
    needed = {"street": "street_id", "community": "community_id"}.get(body["level"])
    if needed and not body.get(needed):
        raise Unprocessable(errors=[FieldError(f"/{needed}", Text("该级服务中心须指明所属", "This level needs its place"))])
    ops: list[store.Operation] = []
    for kind, field in (("street", "street_id"), ("community", "community_id")):
        if body.get(field):
            missing = Unprocessable(errors=[FieldError(f"/{field}", Text("所属单元不存在", "No such place"))])
            ops.append(store.Require(GridsTable, ctx.key(kind), body[field], missing))
    return ops


def create_centre(ctx: TenantContext, body: dict[str, Any], item_id: str | None = None) -> dict[str, Any]:
    authz.require(ctx, authz.MANAGE_DISTRICT)
    return store.create(ctx, ServicesTable, KIND, body, item_id=item_id, extra=_check_place(ctx, body))


def update_centre(ctx: TenantContext, centre_id: str, body: dict[str, Any]) -> dict[str, Any]:
    authz.require(ctx, authz.MANAGE_DISTRICT)
    item = store.get(ServicesTable, ctx, KIND, centre_id)
    data = {**item.fields(), **{k: v for k, v in body.items() if k != "version"}}
    return store.update(ctx, item, data, body["version"], extra=_check_place(ctx, data))


def get_centre(ctx: TenantContext, centre_id: str) -> dict[str, Any]:
    return store.get(ServicesTable, ctx, KIND, centre_id).public()


def list_centres(ctx: TenantContext, *, limit: int | None, cursor_text: str | None) -> dict[str, Any]:
    return store.list_kind(ServicesTable, ctx, KIND, limit=limit, cursor_text=cursor_text)


def coverage(ctx: TenantContext) -> dict[str, Any]:
    """Every grid with its nearest centre, walking metres and minutes, and whether it is inside the circle."""
    s = settings(ctx)
    metres_per_minute = s["walking_speed_kmh"] * 1000 / 60
    centres = [c.public() for c in store.query_all(ServicesTable, ctx.key(KIND))]
    grids = []
    for item in store.query_all(GridsTable, ctx.key("grid")):
        data = item.fields()
        entry: dict[str, Any] = {"grid_id": item.sk, "name": data["name"], "community_id": data["community_id"]}
        if not data.get("boundary"):
            grids.append({**entry, "centroid": None, "nearest_centre": None, "walking_m": None, "walking_minutes": None,
                          "covered": False})
            continue
        lon, lat = geo.centroid(data["boundary"])
        best = min(((great_circle_m(lon, lat, c["location"]["lon"], c["location"]["lat"]), c) for c in centres),
                   key=lambda pair: pair[0], default=(None, None))
        walking = best[0] * s["detour_factor"] if best[0] is not None else None
        minutes = walking / metres_per_minute if walking is not None else None
        grids.append({**entry, "centroid": {"lon": round(lon, 6), "lat": round(lat, 6)},
                      "nearest_centre": {"id": best[1]["id"], "name": best[1]["name"], "level": best[1]["level"]} if best[1] else None,
                      "walking_m": round(walking) if walking is not None else None,
                      "walking_minutes": round(minutes, 1) if minutes is not None else None,
                      "covered": minutes is not None and minutes <= s["service_circle_minutes"]})
    covered = [g for g in grids if g["covered"]]
    method = {"kind": "straight_line_with_detour_factor",
              "description": (f"网格中心到最近服务中心的直线距离 × 绕行系数 {s['detour_factor']}，按步行 {s['walking_speed_kmh']} km/h 计；"
                              f"未使用道路网络 / straight-line distance from the grid's centre to the nearest centre × a detour "
                              f"factor of {s['detour_factor']}, walked at {s['walking_speed_kmh']} km/h; no street network is used")}
    return {"method": method, "settings": s, "centres": len(centres), "grids": len(grids), "covered": len(covered),
            "share_covered": round(len(covered) / len(grids), 4) if grids else None,
            "covered_grids": covered, "uncovered_grids": [g for g in grids if not g["covered"]]}
