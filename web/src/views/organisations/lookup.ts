// Names for the ids the Party-organisation and services APIs give (communities, streets, units,
// branches, members), read once per page view; what the signed-in user may do in a community (the
// API's rule, to hide buttons it would refuse); today in the district's zone.
import { api } from "../../api/client";
import { currentLocale } from "../../i18n";
import type { components } from "../../api/schema";
import { hasRole, session } from "../../session";

type S = components["schemas"];
export type Community = S["community-list"]["items"][number];
export type Street = S["street-list"]["items"][number];
export type Unit = S["unit-list"]["items"][number];
export type Committee = S["committee-list"]["items"][number];
export type Branch = S["branch-list"]["items"][number];
export type Member = S["member-list"]["items"][number];
export type Pairing = S["pairing-list"]["items"][number];
export type PairingContact = S["pairing-contact-list"]["items"][number];
export type Alliance = S["alliance-list"]["items"][number];
export type AllianceActivity = S["alliance-activity-list"]["items"][number];
export type Coverage = S["alliance-coverage"];
export type UnitSummary = S["unit-summary"];

import { everyPage } from "../../paged";

export { everyPage };

let communitiesOnce: Promise<Community[]> | null = null;
let streetsOnce: Promise<Street[]> | null = null;
let unitsOnce: Promise<Unit[]> | null = null;

/** The district's communities, in the API's order (read once per page view). */
export function communities(): Promise<Community[]> {
  communitiesOnce ??= everyPage((cursor) => api.GET("/v1/communities", { params: { query: { cursor, limit: 200 } } }));
  communitiesOnce.catch(() => { communitiesOnce = null; });
  return communitiesOnce;
}

export function streets(): Promise<Street[]> {
  streetsOnce ??= everyPage((cursor) => api.GET("/v1/streets", { params: { query: { cursor, limit: 200 } } }));
  streetsOnce.catch(() => { streetsOnce = null; });
  return streetsOnce;
}

/** Every unit of the district, archived ones too (old pairings and members name them). */
export function allUnits(): Promise<Unit[]> {
  unitsOnce ??= Promise.all([
    everyPage((cursor) => api.GET("/v1/units", { params: { query: { cursor, limit: 200 } } })),
    everyPage((cursor) => api.GET("/v1/units", { params: { query: { cursor, limit: 200, archived: true } } })),
  ]).then(([open, archived]) => [...open, ...archived]);
  unitsOnce.catch(() => { unitsOnce = null; });
  return unitsOnce;
}

/** Forget what was read (after a change), so the next read asks the API again. */
export function forgetUnits(): void {
  unitsOnce = null;
}

export function byId<T extends { id: string }>(items: T[]): Map<string, T> {
  return new Map(items.map((i) => [i.id, i]));
}

const memberReads = new Map<string, Promise<Member | null>>();

/** One member (a branch names them by id); null where the caller may not read them. */
export function member(memberId: string): Promise<Member | null> {
  if (!memberReads.has(memberId)) {
    memberReads.set(memberId, api.GET("/v1/members/{member_id}", { params: { path: { member_id: memberId } } })
      .then(({ data }) => data ?? null, () => null));
  }
  return memberReads.get(memberId)!;
}

/** District and community staff read member lists and people by name (the API's rule). */
export function readsPeople(): boolean {
  return hasRole("district_admin", "community_staff");
}

/** May the user manage this community's units, branches, pairings, requests, hours (the API's rule)? */
export function managesCommunity(communityId: string | null | undefined): boolean {
  if (!communityId) return false;
  return hasRole("district_admin") || (hasRole("community_staff") && (session.me?.communities ?? []).includes(communityId));
}

/** Today in the district's time zone, YYYY-MM-DD. */
export function districtToday(): string {
  const zone = session.me?.timezone ?? "Asia/Shanghai";
  return new Intl.DateTimeFormat("en-CA", { timeZone: zone, year: "numeric", month: "2-digit", day: "2-digit" }).format(new Date());
}

/** The quarter of a day, "YYYY-Qn". */
export function quarterOf(day: string): string {
  return `${day.slice(0, 4)}-Q${Math.floor((Number(day.slice(5, 7)) - 1) / 3) + 1}`;
}

/** This quarter and the `count - 1` before it, newest first. */
export function recentQuarters(count: number): string[] {
  const today = districtToday();
  let year = Number(today.slice(0, 4));
  let q = Math.floor((Number(today.slice(5, 7)) - 1) / 3) + 1;
  const out: string[] = [];
  for (let i = 0; i < count; i++) {
    out.push(`${year}-Q${q}`);
    q -= 1;
    if (q === 0) { q = 4; year -= 1; }
  }
  return out;
}

/** Whole days from `from` to `to` (YYYY-MM-DD). */
export function daysBetween(from: string, to: string): number {
  return Math.round((Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / 86400000);
}

/** "：" in Chinese, ": " in English. */
export function colon(): string {
  return currentLocale() === "en" ? ": " : "：";
}

/** Items joined the way the language lists them ("甲、乙" / "A, B"); "—" for none. */
export function joined(items: (string | null | undefined)[]): string {
  const kept = items.filter((i): i is string => Boolean(i));
  return kept.length ? kept.join(currentLocale() === "en" ? ", " : "、") : "—";
}
