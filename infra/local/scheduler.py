"""A local scheduler firing the app's `@app.schedule` handlers on their own expressions.

`chalice local` never fires schedules. This reads the same schedule expressions Chalice deploys
(`rate(…)` and AWS `cron(…)`), waits for the next due time and calls the same handler with a
generated scheduled event.
"""
from __future__ import annotations

import importlib
import re
import time
from datetime import datetime, timedelta, UTC
from typing import Any

from chalice.app import CloudWatchEventConfig, ScheduledEventConfig

RATE = re.compile(r"rate\((\d+) (minute|minutes|hour|hours|day|days)\)")


def schedules() -> dict[str, tuple[str, Any]]:
    """name → (expression, handler) for every scheduled handler of the app."""
    from app import app

    found = {}
    for source in app.event_sources:
        if isinstance(source, (ScheduledEventConfig, CloudWatchEventConfig)) and hasattr(source, "schedule_expression"):
            expression = source.schedule_expression
            module, function = source.handler_string.rsplit(".", 1)
            found[source.name] = (expression if isinstance(expression, str) else expression.to_string(),
                                  getattr(importlib.import_module(module), function))
    return found


def next_run(expression: str, after: datetime) -> datetime:
    """Next due time (UTC) of a Chalice/EventBridge schedule expression."""
    rate = RATE.fullmatch(expression)
    if rate:
        unit = rate.group(2).rstrip("s")
        return after + timedelta(**{f"{unit}s": int(rate.group(1))})
    fields = expression.removeprefix("cron(").removesuffix(")").split()
    from croniter import croniter  # AWS cron: min hour dom month dow year; '?' means any

    minute, hour, dom, month, dow = (f.replace("?", "*") for f in fields[:5])
    following: datetime = croniter(" ".join((minute, hour, dom, month, dow)), after).get_next(datetime)
    return following


def scheduled_event(name: str) -> dict[str, Any]:
    return {"version": "0", "id": f"local-{name}", "detail-type": "Scheduled Event", "source": "aws.events",
            "account": "000000000000", "time": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
            "region": "local", "resources": [f"local:rule/{name}"], "detail": {}}


def fire(name: str) -> Any:
    jobs = schedules()
    if name not in jobs:
        raise SystemExit(f"no scheduled job {name!r}; jobs: {', '.join(sorted(jobs)) or 'none'}")
    return jobs[name][1](scheduled_event(name), None)


def fire_due(due: dict[str, datetime], now: datetime) -> list[str]:
    """Fire every job whose time has come (in name order) and move it to its next due time in `due`.

    Returns the names fired. A failing job is reported on stdout, moved on like the others, and does
    not stop the rest: one bad tenant or job must not silence every schedule of the local stack.
    """
    jobs = schedules()
    fired = []
    for name in sorted(due):
        if due[name] > now:
            continue
        try:
            fire(name)
        except Exception as exc:  # keep the other schedules alive
            print(f"scheduled job {name} failed: {exc!r}", flush=True)
        fired.append(name)
        due[name] = next_run(jobs[name][0], now)
    return fired


def run_forever() -> None:
    now = datetime.now(UTC)
    due = {name: next_run(expr, now) for name, (expr, _) in schedules().items()}
    while True:
        fire_due(due, datetime.now(UTC))
        time.sleep(1)
