"""Properties of the pure parts, checked by hypothesis over many generated cases."""
from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from functions import cursor
from functions.assessments import engine
from functions.errors import BadRequest
from functions.periods import month_bounds, period_of
from functions.structure import geo

keys = st.dictionaries(st.sampled_from(["pk", "sk", "gsi1pk", "gsi1sk", "n"]),
                       st.one_of(st.fixed_dictionaries({"S": st.text(min_size=1, max_size=40)}),
                                 st.fixed_dictionaries({"N": st.integers().map(str)})), min_size=1)


@given(keys, st.text(min_size=1, max_size=30))
def test_cursor_round_trips_within_its_scope(key, scope):
    assert cursor.decode(cursor.encode(key, scope), scope) == key


@given(keys, st.text(min_size=1, max_size=30), st.text(min_size=1, max_size=30))
def test_cursor_is_refused_elsewhere(key, scope, other):
    token = cursor.encode(key, scope)
    if other != scope:
        with pytest.raises(BadRequest):
            cursor.decode(token, other)


@given(st.text(max_size=300))
def test_any_text_as_a_cursor_is_a_400_never_a_crash(text):
    """`é.é` once made compare_digest raise TypeError (a 500)."""
    try:
        cursor.decode(text, "s")
    except BadRequest:
        pass


def test_non_ascii_cursor_and_a_long_real_key_are_handled():
    with pytest.raises(BadRequest):
        cursor.decode("é.é", "s")
    key = {"pk": {"S": "gangbei#incident-open"}, "sk": {"S": "01KBZ3Q7X0V5N1M2K3J4H5G6F7"},
           "gsi2pk": {"S": "gangbei#incident-open"}, "gsi2sk": {"S": "2026-11-03T02:00:00Z#01KBZ3Q7X0V5N1M2K3J4H5G6F7"}}
    token = cursor.encode(key, "scope")
    assert cursor.decode(token, "scope") == key and len(token) < 200


@given(keys, st.data())
def test_any_altered_cursor_is_refused(key, data):
    token = cursor.encode(key, "s")
    position = data.draw(st.integers(0, len(token) - 1))
    replacement = data.draw(st.sampled_from("ABCxyz019-_.").filter(lambda c: c != token[position]))
    altered = token[:position] + replacement + token[position + 1:]
    try:
        assert cursor.decode(altered, "s") == key  # only a no-op change of base64 padding bits may pass
    except BadRequest:
        pass


zones = st.sampled_from(["Asia/Shanghai", "Asia/Urumqi", "UTC", "America/New_York"])
moments = st.datetimes(min_value=datetime(2000, 1, 1), max_value=datetime(2090, 1, 1), timezones=st.just(UTC))


# Moments whose month differs between UTC and the zone: random draws land this close to a month
# boundary only now and then, so these are always tried.
STRADDLING = [
    (datetime(2026, 10, 31, 20, 0, tzinfo=timezone.utc), "Asia/Shanghai", "2026-11"),   # Nov 1 04:00 in Shanghai
    (datetime(2026, 9, 30, 23, 0, tzinfo=timezone.utc), "Asia/Shanghai", "2026-10"),    # Oct 1 07:00 in Shanghai
    (datetime(2026, 12, 31, 16, 0, tzinfo=timezone.utc), "Asia/Shanghai", "2027-01"),   # a new year
    (datetime(2026, 10, 31, 20, 0, tzinfo=timezone.utc), "Asia/Urumqi", "2026-11"),     # UTC+6
    (datetime(2026, 11, 1, 2, 0, tzinfo=timezone.utc), "America/New_York", "2026-10"),  # behind UTC
]


@pytest.mark.parametrize("moment, zone, period", STRADDLING)
def test_a_moment_straddling_months_belongs_to_the_zones_month(moment, zone, period):
    assert moment.strftime("%Y-%m") != period  # the case is only useful if UTC says otherwise
    assert period_of(moment, zone) == period
    assert period_of(moment.isoformat(), zone) == period
    low, high = month_bounds(zone, period)
    assert low <= moment < high
    assert low.astimezone(ZoneInfo(zone)).replace(tzinfo=None) == datetime.fromisoformat(period + "-01")


@given(moments, zones)
@example(*STRADDLING[0][:2])
@example(*STRADDLING[1][:2])
@example(*STRADDLING[4][:2])
def test_a_moment_lies_in_the_bounds_of_its_month(moment, zone):
    period = period_of(moment, zone)
    low, high = month_bounds(zone, period)
    assert low <= moment < high
    assert period == moment.astimezone(ZoneInfo(zone)).strftime("%Y-%m")


@given(moments, zones)
@example(*STRADDLING[0][:2])
@example(*STRADDLING[2][:2])
def test_months_tile_without_gaps(moment, zone):
    low, high = month_bounds(zone, period_of(moment, zone))
    assert period_of(high, zone) != period_of(low, zone)
    assert month_bounds(zone, period_of(high, zone))[0] == high
    assert high - low <= timedelta(days=31, hours=1)


coords = st.floats(min_value=-170, max_value=170, allow_nan=False)


@given(coords, st.floats(-80, 80), st.floats(0.0001, 5), st.floats(0.0001, 5))
def test_rectangles_are_valid_and_contain_their_centre(lon, lat, w, h):
    ring = [[lon, lat], [lon + w, lat], [lon + w, lat + h], [lon, lat + h], [lon, lat]]
    polygon = {"type": "Polygon", "coordinates": [ring]}
    assert geo.polygon_errors(polygon) == []
    cx, cy = geo.centroid(polygon)
    assert geo.contains(polygon, cx, cy)
    assert not geo.contains(polygon, lon + w * 1.5, lat + h / 2)
    open_ring = {"type": "Polygon", "coordinates": [ring[:-1] + [[lon, lat + h / 2]]]}
    assert geo.polygon_errors(open_ring)


raw_values = st.dictionaries(st.text(min_size=1, max_size=5), st.floats(0, 1e6, allow_nan=False), min_size=1, max_size=40)


@given(raw_values, st.sampled_from(engine.SCALES))
def test_normalised_scores_are_bounded_and_monotonic(raw, scale):
    scores = engine.normalise(raw, scale)
    assert all(0 <= s <= 100 for s in scores.values())
    for a in raw:
        for b in raw:
            if raw[a] >= raw[b]:
                assert scores[a] >= scores[b]
        if raw[a] == 0:
            assert scores[a] == 0


unit_inputs = st.fixed_dictionaries({
    "dimensions": st.fixed_dictionaries({d: st.floats(0, 1000, allow_nan=False) for d in engine.DIMENSIONS}),
    "factors": st.fixed_dictionaries({f: st.one_of(st.none(), st.floats(0, 1, allow_nan=False)) for f in engine.FACTORS}),
})


@settings(max_examples=50)
@given(st.lists(unit_inputs, min_size=1, max_size=15))
def test_scoring_is_deterministic_bounded_and_ranks_every_unit(inputs):
    from functions.assessments.rules import DEFAULT_RULES

    units = {f"u{i:02d}": {"name": f"单位{i}", "community_id": f"c{i % 3}"} for i in range(len(inputs))}
    by_unit = dict(zip(sorted(units), inputs))
    first = engine.score(units, by_unit, DEFAULT_RULES)
    assert first == engine.score(units, by_unit, DEFAULT_RULES)
    assert sorted(r["rank"] for r in first) == list(range(1, len(units) + 1))
    assert all(0 <= r["score"] <= 100 for r in first)
    assert all(abs(sum(r["weights_used"].values()) - 1) < 1e-5 for r in first)  # 6-decimal rounding
    assert [r["score"] for r in first] == sorted((r["score"] for r in first), reverse=True)
