"""A district's walkable street network (GeoJSON lines) and walking distances along it.

The network is GeoJSON lines, given in the body of `PUT /v1/street-network` or, when larger than a
body may be, uploaded through `/v1/uploads` (purpose `street_network`, up to 10 MB) and adopted by
key and SHA-256: the object is re-read and re-hashed, every line checked, the version pinned. The record (`<tenant>#street_network` / `current`) says what was loaded:
lines, junctions, segments, kilometres and connected parts.

Routing: every vertex is a junction (vertices closer than about 0.1 m are one), every pair of
consecutive vertices a walkable segment both ways, as long as its great-circle length. Lines that
cross without a shared vertex do not meet (a bridge over a road), as in OSM. A point joins the
network at its nearest junction within `SNAP_LIMIT_M`, the straight stretch to it counted as walked.
One multi-source Dijkstra from every service centre gives each junction its nearest centre, so the
whole district's coverage costs one pass over the network.
"""
from __future__ import annotations

import hashlib
import heapq
import json
from collections import defaultdict
from dataclasses import dataclass, field
from math import floor
from typing import Any

from functions import authz, storage, store
from functions.errors import FieldError, PayloadTooLarge, Text, Unprocessable
from functions.models import ServicesTable
from functions.tenancy import TenantContext

KIND = "street_network"
RECORD_ID = "current"
UPLOAD_PURPOSE = "street_network"
CONTENT_TYPES = ("application/geo+json", "application/json")
MAX_BYTES = 10 * 1024 * 1024
MAX_VERTICES = 300_000
SNAP_LIMIT_M = 500.0
_PRECISION = 6  # decimal degrees kept for a junction: about 0.1 m
_BUCKET_DEG = 0.01  # spatial buckets of about 1 km, so a snap looks at 3 × 3 buckets


@dataclass
class Network:
    """Junctions (lon, lat), their walkable neighbours with metres, and a bucket index for snapping."""

    points: list[tuple[float, float]] = field(default_factory=list)
    edges: list[list[tuple[int, float]]] = field(default_factory=list)
    buckets: dict[tuple[int, int], list[int]] = field(default_factory=lambda: defaultdict(list))

    def junction(self, lon: float, lat: float, index: dict[tuple[float, float], int]) -> int:
        key = (round(lon, _PRECISION), round(lat, _PRECISION))
        found = index.get(key)
        if found is None:
            found = index[key] = len(self.points)
            self.points.append(key)
            self.edges.append([])
            self.buckets[_bucket(*key)].append(found)
        return found

    def nearest(self, lon: float, lat: float) -> tuple[int, float] | None:
        """The nearest junction and its distance in metres, if one is within `SNAP_LIMIT_M`."""
        from functions.services.centres import great_circle_m

        bx, by = _bucket(lon, lat)
        best: tuple[int, float] | None = None
        for dx in (-1, 0, 1):
            for dy in (-1, 0, 1):
                for n in self.buckets.get((bx + dx, by + dy), ()):
                    d = great_circle_m(lon, lat, *self.points[n])
                    if d <= SNAP_LIMIT_M and (best is None or d < best[1]):
                        best = (n, d)
        return best


def _bucket(lon: float, lat: float) -> tuple[int, int]:
    return floor(lon / _BUCKET_DEG), floor(lat / _BUCKET_DEG)


def _lines(document: Any, at: str) -> tuple[list[tuple[str, list[Any]]], list[FieldError]]:
    """Every line of a GeoJSON FeatureCollection (LineString and MultiLineString features) with its
    path, and what is wrong with it, field by field (paths under `at`: `/geojson` or `/file`)."""
    def bad(path: str, zh: str, en: str) -> FieldError:
        return FieldError(f"{at}{path}", Text(zh, en))

    if not isinstance(document, dict) or document.get("type") != "FeatureCollection" \
            or not isinstance(document.get("features"), list):
        return [], [bad("", "须为 GeoJSON FeatureCollection", "Must be a GeoJSON FeatureCollection")]
    lines: list[tuple[str, list[Any]]] = []
    errors: list[FieldError] = []
    for i, feature in enumerate(document["features"]):
        geometry = feature.get("geometry") if isinstance(feature, dict) else None
        kind = geometry.get("type") if isinstance(geometry, dict) else None
        coordinates = geometry.get("coordinates") if isinstance(geometry, dict) else None
        here = f"/features/{i}/geometry"
        if kind == "LineString":
            parts = [(f"{here}/coordinates", coordinates)]
        elif kind == "MultiLineString" and isinstance(coordinates, list):
            parts = [(f"{here}/coordinates/{j}", part) for j, part in enumerate(coordinates)]
        else:
            errors.append(bad(here, "须为 LineString 或 MultiLineString", "Must be a LineString or MultiLineString"))
            continue
        for path, line in parts:
            if not isinstance(line, list) or len(line) < 2:
                errors.append(bad(path, "线至少需要 2 个点", "A line needs at least 2 positions"))
                continue
            for k, pos in enumerate(line):
                if not (isinstance(pos, list) and len(pos) >= 2 and all(isinstance(v, (int, float)) and not isinstance(v, bool)
                                                                         for v in pos[:2])
                        and -180 <= pos[0] <= 180 and -90 <= pos[1] <= 90):
                    errors.append(bad(f"{path}/{k}", "须为 [经度, 纬度]，且在范围内", "Must be [lon, lat] within range"))
                    break
            else:
                lines.append((path, line))
        if len(errors) >= 20:
            break
    return lines, errors


def parse(raw: bytes, at: str = "/file") -> tuple[Network, dict[str, Any]]:
    """The network in GeoJSON bytes, and its figures; Unprocessable naming what is wrong."""
    from functions.services.centres import great_circle_m

    try:
        document = json.loads(raw)
    except (UnicodeDecodeError, ValueError, RecursionError) as exc:  # nested absurdly deep is not a network either
        raise Unprocessable(errors=[FieldError(at, Text("不是可用的 JSON 文件", "Not a usable JSON file"))]) from exc
    lines, errors = _lines(document, at)
    if not errors and not lines:
        errors.append(FieldError(f"{at}/features", Text("没有道路线", "No lines")))
    vertices = sum(len(line) for _, line in lines)
    if vertices > MAX_VERTICES:
        errors.append(FieldError(at, Text(f"顶点过多（{vertices}，上限 {MAX_VERTICES}）",
                                               f"Too many vertices ({vertices}, at most {MAX_VERTICES})")))
    if errors:
        raise Unprocessable(Text("路网文件无法使用", "The street network file cannot be used"), errors=errors)
    network, metres, segments = Network(), 0.0, 0
    index: dict[tuple[float, float], int] = {}
    for _, line in lines:
        previous = network.junction(line[0][0], line[0][1], index)
        for pos in line[1:]:
            current = network.junction(pos[0], pos[1], index)
            if current != previous:
                length = great_circle_m(*network.points[previous], *network.points[current])
                network.edges[previous].append((current, length))
                network.edges[current].append((previous, length))
                metres += length
                segments += 1
            previous = current
    return network, {"lines": len(lines), "junctions": len(network.points), "segments": segments,
                     "length_km": round(metres / 1000, 3), "connected_parts": _parts(network)}


def _parts(network: Network) -> int:
    seen = [False] * len(network.points)
    parts = 0
    for start in range(len(network.points)):
        if seen[start]:
            continue
        parts += 1
        seen[start] = True
        stack = [start]
        while stack:
            for neighbour, _ in network.edges[stack.pop()]:
                if not seen[neighbour]:
                    seen[neighbour] = True
                    stack.append(neighbour)
    return parts


def nearest_sources(network: Network, sources: list[tuple[int, float, Any]]) -> tuple[list[float], list[Any]]:
    """Multi-source Dijkstra: for every junction, the metres to the nearest source and which source it
    is. `sources` are (junction, metres already walked to reach it, label)."""
    inf = float("inf")
    best = [inf] * len(network.points)
    label: list[Any] = [None] * len(network.points)
    heap: list[tuple[float, int]] = []
    for node, start, tag in sources:
        if start < best[node]:
            best[node], label[node] = start, tag
            heapq.heappush(heap, (start, node))
    while heap:
        d, node = heapq.heappop(heap)
        if d > best[node]:
            continue
        for neighbour, length in network.edges[node]:
            nd = d + length
            if nd < best[neighbour]:
                best[neighbour], label[neighbour] = nd, label[node]
                heapq.heappush(heap, (nd, neighbour))
    return best, label


# --- the record --------------------------------------------------------------------------------

_cache: dict[str, Network] = {}


def _record(ctx: TenantContext) -> Any:
    try:
        return ServicesTable.get(ctx.key(KIND), RECORD_ID)
    except ServicesTable.DoesNotExist:
        return None


def get_network(ctx: TenantContext) -> dict[str, Any]:
    """What the district loaded (404 when it has loaded none: walking times are then straight-line)."""
    item = _record(ctx)
    if item is None:
        raise store.not_found(KIND)
    return item.public()


def load(ctx: TenantContext) -> Network | None:
    """The district's network, read once per container and version (its pinned bytes re-hashed)."""
    item = _record(ctx)
    if item is None:
        return None
    data = item.fields()
    cached = _cache.get(data["sha256"])
    if cached is None:
        raw = storage.read(data["key"], data.get("version_id"), data["sha256"])
        cached, _ = parse(raw)
        _cache.clear()  # one district's network per container is plenty
        _cache[data["sha256"]] = cached
    return cached


def put_network(ctx: TenantContext, body: dict[str, Any]) -> dict[str, Any]:
    """Adopt GeoJSON as the district's street network (district admins): given in the body (`geojson`,
    up to the 1 MB a body may carry) or, for a larger file, uploaded first (`key` and `sha256`)."""
    authz.require(ctx, authz.MANAGE_DISTRICT)
    if ("geojson" in body) == ("key" in body):
        raise Unprocessable(Text("请给出 geojson，或上传文件的 key 与 sha256，二者选一",
                                 "Give either geojson or an upload's key and sha256"),
                            errors=[FieldError("/geojson" if "geojson" not in body else "/key",
                                               Text("二者须且只能给出一个", "Exactly one of geojson and key"))])
    if "geojson" in body:
        raw = json.dumps(body["geojson"], ensure_ascii=False, separators=(",", ":")).encode()
        parse(raw, "/geojson")  # refused before anything is stored
        return _store_and_adopt(ctx, raw, body.get("name"), body.get("version"))
    key = body["key"]
    if not key.startswith(storage.tenant_key(ctx.tenant, UPLOAD_PURPOSE, "")):
        raise Unprocessable(errors=[FieldError("/key", Text("不是本区上传的路网文件", "Not a street-network upload of this tenant"))])
    measured = storage.size_and_sha256(key)
    if measured is None:
        raise Unprocessable(errors=[FieldError("/key", Text("尚未收到上传的文件", "The file has not been uploaded yet"))])
    if measured.sha256 != body["sha256"]:
        raise Unprocessable(errors=[FieldError("/sha256", Text("文件的 SHA-256 与声明不符", "The file's SHA-256 differs"))])
    if measured.size > MAX_BYTES:
        raise PayloadTooLarge(Text("路网文件不能超过 10 MB", "Street networks are limited to 10 MB"))
    raw = storage.read(key, measured.version_id, body["sha256"])
    return _adopt(ctx, raw, key=key, version_id=measured.version_id, name=body.get("name"), expected=body.get("version"))


def load_bytes(ctx: TenantContext, raw: bytes, name: str) -> dict[str, Any]:
    """Store and adopt a network given as bytes (the demo district's): unchanged bytes whose pinned
    version is still there are left alone."""
    sha256 = hashlib.sha256(raw).hexdigest()
    item = _record(ctx)
    if item is not None and item.data["sha256"] == sha256 and \
            storage.size_and_sha256(item.data["key"], item.fields().get("version_id")) is not None:
        return item.public()
    return _store_and_adopt(ctx, raw, name, None)


def _store_and_adopt(ctx: TenantContext, raw: bytes, name: str | None, expected: int | None) -> dict[str, Any]:
    key = storage.tenant_key(ctx.tenant, UPLOAD_PURPOSE, f"{hashlib.sha256(raw).hexdigest()}.geojson")
    version = storage.put(key, raw, "application/geo+json")
    return _adopt(ctx, raw, key=key, version_id=version, name=name, expected=expected)


def _adopt(ctx: TenantContext, raw: bytes, *, key: str, version_id: str | None, name: str | None,
           expected: int | None) -> dict[str, Any]:
    network, figures = parse(raw)
    sha256 = hashlib.sha256(raw).hexdigest()
    data = {"name": name or "路网 / street network", "key": key, "version_id": version_id, "sha256": sha256,
            "size": len(raw), **figures}
    item = _record(ctx)
    if item is None:
        result = store.create(ctx, ServicesTable, KIND, data, item_id=RECORD_ID)
    else:
        result = store.update(ctx, item, data, expected if expected is not None else item.version)
    _cache.clear()
    _cache[sha256] = network
    return result


def delete_network(ctx: TenantContext, expected_version: int | None) -> None:
    """Stop using the network: walking times go back to straight-line × detour factor. The file stays
    (versioned) for the audit trail."""
    authz.require(ctx, authz.MANAGE_DISTRICT)
    item = _record(ctx)
    if item is None:
        raise store.not_found(KIND)
    store.delete(ctx, item, expected_version)
    _cache.clear()
