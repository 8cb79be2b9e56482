"""Routes for co-building activities, assessment rules, runs, results, appeals and finalisation."""
from __future__ import annotations

from chalice import Blueprint
from chalice.app import Response

from functions import lazy
from functions.api.request import begin_write, paging, period_param, query_param, respond, tenant_context
from functions.errors import FieldError, Text, ValidationFailed

bp = Blueprint(__name__)
activities, publication, rules, runs = lazy.modules("functions.assessments", "activities", "publication", "rules", "runs")


def _read():
    return tenant_context(bp.current_request)


def _period(period: str) -> str:
    if len(period) != 7 or not period[:4].isdigit() or period[4] != "-" or not period[5:].isdigit() \
            or not 1 <= int(period[5:]) <= 12:
        raise ValidationFailed(errors=[FieldError("/period", Text("period 格式应为 YYYY-MM", "period must be YYYY-MM"))])
    return period


@bp.route("/v1/cobuilding/activities", methods=["POST"])
def create_cobuilding_activity() -> Response:
    """Record a unit's co-building activity along one of the five dimensions (五齐)."""
    ctx, body = begin_write(bp.current_request, "cobuilding-activity")
    return respond(activities.create_cobuilding_activity(ctx, body), 201)


@bp.route("/v1/cobuilding/activities", methods=["GET"])
def list_cobuilding_activities() -> Response:
    """Activities by `?unit_id=` and/or `?period=YYYY-MM` (months in the tenant's time zone)."""
    r = bp.current_request
    period = query_param(r, "period")
    return respond(activities.list_cobuilding_activities(_read(), unit_id=query_param(r, "unit_id"),
                                                         period=_period(period) if period else None, **paging(r)))


@bp.route("/v1/assessment-rules", methods=["GET"])
def get_assessment_rules() -> Response:
    """The current weights and grade bands (version 0 = the defaults)."""
    return respond(rules.current(_read()))


@bp.route("/v1/assessment-rules", methods=["PUT"])
def put_assessment_rules() -> Response:
    """Store a new rule version; the weights must sum to 1."""
    ctx, body = begin_write(bp.current_request, "put-assessment-rules", status=200)
    return respond(rules.put_rules(ctx, body))


@bp.route("/v1/assessments/runs", methods=["POST"])
def create_assessment_run() -> Response:
    """Assess every unit for a month now — the same code the monthly schedule runs."""
    ctx, body = begin_write(bp.current_request, "assessment-run")
    ctx.require("district_admin")
    return respond(runs.run_period(ctx, _period(body["period"])), 201)


@bp.route("/v1/assessments", methods=["GET"])
def list_assessments() -> Response:
    """A month's results in district rank order, with links to the XLSX and HTML reports."""
    r = bp.current_request
    return respond(runs.ranked(_read(), period_param(r), **paging(r)))


@bp.route("/v1/assessments/{period}/units/{unit_id}", methods=["GET"])
def get_unit_assessment(period: str, unit_id: str) -> Response:
    """One unit's scores with the inputs, weights and rule version that produced them."""
    return respond(runs.unit_result(_read(), _period(period), unit_id))


@bp.route("/v1/assessments/{period}/appeals", methods=["POST"])
def create_assessment_appeal(period: str) -> Response:
    """Appeal a unit's result during the publication window (公示期)."""
    ctx, body = begin_write(bp.current_request, "assessment-appeal")
    return respond(publication.create_appeal(ctx, _period(period), body), 201)


@bp.route("/v1/assessments/{period}/appeals", methods=["GET"])
def list_assessment_appeals(period: str) -> Response:
    return respond(publication.list_appeals(_read(), _period(period), **paging(bp.current_request)))


@bp.route("/v1/assessments/{period}/appeals/{appeal_id}/resolve", methods=["POST"])
def resolve_assessment_appeal(period: str, appeal_id: str) -> Response:
    """Uphold (with a corrected input; the month is re-run) or dismiss an appeal."""
    ctx, body = begin_write(bp.current_request, "resolve-assessment-appeal", status=200)
    return respond(publication.resolve_appeal(ctx, _period(period), appeal_id, body))


@bp.route("/v1/assessments/{period}/finalize", methods=["POST"])
def finalize_assessment(period: str) -> Response:
    """Make a month's results final once the window has passed and no appeal is open."""
    ctx, _ = begin_write(bp.current_request, "finalize-assessment", status=200)
    return respond(publication.finalize(ctx, _period(period)))
