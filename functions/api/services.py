"""Routes for services: centres and the 20-minute circle, service requests, volunteer activities
and their quarterly reports, and programmes."""
from __future__ import annotations

from chalice import Blueprint
from chalice.app import Response

from functions import lazy
from functions.api.request import begin_write, paging, query_param, respond, tenant_context
from functions.errors import FieldError, Text, ValidationFailed

bp = Blueprint(__name__)
centres, programmes, requests, volunteers = lazy.modules("functions.services", "centres", "programmes", "requests", "volunteers")


def _read():
    return tenant_context(bp.current_request)


def _period(name: str = "period") -> str:
    value = query_param(bp.current_request, name)
    if not value:
        raise ValidationFailed(errors=[FieldError(f"/{name}", Text(f"缺少 {name}", f"{name} is required"))])
    return value


@bp.route("/v1/service-centres", methods=["POST"])
def create_service_centre() -> Response:
    """Add a district, street or community Party-mass service centre."""
    ctx, body = begin_write(bp.current_request, "service-centre")
    return respond(centres.create_centre(ctx, body), 201)


@bp.route("/v1/service-centres", methods=["GET"])
def list_service_centres() -> Response:
    return respond(centres.list_centres(_read(), **paging(bp.current_request)))


@bp.route("/v1/service-centres/coverage", methods=["GET"])
def service_coverage() -> Response:
    """Every grid's nearest centre and walking time; grids inside and outside the 20-minute circle."""
    return respond(centres.coverage(_read()))


@bp.route("/v1/service-centres/{centre_id}", methods=["GET"])
def get_service_centre(centre_id: str) -> Response:
    return respond(centres.get_centre(_read(), centre_id))


@bp.route("/v1/service-centres/{centre_id}", methods=["PATCH"])
def update_service_centre(centre_id: str) -> Response:
    ctx, body = begin_write(bp.current_request, "service-centre", patch=True)
    return respond(centres.update_centre(ctx, centre_id, body))


@bp.route("/v1/service-requests", methods=["POST"])
def create_service_request() -> Response:
    """Ask for a door-to-door or one-stop service (employment, education, household…)."""
    ctx, body = begin_write(bp.current_request, "service-request")
    return respond(requests.create_service_request(ctx, body), 201)


@bp.route("/v1/service-requests", methods=["GET"])
def list_service_requests() -> Response:
    r = bp.current_request
    return respond(requests.list_service_requests(_read(), status=query_param(r, "status"), **paging(r)))


@bp.route("/v1/service-requests/{request_id}", methods=["GET"])
def get_service_request(request_id: str) -> Response:
    return respond(requests.get_service_request(_read(), request_id))


@bp.route("/v1/service-requests/{request_id}/transitions", methods=["POST"])
def transition_service_request(request_id: str) -> Response:
    """accept, start, complete or decline a request; a disallowed action is 409 listing the allowed ones."""
    ctx, body = begin_write(bp.current_request, "transition-service-request", status=200)
    return respond(requests.transition(ctx, request_id, body))


@bp.route("/v1/service-requests/{request_id}/rating", methods=["POST"])
def rate_service_request(request_id: str) -> Response:
    """Rate a completed service 1–5, once."""
    ctx, body = begin_write(bp.current_request, "rate-service-request", status=200)
    return respond(requests.rate(ctx, request_id, body))


@bp.route("/v1/volunteer-activities", methods=["POST"])
def create_volunteer_activity() -> Response:
    """Record a member's volunteer hours (> 0, at most 24 a day); they count once verified."""
    ctx, body = begin_write(bp.current_request, "volunteer-activity")
    return respond(volunteers.create_volunteer_activity(ctx, body), 201)


@bp.route("/v1/volunteer-activities", methods=["GET"])
def list_volunteer_activities() -> Response:
    r = bp.current_request
    return respond(volunteers.list_activities(_read(), member_id=query_param(r, "member_id"), **paging(r)))


@bp.route("/v1/volunteer-activities/totals", methods=["GET"])
def volunteer_totals() -> Response:
    """Verified hours per member, unit and community for `?period=YYYY-MM|YYYY-Qn|YYYY`."""
    return respond(volunteers.totals(_read(), _period()))


@bp.route("/v1/volunteer-activities/{activity_id}/verify", methods=["POST"])
def verify_volunteer_activity(activity_id: str) -> Response:
    """Community staff verify or reject recorded hours."""
    ctx, body = begin_write(bp.current_request, "verify-volunteer-activity", status=200)
    return respond(volunteers.verify(ctx, activity_id, body))


@bp.route("/v1/volunteer-reports", methods=["GET"])
def list_volunteer_reports() -> Response:
    """The 双报到 reports of `?quarter=YYYY-Qn`, one per employing unit."""
    r = bp.current_request
    return respond(volunteers.list_reports(_read(), _period("quarter"), **paging(r)))


@bp.route("/v1/volunteer-reports/runs", methods=["POST"])
def run_volunteer_reports() -> Response:
    """Write a quarter's reports now (the quarterly schedule runs the same code)."""
    ctx, body = begin_write(bp.current_request, "run-volunteer-reports")
    ctx.require("district_admin")
    return respond(volunteers.run_quarter(ctx, body["quarter"]), 201)


@bp.route("/v1/programmes", methods=["POST"])
def create_programme() -> Response:
    """Start a programme (e.g. 阳光妈妈俱乐部) in a community or district-wide."""
    ctx, body = begin_write(bp.current_request, "programme")
    return respond(programmes.create_programme(ctx, body), 201)


@bp.route("/v1/programmes", methods=["GET"])
def list_programmes() -> Response:
    return respond(programmes.list_programmes(_read(), **paging(bp.current_request)))


@bp.route("/v1/programmes/{programme_id}", methods=["GET"])
def get_programme(programme_id: str) -> Response:
    return respond(programmes.get_programme(_read(), programme_id))


@bp.route("/v1/programmes/{programme_id}/participants", methods=["POST"])
def create_programme_participant(programme_id: str) -> Response:
    ctx, body = begin_write(bp.current_request, "programme-participant")
    return respond(programmes.add_participant(ctx, programme_id, body), 201)


@bp.route("/v1/programmes/{programme_id}/participants", methods=["GET"])
def list_programme_participants(programme_id: str) -> Response:
    return respond(programmes.list_participants(_read(), programme_id, **paging(bp.current_request)))
