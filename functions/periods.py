"""Periods in the tenant's time zone: months (`YYYY-MM`) and date ranges, as UTC bounds for keys.

An event belongs to the month it happened in where the district is: 2026-10-31T20:00Z is
November in Asia/Shanghai.
"""
from __future__ import annotations

from datetime import date, datetime, time, timedelta, UTC
from zoneinfo import ZoneInfo


def utc_bounds(timezone_name: str, date_from: str | None, date_to: str | None) -> tuple[str, str]:
    """UTC bounds (sortable strings) of [from, to], dates in the tenant's zone, `to` inclusive."""
    tz = ZoneInfo(timezone_name)
    low = datetime.combine(date.fromisoformat(date_from[:10]), time(), tz) if date_from else None
    high = datetime.combine(date.fromisoformat(date_to[:10]) + timedelta(days=1), time(), tz) if date_to else None
    return (low.astimezone(UTC).isoformat(timespec="seconds") if low else "0000",
            high.astimezone(UTC).isoformat(timespec="seconds") if high else "9999")


def month_dates(period: str) -> tuple[str, str]:
    """First and last date of a `YYYY-MM` month."""
    first = date.fromisoformat(f"{period}-01")
    last = (first.replace(day=28) + timedelta(days=4)).replace(day=1) - timedelta(days=1)
    return first.isoformat(), last.isoformat()


def month_bounds(timezone_name: str, period: str) -> tuple[datetime, datetime]:
    """[start, end) of a month in the tenant's zone, as aware UTC datetimes."""
    low, high = utc_bounds(timezone_name, *month_dates(period))
    return datetime.fromisoformat(low), datetime.fromisoformat(high)


def period_of(moment: str | datetime, timezone_name: str) -> str:
    """The `YYYY-MM` month a moment belongs to in the tenant's zone."""
    when = datetime.fromisoformat(moment) if isinstance(moment, str) else moment
    return when.astimezone(ZoneInfo(timezone_name)).strftime("%Y-%m")


def previous_month(timezone_name: str, now: datetime | None = None) -> str:
    today = (now or datetime.now(UTC)).astimezone(ZoneInfo(timezone_name)).date()
    return (today.replace(day=1) - timedelta(days=1)).strftime("%Y-%m")
