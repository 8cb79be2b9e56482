"""Routes for services: centres and the 20-minute circle, service requests, volunteer activities
and their quarterly reports, and programmes."""
from __future__ import annotations

from typing import TYPE_CHECKING, Any

from chalice.app import Blueprint, Response

from functions import authz, lazy
from functions.api.declaration import DISTRICT_STAFF, MEMBER_ID, Param, query, route
from functions.tenancy import TenantContext
from functions.api.request import begin_write, delete_context, paging, tenant_context
from functions.vocabulary import SERVICE_REQUEST_STATUSES

bp = Blueprint(__name__)
if TYPE_CHECKING:  # the real modules for readers and the type checker; loaded on first use at run time
    from functions.services import centres, programmes, requests, street_network, volunteers
else:
    centres, programmes, requests, street_network, volunteers = lazy.modules(
        "functions.services", "centres", "programmes", "requests", "street_network", "volunteers")


def _read() -> TenantContext:
    return tenant_context(bp.current_request)


REQUEST_STATUS = Param("status", "服务申请状态 / request status", "enum", SERVICE_REQUEST_STATUSES)
ANY_PERIOD = Param("period", "月份 YYYY-MM、季度 YYYY-Qn 或年份 YYYY / a month, quarter or year", "period", required=True)
QUARTER = Param("quarter", "季度 YYYY-Qn / the quarter", "quarter", required=True)
REPORT_READERS = authz.roles(authz.READ_VOLUNTEER_REPORT)


@route(bp, "POST", "/v1/service-centres", "新建党群服务中心 / Add a service centre", body="service-centre", status=201, idempotent=True, response="service-centre")
def create_service_centre() -> dict[str, Any]:
    """Add a district, street or community Party-mass service centre."""
    ctx, body = begin_write(bp.current_request)
    return centres.create_centre(ctx, body)


@route(bp, "GET", "/v1/service-centres", "党群服务中心列表 / List service centres", pages=True, response="service-centre-list")
def list_service_centres() -> dict[str, Any]:
    return centres.list_centres(_read(), **paging(bp.current_request))


@route(bp, "GET", "/v1/service-centres/coverage", "20 分钟服务圈覆盖 / 20-minute circle coverage", response="service-coverage")
def service_coverage() -> dict[str, Any]:
    """Every grid's nearest centre and walking time; grids inside and outside the 20-minute circle."""
    return centres.coverage(_read())


@route(bp, "GET", "/v1/street-network", "本区路网 / The district's street network", response="street-network")
def get_street_network() -> dict[str, Any]:
    """What the 20-minute circle walks along: lines, junctions, kilometres (404 until one is loaded)."""
    return street_network.get_network(_read())


@route(bp, "PUT", "/v1/street-network", "导入路网 / Load the street network", body="put-street-network", roles=DISTRICT_STAFF, response="street-network")
def put_street_network() -> dict[str, Any]:
    """Adopt an uploaded GeoJSON file of walkable lines; every line is checked, the version pinned."""
    ctx, body = begin_write(bp.current_request)
    return street_network.put_network(ctx, body)


@route(bp, "DELETE", "/v1/street-network", "停用路网 / Stop using the street network", status=204, roles=DISTRICT_STAFF)
def delete_street_network() -> Response:
    """Walking times go back to straight line × detour factor."""
    street_network.delete_network(*delete_context(bp.current_request))
    return Response(body="", status_code=204)


@route(bp, "GET", "/v1/service-centres/{centre_id}", "查看服务中心 / Get a service centre", response="service-centre")
def get_service_centre(centre_id: str) -> dict[str, Any]:
    return centres.get_centre(_read(), centre_id)


@route(bp, "PATCH", "/v1/service-centres/{centre_id}", "修改服务中心 / Update a service centre", body="service-centre#patch", response="service-centre")
def update_service_centre(centre_id: str) -> dict[str, Any]:
    ctx, body = begin_write(bp.current_request)
    return centres.update_centre(ctx, centre_id, body)


@route(bp, "POST", "/v1/service-requests", "申请服务 / Request a service", body="service-request", status=201, idempotent=True, response="service-request")
def create_service_request() -> dict[str, Any]:
    """Ask for a door-to-door or one-stop service (employment, education, household…)."""
    ctx, body = begin_write(bp.current_request)
    return requests.create_service_request(ctx, body)


@route(bp, "GET", "/v1/service-requests", "服务申请列表 / List service requests", query=(REQUEST_STATUS,), pages=True, response="service-request-list")
def list_service_requests() -> dict[str, Any]:
    r = bp.current_request
    return requests.list_service_requests(_read(), status=query(r)["status"], **paging(r))


@route(bp, "GET", "/v1/service-requests/{request_id}", "查看服务申请 / Get a service request", response="service-request")
def get_service_request(request_id: str) -> dict[str, Any]:
    return requests.get_service_request(_read(), request_id)


@route(bp, "POST", "/v1/service-requests/{request_id}/transitions", "办理服务申请 / Move a service request", body="transition-service-request", idempotent=True, response="service-request")
def transition_service_request(request_id: str) -> dict[str, Any]:
    """accept, start, complete or decline a request; a disallowed action is 409 listing the allowed ones."""
    ctx, body = begin_write(bp.current_request)
    return requests.transition(ctx, request_id, body)


@route(bp, "POST", "/v1/service-requests/{request_id}/rating", "评价服务 / Rate a service", body="rate-service-request", idempotent=True, response="service-request")
def rate_service_request(request_id: str) -> dict[str, Any]:
    """Rate a completed service 1–5, once."""
    ctx, body = begin_write(bp.current_request)
    return requests.rate(ctx, request_id, body)


@route(bp, "POST", "/v1/volunteer-activities", "登记志愿服务时长 / Record volunteer hours", body="volunteer-activity", status=201, idempotent=True, response="volunteer-activity")
def create_volunteer_activity() -> dict[str, Any]:
    """Record a member's volunteer hours (> 0, at most 24 a day); they count once verified."""
    ctx, body = begin_write(bp.current_request)
    return volunteers.create_volunteer_activity(ctx, body)


@route(bp, "GET", "/v1/volunteer-activities", "志愿服务记录 / List volunteer activities", query=(MEMBER_ID,), pages=True, response="volunteer-activity-list")
def list_volunteer_activities() -> dict[str, Any]:
    r = bp.current_request
    return volunteers.list_activities(_read(), member_id=query(r)["member_id"], **paging(r))


@route(bp, "GET", "/v1/volunteer-activities/totals", "志愿服务时长汇总 / Verified volunteer hours", query=(ANY_PERIOD,), response="volunteer-totals")
def volunteer_totals() -> dict[str, Any]:
    """Verified hours per member, unit and community for `?period=YYYY-MM|YYYY-Qn|YYYY`."""
    return volunteers.totals(_read(), query(bp.current_request)["period"])


@route(bp, "POST", "/v1/volunteer-activities/{activity_id}/verify", "核实志愿服务时长 / Verify volunteer hours", body="verify-volunteer-activity", idempotent=True, response="volunteer-activity")
def verify_volunteer_activity(activity_id: str) -> dict[str, Any]:
    """Community staff verify or reject recorded hours."""
    ctx, body = begin_write(bp.current_request)
    return volunteers.verify(ctx, activity_id, body)


@route(bp, "GET", "/v1/volunteer-reports", "双报到季度报告 / Quarterly hours reports", query=(QUARTER,), pages=True, roles=REPORT_READERS, response="volunteer-report-list")
def list_volunteer_reports() -> dict[str, Any]:
    """The 双报到 reports of `?quarter=YYYY-Qn`, one per employing unit."""
    r = bp.current_request
    return volunteers.list_reports(_read(), query(r)["quarter"], **paging(r))


@route(bp, "GET", "/v1/volunteer-reports/{quarter}/units/{unit_id}", "单位季度报告 / A unit's quarterly hours report", roles=REPORT_READERS, response="volunteer-report")
def get_volunteer_report(quarter: str, unit_id: str) -> dict[str, Any]:
    return volunteers.get_report(_read(), quarter, unit_id)


@route(bp, "GET", "/v1/volunteer-reports/{quarter}/units/{unit_id}/csv", "下载单位季度报告 / Download a unit's quarterly hours report", roles=REPORT_READERS, response="text/csv")
def download_volunteer_report(quarter: str, unit_id: str) -> Response:
    """The report as CSV (UTF-8 with BOM, opens in spreadsheet programs), for the employing unit."""
    name, data = volunteers.report_csv(_read(), quarter, unit_id)
    return Response(body=data, status_code=200, headers={"Content-Type": "text/csv; charset=utf-8",
                                                         "Content-Disposition": f'attachment; filename="{name}"'})


@route(bp, "POST", "/v1/volunteer-reports/runs", "生成季度报告 / Write a quarter's reports", body="run-volunteer-reports", status=201, roles=DISTRICT_STAFF, response="volunteer-report-run")
def run_volunteer_reports() -> dict[str, Any]:
    """Write a quarter's reports now (the quarterly schedule runs the same code)."""
    ctx, body = begin_write(bp.current_request)
    return volunteers.run_quarter(ctx, body["quarter"])


@route(bp, "POST", "/v1/programmes", "新建服务项目 / Start a programme", body="programme", status=201, idempotent=True, response="programme")
def create_programme() -> dict[str, Any]:
    """Start a programme (e.g. 阳光妈妈俱乐部) in a community or district-wide."""
    ctx, body = begin_write(bp.current_request)
    return programmes.create_programme(ctx, body)


@route(bp, "GET", "/v1/programmes", "服务项目列表 / List programmes", pages=True, response="programme-list")
def list_programmes() -> dict[str, Any]:
    return programmes.list_programmes(_read(), **paging(bp.current_request))


@route(bp, "GET", "/v1/programmes/{programme_id}", "查看服务项目 / Get a programme", response="programme")
def get_programme(programme_id: str) -> dict[str, Any]:
    return programmes.get_programme(_read(), programme_id)


@route(bp, "POST", "/v1/programmes/{programme_id}/participants", "添加项目参与者 / Add a participant", body="programme-participant", status=201, idempotent=True, response="programme-participant")
def create_programme_participant(programme_id: str) -> dict[str, Any]:
    ctx, body = begin_write(bp.current_request)
    return programmes.add_participant(ctx, programme_id, body)


@route(bp, "GET", "/v1/programmes/{programme_id}/participants", "项目参与者 / List a programme's participants", pages=True, response="programme-participant-list")
def list_programme_participants(programme_id: str) -> dict[str, Any]:
    return programmes.list_participants(_read(), programme_id, **paging(bp.current_request))
