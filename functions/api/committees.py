"""Routes for Party organisation: units, big Party committees, building branches, Party members,
pairings (with contacts) and the non-public-enterprise alliance (with activities)."""
from __future__ import annotations

from typing import TYPE_CHECKING, Any

from chalice.app import Blueprint, Response

from functions import lazy
from functions.api.declaration import ARCHIVED, COMMUNITY_ID, FROM, OVERDUE, TO, UNIT_ID, Param, query, route
from functions.tenancy import TenantContext
from functions.api.request import begin_write, delete_context, paging, tenant_context
from functions.vocabulary import PARTY_ORG_STATUSES

bp = Blueprint(__name__)
if TYPE_CHECKING:  # the real modules for readers and the type checker; loaded on first use at run time
    from functions.committees import alliances, branches, committees, members, pairings, units
else:
    alliances, branches, committees, members, pairings, units = lazy.modules("functions.committees", "alliances", "branches", "committees", "members", "pairings", "units")

UNIT_STATUS = Param("status", "党组织状态 / Party-org status", "enum", PARTY_ORG_STATUSES)
REPORTED_COMMUNITY_ID = Param("reported_community_id", "到该社区报到的在职党员 / in-service members reported to this community", "id")


def _read() -> TenantContext:
    return tenant_context(bp.current_request)


@route(bp, "POST", "/v1/units", "登记单位 / Register a unit", body="unit", status=201, idempotent=True, response="unit")
def create_unit() -> dict[str, Any]:
    """Register a resident unit or "two new" organisation with its Party organisation."""
    ctx, body = begin_write(bp.current_request)
    return units.create_unit(ctx, body)


@route(bp, "GET", "/v1/units", "单位列表 / List units", query=(COMMUNITY_ID, UNIT_STATUS, ARCHIVED), pages=True, response="unit-list")
def list_units() -> dict[str, Any]:
    """Units, by community (`?community_id=`) and/or Party-org status (`?status=`)."""
    r = bp.current_request
    return units.list_units(_read(), community_id=query(r)["community_id"], status=query(r)["status"],
                            archived=bool(query(r)["archived"]), **paging(r))


@route(bp, "GET", "/v1/units/summary", "单位党组织情况汇总 / Units by Party-org status", query=(COMMUNITY_ID,), response="unit-summary")
def units_summary() -> dict[str, Any]:
    """Counts of units by Party-org status (upgraded/converted/standardized/none) and kind."""
    return units.summary(_read(), query(bp.current_request)["community_id"])


@route(bp, "GET", "/v1/units/{unit_id}", "查看单位 / Get a unit", response="unit")
def get_unit(unit_id: str) -> dict[str, Any]:
    return units.get_unit(_read(), unit_id)


@route(bp, "PATCH", "/v1/units/{unit_id}", "修改单位 / Update a unit", body="unit#patch", response="unit")
def update_unit(unit_id: str) -> dict[str, Any]:
    ctx, body = begin_write(bp.current_request)
    return units.update_unit(ctx, unit_id, body)


@route(bp, "POST", "/v1/units/{unit_id}/archive", "归档单位 / Archive a unit", body="archive", response="unit")
def archive_unit(unit_id: str) -> dict[str, Any]:
    """A unit that left: out of lists and later assessments, its members and activities kept."""
    ctx, body = begin_write(bp.current_request)
    return units.archive_unit(ctx, unit_id, body)


@route(bp, "POST", "/v1/units/{unit_id}/restore", "恢复单位 / Restore an archived unit", body="restore", response="unit")
def restore_unit(unit_id: str) -> dict[str, Any]:
    ctx, body = begin_write(bp.current_request)
    return units.restore_unit(ctx, unit_id, body)


@route(bp, "DELETE", "/v1/units/{unit_id}", "删除单位 / Delete a unit", status=204)
def delete_unit(unit_id: str) -> Response:
    """Only a unit nothing names (entered by mistake); otherwise 409: archive it."""
    ctx, version = delete_context(bp.current_request)
    units.delete_unit(ctx, unit_id, version)
    return Response(body="", status_code=204)


@route(bp, "POST", "/v1/committees", "成立社区大党委 / Form a big Party committee", body="committee", status=201, idempotent=True, response="committee")
def create_committee() -> dict[str, Any]:
    """Form a community's big Party committee (one per community)."""
    ctx, body = begin_write(bp.current_request)
    return committees.create_committee(ctx, body)


@route(bp, "GET", "/v1/committees", "大党委列表 / List big Party committees", query=(COMMUNITY_ID,), pages=True, response="committee-list")
def list_committees() -> dict[str, Any]:
    r = bp.current_request
    return committees.list_committees(_read(), community_id=query(r)["community_id"], **paging(r))


@route(bp, "GET", "/v1/committees/{committee_id}", "查看大党委 / Get a big Party committee", response="committee")
def get_committee(committee_id: str) -> dict[str, Any]:
    return committees.get_committee(_read(), committee_id)


@route(bp, "PATCH", "/v1/committees/{committee_id}", "修改大党委 / Update a big Party committee", body="committee#patch", response="committee")
def update_committee(committee_id: str) -> dict[str, Any]:
    """Change a committee's members; those who leave are kept in `history`."""
    ctx, body = begin_write(bp.current_request)
    return committees.update_committee(ctx, committee_id, body)


@route(bp, "POST", "/v1/branches", "成立楼栋党支部 / Form a building branch", body="branch", status=201, idempotent=True, response="branch")
def create_branch() -> dict[str, Any]:
    """Set up a building Party branch; outside 6–8 members the answer carries `warnings`."""
    ctx, body = begin_write(bp.current_request)
    return branches.create_branch(ctx, body)


@route(bp, "GET", "/v1/branches", "楼栋党支部列表 / List building branches", query=(COMMUNITY_ID,), pages=True, response="branch-list")
def list_branches() -> dict[str, Any]:
    r = bp.current_request
    return branches.list_branches(_read(), community_id=query(r)["community_id"], **paging(r))


@route(bp, "GET", "/v1/branches/{branch_id}", "查看楼栋党支部 / Get a building branch", response="branch")
def get_branch(branch_id: str) -> dict[str, Any]:
    return branches.get_branch(_read(), branch_id)


@route(bp, "PATCH", "/v1/branches/{branch_id}", "修改楼栋党支部 / Update a building branch", body="branch#patch", response="branch")
def update_branch(branch_id: str) -> dict[str, Any]:
    ctx, body = begin_write(bp.current_request)
    return branches.update_branch(ctx, branch_id, body)


@route(bp, "POST", "/v1/members", "登记党员 / Register a Party member", body="member", status=201, idempotent=True, response="member")
def create_member() -> dict[str, Any]:
    """Register a Party member; in-service members name the community they report to."""
    ctx, body = begin_write(bp.current_request)
    return members.create_member(ctx, body)


@route(bp, "GET", "/v1/members", "党员名册 / List Party members", query=(UNIT_ID, REPORTED_COMMUNITY_ID), pages=True, response="member-list")
def list_members() -> dict[str, Any]:
    """Members of a unit (`?unit_id=`) or a community's reported in-service members (`?reported_community_id=`)."""
    r = bp.current_request
    return members.list_members(_read(), unit_id=query(r)["unit_id"],
                                        reported_community_id=query(r)["reported_community_id"], **paging(r))


@route(bp, "GET", "/v1/members/{member_id}", "查看党员 / Get a Party member", response="member")
def get_member(member_id: str) -> dict[str, Any]:
    return members.get_member(_read(), member_id)


@route(bp, "PATCH", "/v1/members/{member_id}", "修改党员 / Update a Party member", body="member#patch", response="member")
def update_member(member_id: str) -> dict[str, Any]:
    ctx, body = begin_write(bp.current_request)
    return members.update_member(ctx, member_id, body)


@route(bp, "POST", "/v1/pairings", "结对共建 / Pair two units", body="pairing", status=201, idempotent=True, response="pairing")
def create_pairing() -> dict[str, Any]:
    """Pair two units: 一联一 (link), 一帮一 (help) or 一带一 (lead), with a contact cadence."""
    ctx, body = begin_write(bp.current_request)
    return pairings.create_pairing(ctx, body)


@route(bp, "GET", "/v1/pairings", "结对列表 / List pairings", query=(OVERDUE,), pages=True, response="pairing-list")
def list_pairings() -> dict[str, Any]:
    """Pairings; `?overdue=true` lists those that missed their cadence, most overdue first."""
    r = bp.current_request
    overdue = bool(query(r)["overdue"])
    return pairings.list_pairings(_read(), overdue=overdue, **paging(r))


@route(bp, "GET", "/v1/pairings/{pairing_id}", "查看结对 / Get a pairing", response="pairing")
def get_pairing(pairing_id: str) -> dict[str, Any]:
    return pairings.get_pairing(_read(), pairing_id)


@route(bp, "POST", "/v1/pairings/{pairing_id}/contacts", "记录结对联系 / Log a pairing contact", body="pairing-contact", status=201, idempotent=True, response="pairing-contact")
def create_pairing_contact(pairing_id: str) -> dict[str, Any]:
    """Log a contact between paired units; moves the pairing's next due date."""
    ctx, body = begin_write(bp.current_request)
    return pairings.create_pairing_contact(ctx, pairing_id, body)


@route(bp, "GET", "/v1/pairings/{pairing_id}/contacts", "结对联系记录 / List a pairing's contacts", pages=True, response="pairing-contact-list")
def list_pairing_contacts(pairing_id: str) -> dict[str, Any]:
    return pairings.list_pairing_contacts(_read(), pairing_id, **paging(bp.current_request))


@route(bp, "POST", "/v1/alliances", "成立非公党建联盟 / Form an alliance", body="alliance", status=201, idempotent=True, response="alliance")
def create_alliance() -> dict[str, Any]:
    """Form a non-public-enterprise Party alliance (非公党建联盟)."""
    ctx, body = begin_write(bp.current_request)
    return alliances.create_alliance(ctx, body)


@route(bp, "GET", "/v1/alliances", "联盟列表 / List alliances", pages=True, response="alliance-list")
def list_alliances() -> dict[str, Any]:
    return alliances.list_alliances(_read(), **paging(bp.current_request))


@route(bp, "GET", "/v1/alliances/{alliance_id}", "查看联盟 / Get an alliance", response="alliance")
def get_alliance(alliance_id: str) -> dict[str, Any]:
    return alliances.get_alliance(_read(), alliance_id)


@route(bp, "POST", "/v1/alliances/{alliance_id}/activities", "记录联盟活动 / Record an alliance activity", body="alliance-activity", status=201, idempotent=True, response="alliance-activity")
def create_alliance_activity(alliance_id: str) -> dict[str, Any]:
    """Record an alliance activity of one of the six links (六联)."""
    ctx, body = begin_write(bp.current_request)
    return alliances.create_alliance_activity(ctx, alliance_id, body)


@route(bp, "GET", "/v1/alliances/{alliance_id}/activities", "联盟活动列表 / List an alliance's activities", query=(FROM, TO), pages=True, response="alliance-activity-list")
def list_alliance_activities(alliance_id: str) -> dict[str, Any]:
    r = bp.current_request
    return alliances.list_alliance_activities(_read(), alliance_id, date_from=query(r)["from"],
                                                      date_to=query(r)["to"], **paging(r))


@route(bp, "GET", "/v1/alliances/{alliance_id}/coverage", "联盟“六联”覆盖情况 / An alliance's six-link coverage", query=(FROM, TO), response="alliance-coverage")
def alliance_coverage(alliance_id: str) -> dict[str, Any]:
    """Which of the six links (六联一化) the alliance covered in `?from=&to=`."""
    r = bp.current_request
    return alliances.coverage(_read(), alliance_id, query(r)["from"], query(r)["to"])
