"""The hourly overdue sweep across tenants (see `incidents.sweep_overdue`)."""
from __future__ import annotations

from typing import Any

from functions.grid_work.incidents import sweep_overdue
from functions.platform.tenants import for_each_active_tenant


def run_all_tenants() -> dict[str, Any]:
    return for_each_active_tenant(sweep_overdue, "overdue sweep")
