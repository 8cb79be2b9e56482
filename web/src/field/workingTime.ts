// The time left to a due time counted as the API counts limits: working hours (09:00–12:00 and
// 13:30–17:30) on the district's working days (weekdays that are not holidays, and the make-up
// workdays), in the district's time zone. Works offline from a cached calendar.

export interface Calendar {
  holidays: string[];
  workdays: string[];
}

const PERIODS: [number, number][] = [[9 * 60, 12 * 60], [13 * 60 + 30, 17 * 60 + 30]]; // minutes of the day
export const WORKDAY_MINUTES = PERIODS.reduce((sum, [a, b]) => sum + b - a, 0);

/** The zone's offset from UTC in minutes at an instant (Asia/Shanghai: 480). */
function offset(zone: string, at: Date): number {
  const parts = new Intl.DateTimeFormat("en-US", {
    timeZone: zone, hourCycle: "h23", year: "numeric", month: "2-digit", day: "2-digit", hour: "2-digit", minute: "2-digit",
  }).formatToParts(at);
  const get = (type: string) => Number(parts.find((p) => p.type === type)?.value);
  const wall = Date.UTC(get("year"), get("month") - 1, get("day"), get("hour"), get("minute"));
  return Math.round((wall - Math.floor(at.getTime() / 60000) * 60000) / 60000);
}

function isWorkingDay(day: string, calendar: Calendar): boolean {
  if (calendar.workdays.includes(day)) return true;
  if (calendar.holidays.includes(day)) return false;
  const weekday = new Date(`${day}T00:00:00Z`).getUTCDay();
  return weekday !== 0 && weekday !== 6;
}

/** Working minutes from `from` to `to` (negative when `to` is earlier: how far past due). */
export function workingMinutes(from: Date, to: Date, calendar: Calendar, zone: string): number {
  if (to < from) return -workingMinutes(to, from, calendar, zone);
  let total = 0;
  const shift = offset(zone, from) * 60000;
  // walk the district's calendar days from `from`'s to `to`'s
  for (let dayStart = Date.UTC(...ymd(new Date(from.getTime() + shift))) - shift; dayStart < to.getTime(); dayStart += 86400000) {
    const day = new Date(dayStart + shift).toISOString().slice(0, 10);
    if (!isWorkingDay(day, calendar)) continue;
    for (const [a, b] of PERIODS) {
      const start = Math.max(dayStart + a * 60000, from.getTime());
      const end = Math.min(dayStart + b * 60000, to.getTime());
      if (end > start) total += (end - start) / 60000;
    }
  }
  return Math.round(total);
}

function ymd(d: Date): [number, number, number] {
  return [d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate()];
}

/** "剩余 1 个工作日 3 小时" / "已超时 2 个工作日" and the English. */
export function describe(minutes: number, english: boolean): string {
  const span = Math.abs(minutes);
  const days = Math.floor(span / WORKDAY_MINUTES);
  const hours = Math.floor((span % WORKDAY_MINUTES) / 60);
  const mins = span % 60;
  // days and hours; minutes too when under a day (1 小时 30 分钟 is not 1 小时)
  const showMins = !days && (mins > 0 || !hours);
  const zh = [days ? `${days} 个工作日` : "", hours ? `${hours} 小时` : "", showMins ? `${mins} 分钟` : ""].join(" ").trim();
  const en = [days ? `${days} working day${days > 1 ? "s" : ""}` : "", hours ? `${hours} h` : "", showMins ? `${mins} min` : ""].join(" ").trim();
  if (english) return minutes < 0 ? `${en} overdue` : `${en} left`;
  return minutes < 0 ? `已超时 ${zh}` : `剩余 ${zh}`;
}
