"""Working-day calendars and time limits over a calendar table held in memory: the built-in 2026
table, a tenant's own year, the checks on a new year, and limits in hours, working days and working
hours (no stack needed)."""
from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from functions.errors import Conflict, FieldError, Forbidden, Text, ValidationFailed
from functions.grid_work import calendar
from functions.tenancy import COMMUNITY_STAFF, Principal, TenantContext, system_context

SHANGHAI = ZoneInfo("Asia/Shanghai")


class Item:
    def __init__(self, pk: str, sk: str, data: dict[str, Any], version: int) -> None:
        self.pk, self.sk, self.data, self.version = pk, sk, data, version

    def public(self) -> dict[str, Any]:
        return {"id": self.sk, **self.data, "version": self.version}


class Table:
    """The calendar rows of the grids table, by (partition, sort) key, with the store's create and
    versioned update over them."""

    class DoesNotExist(Exception):
        pass

    def __init__(self) -> None:
        self.rows: dict[tuple[str, str], Item] = {}

    def get(self, pk: str, sk: str) -> Item:
        if (pk, sk) not in self.rows:
            raise self.DoesNotExist()
        return self.rows[(pk, sk)]

    # store.create / store.update
    def create(self, ctx: TenantContext, model: Any, kind: str, data: dict[str, Any], *, item_id: str,
               extra: Any = None) -> dict[str, Any]:
        key = (ctx.key(kind), item_id)
        assert model is self and key not in self.rows
        model.rows[key] = Item(*key, dict(data), 1)
        return model.rows[key].public()

    def update(self, ctx: TenantContext, item: Item, data: dict[str, Any], expected_version: int,
               extra: Any = None) -> dict[str, Any]:
        assert item.pk.startswith(ctx.key(""))  # written in the caller's tenant
        if self.rows[(item.pk, item.sk)].version != expected_version:
            raise Conflict()
        new = Item(item.pk, item.sk, dict(data), expected_version + 1)
        self.rows[(item.pk, item.sk)] = new
        return new.public()


@pytest.fixture
def table(monkeypatch: pytest.MonkeyPatch) -> Table:
    t = Table()
    monkeypatch.setattr(calendar, "GridsTable", t)
    monkeypatch.setattr(calendar.store, "create", t.create)
    monkeypatch.setattr(calendar.store, "update", t.update)
    return t


def admin(tenant: str = "gangbei", timezone: str = "Asia/Shanghai") -> TenantContext:
    return system_context(tenant, timezone)


def at(text: str, zone: ZoneInfo = SHANGHAI) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=zone)


# --- years ----------------------------------------------------------------------------------

def test_a_tenant_without_its_own_year_gets_the_built_in_one(table):
    year = calendar.get_year(admin(), 2026)
    assert year == {"id": "2026", "year": 2026, "holidays": calendar.BUILT_IN[2026]["holidays"],
                    "workdays": calendar.BUILT_IN[2026]["workdays"], "source": "built_in", "version": 0}
    assert calendar.get_year(admin(), 2031) == {"id": "2031", "year": 2031, "holidays": [], "workdays": [],
                                                "source": "none", "version": 0}  # no table: weekends only, said so


def test_a_year_put_is_read_back_sorted_and_once_each(table):
    ctx = admin()
    body = {"holidays": ["2027-10-02", "2027-10-01", "2027-10-01"], "workdays": ["2027-09-26"]}
    created = calendar.put_year(ctx, 2027, body)
    assert created == {"id": "2027", "year": 2027, "holidays": ["2027-10-01", "2027-10-02"], "workdays": ["2027-09-26"],
                       "source": "tenant", "version": 1}
    assert calendar.get_year(ctx, 2027) == created
    assert calendar.get_year(admin("gangnan"), 2027)["source"] == "none"  # another tenant's year is its own
    assert calendar.get_year(ctx, 2028)["source"] == "none"


def test_a_year_is_replaced_at_its_version_and_a_stale_one_is_refused(table):
    ctx = admin()
    calendar.put_year(ctx, 2027, {"holidays": ["2027-01-01"], "workdays": []})
    second = calendar.put_year(ctx, 2027, {"holidays": ["2027-01-02"], "workdays": ["2027-01-09"], "version": 1})
    assert (second["holidays"], second["workdays"], second["version"]) == (["2027-01-02"], ["2027-01-09"], 2)
    third = calendar.put_year(ctx, 2027, {"holidays": [], "workdays": []})  # no version: the one read
    assert (third["holidays"], third["version"]) == ([], 3)
    with pytest.raises(Conflict):
        calendar.put_year(ctx, 2027, {"holidays": [], "workdays": [], "version": 1})


def test_only_district_admins_put_a_year(table):
    staff = TenantContext("gangbei", Principal("s", frozenset({COMMUNITY_STAFF}), "gangbei", frozenset({"c1"})))
    with pytest.raises(Forbidden):
        calendar.put_year(staff, 2027, {"holidays": [], "workdays": []})
    assert table.rows == {}


def test_dates_outside_the_year_and_dates_in_both_lists_are_named(table):
    body = {"holidays": ["2027-01-01", "2026-12-31", "2027-05-01", "2027-05-02"],
            "workdays": ["2028-01-02", "2027-05-02", "2027-05-01"]}
    with pytest.raises(ValidationFailed) as caught:
        calendar.put_year(admin(), 2027, body)
    assert caught.value.errors == [
        FieldError("/holidays/1", Text("日期不在 2027 年内", "Date not in 2027")),
        FieldError("/workdays/0", Text("日期不在 2027 年内", "Date not in 2027")),
        FieldError("/workdays", Text("2027-05-01 不能既是假日又是调休工作日", "2027-05-01 cannot be both a holiday and a workday")),
        FieldError("/workdays", Text("2027-05-02 不能既是假日又是调休工作日", "2027-05-02 cannot be both a holiday and a workday")),
    ]
    assert table.rows == {}


def test_only_the_overlap_is_named_when_all_dates_are_in_the_year(table):
    with pytest.raises(ValidationFailed) as caught:
        calendar.put_year(admin(), 2027, {"holidays": ["2027-02-01"], "workdays": ["2027-02-01", "2027-02-06"]})
    assert [e.path for e in caught.value.errors] == ["/workdays"]


# --- working days -----------------------------------------------------------------------------

@pytest.mark.parametrize("day, working", [
    ("2026-10-01", False),  # National Day, a Thursday
    ("2026-10-10", True),   # the Saturday worked instead
    ("2026-10-09", True),   # an ordinary Friday
    ("2026-10-17", False),  # an ordinary Saturday
    ("2026-10-18", False),  # an ordinary Sunday
    ("2026-02-14", True),   # a make-up Saturday before the Spring Festival
])
def test_is_workday_on_the_built_in_year(table, day, working):
    assert calendar.Calendar(admin()).is_workday(date.fromisoformat(day)) is working


def test_a_tenants_own_year_is_used(table):
    ctx = admin()
    calendar.put_year(ctx, 2027, {"holidays": ["2027-03-03"], "workdays": ["2027-03-06"]})
    cal = calendar.Calendar(ctx)
    assert not cal.is_workday(date(2027, 3, 3)) and cal.is_workday(date(2027, 3, 6)) and cal.is_workday(date(2027, 3, 4))
    assert not cal.is_workday(date(2026, 10, 1)) and cal.is_workday(date(2026, 10, 10))  # and 2026 still built in


# --- time limits ------------------------------------------------------------------------------

def test_clock_hours_run_through_nights_and_holidays(table):
    cal = calendar.Calendar(admin())
    assert cal.add(at("2026-09-30T22:00"), "hours", 24) == at("2026-10-01T22:00")
    assert cal.add(at("2026-09-30T22:00"), "hours", 1.5) == at("2026-09-30T23:30")


def test_limits_are_counted_in_the_tenants_zone(table):
    cal = calendar.Calendar(admin(timezone="Asia/Urumqi"))
    start = datetime.fromisoformat("2026-10-09T03:00:00+00:00")  # Friday 09:00 in Urumqi, 11:00 in Shanghai
    assert cal.add(start, "working_hours", 1) == at("2026-10-09T10:00", ZoneInfo("Asia/Urumqi"))
    assert cal.add(start, "hours", 1).utcoffset() == timedelta(hours=6)
    end = calendar.Calendar(admin()).add(start, "working_days", 1)
    assert end == at("2026-10-10T11:00") and end.utcoffset() == timedelta(hours=8)


@pytest.mark.parametrize("start, days, end", [
    ("2026-10-09T10:15", 1, "2026-10-10T10:15"),   # Friday → the make-up Saturday
    ("2026-10-10T10:15", 1, "2026-10-12T10:15"),   # Saturday worked → Monday
    ("2026-09-30T10:15", 1, "2026-10-08T10:15"),   # over the National Day week
    ("2026-09-30T10:15", 3, "2026-10-10T10:15"),
    ("2026-10-12T10:15", 5, "2026-10-19T10:15"),   # a plain week
    ("2026-10-12T07:30", 1, "2026-10-13T09:00"),   # before opening: the next day's opening
    ("2026-10-12T20:00", 1, "2026-10-13T17:30"),   # after closing: the next day's close
    ("2026-10-12T12:45", 1, "2026-10-13T12:45"),   # lunch is inside the working day
    ("2026-10-12T10:15", 0, "2026-10-12T10:15"),
])
def test_working_days(table, start, days, end):
    assert calendar.Calendar(admin()).add(at(start), "working_days", days) == at(end)


@pytest.mark.parametrize("start, hours, end", [
    ("2026-10-12T09:00", 1, "2026-10-12T10:00"),
    ("2026-10-12T11:00", 1, "2026-10-12T12:00"),    # exactly fills the morning
    ("2026-10-12T11:30", 1, "2026-10-12T14:00"),    # half before lunch, half after
    ("2026-10-12T12:30", 1, "2026-10-12T14:30"),    # asked at lunch: counts from 13:30
    ("2026-10-12T07:00", 2, "2026-10-12T11:00"),    # before opening
    ("2026-10-12T16:30", 2, "2026-10-13T10:00"),    # over the night
    ("2026-10-12T18:00", 1, "2026-10-13T10:00"),    # after closing
    ("2026-10-16T16:30", 2, "2026-10-19T10:00"),    # Friday → Monday
    ("2026-09-30T17:00", 1, "2026-10-08T09:30"),    # over the National Day week
    ("2026-10-09T17:00", 1, "2026-10-10T09:30"),    # onto the make-up Saturday
    ("2026-10-12T09:00", 7, "2026-10-12T17:30"),    # a whole working day
    ("2026-10-12T09:00", 7.5, "2026-10-13T09:30"),
])
def test_working_hours(table, start, hours, end):
    assert calendar.Calendar(admin()).add(at(start), "working_hours", hours) == at(end)


def test_default_limits_are_met_on_the_calendar(table):
    cal, start = calendar.Calendar(admin()), at("2026-09-30T16:00")
    urgent, normal = calendar.DEFAULT_LIMITS["urgent"], calendar.DEFAULT_LIMITS["normal"]
    assert cal.add(start, *urgent["accept"]) == at("2026-09-30T18:00")
    assert cal.add(start, *normal["resolve"]) == at("2026-10-13T16:00")  # 8, 9, 10 (worked), 12, 13


def test_an_unknown_unit_or_an_endless_limit_is_an_error(table):
    cal = calendar.Calendar(admin())
    with pytest.raises(ValueError):
        cal.add(at("2026-10-12T09:00"), "fortnights", 1)
    with pytest.raises(ValueError):
        cal.add(at("2026-10-12T09:00"), "working_hours", 24 * 3660)
    assert cal.add(at("2026-10-12T09:00"), "working_hours", 7 * 200) < at("2027-12-31T00:00")
