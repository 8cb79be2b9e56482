"""Routes for Party organisation: units, big Party committees, building branches, Party members,
pairings (with contacts) and the non-public-enterprise alliance (with activities)."""
from __future__ import annotations

from chalice import Blueprint
from chalice.app import Response

from functions import lazy
from functions.api.request import begin_write, date_param, paging, query_param, respond, tenant_context

bp = Blueprint(__name__)
alliances, branches, committees, members, pairings, units = lazy.modules(
    "functions.committees", "alliances", "branches", "committees", "members", "pairings", "units")


def _read():
    return tenant_context(bp.current_request)


@bp.route("/v1/units", methods=["POST"])
def create_unit() -> Response:
    """Register a resident unit or "two new" organisation with its Party organisation."""
    ctx, body = begin_write(bp.current_request, "unit")
    return respond(units.create_unit(ctx, body), 201)


@bp.route("/v1/units", methods=["GET"])
def list_units() -> Response:
    """Units, by community (`?community_id=`) and/or Party-org status (`?status=`)."""
    r = bp.current_request
    return respond(units.list_units(_read(), community_id=query_param(r, "community_id"),
                                    status=query_param(r, "status"), **paging(r)))


@bp.route("/v1/units/summary", methods=["GET"])
def units_summary() -> Response:
    """Counts of units by Party-org status (upgraded/converted/standardized/none) and kind."""
    return respond(units.summary(_read(), query_param(bp.current_request, "community_id")))


@bp.route("/v1/units/{unit_id}", methods=["GET"])
def get_unit(unit_id: str) -> Response:
    return respond(units.get_unit(_read(), unit_id))


@bp.route("/v1/units/{unit_id}", methods=["PATCH"])
def update_unit(unit_id: str) -> Response:
    ctx, body = begin_write(bp.current_request, "unit", patch=True)
    return respond(units.update_unit(ctx, unit_id, body))


@bp.route("/v1/committees", methods=["POST"])
def create_committee() -> Response:
    """Form a community's big Party committee (one per community)."""
    ctx, body = begin_write(bp.current_request, "committee")
    return respond(committees.create_committee(ctx, body), 201)


@bp.route("/v1/committees", methods=["GET"])
def list_committees() -> Response:
    r = bp.current_request
    return respond(committees.list_committees(_read(), community_id=query_param(r, "community_id"), **paging(r)))


@bp.route("/v1/committees/{committee_id}", methods=["GET"])
def get_committee(committee_id: str) -> Response:
    return respond(committees.get_committee(_read(), committee_id))


@bp.route("/v1/committees/{committee_id}", methods=["PATCH"])
def update_committee(committee_id: str) -> Response:
    """Change a committee's members; those who leave are kept in `history`."""
    ctx, body = begin_write(bp.current_request, "committee", patch=True)
    return respond(committees.update_committee(ctx, committee_id, body))


@bp.route("/v1/branches", methods=["POST"])
def create_branch() -> Response:
    """Set up a building Party branch; outside 6–8 members the answer carries `warnings`."""
    ctx, body = begin_write(bp.current_request, "branch")
    return respond(branches.create_branch(ctx, body), 201)


@bp.route("/v1/branches", methods=["GET"])
def list_branches() -> Response:
    r = bp.current_request
    return respond(branches.list_branches(_read(), community_id=query_param(r, "community_id"), **paging(r)))


@bp.route("/v1/branches/{branch_id}", methods=["GET"])
def get_branch(branch_id: str) -> Response:
    return respond(branches.get_branch(_read(), branch_id))


@bp.route("/v1/branches/{branch_id}", methods=["PATCH"])
def update_branch(branch_id: str) -> Response:
    ctx, body = begin_write(bp.current_request, "branch", patch=True)
    return respond(branches.update_branch(ctx, branch_id, body))


@bp.route("/v1/members", methods=["POST"])
def create_member() -> Response:
    """Register a Party member; in-service members name the community they report to."""
    ctx, body = begin_write(bp.current_request, "member")
    return respond(members.create_member(ctx, body), 201)


@bp.route("/v1/members", methods=["GET"])
def list_members() -> Response:
    """Members of a unit (`?unit_id=`) or a community's reported in-service members (`?reported_community_id=`)."""
    r = bp.current_request
    return respond(members.list_members(_read(), unit_id=query_param(r, "unit_id"),
                                        reported_community_id=query_param(r, "reported_community_id"), **paging(r)))


@bp.route("/v1/members/{member_id}", methods=["GET"])
def get_member(member_id: str) -> Response:
    return respond(members.get_member(_read(), member_id))


@bp.route("/v1/members/{member_id}", methods=["PATCH"])
def update_member(member_id: str) -> Response:
    ctx, body = begin_write(bp.current_request, "member", patch=True)
    return respond(members.update_member(ctx, member_id, body))


@bp.route("/v1/pairings", methods=["POST"])
def create_pairing() -> Response:
    """Pair two units: 一联一 (link), 一帮一 (help) or 一带一 (lead), with a contact cadence."""
    ctx, body = begin_write(bp.current_request, "pairing")
    return respond(pairings.create_pairing(ctx, body), 201)


@bp.route("/v1/pairings", methods=["GET"])
def list_pairings() -> Response:
    """Pairings; `?overdue=true` lists those that missed their cadence, most overdue first."""
    r = bp.current_request
    overdue = (query_param(r, "overdue") or "").lower() in ("true", "1")
    return respond(pairings.list_pairings(_read(), overdue=overdue, **paging(r)))


@bp.route("/v1/pairings/{pairing_id}", methods=["GET"])
def get_pairing(pairing_id: str) -> Response:
    return respond(pairings.get_pairing(_read(), pairing_id))


@bp.route("/v1/pairings/{pairing_id}/contacts", methods=["POST"])
def create_pairing_contact(pairing_id: str) -> Response:
    """Log a contact between paired units; moves the pairing's next due date."""
    ctx, body = begin_write(bp.current_request, "pairing-contact")
    return respond(pairings.create_pairing_contact(ctx, pairing_id, body), 201)


@bp.route("/v1/pairings/{pairing_id}/contacts", methods=["GET"])
def list_pairing_contacts(pairing_id: str) -> Response:
    return respond(pairings.list_pairing_contacts(_read(), pairing_id, **paging(bp.current_request)))


@bp.route("/v1/alliances", methods=["POST"])
def create_alliance() -> Response:
    """Form a non-public-enterprise Party alliance (非公党建联盟)."""
    ctx, body = begin_write(bp.current_request, "alliance")
    return respond(alliances.create_alliance(ctx, body), 201)


@bp.route("/v1/alliances", methods=["GET"])
def list_alliances() -> Response:
    return respond(alliances.list_alliances(_read(), **paging(bp.current_request)))


@bp.route("/v1/alliances/{alliance_id}", methods=["GET"])
def get_alliance(alliance_id: str) -> Response:
    return respond(alliances.get_alliance(_read(), alliance_id))


@bp.route("/v1/alliances/{alliance_id}/activities", methods=["POST"])
def create_alliance_activity(alliance_id: str) -> Response:
    """Record an alliance activity of one of the six links (六联)."""
    ctx, body = begin_write(bp.current_request, "alliance-activity")
    return respond(alliances.create_alliance_activity(ctx, alliance_id, body), 201)


@bp.route("/v1/alliances/{alliance_id}/activities", methods=["GET"])
def list_alliance_activities(alliance_id: str) -> Response:
    r = bp.current_request
    return respond(alliances.list_alliance_activities(_read(), alliance_id, date_from=date_param(r, "from"),
                                                      date_to=date_param(r, "to"), **paging(r)))


@bp.route("/v1/alliances/{alliance_id}/coverage", methods=["GET"])
def alliance_coverage(alliance_id: str) -> Response:
    """Which of the six links (六联一化) the alliance covered in `?from=&to=`."""
    r = bp.current_request
    return respond(alliances.coverage(_read(), alliance_id, date_param(r, "from"), date_param(r, "to")))
