"""Routes for co-building activities, assessment rules, runs, results, appeals and finalisation."""
from __future__ import annotations

from typing import TYPE_CHECKING, Any

from chalice.app import Blueprint

from functions import lazy
from functions.api.declaration import DISTRICT_STAFF, PERIOD, Param, UNIT_ID, query, route
from functions.tenancy import TenantContext
from functions.api.request import begin_write, paging, tenant_context
from functions.errors import FieldError, Text, ValidationFailed

bp = Blueprint(__name__)
if TYPE_CHECKING:  # the real modules for readers and the type checker; loaded on first use at run time
    from functions.assessments import activities, communities, publication, rules, runs
else:
    activities, communities, publication, rules, runs = lazy.modules("functions.assessments", "activities", "communities", "publication", "rules", "runs")


def _read() -> TenantContext:
    return tenant_context(bp.current_request)


OPTIONAL_PERIOD = Param("period", "月份 YYYY-MM（区所在时区）/ the month, in the tenant's time zone", "month")


def _period(period: str) -> str:
    """A `{period}` path segment: YYYY-MM, else 400 naming it."""
    if len(period) != 7 or not period[:4].isdigit() or period[4] != "-" or not period[5:].isdigit() \
            or not 1 <= int(period[5:]) <= 12:
        raise ValidationFailed(errors=[FieldError("/period", Text("period 格式应为 YYYY-MM", "period must be YYYY-MM"))])
    return period


@route(bp, "POST", "/v1/cobuilding/activities", "记录共建活动 / Record a co-building activity", body="cobuilding-activity", status=201, idempotent=True, response="cobuilding-activity")
def create_cobuilding_activity() -> dict[str, Any]:
    """Record a unit's co-building activity along one of the five dimensions (五齐)."""
    ctx, body = begin_write(bp.current_request)
    return activities.create_cobuilding_activity(ctx, body)


@route(bp, "GET", "/v1/cobuilding/activities", "共建活动列表 / List co-building activities", query=(UNIT_ID, OPTIONAL_PERIOD), pages=True, response="cobuilding-activity-list")
def list_cobuilding_activities() -> dict[str, Any]:
    """Activities by `?unit_id=` and/or `?period=YYYY-MM` (months in the tenant's time zone)."""
    r = bp.current_request
    return activities.list_cobuilding_activities(_read(), unit_id=query(r)["unit_id"],
                                                         period=query(r)["period"], **paging(r))


@route(bp, "GET", "/v1/assessment-rules", "考核规则 / Assessment rules", response="assessment-rules")
def get_assessment_rules() -> dict[str, Any]:
    """The current weights and grade bands (version 0 = the defaults)."""
    return rules.current(_read())


@route(bp, "PUT", "/v1/assessment-rules", "设置考核规则 / Set assessment rules", body="put-assessment-rules", response="assessment-rules")
def put_assessment_rules() -> dict[str, Any]:
    """Store a new rule version; the weights must sum to 1."""
    ctx, body = begin_write(bp.current_request)
    return rules.put_rules(ctx, body)


@route(bp, "POST", "/v1/assessments/runs", "立即考核 / Run an assessment", body="assessment-run", status=202, idempotent=True, roles=DISTRICT_STAFF, response="job")
def create_assessment_run() -> dict[str, Any]:
    """Assess every unit for a month now — the same code the monthly schedule runs — as a job (202,
    `Location: /v1/jobs/{id}`): progress in units; its result is the published run."""
    ctx, body = begin_write(bp.current_request)
    return runs.queue_run(ctx, _period(body["period"]))


@route(bp, "GET", "/v1/assessments", "月度考核结果 / A month's assessment", query=(PERIOD,), pages=True, response="assessment-ranking")
def list_assessments() -> dict[str, Any]:
    """A month's results in district rank order, with links to the XLSX and HTML reports."""
    r = bp.current_request
    return runs.ranked(_read(), query(r)["period"], **paging(r))


@route(bp, "GET", "/v1/assessments/{period}/communities", "社区考核结果 / A month's result per community", response="assessment-community-list")
def list_community_assessments(period: str) -> dict[str, Any]:
    """Each community's mean score and grade, the rule that gave it, and the month in words with its sources."""
    return communities.community_results(_read(), period)


@route(bp, "GET", "/v1/assessments/{period}/units/{unit_id}", "单位考核明细 / A unit's assessment", response="assessment-result")
def get_unit_assessment(period: str, unit_id: str) -> dict[str, Any]:
    """One unit's scores with the inputs, weights and rule version that produced them."""
    return runs.unit_result(_read(), _period(period), unit_id)


@route(bp, "POST", "/v1/assessments/{period}/appeals", "提出考核申诉 / Appeal a result", body="assessment-appeal", status=201, idempotent=True, response="assessment-appeal")
def create_assessment_appeal(period: str) -> dict[str, Any]:
    """Appeal a unit's result during the publication window (公示期)."""
    ctx, body = begin_write(bp.current_request)
    return publication.create_appeal(ctx, _period(period), body)


@route(bp, "GET", "/v1/assessments/{period}/appeals", "考核申诉列表 / List appeals", pages=True, response="assessment-appeal-list")
def list_assessment_appeals(period: str) -> dict[str, Any]:
    return publication.list_appeals(_read(), _period(period), **paging(bp.current_request))


@route(bp, "POST", "/v1/assessments/{period}/appeals/{appeal_id}/resolve", "处理考核申诉 / Resolve an appeal", body="resolve-assessment-appeal", idempotent=True, response="assessment-appeal-resolution")
def resolve_assessment_appeal(period: str, appeal_id: str) -> dict[str, Any]:
    """Uphold (with a corrected input; the month is re-run) or dismiss an appeal."""
    ctx, body = begin_write(bp.current_request)
    return publication.resolve_appeal(ctx, _period(period), appeal_id, body)


@route(bp, "POST", "/v1/assessments/{period}/finalize", "确定考核结果 / Finalise a month", body="finalize-assessment", idempotent=True, response="assessment-finalization")
def finalize_assessment(period: str) -> dict[str, Any]:
    """Make a month's results final once the window has passed and no appeal is open."""
    ctx, _ = begin_write(bp.current_request)
    return publication.finalize(ctx, _period(period))
