// Times in the district's time zone (from /v1/me), wherever the browser is; numbers the Chinese way.
import { currentLocale } from "./i18n";
import { session } from "./session";

function zone(): string {
  return session.me?.timezone ?? "Asia/Shanghai";
}

/** "2026-11-29 15:04" in the district's zone. */
export function dateTime(iso: string | null | undefined): string {
  if (!iso) return "—";
  const parts = new Intl.DateTimeFormat("zh-CN", {
    timeZone: zone(), year: "numeric", month: "2-digit", day: "2-digit", hour: "2-digit", minute: "2-digit", hour12: false,
  }).formatToParts(new Date(iso));
  const get = (type: string) => parts.find((p) => p.type === type)?.value ?? "";
  return `${get("year")}-${get("month")}-${get("day")} ${get("hour")}:${get("minute")}`;
}

/** A date (YYYY-MM-DD) as the API gives it, or the date part of an instant in the district's zone. */
export function date(value: string | null | undefined): string {
  if (!value) return "—";
  return value.length === 10 ? value : dateTime(value).slice(0, 10);
}

/** "3 天后 / in 3 days", "逾期 2 小时 / 2 h overdue": how far a due time is from now. */
export function dueIn(iso: string | null | undefined, now = Date.now()): string {
  if (!iso) return "—";
  const minutes = Math.round((new Date(iso).getTime() - now) / 60000);
  const span = Math.abs(minutes);
  const [value, unitZh, unitEn] = span >= 1440 ? [Math.round(span / 1440), "天", "d"]
    : span >= 60 ? [Math.round(span / 60), "小时", "h"] : [span, "分钟", "min"];
  if (currentLocale() === "en") return minutes < 0 ? `${value} ${unitEn} overdue` : `in ${value} ${unitEn}`;
  return minutes < 0 ? `逾期 ${value} ${unitZh}` : `${value} ${unitZh}后到期`;
}

export function number(value: number | null | undefined, digits = 0): string {
  if (value == null) return "—";
  return value.toLocaleString(currentLocale(), { maximumFractionDigits: digits, minimumFractionDigits: digits });
}

export function percent(ratio: number | null | undefined): string {
  return ratio == null ? "—" : `${number(ratio * 100, 1)}%`;
}
