"""Monthly grid-work statistics: incidents by category and status, closure rate, median time to
close and overdue count — for the district, per community and per grid. Reads the month's
incidents with one range Query on their time-ordered ids."""
from __future__ import annotations

from collections import Counter, defaultdict
from datetime import datetime, UTC
from statistics import median
from typing import Any

from functions.grid_work.incidents import reported_between, with_flags
from functions.periods import month_bounds
from functions.tenancy import TenantContext


def _summary(incidents: list[dict[str, Any]]) -> dict[str, Any]:
    closed = [i for i in incidents if i["status"] == "closed"]
    hours = [(datetime.fromisoformat(i["closed_at"]) - datetime.fromisoformat(i["reported_at"])).total_seconds() / 3600
             for i in closed if i.get("closed_at")]
    return {
        "incidents": len(incidents),
        "by_category": dict(Counter(i["category"] for i in incidents)),
        "by_status": dict(Counter(i["status"] for i in incidents)),
        "closed": len(closed),
        "closure_rate": round(len(closed) / len(incidents), 4) if incidents else None,
        "median_hours_to_close": round(median(hours), 2) if hours else None,
        "overdue": sum(1 for i in incidents if i["overdue"]),
        "escalated": sum(1 for i in incidents if i["level"] != "grid"),
    }


def grid_work(ctx: TenantContext, period: str) -> dict[str, Any]:
    low, high = month_bounds(ctx.timezone, period)
    now = datetime.now(UTC)
    incidents = [with_flags(item.public(), now) for item in reported_between(ctx, low, high)]
    by_community: dict[str, list[Any]] = defaultdict(list)
    by_grid: dict[str, list[Any]] = defaultdict(list)
    for incident in incidents:
        by_community[incident["community_id"]].append(incident)
        by_grid[incident["grid_id"]].append(incident)
    return {"period": period, "district": _summary(incidents),
            "communities": [{"community_id": c, **_summary(v)} for c, v in sorted(by_community.items())],
            "grids": [{"grid_id": g, **_summary(v)} for g, v in sorted(by_grid.items())]}
