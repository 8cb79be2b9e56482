"""Periods in the tenant's zone, as plain functions: bounds are UTC whatever the server's zone, open
ends sort around every timestamp, and "last month" is the zone's (no stack needed)."""
from __future__ import annotations

import time as clock
from datetime import UTC, datetime

import pytest

from functions import periods


@pytest.fixture
def server_in_tokyo(monkeypatch: pytest.MonkeyPatch):
    """A machine whose local zone is neither UTC nor the tenant's."""
    monkeypatch.setenv("TZ", "Asia/Tokyo")
    clock.tzset()
    yield
    monkeypatch.undo()
    clock.tzset()


def test_bounds_are_the_zones_days_in_utc(server_in_tokyo):
    assert periods.utc_bounds("Asia/Shanghai", "2026-10-01", "2026-10-31") == ("2026-09-30T16:00:00+00:00",
                                                                               "2026-10-31T16:00:00+00:00")
    assert periods.utc_bounds("America/New_York", "2026-11-01", "2026-11-01") == ("2026-11-01T04:00:00+00:00",
                                                                                  "2026-11-02T05:00:00+00:00")


def test_bounds_take_the_date_of_a_timestamp(server_in_tokyo):
    assert periods.utc_bounds("Asia/Shanghai", "2026-10-01T23:59:00+08:00", "2026-10-02T00:30:00+08:00") == \
        periods.utc_bounds("Asia/Shanghai", "2026-10-01", "2026-10-02")


def test_open_ends_sort_before_and_after_every_timestamp():
    assert periods.utc_bounds("Asia/Shanghai", None, None) == ("0000", "9999")
    low, high = periods.utc_bounds("Asia/Shanghai", None, "2026-10-31")
    assert (low, high) == ("0000", "2026-10-31T16:00:00+00:00")
    low, high = periods.utc_bounds("Asia/Shanghai", "2026-10-01", None)
    assert (low, high) == ("2026-09-30T16:00:00+00:00", "9999")
    for stamp in ("1970-01-01T00:00:00+00:00", "2026-10-31T20:00:00+00:00", "2999-12-31T23:59:59+00:00"):
        assert "0000" < stamp < "9999"


@pytest.mark.parametrize("period, first, last", [("2026-02", "2026-02-01", "2026-02-28"), ("2028-02", "2028-02-01", "2028-02-29"),
                                                 ("2026-04", "2026-04-01", "2026-04-30"), ("2026-12", "2026-12-01", "2026-12-31")])
def test_month_dates(period, first, last):
    assert periods.month_dates(period) == (first, last)


def test_month_bounds_are_aware_utc_datetimes(server_in_tokyo):
    low, high = periods.month_bounds("Asia/Shanghai", "2026-11")
    assert (low, high) == (datetime(2026, 10, 31, 16, tzinfo=UTC), datetime(2026, 11, 30, 16, tzinfo=UTC))


def test_period_of_is_the_zones_month():
    assert periods.period_of("2026-10-31T20:00:00+00:00", "Asia/Shanghai") == "2026-11"
    assert periods.period_of(datetime(2026, 10, 31, 20, tzinfo=UTC), "UTC") == "2026-10"


@pytest.mark.parametrize("now, zone, month", [
    (datetime(2026, 10, 31, 20, 45, tzinfo=UTC), "Asia/Shanghai", "2026-10"),  # already 1 November there
    (datetime(2026, 10, 31, 20, 45, tzinfo=UTC), "UTC", "2026-09"),
    (datetime(2026, 1, 15, 3, 7, tzinfo=UTC), "Asia/Shanghai", "2025-12"),
    (datetime(2026, 3, 1, 0, 30, tzinfo=UTC), "Asia/Shanghai", "2026-02"),
])
def test_previous_month_is_the_zones(now, zone, month):
    assert periods.previous_month(zone, now) == month


def test_previous_month_defaults_to_now():
    today = datetime.now(UTC)
    expected = {periods.previous_month("Asia/Shanghai", today), periods.previous_month("Asia/Shanghai", datetime.now(UTC))}
    assert periods.previous_month("Asia/Shanghai") in expected
