"""The hourly overdue sweep across tenants (see `incidents.sweep_overdue`)."""
from __future__ import annotations

from typing import Any

from functions.grid_work.incidents import sweep_overdue
from functions.log import logger
from functions.platform.tenants import active_tenants


def run_all_tenants() -> dict[str, Any]:
    """One tenant failing does not stop the others."""
    results: dict[str, Any] = {}
    for ctx in active_tenants():
        try:
            results[ctx.tenant] = sweep_overdue(ctx)
        except Exception:
            logger.exception("overdue sweep failed", extra={"tenant": ctx.tenant})
    return results
