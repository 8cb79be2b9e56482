"""Who may do what, and where: one table of action × role → scopes, read by every service.

A scope says where a role's permission holds: anywhere in the tenant, in the caller's communities or
grids (from the token), or on what the caller owns (reported, submitted). The same rule answers
"may this caller open this object" (`require`) and "which objects may this caller see in a list"
(`list_filter`, a DynamoDB filter on the Query), so a list never shows what its caller cannot open.
"""
from __future__ import annotations

from functools import reduce
from typing import TYPE_CHECKING, Any

from functions.errors import Forbidden, NotFound, Text
from functions.tenancy import AUDITOR, COMMUNITY_STAFF, DISTRICT_ADMIN, GRID_WORKER, MEMBER, PLATFORM_ADMIN, TenantContext

if TYPE_CHECKING:  # routes import this module; PynamoDB loads with the services that query
    from pynamodb.expressions.condition import Condition

ANYWHERE, COMMUNITY, GRID, OWN = "anywhere", "community", "grid", "own"

MANAGE_DISTRICT = "district.manage"      # streets, calendars, categories, centres, alliances, rules, runs, appeals' outcome
MANAGE_COMMUNITY = "community.manage"    # a community's grids, units, committees, branches, pairings, meetings, minutes,
                                         # decisions, programmes, activities, service requests, volunteer hours, appeals
READ_INCIDENT = "incident.read"
READ_SERVICE_REQUEST = "service_request.read"
SEE_CONTACT = "service_request.contact"  # a requester's phone number, unmasked
READ_VOLUNTEER_HOURS = "volunteer_hours.read"
READ_PEOPLE = "people.read"              # programme participants, quarterly hours reports by name
READ_AUDIT = "audit.read"
EXPORT = "export"                        # exports of the caller's own or granted tenants
MANAGE_PLATFORM = "platform.manage"      # tenants, offboarding

RULES: dict[str, dict[str, tuple[str, ...]]] = {
    MANAGE_DISTRICT: {DISTRICT_ADMIN: (ANYWHERE,)},
    MANAGE_COMMUNITY: {DISTRICT_ADMIN: (ANYWHERE,), COMMUNITY_STAFF: (COMMUNITY,)},
    READ_INCIDENT: {DISTRICT_ADMIN: (ANYWHERE,), AUDITOR: (ANYWHERE,), COMMUNITY_STAFF: (COMMUNITY, OWN),
                    GRID_WORKER: (GRID, OWN), MEMBER: (OWN,)},
    READ_SERVICE_REQUEST: {DISTRICT_ADMIN: (ANYWHERE,), AUDITOR: (ANYWHERE,), COMMUNITY_STAFF: (COMMUNITY, OWN),
                           GRID_WORKER: (OWN,), MEMBER: (OWN,)},
    READ_VOLUNTEER_HOURS: {DISTRICT_ADMIN: (ANYWHERE,), AUDITOR: (ANYWHERE,), COMMUNITY_STAFF: (COMMUNITY, OWN),
                           GRID_WORKER: (OWN,), MEMBER: (OWN,)},
    SEE_CONTACT: {DISTRICT_ADMIN: (ANYWHERE,), COMMUNITY_STAFF: (COMMUNITY,)},
    READ_PEOPLE: {DISTRICT_ADMIN: (ANYWHERE,), COMMUNITY_STAFF: (ANYWHERE,), AUDITOR: (ANYWHERE,)},
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


def allows(ctx: TenantContext, action: str, *, community_id: str | None = None, grid_id: str | None = None,
           owner: str | None = None) -> bool:
    """Whether the caller may do `action` to an object in that community or grid, owned by `owner`."""
    p = ctx.principal
    held = scopes(ctx, action)
    return (ANYWHERE in held or (COMMUNITY in held and community_id in p.communities)
            or (GRID in held and grid_id in p.grids) or (OWN in held and owner is not None and owner == p.sub))


def require(ctx: TenantContext, action: str, *, hide: str | None = None, community_id: str | None = None,
            grid_id: str | None = None, owner: str | None = None) -> None:
    """403 unless `allows`; with `hide=<kind>` a 404, so a caller cannot tell another scope's object exists."""
    if allows(ctx, action, community_id=community_id, grid_id=grid_id, owner=owner):
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
    if COMMUNITY in held and p.communities:
        conditions.append(model.data["community_id"].is_in(*sorted(p.communities)))
    if GRID in held and p.grids:
        conditions.append(model.data["grid_id"].is_in(*sorted(p.grids)))
    if OWN in held or not conditions:  # with nothing else held, only what is one's own (often nothing)
        conditions.append(model.data[owner_field] == p.sub)
    return reduce(lambda a, b: a | b, conditions)
