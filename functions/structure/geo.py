"""Grid boundaries: GeoJSON Polygon checks and point-in-polygon, in plain Python.

Coordinates are [lon, lat] (GeoJSON order). Ring 0 is the outer boundary, later rings are holes.
Distances here are small (a district), so planar ray casting on degrees is exact enough.
"""
from __future__ import annotations

from typing import Any
from collections.abc import Sequence

from functions.errors import FieldError, Text

Ring = Sequence[Sequence[float]]


def polygon_errors(polygon: dict[str, Any], path: str = "/boundary") -> list[FieldError]:
    """Why a GeoJSON Polygon is unusable, field by field (empty if fine)."""
    errors: list[FieldError] = []
    for r, ring in enumerate(polygon.get("coordinates", [])):
        here = f"{path}/coordinates/{r}"
        if len(ring) < 4:
            errors.append(FieldError(here, Text("环至少需要 4 个点（首尾相同）", "A ring needs at least 4 positions")))
            continue
        for i, pos in enumerate(ring):
            lon, lat = pos[0], pos[1]
            if not (-180 <= lon <= 180 and -90 <= lat <= 90):
                errors.append(FieldError(f"{here}/{i}", Text("经纬度超出范围", "Longitude/latitude out of range")))
        if list(ring[0][:2]) != list(ring[-1][:2]):
            errors.append(FieldError(here, Text("环未闭合：首尾坐标须相同", "Ring not closed: first and last positions differ")))
        elif _signed_area([(p[0] - ring[0][0], p[1] - ring[0][1]) for p in ring]) == 0:
            errors.append(FieldError(here, Text("环的面积为零", "Ring has zero area")))
    return errors


def _signed_area(ring: Ring) -> float:
    return sum(a[0] * b[1] - b[0] * a[1] for a, b in zip(ring, ring[1:])) / 2


def _on_segment(lon: float, lat: float, a: Sequence[float], b: Sequence[float]) -> bool:
    cross = (b[0] - a[0]) * (lat - a[1]) - (b[1] - a[1]) * (lon - a[0])
    if abs(cross) > 1e-12:
        return False
    return min(a[0], b[0]) - 1e-12 <= lon <= max(a[0], b[0]) + 1e-12 and \
        min(a[1], b[1]) - 1e-12 <= lat <= max(a[1], b[1]) + 1e-12


def _in_ring(lon: float, lat: float, ring: Ring) -> bool | None:
    """True inside, False outside, None on the boundary."""
    inside = False
    for a, b in zip(ring, ring[1:]):
        if _on_segment(lon, lat, a, b):
            return None
        if (a[1] > lat) != (b[1] > lat):
            x = a[0] + (lat - a[1]) * (b[0] - a[0]) / (b[1] - a[1])
            if lon < x:
                inside = not inside
    return inside


def contains(polygon: dict[str, Any], lon: float, lat: float) -> bool:
    """Whether the point lies in the polygon. A point on the outer edge counts as inside (a grid
    worker standing on the boundary line still belongs to a grid); a point in a hole, or on a
    hole's edge, does not."""
    rings = polygon["coordinates"]
    outer = _in_ring(lon, lat, rings[0])
    if outer is False:
        return False
    return all(_in_ring(lon, lat, hole) is False for hole in rings[1:])


def bbox(polygon: dict[str, Any]) -> list[float]:
    """[min_lon, min_lat, max_lon, max_lat] of the outer ring."""
    ring = polygon["coordinates"][0]
    lons = [p[0] for p in ring]
    lats = [p[1] for p in ring]
    return [min(lons), min(lats), max(lons), max(lats)]


def centroid(polygon: dict[str, Any]) -> tuple[float, float]:
    """Area centroid (lon, lat) of the outer ring. Computed relative to the first vertex: with raw
    coordinates (≈ 109, 23) the cross products of a small grid cancel catastrophically."""
    ring = polygon["coordinates"][0]
    x0, y0 = ring[0][0], ring[0][1]
    local = [(p[0] - x0, p[1] - y0) for p in ring]
    area = _signed_area(local)
    if area == 0:
        return x0, y0
    cx = sum((a[0] + b[0]) * (a[0] * b[1] - b[0] * a[1]) for a, b in zip(local, local[1:])) / (6 * area)
    cy = sum((a[1] + b[1]) * (a[0] * b[1] - b[0] * a[1]) for a, b in zip(local, local[1:])) / (6 * area)
    return x0 + cx, y0 + cy
