// Names for the ids users' scopes hold (streets, communities, grids, departments, units), read once per
// page load (short lists: page after page); and what the signed-in user may grant and manage
// (the API decides: district admins everyone, community staff grid workers, residents and Party
// members of their own communities; this hides what it would refuse).
import { reactive } from "vue";
import { api } from "../../api/client";
import type { components } from "../../api/schema";
import { asProblem, type Problem } from "../../problem";
import { hasRole, session } from "../../session";

export type User = components["schemas"]["user"];
type Grid = components["schemas"]["grid"];
type Unit = components["schemas"]["unit"];

import { everyPage } from "../../paged";

export { everyPage };

export interface Option { value: string; label: string }
export interface Group { label: string; options: Option[] }

export const names = reactive({
  loaded: false,
  problem: null as Problem | null,
  streets: new Map<string, string>(),
  communities: new Map<string, string>(),
  grids: new Map<string, string>(),
  departments: new Map<string, string>(),
  units: new Map<string, string>(),
  /** What the scope pickers offer: the caller's own communities for community staff. */
  streetOptions: [] as Option[],
  communityOptions: [] as Option[],
  gridGroups: [] as Group[],
  departmentOptions: [] as Option[],
  unitGroups: [] as Group[],
});

let loading: Promise<void> | null = null;

/** The names, read once (a district admin: the district's; community staff: their communities'). */
export function loadNames(): Promise<void> {
  loading ??= read().catch((problem) => {
    names.problem = asProblem(problem);
    loading = null;
  });
  return loading;
}

async function read(): Promise<void> {
  const admin = hasRole("district_admin");
  const mine = session.me?.communities ?? [];
  const scopes = admin ? [undefined] : mine;
  const [streets, communities, archivedCommunities, departments, grids, units] = await Promise.all([
    everyPage((cursor) => api.GET("/v1/streets", { params: { query: { cursor, limit: 200 } } })),
    everyPage((cursor) => api.GET("/v1/communities", { params: { query: { cursor, limit: 200 } } })),
    everyPage((cursor) => api.GET("/v1/communities", { params: { query: { cursor, limit: 200, archived: true } } })),
    everyPage((cursor) => api.GET("/v1/departments", { params: { query: { cursor, limit: 200 } } })),
    Promise.all(scopes.map((community_id) => everyPage((cursor) => api.GET("/v1/grids", { params: { query: { community_id, cursor, limit: 200 } } }))))
      .then((lists) => lists.flat()),
    admin ? everyPage((cursor) => api.GET("/v1/units", { params: { query: { cursor, limit: 200 } } })) : Promise.resolve([] as Unit[]),
  ]);
  names.streets = new Map(streets.map((s) => [s.id, s.name]));
  names.communities = new Map([...communities, ...archivedCommunities].map((c) => [c.id, c.name]));
  names.grids = new Map(grids.map((g) => [g.id, g.name]));
  names.departments = new Map(departments.map((d) => [d.id, d.name]));
  names.units = new Map(units.map((u) => [u.id, u.name]));
  const communityName = (id: string) => names.communities.get(id) ?? id;
  names.streetOptions = streets.map((s) => ({ value: s.id, label: s.name }));
  names.communityOptions = communities.filter((c) => admin || mine.includes(c.id)).map((c) => ({ value: c.id, label: c.name }));
  names.gridGroups = group(grids, (g: Grid) => g.community_id, communityName);
  names.departmentOptions = departments.map((d) => ({ value: d.id, label: d.name }));
  names.unitGroups = group(units, (u: Unit) => u.community_id, communityName);
  names.loaded = true;
}

function group<T extends { id: string; name: string }>(items: T[], by: (item: T) => string, title: (id: string) => string): Group[] {
  const groups = new Map<string, Option[]>();
  for (const item of items) groups.set(by(item), [...(groups.get(by(item)) ?? []), { value: item.id, label: item.name }]);
  return [...groups].map(([id, options]) => ({ label: title(id), options })).sort((a, b) => a.label.localeCompare(b.label, "zh-CN"));
}

/** The roles the caller may grant (and so manage), in the directory's order. */
export function grantableRoles(): string[] {
  if (hasRole("district_admin")) {
    return ["district_admin", "street_staff", "community_staff", "grid_worker", "department", "employer", "resident", "member"];
  }
  if (hasRole("community_staff")) return ["grid_worker", "resident", "member"];
  return [];
}

/** Each scope and the roles that carry it. */
export const SCOPE_OF: Record<string, "streets" | "communities" | "grids" | "departments" | "units"> = {
  street_staff: "streets", community_staff: "communities", resident: "communities", member: "communities",
  grid_worker: "grids", department: "departments", employer: "units",
};

/** "港北区贵城街道、荷城社区第1网格" — a user's scopes by name. */
export function scopeNames(user: User): string {
  const parts = [
    ...user.streets.map((id) => names.streets.get(id) ?? "…"),
    ...user.communities.map((id) => names.communities.get(id) ?? "…"),
    ...user.grids.map((id) => names.grids.get(id) ?? "…"),
    ...user.departments.map((id) => names.departments.get(id) ?? "…"),
    ...user.units.map((id) => names.units.get(id) ?? "…"),
  ];
  return parts.length ? parts.join("、") : "—";
}
