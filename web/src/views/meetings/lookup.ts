// Names for the ids the meetings API gives (committees, departments, units, users), read once per
// page view; and what the signed-in user may do in a community (the API decides, this hides buttons).
import { api } from "../../api/client";
import type { components } from "../../api/schema";
import { hasRole, session } from "../../session";

export type Committee = components["schemas"]["committee"];
export type Department = components["schemas"]["department"];
export type Unit = components["schemas"]["unit"];
export type Meeting = components["schemas"]["meeting"];
export type Revision = components["schemas"]["minutes-revision"];
export type Decision = components["schemas"]["decision"];
export type Action = components["schemas"]["action"];

import { everyPage } from "../../paged";

export { everyPage };

export async function committees(): Promise<Committee[]> {
  return everyPage((cursor) => api.GET("/v1/committees", { params: { query: { cursor, limit: 200 } } }));
}

/** Departments by id, archived ones too (old actions name them). */
export async function departmentNames(): Promise<Map<string, string>> {
  const [open, archived] = await Promise.all([
    everyPage((cursor) => api.GET("/v1/departments", { params: { query: { cursor, limit: 200 } } })),
    everyPage((cursor) => api.GET("/v1/departments", { params: { query: { cursor, limit: 200, archived: true } } })),
  ]);
  return new Map([...open, ...archived].map((d) => [d.id, d.name]));
}

/** A community's units by id, archived ones too. */
export async function unitNames(communityId: string): Promise<Map<string, string>> {
  const [open, archived] = await Promise.all([
    everyPage((cursor) => api.GET("/v1/units", { params: { query: { cursor, limit: 200, community_id: communityId } } })),
    everyPage((cursor) => api.GET("/v1/units", { params: { query: { cursor, limit: 200, community_id: communityId, archived: true } } })),
  ]);
  return new Map([...open, ...archived].map((u) => [u.id, u.name]));
}

const people = new Map<string, Promise<string | null>>();

/** A person's name where the user may read it: themself; anyone for a district admin (the user
 * directory, which is theirs to read); otherwise null (the caller names them by their role). */
export function personName(userId: string | null | undefined): Promise<string | null> {
  if (!userId) return Promise.resolve(null);
  if (userId === session.me?.sub) return Promise.resolve(session.me?.name ?? null);
  if (!hasRole("district_admin")) return Promise.resolve(null);
  if (!people.has(userId)) {
    people.set(userId, api.GET("/v1/users/{user_id}", { params: { path: { user_id: userId } } })
      .then(({ data }) => data?.name ?? null, () => null));
  }
  return people.get(userId)!;
}

/** May the user manage this community's meetings, minutes, decisions and actions (the API's rule)? */
export function managesCommunity(communityId: string | undefined): boolean {
  if (!communityId) return false;
  return hasRole("district_admin") || (hasRole("community_staff") && (session.me?.communities ?? []).includes(communityId));
}

/** May the user sign off and report on this part (its department's users, or the community's staff)? */
export function worksPart(communityId: string, departmentId: string): boolean {
  return managesCommunity(communityId) || (hasRole("department") && (session.me?.departments ?? []).includes(departmentId));
}

/** Today in the district's time zone, YYYY-MM-DD. */
export function districtToday(): string {
  const zone = session.me?.timezone ?? "Asia/Shanghai";
  return new Intl.DateTimeFormat("en-CA", { timeZone: zone, year: "numeric", month: "2-digit", day: "2-digit" }).format(new Date());
}

/** First and last day of a month "YYYY-MM". */
export function monthBounds(month: string): [string, string] {
  const [y, m] = month.split("-").map(Number);
  const last = new Date(Date.UTC(y, m, 0)).getUTCDate();
  return [`${month}-01`, `${month}-${String(last).padStart(2, "0")}`];
}
