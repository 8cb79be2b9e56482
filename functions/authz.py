"""Who may do what, and where: one table of action × role → scopes, read by every service.

A scope says where a role's permission holds: anywhere in the tenant, in the caller's streets,
communities or grids, for the caller's department or unit (all from the token), or on what the caller
owns (reported, submitted). The same rule answers
"may this caller open this object" (`require`) and "which objects may this caller see in a list"
(`list_filter`, a DynamoDB filter on the Query), so a list never shows what its caller cannot open.
"""
from __future__ import annotations

from functools import reduce
from typing import TYPE_CHECKING, Any

from functions.errors import Forbidden, NotFound, Text
from functions.tenancy import (AUDITOR, COMMUNITY_STAFF, DEPARTMENT, DISTRICT_ADMIN, EMPLOYER, GRID_WORKER, MEMBER,
                               PLATFORM_ADMIN, RESIDENT, STREET_STAFF, TenantContext)

if TYPE_CHECKING:  # routes import this module; PynamoDB loads with the services that query
    from pynamodb.expressions.condition import Condition

ANYWHERE, STREET, COMMUNITY, GRID, OWN = "anywhere", "street", "community", "grid", "own"
OF_DEPARTMENT, OF_UNIT = "department", "unit"

MANAGE_DISTRICT = "district.manage"      # streets, calendars, categories, centres, alliances, rules, runs, appeals' outcome
MANAGE_COMMUNITY = "community.manage"    # a community's grids, units, committees, branches, pairings, meetings, minutes,
                                         # decisions, programmes, activities, service requests, volunteer hours, appeals
READ_INCIDENT = "incident.read"
READ_SERVICE_REQUEST = "service_request.read"
SEE_CONTACT = "service_request.contact"  # a requester's phone number, unmasked
READ_VOLUNTEER_HOURS = "volunteer_hours.read"
READ_PEOPLE = "people.read"              # programme participants, quarterly hours reports by name
READ_VOLUNTEER_REPORT = "volunteer_report.read"  # a unit's quarterly 双报到 hours report
READ_ACTION = "action.read"
WORK_ACTION_PART = "action_part.work"    # sign off (签收) and report progress on an action's part
MANAGE_USERS = "users.manage"            # the user directory (district admins: all; community staff: theirs)
READ_AUDIT = "audit.read"
EXPORT = "export"                        # exports of the caller's own or granted tenants
MANAGE_PLATFORM = "platform.manage"      # tenants, offboarding

RULES: dict[str, dict[str, tuple[str, ...]]] = {
    MANAGE_DISTRICT: {DISTRICT_ADMIN: (ANYWHERE,)},
    MANAGE_COMMUNITY: {DISTRICT_ADMIN: (ANYWHERE,), COMMUNITY_STAFF: (COMMUNITY,)},
    READ_INCIDENT: {DISTRICT_ADMIN: (ANYWHERE,), AUDITOR: (ANYWHERE,), STREET_STAFF: (STREET, OWN),
                    COMMUNITY_STAFF: (COMMUNITY, OWN), GRID_WORKER: (GRID, OWN), MEMBER: (OWN,), RESIDENT: (OWN,)},
    READ_SERVICE_REQUEST: {DISTRICT_ADMIN: (ANYWHERE,), AUDITOR: (ANYWHERE,), STREET_STAFF: (OWN,),
                           COMMUNITY_STAFF: (COMMUNITY, OWN), GRID_WORKER: (OWN,), MEMBER: (OWN,), RESIDENT: (OWN,)},
    READ_VOLUNTEER_HOURS: {DISTRICT_ADMIN: (ANYWHERE,), AUDITOR: (ANYWHERE,), COMMUNITY_STAFF: (COMMUNITY, OWN),
                           GRID_WORKER: (OWN,), MEMBER: (OWN,)},
    SEE_CONTACT: {DISTRICT_ADMIN: (ANYWHERE,), COMMUNITY_STAFF: (COMMUNITY,)},
    READ_PEOPLE: {DISTRICT_ADMIN: (ANYWHERE,), COMMUNITY_STAFF: (ANYWHERE,), AUDITOR: (ANYWHERE,)},
    READ_VOLUNTEER_REPORT: {DISTRICT_ADMIN: (ANYWHERE,), COMMUNITY_STAFF: (ANYWHERE,), AUDITOR: (ANYWHERE,),
                            EMPLOYER: (OF_UNIT,)},
    READ_ACTION: {DISTRICT_ADMIN: (ANYWHERE,), AUDITOR: (ANYWHERE,), STREET_STAFF: (ANYWHERE,),
                  COMMUNITY_STAFF: (ANYWHERE,), GRID_WORKER: (ANYWHERE,), MEMBER: (ANYWHERE,),
                  DEPARTMENT: (OF_DEPARTMENT,)},
    WORK_ACTION_PART: {DISTRICT_ADMIN: (ANYWHERE,), COMMUNITY_STAFF: (COMMUNITY,), DEPARTMENT: (OF_DEPARTMENT,)},
    MANAGE_USERS: {DISTRICT_ADMIN: (ANYWHERE,), COMMUNITY_STAFF: (COMMUNITY,)},
    READ_AUDIT: {DISTRICT_ADMIN: (ANYWHERE,), AUDITOR: (ANYWHERE,)},
    EXPORT: {DISTRICT_ADMIN: (ANYWHERE,), AUDITOR: (ANYWHERE,)},
    MANAGE_PLATFORM: {PLATFORM_ADMIN: (ANYWHERE,)},
}
DENIED = {MANAGE_DISTRICT: Text("仅区管理员可以执行此操作", "Only district admins may do this"),
          MANAGE_COMMUNITY: Text("无权操作该社区的数据", "Not allowed in this community")}


def roles(action: str) -> frozenset[str]:
    """The roles that may do `action` somewhere: what a route declares it lets through."""
    return frozenset(RULES[action])


def scopes(ctx: TenantContext, action: str) -> set[str]:
    """Every scope the caller's roles give for `action`."""
    rule = RULES[action]
    return {scope for role in ctx.principal.roles for scope in rule.get(role, ())}


def allows(ctx: TenantContext, action: str, *, street_id: str | None = None, community_id: str | None = None,
           grid_id: str | None = None, departments: frozenset[str] | set[str] = frozenset(), unit_id: str | None = None,
           owner: str | None = None) -> bool:
    """Whether the caller may do `action` to an object in that street, community or grid, for one of
    `departments` or for `unit_id`, owned by `owner`."""
    p = ctx.principal
    held = scopes(ctx, action)
    return (ANYWHERE in held or (STREET in held and street_id in p.streets)
            or (COMMUNITY in held and community_id in p.communities) or (GRID in held and grid_id in p.grids)
            or (OF_DEPARTMENT in held and bool(p.departments & set(departments)))
            or (OF_UNIT in held and unit_id in p.units)
            or (OWN in held and owner is not None and owner == p.sub))


def require(ctx: TenantContext, action: str, *, hide: str | None = None, street_id: str | None = None,
            community_id: str | None = None, grid_id: str | None = None,
            departments: frozenset[str] | set[str] = frozenset(), unit_id: str | None = None,
            owner: str | None = None) -> None:
    """403 unless `allows`; with `hide=<kind>` a 404, so a caller cannot tell another scope's object exists."""
    if allows(ctx, action, street_id=street_id, community_id=community_id, grid_id=grid_id, departments=departments,
              unit_id=unit_id, owner=owner):
        return
    if hide:
        raise NotFound(Text(f"{hide} 不存在", f"No such {hide}"))
    raise Forbidden(DENIED.get(action, Text("当前角色无权执行此操作", "Your role may not do this")))


def list_filter(ctx: TenantContext, action: str, model: Any, *, owner_field: str) -> Condition | None:
    """`allows` as a filter on `model`'s items (their `data` map): None when the caller sees them all."""
    held, p = scopes(ctx, action), ctx.principal
    if ANYWHERE in held:
        return None
    conditions: list[Condition] = []
    if STREET in held and p.streets:
        conditions.append(model.data["street_id"].is_in(*sorted(p.streets)))
    if COMMUNITY in held and p.communities:
        conditions.append(model.data["community_id"].is_in(*sorted(p.communities)))
    if GRID in held and p.grids:
        conditions.append(model.data["grid_id"].is_in(*sorted(p.grids)))
    if OF_DEPARTMENT in held:
        conditions += [model.data["departments"].contains(d) for d in sorted(p.departments)]
    if OF_UNIT in held and p.units:
        conditions.append(model.data["unit_id"].is_in(*sorted(p.units)))
    if OWN in held or not conditions:  # with nothing else held, only what is one's own (often nothing)
        conditions.append(model.data[owner_field] == p.sub)
    return reduce(lambda a, b: a | b, conditions)
