"""Tenants (districts): created and suspended by platform admins; their profile read on every request.

A tenant's profile item is `<tenant>#tenant` / `profile` in the platform table, listed through
gsi1 (`platform#tenants`). Its audit entries start the tenant's own chain.
"""
from __future__ import annotations

import dataclasses
import time
from typing import Any
from collections.abc import Callable

from functions import config, store
from functions.errors import Conflict, FieldError, Forbidden, Text, Unauthorized, ValidationFailed
from functions.models import PlatformTable
from functions.tenancy import SCOPE_CLAIMS, Principal, TenantContext, system_context

KIND = "tenant"
PROFILE = "profile"
USER = "user"  # functions.accounts.users keeps the directory beside the profile
LIST_KEY = "platform#tenants"

_cache: dict[str, tuple[float, dict[str, Any]]] = {}


def _context(tenant_id: str, admin: Principal) -> TenantContext:
    return TenantContext(tenant=tenant_id, principal=admin)


def _check_timezone(name: str) -> None:
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise ValidationFailed(errors=[FieldError("/timezone", Text("未知时区", "Unknown time zone"))]) from exc


def create_tenant(admin: Principal, body: dict[str, Any], ctx_idempotency: Any = None) -> dict[str, Any]:
    tenant_id = body["id"]
    timezone = body.get("timezone", config.DEFAULT_TIMEZONE)
    _check_timezone(timezone)
    from functions.audit import digests

    if digests.in_use(tenant_id):  # an offboarded district's digests stay locked under its id
        raise Conflict(Text(f"区标识 {tenant_id} 曾被已注销的区使用，请换一个", f"Tenant id {tenant_id} belonged to an offboarded district: choose another"))
    ctx = TenantContext(tenant=tenant_id, principal=admin, idempotency=ctx_idempotency)
    item = store.new_item(PlatformTable, ctx, KIND, PROFILE,
                          {"id": tenant_id, "name": body["name"], "tier": body["tier"], "timezone": timezone,
                           "status": "active", "settings": body.get("settings", {})},
                          gsi1pk=LIST_KEY, gsi1sk=tenant_id)
    ops: list[store.Operation] = [store.Put(item, Conflict(Text(f"区 {tenant_id} 已存在", f"Tenant {tenant_id} already exists")))]
    result = item.public()
    admin_item = None
    if body.get("first_admin"):
        from functions.accounts import identity, users

        admin_item, admin_ops = users.first_admin(ctx, body["first_admin"])
        ops += admin_ops
        result["first_admin"] = admin_item.public()
    try:
        store.write(ctx, ops, action="tenant.create", target=f"tenant/{tenant_id}", state=result, result=result)
    except BaseException:
        if admin_item is not None:
            identity.forget(admin_item.sk)
        raise
    if admin_item is not None:
        identity.send_invitation(tenant_id, admin_item.sk, body["first_admin"])
    return result


def add_district_admin(platform_admin: Principal, tenant_id: str, person: dict[str, Any]) -> dict[str, Any]:
    """A district admin added by the platform (a tenant made without `first_admin`, or whose admins
    have all left): written with the admin count and its audit entry, then invited."""
    from functions.accounts import identity, users

    get_tenant(tenant_id)  # 404 for a tenant that does not exist
    ctx = _context(tenant_id, platform_admin)
    item, ops = users.first_admin(ctx, person)
    result = item.public()
    try:
        store.write(ctx, ops, action="user.create", target=f"user/{item.sk}", state=result, result=result)
    except BaseException:
        identity.forget(item.sk)
        raise
    identity.send_invitation(tenant_id, item.sk, person)
    return result


def get_tenant(tenant_id: str) -> dict[str, Any]:
    try:
        return PlatformTable.get(f"{tenant_id}#{KIND}", PROFILE).public()
    except PlatformTable.DoesNotExist as exc:
        raise store.not_found(KIND) from exc


def list_tenants(limit: int | None, cursor_text: str | None) -> dict[str, Any]:
    return store.page(PlatformTable, LIST_KEY, index="gsi1", scope="tenants", limit=limit,
                      cursor_text=cursor_text).body()


def update_tenant(admin: Principal, tenant_id: str, body: dict[str, Any]) -> dict[str, Any]:
    """Change status (active/suspended), tier, name, time zone or settings, at the version read."""
    try:
        item = PlatformTable.get(f"{tenant_id}#{KIND}", PROFILE)
    except PlatformTable.DoesNotExist as exc:
        raise store.not_found(KIND) from exc
    if "timezone" in body:
        _check_timezone(body["timezone"])
    expected = body["version"]
    data = {**item.fields(), **{k: v for k, v in body.items() if k != "version"}}
    new = store.changed(item, data)
    result = new.public()
    store.write(_context(tenant_id, admin), [store.Replace(new, expected)], action="tenant.update",
                target=f"tenant/{tenant_id}", state=result)
    _cache.pop(tenant_id, None)
    return result


def active_profile(tenant_id: str) -> dict[str, Any]:
    """The tenant's profile, trusted for a short while per container; 403 for an unknown tenant."""
    hit = _cache.get(tenant_id)
    now = time.monotonic()
    if hit and now - hit[0] < config.TENANT_CACHE_SECONDS:
        return hit[1]
    try:
        profile = PlatformTable.get(f"{tenant_id}#{KIND}", PROFILE).fields()
    except PlatformTable.DoesNotExist as exc:
        raise Forbidden(Text("该区未开通", "No such tenant")) from exc
    _cache[tenant_id] = (now, profile)
    return profile


_users: dict[tuple[str, str], tuple[float, dict[str, Any] | None]] = {}  # (tenant, user) → (read at, grant or None)
USER_DISABLED = Text("该用户已停用", "This user is disabled")


def standing(tenant_id: str, principal: Principal) -> tuple[dict[str, Any], Principal]:
    """The tenant's profile (as `active_profile`) and the caller as the directory now knows them: 401
    for a disabled user, and a token's roles and scopes narrowed to what the record still grants (a
    demotion or a scope taken away holds before the token expires). Both items are trusted for the
    same short while; when either is not, one BatchGet reads the two."""
    now = time.monotonic()
    profile_hit, user_hit = _cache.get(tenant_id), _users.get((tenant_id, principal.sub))
    fresh = config.TENANT_CACHE_SECONDS
    if not (profile_hit and now - profile_hit[0] < fresh and user_hit and now - user_hit[0] < fresh):
        keys = [(f"{tenant_id}#{KIND}", PROFILE), (f"{tenant_id}#{USER}", principal.sub)]
        found = {item.pk: item for item in PlatformTable.batch_get(keys)}
        profile_item = found.get(keys[0][0])
        if profile_item is None:
            raise Forbidden(Text("该区未开通", "No such tenant"))
        user_item = found.get(keys[1][0])
        if len(_users) > 10_000:  # a container's memory, not a directory
            _users.clear()
        _cache[tenant_id] = profile_hit = (now, profile_item.fields())
        _users[(tenant_id, principal.sub)] = user_hit = (now, user_item.fields() if user_item else None)
    grant = user_hit[1]
    if grant is None:
        return profile_hit[1], principal
    if grant["status"] == "disabled":
        raise Unauthorized(USER_DISABLED)
    return profile_hit[1], dataclasses.replace(
        principal, roles=principal.roles & frozenset(grant["roles"]),
        **{scope: getattr(principal, scope) & frozenset(grant.get(scope, [])) for scope in SCOPE_CLAIMS})


def forget_user(tenant_id: str, user_id: str) -> None:
    """Drop the cached standing of a user just changed, so this container applies it at once."""
    _users.pop((tenant_id, user_id), None)


def context_of(tenant_id: str) -> TenantContext | None:
    """A system context for one active tenant (a queued job's), or None if it is gone or suspended."""
    try:
        profile = PlatformTable.get(f"{tenant_id}#{KIND}", PROFILE).fields()
    except PlatformTable.DoesNotExist:
        return None
    if profile.get("status") != "active":
        return None
    return system_context(tenant_id, profile.get("timezone", config.DEFAULT_TIMEZONE), profile.get("settings", {}))


def active_tenants(statuses: tuple[str, ...] = ("active",)) -> list[TenantContext]:
    """A system context for every tenant in `statuses` (active ones by default), for scheduled jobs
    (one Query on the tenant list)."""
    contexts = []
    for item in PlatformTable.gsi1.query(LIST_KEY):
        profile = item.fields()
        if profile.get("status") in statuses:
            contexts.append(system_context(profile["id"], profile.get("timezone", config.DEFAULT_TIMEZONE),
                                           profile.get("settings", {})))
    return contexts


class ScheduledJobFailed(Exception):
    """A scheduled job failed in at least one tenant.

    Raised only after every tenant was tried, so one tenant cannot hold up the others, yet the run
    ends as an error (a Lambda error metric and EventBridge's retries in AWS, a failed `make fire`
    and a reported failure in the local scheduler) instead of a success that hides the failures.
    The jobs are idempotent, so a retry redoes the successful tenants harmlessly.
    """

    def __init__(self, label: str, failures: dict[str, str], results: dict[str, Any]) -> None:
        self.label, self.failures, self.results = label, failures, results
        named = ", ".join(f"{tenant} ({reason})" for tenant, reason in sorted(failures.items()))
        super().__init__(f"{label} failed in {len(failures)} of {len(failures) + len(results)} tenants: {named}")


def for_each_active_tenant(job: Callable[[TenantContext], Any], label: str,
                           statuses: tuple[str, ...] = ("active",)) -> dict[str, Any]:
    """Run a scheduled job for every active tenant (or every tenant in `statuses`) and return each
    tenant's result.

    One tenant failing does not stop the others: each failure is logged (structured, with the
    tenant and the job), and once all are done the run raises `ScheduledJobFailed` naming them.
    """
    from functions import tenant_credentials

    results: dict[str, Any] = {}
    failures: dict[str, str] = {}
    for ctx in active_tenants(statuses):
        try:
            with tenant_credentials.scoped(ctx.tenant):
                results[ctx.tenant] = job(ctx)
        except Exception as exc:
            failures[ctx.tenant] = log_tenant_failure(label, ctx.tenant, exc)
    count_failures(label, len(failures))
    if failures:
        raise ScheduledJobFailed(label, failures, results)
    return results


def count_failures(label: str, failed: int) -> None:
    """One metric per run, 0 included (CloudWatch Embedded Metric Format, namespace Gongjian): the
    tenants a scheduled job failed for, by job, for an alarm on any above zero."""
    from aws_lambda_powertools.metrics import MetricUnit, single_metric

    with single_metric(name="TenantFailures", unit=MetricUnit.Count, value=failed, namespace="Gongjian") as metric:
        metric.add_dimension(name="job", value=label)


def log_tenant_failure(label: str, tenant: str, exc: BaseException) -> str:
    """Log one tenant's failure of a scheduled job (with its traceback); returns the short reason."""
    from functions.log import logger

    reason = type(exc).__name__
    logger.exception(f"{label} failed", extra={"tenant": tenant, "job": label, "error": reason})
    return reason


def forget(tenant_id: str) -> None:
    """Drop a tenant's cached profile (after its data is gone)."""
    _cache.pop(tenant_id, None)
