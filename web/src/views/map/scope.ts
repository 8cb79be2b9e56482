// What part of the district the signed-in user looks after, and reading a whole (small) list.
//
// The structure lists (/v1/streets, /v1/communities, /v1/grids), /v1/stats/grid-work, /v1/meetings and
// /v1/committees answer the whole district to every role; the map and the dashboard narrow them here
// to the user's own streets, communities and grids (the incident and action lists are already
// narrowed by the API). District admins, auditors and the roles with no place of their own
// (departments, residents, Party members, employers) see the whole district.
import type { Me } from "../../session";
import type { Page } from "../../paged";
import { asProblem, type Problem } from "../../problem";

export interface Scope {
  all: boolean;
  streets: Set<string>;
  communities: Set<string>;
  grids: Set<string>;
}

export function scopeOf(me: Me | null): Scope {
  const roles: readonly string[] = me?.roles ?? [];
  const streets = new Set(roles.includes("street_staff") ? me?.streets ?? [] : []);
  const communities = new Set(roles.includes("community_staff") ? me?.communities ?? [] : []);
  const grids = new Set(roles.includes("grid_worker") ? me?.grids ?? [] : []);
  const wide = roles.includes("district_admin") || roles.includes("auditor");
  return { all: wide || (streets.size + communities.size + grids.size === 0), streets, communities, grids };
}

interface Placed {
  id: string;
  community_id: string;
}

/** Is this grid (with its community's street) the user's? */
export function gridInScope(scope: Scope, grid: Placed, streetOf: (communityId: string) => string | undefined): boolean {
  if (scope.all || scope.grids.has(grid.id) || scope.communities.has(grid.community_id)) return true;
  const street = streetOf(grid.community_id);
  return street !== undefined && scope.streets.has(street);
}

/** Is this community the user's, or one holding one of their grids? */
export function communityInScope(scope: Scope, community: { id: string; street_id: string }, gridCommunities: Set<string>): boolean {
  return scope.all || scope.communities.has(community.id) || scope.streets.has(community.street_id) || gridCommunities.has(community.id);
}

export interface ReadAll<T> {
  items: T[];
  truncated: boolean; // more pages than `maxPages`: the items are the first ones only
  problem: Problem | null;
}

type Fetch<T> = (cursor: string | undefined) => Promise<{ data?: Page<T>; error?: unknown }>;

/** Every page of a list, following next_cursor, up to `maxPages` pages (lists meant to be small:
 * a district's streets, communities, grids and centres; a month's meetings). */
export async function readAll<T>(fetchPage: Fetch<T>, maxPages = 20): Promise<ReadAll<T>> {
  const items: T[] = [];
  let cursor: string | undefined;
  try {
    for (let page = 0; page < maxPages; page++) {
      const { data, error } = await fetchPage(cursor);
      if (error || !data) return { items, truncated: false, problem: asProblem(error) };
      items.push(...data.items);
      cursor = data.next_cursor ?? undefined;
      if (!cursor) return { items, truncated: false, problem: null };
    }
    return { items, truncated: true, problem: null };
  } catch (thrown) {
    return { items, truncated: false, problem: asProblem(thrown) };
  }
}

/** Today in the district's time zone: "YYYY-MM-DD". */
export function today(timezone: string | null | undefined, now = new Date()): string {
  return new Intl.DateTimeFormat("en-CA", { timeZone: timezone ?? "Asia/Shanghai", year: "numeric", month: "2-digit", day: "2-digit" })
    .format(now);
}

/** "YYYY-MM" of the month `back` months before this one (district time). */
export function monthOf(timezone: string | null | undefined, back = 0): string {
  const [y, m] = today(timezone).split("-").map(Number);
  const index = y * 12 + (m - 1) - back;
  return `${Math.floor(index / 12)}-${String((index % 12) + 1).padStart(2, "0")}`;
}
