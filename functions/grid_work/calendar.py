"""Working-day calendars and time limits.

A tenant keeps, per year, China's statutory holidays and the make-up workdays (调休) as data it can
edit (`GET/PUT /v1/calendars/{year}`); until it does, the built-in table below is used. Time limits
are counted on it in clock hours, working hours (09:00–12:00 and 13:30–17:30 on working days) or
working days.
"""
from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from functions import authz, store
from functions.tasks import index as tasks
from functions.errors import FieldError, Text, ValidationFailed
from functions.models import GridsTable
from functions.tenancy import TenantContext

KIND = "calendar"
WORK_PERIODS = ((time(9, 0), time(12, 0)), (time(13, 30), time(17, 30)))

# Seed data as published for 2026 (holidays and the weekend days worked instead). Districts can
# correct it through the API; it is data, not code.
BUILT_IN: dict[int, dict[str, list[str]]] = {
    2026: {
        "holidays": ["2026-01-01", "2026-01-02", "2026-01-03",
                     *[f"2026-02-{d:02d}" for d in range(15, 24)],
                     "2026-04-04", "2026-04-05", "2026-04-06",
                     *[f"2026-05-{d:02d}" for d in range(1, 6)],
                     "2026-06-19", "2026-06-20", "2026-06-21",
                     "2026-09-25", "2026-09-26", "2026-09-27",
                     *[f"2026-10-{d:02d}" for d in range(1, 8)]],
        "workdays": ["2026-01-04", "2026-02-14", "2026-02-28", "2026-05-09", "2026-09-20", "2026-10-10"],
    },
}

# Default limits: (unit, amount) to accept and to resolve, by priority.
DEFAULT_LIMITS: dict[str, dict[str, list[Any]]] = {
    "urgent": {"accept": ["hours", 2], "resolve": ["hours", 24]},
    "normal": {"accept": ["working_days", 1], "resolve": ["working_days", 5]},
}


def get_year(ctx: TenantContext, year: int) -> dict[str, Any]:
    """The tenant's calendar for `year`, the built-in one (`source: built_in`), or, for a year with
    neither, weekends only (`source: none`: due dates then ignore holidays, and say so)."""
    try:
        return GridsTable.get(ctx.key(KIND), str(year)).public()
    except GridsTable.DoesNotExist:
        if year in BUILT_IN:
            return {"id": str(year), "year": year, **BUILT_IN[year], "source": "built_in", "version": 0}
        return {"id": str(year), "year": year, "holidays": [], "workdays": [], "source": "none", "version": 0}


def missing_year_warning(year: int) -> str:
    return (f"{year} 年尚无节假日安排，时限暂按周末计算；请区管理员导入国务院公布的放假安排（PUT /v1/calendars/{year}）"
            f" / no holiday table for {year}: limits count weekends only until a district admin loads the "
            f"State Council's schedule")


def _expand(year: int, field: str, entries: list[Any]) -> tuple[list[str], list[FieldError]]:
    """Dates and date ranges ({"name", "from", "to"}, as the State Council publishes them) as dates;
    errors for dates outside the year, reversed ranges and ranges that overlap."""
    days: dict[str, int] = {}
    errors = []
    for i, entry in enumerate(entries):
        if isinstance(entry, str):
            first = last = date.fromisoformat(entry)
        else:
            first, last = date.fromisoformat(entry["from"]), date.fromisoformat(entry["to"])
            if last < first:
                errors.append(FieldError(f"/{field}/{i}/to", Text("结束日期早于开始日期", "Ends before it starts")))
                continue
        if first.year != year or last.year != year:
            errors.append(FieldError(f"/{field}/{i}", Text(f"日期不在 {year} 年内", f"Date not in {year}")))
            continue
        day = first
        while day <= last:
            if day.isoformat() in days and not isinstance(entry, str):
                errors.append(FieldError(f"/{field}/{i}", Text(f"与第 {days[day.isoformat()] + 1} 项重叠（{day}）",
                                                               f"Overlaps entry {days[day.isoformat()] + 1} ({day})")))
                break
            days.setdefault(day.isoformat(), i)
            day += timedelta(days=1)
    return sorted(days), errors


REMIND_FROM_MONTH = 11  # the State Council publishes next year's schedule in the autumn


def missing_task(ctx: TenantContext, year: int) -> tasks.Task:
    """The district admins' task to load `year`'s schedule, due when the year begins there."""
    return tasks.Task(tasks.DISTRICT, "calendar_missing", str(year), {
        "title": f"{year} 年工作日历 / {year} working-day calendar",
        "reason": missing_year_warning(year), "due_at": datetime(year, 1, 1, tzinfo=ZoneInfo(ctx.timezone)).isoformat(),
        "object": {"kind": KIND, "id": str(year)}, "link": f"/v1/calendars/{year}"})


def remind_missing(ctx: TenantContext, now: datetime | None = None) -> list[int]:
    """From 1 November, a task for the district admins for each of this year and the next that has
    no table (`source: none`); made once, removed by the PUT that loads the year. Returns the years
    whose task this run made."""
    today = (now or datetime.now(ZoneInfo(ctx.timezone))).astimezone(ZoneInfo(ctx.timezone)).date()
    years = [today.year] + ([today.year + 1] if today.month >= REMIND_FROM_MONTH else [])
    made = []
    for year in years:
        task = missing_task(ctx, year)
        if get_year(ctx, year)["source"] != "none" or tasks.exists(ctx, task):
            continue
        store.write(ctx, tasks.moved(ctx, None, task), action="calendar.remind", target=f"{KIND}/{year}")
        if get_year(ctx, year)["source"] != "none":  # loaded meanwhile: its PUT found no task to remove
            store.write(ctx, tasks.moved(ctx, task, None), action="calendar.remind_withdrawn", target=f"{KIND}/{year}")
            continue
        made.append(year)
    return made


def put_year(ctx: TenantContext, year: int, body: dict[str, Any]) -> dict[str, Any]:
    """Replace a year's holidays and make-up workdays (district admins): dates, or ranges as published."""
    authz.require(ctx, authz.MANAGE_DISTRICT)
    holidays, errors = _expand(year, "holidays", body["holidays"])
    workdays, more = _expand(year, "workdays", body["workdays"])
    errors += more
    body = {**body, "holidays": holidays, "workdays": workdays}
    both = set(body["holidays"]) & set(body["workdays"])
    errors += [FieldError("/workdays", Text(f"{d} 不能既是假日又是调休工作日", f"{d} cannot be both a holiday and a workday"))
               for d in sorted(both)]
    if errors:
        raise ValidationFailed(errors=errors)
    data = {"year": year, "holidays": sorted(set(body["holidays"])), "workdays": sorted(set(body["workdays"])),
            "source": "tenant"}
    done = tasks.moved(ctx, missing_task(ctx, year), None)  # the reminder goes with the load
    try:
        item = GridsTable.get(ctx.key(KIND), str(year))
    except GridsTable.DoesNotExist:
        return store.create(ctx, GridsTable, KIND, data, item_id=str(year), extra=done)
    return store.update(ctx, item, data, body.get("version", item.version), extra=done)


class Calendar:
    """Working days of a tenant, loading each year once."""

    def __init__(self, ctx: TenantContext) -> None:
        self.ctx = ctx
        self.tz = ZoneInfo(ctx.timezone)
        self._years: dict[int, tuple[set[str], set[str]]] = {}
        self.missing_years: set[int] = set()  # consulted, with no table: weekends only

    def is_workday(self, day: date) -> bool:
        if day.year not in self._years:
            data = get_year(self.ctx, day.year)
            self._years[day.year] = (set(data["holidays"]), set(data["workdays"]))
            if data["source"] == "none":
                self.missing_years.add(day.year)
        holidays, workdays = self._years[day.year]
        iso = day.isoformat()
        if iso in workdays:
            return True
        return iso not in holidays and day.weekday() < 5

    def add(self, start: datetime, unit: str, amount: float) -> datetime:
        """`start` plus a limit, as an aware datetime in the tenant's zone."""
        local = start.astimezone(self.tz)
        if unit == "hours":
            return local + timedelta(hours=amount)
        if unit == "working_days":
            day, left = local.date(), int(amount)
            while left:
                day += timedelta(days=1)
                left -= self.is_workday(day)
            end_of_day = WORK_PERIODS[-1][1]
            return datetime.combine(day, min(max(local.time(), WORK_PERIODS[0][0]), end_of_day), self.tz)
        if unit == "working_hours":
            return self._add_working_hours(local, timedelta(hours=amount))
        raise ValueError(f"unknown time-limit unit {unit}")

    def _add_working_hours(self, local: datetime, left: timedelta) -> datetime:
        cursor = local
        for _ in range(3660):  # bounded: ten years of days
            if self.is_workday(cursor.date()):
                for begin, end in WORK_PERIODS:
                    start = max(cursor, datetime.combine(cursor.date(), begin, self.tz))
                    stop = datetime.combine(cursor.date(), end, self.tz)
                    if start >= stop:
                        continue
                    if stop - start >= left:
                        return start + left
                    left -= stop - start
            cursor = datetime.combine(cursor.date() + timedelta(days=1), time(0), self.tz)
        raise ValueError("time limit too long")
