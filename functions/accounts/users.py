"""The tenant's user directory: who may act, in which roles, over which streets, communities, grids,
department or unit, and whether they may act at all (invited → active; disabled).

The record is the source of truth for a token's claims: Cognito's pre-token trigger (and locally
`make token SUB=<user>`) builds `tenant`, `roles` and the scope claims from it, and every request of a
disabled user is refused (`functions.platform.tenants.standing`). A grid's `workers` is kept from these
records in the same transaction, so the grid and the tokens of its workers never disagree.

District admins manage everyone; community staff manage grid workers, residents and Party members
of their own communities. Nobody grants a role they could not manage, and the tenant's last district
admin who is not disabled cannot be disabled or demoted (a counter checked inside the transaction).

Keys (platform table, beside the tenant profile so one BatchGet reads both): `<tenant>#user` / id;
the counter `<tenant>#user-count` / `district_admin`.
"""
from __future__ import annotations

import operator
from functools import reduce
from typing import Any

from functions import archiving, store
from functions.accounts import identity
from functions.errors import Conflict, FieldError, Forbidden, Text, Unprocessable
from functions.ids import new_id, now_iso
from functions.models import CommitteesTable, GridsTable, PlatformTable
from functions.models.base import TenantItem
from functions.tenancy import (COMMUNITY_STAFF, DEPARTMENT, DISTRICT_ADMIN, EMPLOYER, GRID_WORKER, MEMBER, RESIDENT,
                               SCOPE_CLAIMS, STREET_STAFF, TENANT_ROLES, TenantContext)

KIND = "user"
SCOPE_OF_ROLE = {STREET_STAFF: "streets", COMMUNITY_STAFF: "communities", GRID_WORKER: "grids",
                 DEPARTMENT: "departments", EMPLOYER: "units"}
# Who may carry each scope: the role it scopes, and for residents and Party members their home
# community (it decides which community's staff manage them; it grants them nothing).
SCOPE_HOLDERS = {"streets": {STREET_STAFF}, "communities": {COMMUNITY_STAFF, RESIDENT, MEMBER}, "grids": {GRID_WORKER},
                 "departments": {DEPARTMENT}, "units": {EMPLOYER}}
SCOPE_ITEMS = {"streets": (GridsTable, "street"), "communities": (GridsTable, "community"), "grids": (GridsTable, "grid"),
               "departments": (CommitteesTable, "department"), "units": (CommitteesTable, "unit")}
# What each managing role may grant (and so manage): never more than it could do itself.
GRANTABLE = {DISTRICT_ADMIN: TENANT_ROLES, COMMUNITY_STAFF: frozenset({GRID_WORKER, RESIDENT, MEMBER})}
ADMIN_COUNT = ("user-count", DISTRICT_ADMIN)
LAST_ADMIN = Conflict(Text("不能停用或撤销本区最后一位区管理员", "The district's last district admin cannot be disabled or demoted"))


def _counts_as_admin(user: dict[str, Any]) -> bool:
    return DISTRICT_ADMIN in user["roles"] and user["status"] != "disabled"


def _grids_worked(user: dict[str, Any]) -> set[str]:
    return set(user["grids"]) if GRID_WORKER in user["roles"] and user["status"] != "disabled" else set()


def _check_roles(ctx: TenantContext, user: dict[str, Any]) -> None:
    """422 naming each role the caller may not grant, each role without its scope and each scope no role uses."""
    grantable = frozenset().union(*(GRANTABLE.get(role, frozenset()) for role in ctx.principal.roles))
    errors = [FieldError(f"/roles/{i}", Text(f"无权授予角色 {role}", f"You may not grant the role {role}"))
              for i, role in enumerate(user["roles"]) if role not in grantable]
    for role, scope in SCOPE_OF_ROLE.items():
        if role in user["roles"] and not user[scope]:
            errors.append(FieldError(f"/{scope}", Text(f"角色 {role} 需要指定范围 {scope}", f"The role {role} needs {scope}")))
    for scope, holders in SCOPE_HOLDERS.items():
        if user[scope] and not holders & set(user["roles"]):
            names = "、".join(sorted(holders))
            errors.append(FieldError(f"/{scope}", Text(f"只有角色 {names} 使用 {scope}", f"Only the roles {names} use {scope}")))
    if errors:
        raise Unprocessable(errors=errors)


def _scope(ctx: TenantContext, user: dict[str, Any]) -> tuple[list[store.Operation], dict[str, GridsTable]]:
    """Transaction checks that every scope id is the tenant's (422 naming it), the grids read (their
    community decides who manages the worker, and their `workers` is kept here) and the user's
    communities (`community_ids`: own communities plus those of their grids)."""
    checks: list[store.Operation] = []
    for scope in ("streets", "communities", "departments", "units"):
        model, kind = SCOPE_ITEMS[scope]
        for i, item_id in enumerate(user[scope]):
            error = Unprocessable(errors=[FieldError(f"/{scope}/{i}", Text(f"{kind} 不存在或已归档", f"No such {kind}, or archived"))])
            checks.append(store.Require(model, ctx.key(kind), item_id, error, condition=archiving.not_archived(model)))
    grids: dict[str, GridsTable] = {}
    for i, grid_id in enumerate(user["grids"]):
        missing = Unprocessable(errors=[FieldError(f"/grids/{i}", Text("网格不存在或已归档", "No such grid, or archived"))])
        try:
            grids[grid_id] = GridsTable.get(ctx.key("grid"), grid_id)
        except GridsTable.DoesNotExist as exc:
            raise missing from exc
        if archiving.is_archived(grids[grid_id].fields()):
            raise missing
    user["community_ids"] = sorted(set(user["communities"]) | {g.fields()["community_id"] for g in grids.values()})
    return checks, grids


def _manageable(ctx: TenantContext, user: dict[str, Any]) -> bool:
    """Whether the caller may see and change this user: district admins anyone; community staff
    the grid workers, residents and members whose scope lies in their communities."""
    p = ctx.principal
    if p.has(DISTRICT_ADMIN):
        return True
    return (p.has(COMMUNITY_STAFF) and set(user["roles"]) <= GRANTABLE[COMMUNITY_STAFF]
            and bool(user["community_ids"]) and set(user["community_ids"]) <= p.communities)


def _require_manageable(ctx: TenantContext, user: dict[str, Any], *, hide: bool) -> None:
    if _manageable(ctx, user):
        return
    if hide:
        raise store.not_found(KIND)
    raise Forbidden(Text("只能管理本社区的网格员和居民", "You may manage only grid workers and residents of your communities"))


def _workers(ctx: TenantContext, user_id: str, before: set[str], after: set[str],
             grids: dict[str, GridsTable]) -> list[store.Operation]:
    """Each grid whose workers change: this user added or removed, at the version read."""
    ops: list[store.Operation] = []
    for grid_id in sorted(before ^ after):
        item = grids.get(grid_id) or store.get(GridsTable, ctx, "grid", grid_id)
        data = item.fields()
        workers = [w for w in data.get("workers", []) if w != user_id]
        if grid_id in after:
            workers.append(user_id)
        ops.append(store.Replace(store.changed(item, {**data, "workers": workers}), item.version))
    return ops


def _admin_count(ctx: TenantContext, before: bool, after: bool) -> list[store.Operation]:
    """Keep the count of district admins who are not disabled; refuse to take it below one."""
    pk, sk = ctx.key(ADMIN_COUNT[0]), ADMIN_COUNT[1]
    if after and not before:
        return [store.Tally(PlatformTable, pk, sk, 1, 1_000_000, Conflict(Text("区管理员过多", "Too many district admins")))]
    if before and not after:
        return [store.Require(PlatformTable, pk, sk, LAST_ADMIN, child_delta=-1, condition=PlatformTable.child_count >= 2)]
    return []


def create_user(ctx: TenantContext, body: dict[str, Any], item_id: str | None = None) -> dict[str, Any]:
    """Add a user (status `invited`) and, in AWS, invite them to sign in by SMS or email."""
    user = {**{scope: [] for scope in SCOPE_CLAIMS}, **body, "status": "invited"}
    if identity.enabled() and not (user.get("phone") or user.get("email")):
        raise Unprocessable(errors=[FieldError("/phone", Text("需要手机号或电子邮箱以发送登录邀请",
                                                               "A mobile number or email is needed to send the invitation"))])
    _check_roles(ctx, user)
    checks, grids = _scope(ctx, user)
    _require_manageable(ctx, user, hide=False)
    user_id = item_id or new_id()
    item = store.new_item(PlatformTable, ctx, KIND, user_id, user)
    result = item.public()
    extra = [*checks, *_workers(ctx, user_id, set(), _grids_worked(user), grids),
             *_admin_count(ctx, False, _counts_as_admin(user))]
    identity.invite(ctx.tenant, user_id, user)
    try:
        store.write(ctx, [store.Put(item), *extra], action="user.create", target=f"user/{user_id}", state=result,
                    result=result)
    except BaseException:
        identity.forget(user_id)
        raise
    identity.send_invitation(ctx.tenant, user_id, user)
    return result


def first_admin(ctx: TenantContext, person: dict[str, Any]) -> tuple[TenantItem, list[store.Operation]]:
    """A new district's first district admin: their record and the admin count, for the transaction
    that creates the tenant (so a district never exists without someone to run it), invited at once."""
    user = {**{scope: [] for scope in SCOPE_CLAIMS}, **person, "roles": [DISTRICT_ADMIN], "status": "invited",
            "community_ids": []}
    item = store.new_item(PlatformTable, ctx, KIND, new_id(), user)
    identity.invite(ctx.tenant, item.sk, user)  # its invitation goes once the tenant is written
    return item, [store.Put(item), *_admin_count(ctx, False, True)]


def load(ctx: TenantContext, user_id: str) -> PlatformTable:
    return store.get(PlatformTable, ctx, KIND, user_id)


def get_user(ctx: TenantContext, user_id: str) -> dict[str, Any]:
    item = load(ctx, user_id)
    _require_manageable(ctx, item.fields(), hide=True)
    return item.public()


def update_user(ctx: TenantContext, user_id: str, body: dict[str, Any]) -> dict[str, Any]:
    """Change contact details, roles and scopes, or status (`active` / `disabled`) at the version read."""
    from functions.platform import tenants

    item = load(ctx, user_id)
    old = item.fields()
    _require_manageable(ctx, old, hide=True)
    user = {**old, **{k: v for k, v in body.items() if k != "version"}}
    if body.get("status") == "active" and old["status"] == "invited":
        user["status"] = "invited"  # only signing in makes an invited user active
    if any(k in body for k in ("roles", *SCOPE_CLAIMS)):
        _check_roles(ctx, user)
    checks, grids = _scope(ctx, user)
    _require_manageable(ctx, user, hide=False)
    new = store.changed(item, user)
    result = new.public()
    extra = [*checks, *_workers(ctx, user_id, _grids_worked(old), _grids_worked(user), grids),
             *_admin_count(ctx, _counts_as_admin(old), _counts_as_admin(user))]
    disabling = user["status"] == "disabled" and old["status"] != "disabled"
    enabling = old["status"] == "disabled" and user["status"] != "disabled"
    if disabling:
        identity.disable(user_id)
    elif enabling:
        identity.enable(user_id)
    try:
        store.write(ctx, [store.Replace(new, body["version"]), *extra], action="user.update", target=f"user/{user_id}",
                    state=result, result=result)
    except BaseException:
        if disabling:
            identity.enable(user_id)
        elif enabling:
            identity.disable(user_id)
        raise
    if any(user.get(k) != old.get(k) for k in ("phone", "email")):
        identity.update_contact(user_id, user)
    tenants.forget_user(ctx.tenant, user_id)  # this container refuses a disabled user at once
    return result


def list_users(ctx: TenantContext, *, role: str | None, status: str | None, community_id: str | None,
               limit: int | None, cursor_text: str | None) -> dict[str, Any]:
    """The users the caller manages (one Query on the directory, filtered)."""
    p = ctx.principal
    conditions = []
    if not p.has(DISTRICT_ADMIN):
        managed = [PlatformTable.data["community_ids"].contains(c) for c in sorted(p.communities)]
        if not managed:
            return {"items": [], "next_cursor": None}
        conditions.append(reduce(operator.or_, managed))
        conditions += [~PlatformTable.data["roles"].contains(r) for r in sorted(TENANT_ROLES - GRANTABLE[COMMUNITY_STAFF])]
    if role:
        conditions.append(PlatformTable.data["roles"].contains(role))
    if status:
        conditions.append(PlatformTable.data["status"] == status)
    if community_id:
        conditions.append(PlatformTable.data["community_ids"].contains(community_id))
    condition = reduce(operator.and_, conditions) if conditions else None
    scope = f"{ctx.tenant}|user|{role}|{status}|{community_id}"
    body = store.page(PlatformTable, ctx.key(KIND), scope=scope, limit=limit, cursor_text=cursor_text,
                      filter_condition=condition).body()
    body["items"] = [u for u in body["items"] if _manageable(ctx, u)]  # the filter overlaps; opening needs all
    return body


def record(tenant: str, user_id: str) -> dict[str, Any] | None:
    """The user's record as the token issuer reads it, or None."""
    try:
        return PlatformTable.get(f"{tenant}#{KIND}", user_id).public()
    except PlatformTable.DoesNotExist:
        return None


def find_by_name(tenant: str, name: str) -> dict[str, Any] | None:
    """The one user of the tenant with exactly this name, or None (none, or several)."""
    found = [u.public() for u in store.query_all(PlatformTable, f"{tenant}#{KIND}") if u.fields().get("name") == name]
    return found[0] if len(found) == 1 else None


def claims(tenant: str, user: dict[str, Any]) -> dict[str, Any]:
    """The claims a token of this user carries: built from the record alone."""
    return {"tenant": tenant, "uid": user["id"], "roles": list(user["roles"]),
            **{scope: list(user.get(scope, [])) for scope in SCOPE_CLAIMS}}


def signed_in(tenant: str, user_id: str) -> None:
    """An invited user's first token makes them active (written with its audit entry)."""
    from functions.tenancy import system_context

    ctx = system_context(tenant)
    item = PlatformTable.get(f"{tenant}#{KIND}", user_id)
    user = item.fields()
    if user["status"] != "invited":
        return
    new = store.changed(item, {**user, "status": "active", "activated_at": now_iso()})
    try:
        store.write(ctx, [store.Replace(new, item.version)], action="user.activate", target=f"user/{user_id}",
                    state=new.public())
    except Conflict:
        pass  # changed meanwhile (another first sign-in, or an admin): nothing to do
