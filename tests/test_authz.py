"""The authorisation table: each role's scope for each action, decided the same way for one object
(`allows`) as for a list (`list_filter`)."""
from __future__ import annotations

import pytest

from functions import authz
from functions.errors import Forbidden, NotFound
from functions.models import GridsTable
from functions.tenancy import Principal, TenantContext


def caller(*roles: str, sub: str = "u1", communities: tuple[str, ...] = ("c1",), grids: tuple[str, ...] = ("g1",)) -> TenantContext:
    return TenantContext("acme", Principal(sub=sub, roles=frozenset(roles), tenant="acme",
                                           communities=frozenset(communities), grids=frozenset(grids),
                                           streets=frozenset({"s1"}), departments=frozenset({"d1"}),
                                           units=frozenset({"n1"})))


MINE = {"street_id": "s1", "community_id": "c1", "grid_id": "g1", "departments": {"d1", "d9"}, "unit_id": "n1",
        "owner": "someone"}
ELSEWHERE = {"street_id": "s2", "community_id": "c2", "grid_id": "g2", "departments": {"d2"}, "unit_id": "n2",
             "owner": "someone"}
OWNED = {"street_id": "s2", "community_id": "c2", "grid_id": "g2", "departments": {"d2"}, "unit_id": "n2", "owner": "u1"}


@pytest.mark.parametrize("role, action, mine, elsewhere, owned", [
    ("district_admin", authz.READ_INCIDENT, True, True, True),
    ("auditor", authz.READ_INCIDENT, True, True, True),
    ("community_staff", authz.READ_INCIDENT, True, False, True),
    ("grid_worker", authz.READ_INCIDENT, True, False, True),
    ("member", authz.READ_INCIDENT, False, False, True),
    ("member", authz.READ_SERVICE_REQUEST, False, False, True),
    ("grid_worker", authz.READ_SERVICE_REQUEST, False, False, True),
    ("community_staff", authz.SEE_CONTACT, True, False, False),
    ("community_staff", authz.MANAGE_COMMUNITY, True, False, False),
    ("community_staff", authz.MANAGE_DISTRICT, False, False, False),
    ("grid_worker", authz.MANAGE_COMMUNITY, False, False, False),
    ("auditor", authz.MANAGE_COMMUNITY, False, False, False),
    ("member", authz.READ_PEOPLE, False, False, False),
    ("community_staff", authz.READ_PEOPLE, True, True, True),
    ("platform_admin", authz.READ_INCIDENT, False, False, False),
    ("street_staff", authz.READ_INCIDENT, True, False, True),
    ("street_staff", authz.MANAGE_COMMUNITY, False, False, False),
    ("resident", authz.READ_INCIDENT, False, False, True),
    ("resident", authz.READ_ACTION, False, False, False),
    ("department", authz.READ_ACTION, True, False, False),
    ("department", authz.WORK_ACTION_PART, True, False, False),
    ("department", authz.READ_INCIDENT, False, False, False),
    ("community_staff", authz.WORK_ACTION_PART, True, False, False),
    ("employer", authz.READ_VOLUNTEER_REPORT, True, False, False),
    ("employer", authz.READ_PEOPLE, False, False, False),
    ("community_staff", authz.MANAGE_USERS, True, False, False),
    ("grid_worker", authz.MANAGE_USERS, False, False, False),
])
def test_scopes(role, action, mine, elsewhere, owned):
    ctx = caller(role)
    assert [authz.allows(ctx, action, **target) for target in (MINE, ELSEWHERE, OWNED)] == [mine, elsewhere, owned]


def test_refusals_are_403_or_hidden_as_404():
    with pytest.raises(Forbidden):
        authz.require(caller("grid_worker"), authz.MANAGE_DISTRICT)
    with pytest.raises(NotFound):
        authz.require(caller("member"), authz.READ_INCIDENT, hide="incident", **ELSEWHERE)
    authz.require(caller("member"), authz.READ_INCIDENT, hide="incident", **OWNED)


def test_list_filters_match_the_single_object_rule():
    assert authz.list_filter(caller("district_admin"), authz.READ_INCIDENT, GridsTable, owner_field="reporter") is None
    worker = str(authz.list_filter(caller("grid_worker"), authz.READ_INCIDENT, GridsTable, owner_field="reporter"))
    assert "data.grid_id IN" in worker and "data.reporter =" in worker and "community_id" not in worker
    staff = str(authz.list_filter(caller("community_staff"), authz.READ_SERVICE_REQUEST, GridsTable, owner_field="submitted_by"))
    assert "data.community_id IN" in staff and "data.submitted_by =" in staff
    member = str(authz.list_filter(caller("member"), authz.READ_INCIDENT, GridsTable, owner_field="reporter"))
    assert member.startswith("data.reporter =")


def test_routes_declare_their_roles_from_the_table():
    import app  # noqa: F401
    from functions.api.declaration import OPERATIONS

    assert OPERATIONS[("POST", "/v1/streets")].roles == authz.roles(authz.MANAGE_DISTRICT)
    assert OPERATIONS[("POST", "/v1/grids")].roles == authz.roles(authz.MANAGE_COMMUNITY)
    assert OPERATIONS[("POST", "/v1/exports")].roles == authz.roles(authz.EXPORT)
    assert OPERATIONS[("GET", "/v1/tenants")].roles == authz.roles(authz.MANAGE_PLATFORM)


def test_refusal_messages_name_the_rule():
    with pytest.raises(Forbidden) as caught:
        authz.require(caller("member"), authz.READ_PEOPLE)
    assert caught.value.to_problem("zh")["detail"] == "当前角色无权执行此操作"
    assert caught.value.to_problem("en")["detail"] == "Your role may not do this"
    with pytest.raises(NotFound) as hidden:
        authz.require(caller("grid_worker", grids=("g9",)), authz.READ_INCIDENT, hide="incident", **ELSEWHERE)
    assert (hidden.value.to_problem("zh")["detail"], hidden.value.to_problem("en")["detail"]) == ("incident 不存在", "No such incident")


def test_a_grid_workers_read_holds_in_their_grid_alone():
    worker = caller("grid_worker", communities=(), grids=("g1",))
    authz.require(worker, authz.READ_INCIDENT, hide="incident", community_id="c9", grid_id="g1", owner="x")
    with pytest.raises(NotFound):
        authz.require(worker, authz.READ_INCIDENT, hide="incident", community_id="c9", grid_id="g2", owner="x")


def test_list_filters_join_scopes_with_or_and_add_ownership_only_where_the_rule_has_it():
    staff = str(authz.list_filter(caller("community_staff"), authz.READ_INCIDENT, GridsTable, owner_field="reporter"))
    assert " OR " in staff and " AND " not in staff
    contact = str(authz.list_filter(caller("community_staff"), authz.SEE_CONTACT, GridsTable, owner_field="submitted_by"))
    assert contact.startswith("data.community_id IN") and "submitted_by" not in contact
