// Names for the ids an incident carries: its grid, community, category, and the people on it. Grids
// and communities are read whole (a district has ~150 grids: one or two pages) once per visit; users
// are read per community, where the caller's roles may list them (/v1/users), else only the caller's
// own name is known.
import { reactive } from "vue";
import { api } from "../../api/client";
import type { components } from "../../api/schema";
import { currentLocale } from "../../i18n";
import { can, session } from "../../session";

export type Incident = components["schemas"]["incident"];
export type Grid = components["schemas"]["grid"];
export type Community = components["schemas"]["community"];
export type Category = components["schemas"]["incident-category"];

interface Listed<T> {
  data?: { items: T[]; next_cursor?: string | null };
  error?: unknown;
}

/** Every item of a list the screen only names things from (never a list the user browses). */
async function readAll<T>(page: (cursor: string | undefined) => Promise<Listed<T>>): Promise<T[]> {
  const items: T[] = [];
  let cursor: string | undefined;
  for (let i = 0; i < 50; i++) {
    const { data, error } = await page(cursor);
    if (error || !data) throw error ?? new Error("no answer");
    items.push(...data.items);
    if (!data.next_cursor) break;
    cursor = data.next_cursor;
  }
  return items;
}

export const places = reactive({
  grids: new Map<string, Grid>(),
  communities: new Map<string, Community>(),
  categories: [] as Category[],
  users: new Map<string, string>(), // user id → name
});

let loaded: Promise<void> | null = null;
const usersRead = new Map<string, Promise<void>>();

/** Grids, communities and categories, once per page load. A failure leaves names unresolved (the
 * screen still works with the category names the incidents carry). */
export function loadPlaces(): Promise<void> {
  loaded ??= (async () => {
    // archived ones too: an old incident still names its grid
    const [grids, oldGrids, communities, oldCommunities, categories] = await Promise.all([
      readAll<Grid>((cursor) => api.GET("/v1/grids", { params: { query: { cursor, limit: 200 } } })),
      readAll<Grid>((cursor) => api.GET("/v1/grids", { params: { query: { cursor, limit: 200, archived: true } } })),
      readAll<Community>((cursor) => api.GET("/v1/communities", { params: { query: { cursor, limit: 200 } } })),
      readAll<Community>((cursor) => api.GET("/v1/communities", { params: { query: { cursor, limit: 200, archived: true } } })),
      api.GET("/v1/incident-categories").then(({ data }) => data?.items ?? []),
    ]);
    places.grids = new Map([...oldGrids, ...grids].map((g) => [g.id, g]));
    places.communities = new Map([...oldCommunities, ...communities].map((c) => [c.id, c]));
    places.categories = categories;
  })().catch(() => {
    loaded = null; // names stay unresolved ("—"); the next screen opened tries again
  });
  return loaded;
}

/** The names of the users of a community, where the caller may list them. */
export function loadUsersOf(communityId: string): Promise<void> {
  if (!can("GET /v1/users")) return Promise.resolve();
  let pending = usersRead.get(communityId);
  if (!pending) {
    pending = readAll((cursor) => api.GET("/v1/users", { params: { query: { cursor, limit: 200, community_id: communityId } } }))
      .then((users) => {
        for (const u of users) places.users.set(u.id, u.name);
      })
      .catch(() => undefined);
    usersRead.set(communityId, pending);
  }
  return pending;
}

export function gridName(id: string | null | undefined): string {
  if (!id) return "—";
  return places.grids.get(id)?.name ?? "—";
}

export function communityName(id: string | null | undefined): string {
  if (!id) return "—";
  return places.communities.get(id)?.name ?? "—";
}

export function categoryName(code: string): string {
  return places.categories.find((c) => c.code === code)?.name ?? code;
}

/** A person by name: the caller, a listed user, the system; else a short reference (their id's tail). */
export function personName(id: string | null | undefined): string {
  if (!id) return "—";
  const en = currentLocale() === "en";
  if (id === "system") return en ? "System" : "系统";
  if (id === session.me?.sub) return session.me?.name ?? (en ? "Me" : "本人");
  return places.users.get(id) ?? (en ? `User …${id.slice(-6)}` : `用户 …${id.slice(-6)}`);
}

/** The grids the user's scope covers (the filter's choices), grouped by community, in name order. */
export function visibleGrids(): { community: string; grids: Grid[] }[] {
  const me = session.me;
  if (!me) return [];
  const everywhere = me.roles.some((r) => r === "district_admin" || r === "auditor");
  const streets = new Set(me.streets ?? []);
  const communities = new Set(me.communities ?? []);
  const own = new Set(me.grids ?? []);
  const mine = (g: Grid) => {
    if (everywhere) return true;
    if (own.has(g.id) || communities.has(g.community_id)) return true;
    const street = places.communities.get(g.community_id)?.street_id;
    return Boolean(street && streets.has(street));
  };
  const groups = new Map<string, Grid[]>();
  for (const g of places.grids.values()) {
    if (g.archived || !mine(g)) continue;
    const key = g.community_id;
    groups.set(key, [...(groups.get(key) ?? []), g]);
  }
  const byName = (a: string, b: string) => a.localeCompare(b, "zh-CN", { numeric: true });
  return [...groups.entries()]
    .map(([community, grids]) => ({ community: communityName(community), grids: grids.sort((a, b) => byName(a.name, b.name)) }))
    .sort((a, b) => byName(a.community, b.community));
}
