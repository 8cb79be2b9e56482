// The district's grids with their outlines, kept on the phone: the place picker draws them and finds
// the grid under a tapped point without the network (a stairwell, a basement).
import { api } from "../api/client";
import type { components } from "../api/schema";
import { everyPage } from "../paged";
import { recall, remember } from "./queue";

type Grid = components["schemas"]["grid"];
export type Position = [number, number]; // [lon, lat]
export interface GridShape { id: string; name: string; communityId: string; rings: Position[][] }

const CACHE_KEY = "grids";
const FRESH_MS = 60 * 60 * 1000; // grids change rarely: a kept copy younger than an hour is used as is

async function fetchGrids(): Promise<GridShape[]> {
  const grids = await everyPage<Grid>(async (cursor) =>
    api.GET("/v1/grids", { params: { query: { limit: 200, ...(cursor ? { cursor } : {}) } } }));
  const shapes = grids.filter((g) => g.boundary).map((g) => ({
    id: g.id, name: g.name, communityId: g.community_id, rings: g.boundary!.coordinates as Position[][],
  }));
  await remember(CACHE_KEY, shapes);
  return shapes;
}

/** The grids kept on the phone, read again from the API when the copy is over an hour old (or
 * `fresh`) and there is a network; empty when never loaded. */
export async function districtGrids(fresh = false): Promise<GridShape[]> {
  const kept = await recall<GridShape[]>(CACHE_KEY);
  if (kept && !fresh && Date.now() - new Date(kept.at).getTime() < FRESH_MS) return kept.value;
  try {
    return await fetchGrids();
  } catch {
    return kept?.value ?? [];
  }
}

/** Whether a point lies inside a ring (even-odd rule: a ray crossing the edges an odd number of times). */
function inRing([x, y]: Position, ring: Position[]): boolean {
  let inside = false;
  for (let i = 0, j = ring.length - 1; i < ring.length; j = i++) {
    const [xi, yi] = ring[i];
    const [xj, yj] = ring[j];
    if ((yi > y) !== (yj > y) && x < ((xj - xi) * (y - yi)) / (yj - yi) + xi) inside = !inside;
  }
  return inside;
}

/** The grid whose polygon (outer ring, minus its holes) holds the point, as the API's locate does. */
export function gridAt(grids: GridShape[], point: Position): GridShape | null {
  return grids.find((g) => inRing(point, g.rings[0]) && !g.rings.slice(1).some((hole) => inRing(point, hole))) ?? null;
}
