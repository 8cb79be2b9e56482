"""Routes for grid work: incidents and their transitions, the category catalogue, working-day
calendars, patrols, uploads of photos and evidence, and monthly statistics."""
from __future__ import annotations

from chalice import Blueprint
from chalice.app import Response

from functions import lazy
from functions.api.request import begin_write, paging, period_param, query_param, respond, tenant_context
from functions.errors import FieldError, Text, ValidationFailed

bp = Blueprint(__name__)
calendar, categories, incidents, patrols, stats, uploads = lazy.modules(
    "functions.grid_work", "calendar", "categories", "incidents", "patrols", "stats", "uploads")


def _read():
    return tenant_context(bp.current_request)


@bp.route("/v1/incidents", methods=["POST"])
def create_incident() -> Response:
    """Report an incident in a grid, given or found from `location`; its acceptance clock starts."""
    ctx, body = begin_write(bp.current_request, "incident")
    return respond(incidents.report(ctx, body), 201)


@bp.route("/v1/incidents", methods=["GET"])
def list_incidents() -> Response:
    """Incidents by `?status=`, `?grid_id=`, `?category=` or `?overdue=true` — one Query each."""
    r = bp.current_request
    return respond(incidents.list_incidents(
        _read(), status=query_param(r, "status"), grid_id=query_param(r, "grid_id"),
        category=query_param(r, "category"), overdue=(query_param(r, "overdue") or "") in ("true", "1"), **paging(r)))


@bp.route("/v1/incidents/{incident_id}", methods=["GET"])
def get_incident(incident_id: str) -> Response:
    return respond(incidents.get_incident(_read(), incident_id))


@bp.route("/v1/incidents/{incident_id}/transitions", methods=["POST"])
def transition_incident(incident_id: str) -> Response:
    """Move an incident through its closed loop; a disallowed action is 409 listing the allowed ones."""
    ctx, body = begin_write(bp.current_request, "transition-incident", status=200)
    return respond(incidents.transition(ctx, incident_id, body))


@bp.route("/v1/incident-categories", methods=["GET"])
def list_incident_categories() -> Response:
    """The category catalogue: built-in categories and the district's own, with their extra fields."""
    return respond(categories.catalogue(_read()))


@bp.route("/v1/incident-categories/{code}", methods=["PUT"])
def put_incident_category(code: str) -> Response:
    """Add or redefine a category, optionally with extra typed fields (a JSON Schema)."""
    ctx, body = begin_write(bp.current_request, "put-incident-category", status=200)
    if not code.replace("_", "").isalnum() or not code.isascii() or len(code) > 40:
        raise ValidationFailed(errors=[FieldError("/code", Text("类别代码须为字母、数字或下划线", "code must be letters, digits or _"))])
    return respond(categories.put_category(ctx, code, body))


@bp.route("/v1/calendars/{year}", methods=["GET"])
def get_calendar(year: str) -> Response:
    """A year's statutory holidays and make-up workdays (the district's, or the built-in table)."""
    return respond(calendar.get_year(_read(), _year(year)))


@bp.route("/v1/calendars/{year}", methods=["PUT"])
def put_calendar(year: str) -> Response:
    """Replace a year's holidays and make-up workdays (调休)."""
    ctx, body = begin_write(bp.current_request, "put-calendar", status=200)
    return respond(calendar.put_year(ctx, _year(year), body))


@bp.route("/v1/patrols", methods=["POST"])
def create_patrol() -> Response:
    """Log a grid worker's patrol: one per worker, grid and day (a second is 409)."""
    ctx, body = begin_write(bp.current_request, "patrol")
    return respond(patrols.create_patrol(ctx, body), 201)


@bp.route("/v1/patrols", methods=["GET"])
def list_patrols() -> Response:
    r = bp.current_request
    return respond(patrols.list_patrols(_read(), grid_id=query_param(r, "grid_id"), **paging(r)))


@bp.route("/v1/patrols/{patrol_id}", methods=["GET"])
def get_patrol(patrol_id: str) -> Response:
    return respond(patrols.get_patrol(_read(), patrol_id))


@bp.route("/v1/patrols/{patrol_id}", methods=["PATCH"])
def update_patrol(patrol_id: str) -> Response:
    """Amend your own patrol log (findings, notes) at the version read."""
    ctx, body = begin_write(bp.current_request, "patrol", patch=True)
    return respond(patrols.update_patrol(ctx, patrol_id, body))


@bp.route("/v1/uploads", methods=["POST"])
def create_upload() -> Response:
    """A presigned PUT for an incident photo or action evidence; reference its `key` afterwards."""
    ctx, body = begin_write(bp.current_request, "upload")
    return respond(uploads.start(ctx, body), 201)


@bp.route("/v1/stats/grid-work", methods=["GET"])
def grid_work_stats() -> Response:
    """Incidents by category and status, closure rate, median time to close, overdue — per grid and community."""
    r = bp.current_request
    return respond(stats.grid_work(_read(), period_param(r)))


def _year(year: str) -> int:
    if not (year.isdigit() and 2000 <= int(year) <= 2100):
        raise ValidationFailed(errors=[FieldError("/year", Text("年份应为 2000–2100", "year must be 2000–2100"))])
    return int(year)
