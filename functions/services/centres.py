"""Party-mass service centres at three levels (district, street, community) and the
"20-minute Party-member service circle" (20分钟党员服务圈).

Coverage: for every grid, the nearest centre and the walking distance and time from the grid's
centroid — along the district's street network where it has loaded one (one multi-source Dijkstra,
`street_network`), else great-circle distance times a detour factor; at a walking speed (tenant
settings, defaults 1.3 and 4.5 km/h). Each grid's entry names the method that gave it.

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
    """Every grid with its nearest centre, walking metres and minutes, and whether it is inside the circle.

    Along the district's street network where it has loaded one (`functions.services.street_network`);
    otherwise, and for a grid or centre more than 500 m from any street, straight-line × detour factor.
    Each grid says which method gave its figure."""
    from functions.services import street_network

    s = settings(ctx)
    metres_per_minute = s["walking_speed_kmh"] * 1000 / 60
    centres = [c.public() for c in store.query_all(ServicesTable, ctx.key(KIND))]
    network = street_network.load(ctx)
    along = _along_network(network, centres, s["detour_factor"]) if network is not None else None
    grids = []
    for item in store.query_all(GridsTable, ctx.key("grid")):
        data = item.fields()
        if data.get("archived"):
            continue
        entry: dict[str, Any] = {"grid_id": item.sk, "name": data["name"], "community_id": data["community_id"]}
        if not data.get("boundary"):
            grids.append({**entry, "centroid": None, "nearest_centre": None, "walking_m": None, "walking_minutes": None,
                          "covered": False, "method": None})
            continue
        lon, lat = geo.centroid(data["boundary"])
        walking, centre, method = along(lon, lat) if along is not None else _straight(lon, lat, centres, s["detour_factor"])
        minutes = walking / metres_per_minute if walking is not None else None
        grids.append({**entry, "centroid": {"lon": round(lon, 6), "lat": round(lat, 6)},
                      "nearest_centre": {"id": centre["id"], "name": centre["name"], "level": centre["level"]} if centre else None,
                      "walking_m": round(walking) if walking is not None else None,
                      "walking_minutes": round(minutes, 1) if minutes is not None else None,
                      "covered": minutes is not None and minutes <= s["service_circle_minutes"], "method": method})
    covered = [g for g in grids if g["covered"]]
    return {"method": _method(s, network), "settings": s, "centres": len(centres), "grids": len(grids),
            "covered": len(covered), "share_covered": round(len(covered) / len(grids), 4) if grids else None,
            "covered_grids": covered, "uncovered_grids": [g for g in grids if not g["covered"]]}


STRAIGHT_LINE, STREET_NETWORK = "straight_line_with_detour_factor", "street_network"


Walk = tuple[float | None, dict[str, Any] | None, str | None]


def _straight(lon: float, lat: float, centres: list[dict[str, Any]], factor: float) -> Walk:
    """The nearest centre by straight line × detour factor."""
    best = min(((great_circle_m(lon, lat, c["location"]["lon"], c["location"]["lat"]) * factor, c) for c in centres),
               key=lambda pair: pair[0], default=(None, None))
    return best[0], best[1], STRAIGHT_LINE if best[1] else None


def _along_network(network: Any, centres: list[dict[str, Any]], factor: float) -> Any:
    """A function from a point to (walking metres, nearest centre, method): along the network from the
    centres on it; by straight line × factor to centres more than 500 m off it, or from a point that is;
    (None, None, street_network) when the point's part of the network reaches no centre and none is off it."""
    from functions.services import street_network

    sources, off_network = [], []
    for c in centres:
        snapped = network.nearest(c["location"]["lon"], c["location"]["lat"])
        if snapped is None:
            off_network.append(c)
        else:
            sources.append((snapped[0], snapped[1], c))
    best, label = street_network.nearest_sources(network, sources)

    def walk(lon: float, lat: float) -> Walk:
        snapped = network.nearest(lon, lat)
        if snapped is None:
            return _straight(lon, lat, centres, factor)
        options: list[Walk] = []
        if label[snapped[0]] is not None:
            options.append((snapped[1] + best[snapped[0]], label[snapped[0]], STREET_NETWORK))
        if off_network:
            options.append(_straight(lon, lat, off_network, factor))
        return min(options, key=lambda o: o[0] or 0.0) if options else (None, None, STREET_NETWORK)
    return walk


def _method(s: dict[str, float], network: Any) -> dict[str, str]:
    straight = (f"网格中心到最近服务中心的直线距离 × 绕行系数 {s['detour_factor']}，按步行 {s['walking_speed_kmh']} km/h 计",
                f"straight-line distance from the grid's centre to the nearest centre × a detour factor of "
                f"{s['detour_factor']}, walked at {s['walking_speed_kmh']} km/h")
    if network is None:
        return {"kind": STRAIGHT_LINE, "description": f"{straight[0]}；本区未导入路网 / {straight[1]}; no street network is loaded"}
    return {"kind": STREET_NETWORK,
            "description": (f"沿本区导入的路网（PUT /v1/street-network）从网格中心步行到最近服务中心的最短路程，"
                            f"按步行 {s['walking_speed_kmh']} km/h 计；网格中心或服务中心距路网超过 500 米时改用{straight[0]}；"
                            f"路网不通达任何服务中心的网格不计入服务圈 / the shortest walk along the district's street network "
                            f"from the grid's centre to the nearest centre at {s['walking_speed_kmh']} km/h; where either "
                            f"is more than 500 m from a street, {straight[1]}; a grid whose part of the network reaches "
                            f"no centre is outside the circle")}
