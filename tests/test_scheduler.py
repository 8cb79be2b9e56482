"""The local scheduler finds every scheduled handler of the app and fires it like EventBridge would."""
from datetime import datetime, UTC

from infra.local import scheduler


def test_every_schedule_is_found_and_fires(api):
    jobs = scheduler.schedules()
    assert "meeting-regularity" in jobs
    for name in jobs:
        scheduler.fire(name)  # runs against the test stack without raising


def test_next_run_of_aws_expressions():
    after = datetime(2026, 11, 24, 12, 0, tzinfo=UTC)
    assert scheduler.next_run("cron(0 2 1 * ? *)", after) == datetime(2026, 12, 1, 2, 0, tzinfo=UTC)
    assert scheduler.next_run("rate(5 minutes)", after) == datetime(2026, 11, 24, 12, 5, tzinfo=UTC)
    assert scheduler.next_run("rate(1 hour)", after) == datetime(2026, 11, 24, 13, 0, tzinfo=UTC)
