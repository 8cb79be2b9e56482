// What the assessment screen's parts share: names for ids (communities), the months known to have
// results, the current rules, and what the signed-in user may do (the API decides; this hides buttons).
import { api } from "../../api/client";
import type { components } from "../../api/schema";
import { asProblem } from "../../problem";
import { can, hasRole, session } from "../../session";

export type Ranking = components["schemas"]["assessment-ranking"];
export type RankedUnit = Ranking["items"][number];
export type UnitResult = components["schemas"]["assessment-result"];
export type Rules = components["schemas"]["assessment-rules"];
export type Appeal = components["schemas"]["assessment-appeal"];
export type CommunityResults = components["schemas"]["assessment-community-list"];
export type Job = components["schemas"]["job"];

import { everyPage } from "../../paged";

export { everyPage };

let communities: Promise<Map<string, string>> | null = null;

/** Community names by id (archived ones too: old results name them), read once per page load. */
export function communityNames(): Promise<Map<string, string>> {
  communities ??= Promise.all([
    everyPage((cursor) => api.GET("/v1/communities", { params: { query: { cursor, limit: 200 } } })),
    everyPage((cursor) => api.GET("/v1/communities", { params: { query: { cursor, limit: 200, archived: true } } })),
  ]).then(([open, archived]) => new Map([...open, ...archived].map((c) => [c.id, c.name])))
    .catch((problem) => {
      communities = null;
      throw problem;
    });
  return communities;
}

let rules: Promise<Rules> | null = null;

export function currentRules(refresh = false): Promise<Rules> {
  if (refresh) rules = null;
  rules ??= api.GET("/v1/assessment-rules").then(({ data, error }) => {
    if (error || !data) {
      rules = null;
      throw asProblem(error);
    }
    return data;
  });
  return rules;
}

/** "YYYY-MM" of the month before the current one, in the district's time zone (the month the
 * monthly schedule assesses). */
export function previousMonth(now = new Date()): string {
  const parts = new Intl.DateTimeFormat("en-CA", { timeZone: session.me?.timezone ?? "Asia/Shanghai", year: "numeric", month: "2-digit" })
    .formatToParts(now);
  const year = Number(parts.find((p) => p.type === "year")?.value);
  const month = Number(parts.find((p) => p.type === "month")?.value);
  return month === 1 ? `${year - 1}-12` : `${year}-${String(month - 1).padStart(2, "0")}`;
}

export function currentMonth(now = new Date()): string {
  const parts = new Intl.DateTimeFormat("en-CA", { timeZone: session.me?.timezone ?? "Asia/Shanghai", year: "numeric", month: "2-digit" })
    .formatToParts(now);
  return `${parts.find((p) => p.type === "year")?.value}-${parts.find((p) => p.type === "month")?.value}`;
}

/** Months known to have results: the month the schedule last assessed (when it has results) and the
 * months of the caller's own successful runs; newest first. (The API has no list of assessed months.) */
export async function knownPeriods(): Promise<string[]> {
  const found = new Set<string>();
  const last = previousMonth();
  const [probe, jobs] = await Promise.all([
    api.GET("/v1/assessments", { params: { query: { period: last, limit: 1 } } }),
    can("GET /v1/jobs") ? api.GET("/v1/jobs", { params: { query: { kind: "assessment_run", limit: 50 } } }) : null,
  ]);
  if (probe.data) found.add(last);
  for (const job of jobs?.data?.items ?? []) {
    const result = job.result as { period?: string } | null;
    if (job.state === "succeeded" && result?.period) found.add(result.period);
  }
  return [...found].sort().reverse();
}

/** District-wide work (rules, runs, answering appeals): district admins only. */
export function managesDistrict(): boolean {
  return hasRole("district_admin");
}

/** Work in one community (filing an appeal for its unit): district admins, or its community staff. */
export function managesCommunity(communityId: string | null | undefined): boolean {
  if (hasRole("district_admin")) return true;
  return Boolean(communityId) && hasRole("community_staff") && (session.me?.communities ?? []).includes(communityId!);
}

/** "2026年5月" / "May 2026". */
export function monthName(period: string, en: boolean): string {
  const [y, m] = period.split("-").map(Number);
  if (en) return new Date(Date.UTC(y, m - 1, 1)).toLocaleString("en", { month: "long", year: "numeric", timeZone: "UTC" });
  return `${y}年${m}月`;
}

/** First and last day of a month, YYYY-MM-DD. */
export function monthDays(period: string): [string, string] {
  const [y, m] = period.split("-").map(Number);
  const last = new Date(Date.UTC(y, m, 0)).getUTCDate();
  return [`${period}-01`, `${period}-${String(last).padStart(2, "0")}`];
}
