// Which district the 审计 screen reads, and dates in that district's zone.
//
// A district admin reads its own district; an auditor has none (`session.me.tenant` is null) and
// names one of its `audit_tenants` on every tenant-content call (`?tenant=`).
import { session } from "../../session";

/** The districts this user may read here: its own, or an auditor's granted ones. */
export function readableDistricts(): string[] {
  const me = session.me;
  if (!me) return [];
  if (me.tenant) return [me.tenant];
  return [...(me.audit_tenants ?? [])];
}

/** Whether calls must name the district (an auditor without a district of its own). */
export function namesDistrict(): boolean {
  return !session.me?.tenant;
}

/** `{ tenant }` for an auditor's call, `{}` for a district user's. */
export function tenantQuery(district: string): { tenant?: string } {
  return namesDistrict() && district ? { tenant: district } : {};
}

function zone(): string {
  return session.me?.timezone ?? "Asia/Shanghai";
}

/** The zone's offset from UTC, in minutes, at the instant `utcMillis`. */
function offsetMinutes(utcMillis: number, timeZone: string): number {
  const parts = new Intl.DateTimeFormat("en-US", {
    timeZone, hourCycle: "h23", year: "numeric", month: "2-digit", day: "2-digit", hour: "2-digit", minute: "2-digit", second: "2-digit",
  }).formatToParts(new Date(utcMillis));
  const get = (type: string) => Number(parts.find((p) => p.type === type)?.value ?? 0);
  const asUtc = Date.UTC(get("year"), get("month") - 1, get("day"), get("hour"), get("minute"), get("second"));
  return Math.round((asUtc - utcMillis) / 60000);
}

/** "2026-11-29" + "23:59:59" in the district's zone → "2026-11-29T23:59:59+08:00". */
export function zonedInstant(day: string, clock: string): string {
  const [y, m, d] = day.split("-").map(Number);
  const [hh, mm, ss] = clock.split(":").map(Number);
  const wall = Date.UTC(y, m - 1, d, hh, mm, ss);
  let offset = offsetMinutes(wall, zone());
  offset = offsetMinutes(wall - offset * 60000, zone()); // the offset at the instant itself (DST edges)
  const sign = offset < 0 ? "-" : "+";
  const abs = Math.abs(offset);
  const pad = (n: number) => String(n).padStart(2, "0");
  return `${day}T${clock}${sign}${pad(Math.floor(abs / 60))}:${pad(abs % 60)}`;
}

/** Today's date (YYYY-MM-DD) in the district's zone. */
export function today(): string {
  const parts = new Intl.DateTimeFormat("en-CA", { timeZone: zone(), year: "numeric", month: "2-digit", day: "2-digit" })
    .formatToParts(new Date());
  const get = (type: string) => parts.find((p) => p.type === type)?.value ?? "";
  return `${get("year")}-${get("month")}-${get("day")}`;
}

/** A hex digest as the screen shows it: its first 12 characters. */
export function shortHash(hex: string | null | undefined): string {
  return hex ? `${hex.slice(0, 12)}…` : "—";
}

/** The SHA-256 of bytes, hex (Web Crypto: a secure context, which https and 127.0.0.1 are). */
export async function sha256Hex(data: ArrayBuffer): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-256", data);
  return Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, "0")).join("");
}
