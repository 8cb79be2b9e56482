// Plane geometry on GeoJSON rings ([lon, lat]) for the map: a community's or street's outline is the
// union of its grids' polygons (only grids carry a boundary in the API), found by cancelling the
// edges two neighbouring grids share — after splitting each edge where another ring's corner touches
// it, so a wide grid beside two narrow ones still merges.

export type Position = [number, number]; // [lon, lat]
export type Ring = Position[];

const EPS = 1e-9;

function signedArea(ring: Ring): number {
  let sum = 0;
  for (let i = 0; i < ring.length; i++) {
    const [x1, y1] = ring[i];
    const [x2, y2] = ring[(i + 1) % ring.length];
    sum += x1 * y2 - x2 * y1;
  }
  return sum / 2;
}

/** The ring without its closing point, and oriented: counter-clockwise (outer) or clockwise (hole). */
function oriented(ring: Ring, counterClockwise: boolean): Ring {
  const open = ring.length > 1 && ring[0][0] === ring[ring.length - 1][0] && ring[0][1] === ring[ring.length - 1][1]
    ? ring.slice(0, -1) : ring.slice();
  return (signedArea(open) > 0) === counterClockwise ? open : open.reverse();
}

function key(p: Position): string {
  return `${p[0].toFixed(7)},${p[1].toFixed(7)}`;
}

/** Rings of a GeoJSON Polygon's coordinates, outer first, normalised for the union. */
export function polygonRings(coordinates: Position[][]): Ring[] {
  return coordinates.filter((r) => r.length >= 3).map((r, i) => oriented(r, i === 0));
}

/** The outline of the union of polygons that meet edge to edge (a tiling, as grids are): outer rings
 * counter-clockwise, holes clockwise. Null when the edges do not close into rings (polygons that
 * overlap or leave slivers): then draw the polygons themselves. */
export function union(polygons: Ring[][]): Ring[] | null {
  const rings = polygons.flat().filter((r) => r.length >= 3);
  const points = new Map<string, Position>();
  for (const ring of rings) for (const p of ring) points.set(key(p), p);
  const sorted = [...points.values()].sort((a, b) => a[0] - b[0]);

  // every edge, split at the corners lying on it
  const edges = new Map<string, number>(); // "from|to" → count (cancelled against "to|from")
  const add = (a: Position, b: Position) => {
    const ka = key(a), kb = key(b);
    if (ka === kb) return;
    const back = `${kb}|${ka}`;
    const n = edges.get(back);
    if (n) {
      if (n === 1) edges.delete(back);
      else edges.set(back, n - 1);
    } else edges.set(`${ka}|${kb}`, (edges.get(`${ka}|${kb}`) ?? 0) + 1);
  };
  for (const ring of rings) {
    for (let i = 0; i < ring.length; i++) {
      const a = ring[i], b = ring[(i + 1) % ring.length];
      const [minX, maxX] = a[0] < b[0] ? [a[0], b[0]] : [b[0], a[0]];
      const [minY, maxY] = a[1] < b[1] ? [a[1], b[1]] : [b[1], a[1]];
      const dx = b[0] - a[0], dy = b[1] - a[1];
      const length2 = dx * dx + dy * dy;
      const cuts: [number, Position][] = [];
      for (let j = lowerBound(sorted, minX - EPS); j < sorted.length && sorted[j][0] <= maxX + EPS; j++) {
        const p = sorted[j];
        if (p[1] < minY - EPS || p[1] > maxY + EPS) continue;
        const t = ((p[0] - a[0]) * dx + (p[1] - a[1]) * dy) / length2;
        if (t <= EPS || t >= 1 - EPS) continue;
        const cross = (p[0] - a[0]) * dy - (p[1] - a[1]) * dx;
        if (Math.abs(cross) / Math.sqrt(length2) > 1e-7) continue;
        cuts.push([t, p]);
      }
      cuts.sort((x, y) => x[0] - y[0]);
      let from = a;
      for (const [, p] of cuts) {
        add(from, p);
        from = p;
      }
      add(from, b);
    }
  }

  // chain what is left into rings
  const next = new Map<string, string[]>();
  for (const [edge, count] of edges) {
    const [from, to] = edge.split("|");
    for (let n = 0; n < count; n++) (next.get(from) ?? next.set(from, []).get(from)!).push(to);
  }
  const out: Ring[] = [];
  for (const start of [...next.keys()]) {
    while ((next.get(start)?.length ?? 0) > 0) {
      const ring: Ring = [];
      let at = start;
      for (let guard = 0; ; guard++) {
        const outs = next.get(at);
        if (!outs?.length || guard > edges.size + 1) return null;
        ring.push(points.get(at)!);
        at = outs.pop()!;
        if (at === start) break;
      }
      out.push(ring);
    }
  }
  return out.length ? out : null;
}

function lowerBound(sorted: Position[], x: number): number {
  let lo = 0, hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (sorted[mid][0] < x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** The area-weighted centre of a ring (its plain average when it has no area). */
export function centroid(ring: Ring): Position {
  let a = 0, cx = 0, cy = 0;
  for (let i = 0; i < ring.length; i++) {
    const [x1, y1] = ring[i];
    const [x2, y2] = ring[(i + 1) % ring.length];
    const f = x1 * y2 - x2 * y1;
    a += f;
    cx += (x1 + x2) * f;
    cy += (y1 + y2) * f;
  }
  if (Math.abs(a) < 1e-15) {
    const n = ring.length || 1;
    return [ring.reduce((s, p) => s + p[0], 0) / n, ring.reduce((s, p) => s + p[1], 0) / n];
  }
  return [cx / (3 * a), cy / (3 * a)];
}

/** Leaflet's [lat, lng] order. */
export function latLngs(ring: Ring): [number, number][] {
  return ring.map(([lon, lat]) => [lat, lon]);
}

/** The largest ring (by area): where a multi-part outline's label goes. */
export function largest(rings: Ring[]): Ring {
  return rings.reduce((best, r) => (Math.abs(signedArea(r)) > Math.abs(signedArea(best)) ? r : best), rings[0]);
}
