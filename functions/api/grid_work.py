"""Routes for grid work: incidents and their transitions, the category catalogue, working-day
calendars, patrols, uploads of photos and evidence, and monthly statistics."""
from __future__ import annotations

from typing import TYPE_CHECKING, Any

from chalice.app import Blueprint

from functions import lazy
from functions.api.declaration import GRID_ID, OVERDUE, PERIOD, Param, query, route
from functions.tenancy import TenantContext
from functions.api.request import begin_write, paging, tenant_context
from functions.errors import FieldError, Text, ValidationFailed
from functions.vocabulary import INCIDENT_STATUSES

bp = Blueprint(__name__)
if TYPE_CHECKING:  # the real modules for readers and the type checker; loaded on first use at run time
    from functions.grid_work import calendar, categories, incidents, patrols, stats, uploads
else:
    calendar, categories, incidents, patrols, stats, uploads = lazy.modules("functions.grid_work", "calendar", "categories", "incidents", "patrols", "stats", "uploads")

INCIDENT_STATUS = Param("status", "事件状态 / incident status", "enum", INCIDENT_STATUSES)
CATEGORY = Param("category", "事件类别代码 / category code")
PATROL_GRID_ID = GRID_ID


def _read() -> TenantContext:
    return tenant_context(bp.current_request)


@route(bp, "POST", "/v1/incidents", "上报事件 / Report an incident", body="incident", status=201, idempotent=True, response="incident")
def create_incident() -> dict[str, Any]:
    """Report an incident in a grid, given or found from `location`; its acceptance clock starts."""
    ctx, body = begin_write(bp.current_request)
    return incidents.report(ctx, body)


@route(bp, "GET", "/v1/incidents", "事件列表 / List incidents", query=(INCIDENT_STATUS, GRID_ID, CATEGORY, OVERDUE), pages=True, response="incident-list")
def list_incidents() -> dict[str, Any]:
    """Incidents by `?status=`, `?grid_id=`, `?category=` or `?overdue=true` — one Query each."""
    r = bp.current_request
    return incidents.list_incidents(
        _read(), status=query(r)["status"], grid_id=query(r)["grid_id"],
        category=query(r)["category"], overdue=bool(query(r)["overdue"]), **paging(r))


@route(bp, "GET", "/v1/incidents/{incident_id}", "查看事件 / Get an incident", response="incident")
def get_incident(incident_id: str) -> dict[str, Any]:
    return incidents.get_incident(_read(), incident_id)


@route(bp, "POST", "/v1/incidents/{incident_id}/rating", "评价事件办理 / Rate how an incident was handled", body="rate-incident", idempotent=True, response="incident")
def rate_incident(incident_id: str) -> dict[str, Any]:
    """The reporter's satisfaction, once, after the incident is resolved."""
    ctx, body = begin_write(bp.current_request)
    return incidents.rate(ctx, incident_id, body)


@route(bp, "POST", "/v1/incidents/{incident_id}/transitions", "处置事件 / Move an incident through its loop", body="transition-incident", idempotent=True, response="incident")
def transition_incident(incident_id: str) -> dict[str, Any]:
    """Move an incident through its closed loop; a disallowed action is 409 listing the allowed ones."""
    ctx, body = begin_write(bp.current_request)
    return incidents.transition(ctx, incident_id, body)


@route(bp, "GET", "/v1/incident-categories", "事件类别 / Incident categories", response="incident-category-list")
def list_incident_categories() -> dict[str, Any]:
    """The category catalogue: built-in categories and the district's own, with their extra fields."""
    return categories.catalogue(_read())


@route(bp, "PUT", "/v1/incident-categories/{code}", "设置事件类别 / Define an incident category", body="put-incident-category", response="incident-category")
def put_incident_category(code: str) -> dict[str, Any]:
    """Add or redefine a category, optionally with extra typed fields (a JSON Schema)."""
    ctx, body = begin_write(bp.current_request)
    if not code.replace("_", "").isalnum() or not code.isascii() or len(code) > 40:
        raise ValidationFailed(errors=[FieldError("/code", Text("类别代码须为字母、数字或下划线", "code must be letters, digits or _"))])
    return categories.put_category(ctx, code, body)


@route(bp, "GET", "/v1/calendars/{year}", "工作日历 / Working-day calendar", response="calendar-year")
def get_calendar(year: str) -> dict[str, Any]:
    """A year's statutory holidays and make-up workdays (the district's, or the built-in table)."""
    return calendar.get_year(_read(), _year(year))


@route(bp, "PUT", "/v1/calendars/{year}", "设置工作日历 / Set a working-day calendar", body="put-calendar", response="calendar-year")
def put_calendar(year: str) -> dict[str, Any]:
    """Replace a year's holidays and make-up workdays (调休)."""
    ctx, body = begin_write(bp.current_request)
    return calendar.put_year(ctx, _year(year), body)


@route(bp, "POST", "/v1/patrols", "记录巡查 / Log a patrol", body="patrol", status=201, idempotent=True, response="patrol")
def create_patrol() -> dict[str, Any]:
    """Log a grid worker's patrol: one per worker, grid and day (a second is 409)."""
    ctx, body = begin_write(bp.current_request)
    return patrols.create_patrol(ctx, body)


@route(bp, "GET", "/v1/patrols", "巡查记录 / List patrols", query=(PATROL_GRID_ID,), pages=True, response="patrol-list")
def list_patrols() -> dict[str, Any]:
    r = bp.current_request
    return patrols.list_patrols(_read(), grid_id=query(r)["grid_id"], **paging(r))


@route(bp, "GET", "/v1/patrols/{patrol_id}", "查看巡查 / Get a patrol", response="patrol")
def get_patrol(patrol_id: str) -> dict[str, Any]:
    return patrols.get_patrol(_read(), patrol_id)


@route(bp, "PATCH", "/v1/patrols/{patrol_id}", "修改巡查记录 / Amend a patrol", body="patrol#patch", response="patrol")
def update_patrol(patrol_id: str) -> dict[str, Any]:
    """Amend your own patrol log (findings, notes) at the version read."""
    ctx, body = begin_write(bp.current_request)
    return patrols.update_patrol(ctx, patrol_id, body)


@route(bp, "POST", "/v1/uploads", "上传照片或佐证 / Start a photo or evidence upload", body="upload", status=201, idempotent=True, response="upload-ticket")
def create_upload() -> dict[str, Any]:
    """A presigned PUT for an incident photo or action evidence; reference its `key` afterwards."""
    ctx, body = begin_write(bp.current_request)
    return uploads.start(ctx, body)


@route(bp, "GET", "/v1/stats/grid-work", "网格工作月度统计 / Monthly grid-work statistics", query=(PERIOD,), response="grid-work-stats")
def grid_work_stats() -> dict[str, Any]:
    """Incidents by category and status, closure rate, median time to close, overdue — per grid and community."""
    r = bp.current_request
    return stats.grid_work(_read(), query(r)["period"])


def _year(year: str) -> int:
    if not (year.isdigit() and 2000 <= int(year) <= 2100):
        raise ValidationFailed(errors=[FieldError("/year", Text("年份应为 2000–2100", "year must be 2000–2100"))])
    return int(year)
