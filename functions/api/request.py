"""Helpers every handler uses to turn a Chalice request into (tenant context, validated body).

Handlers stay a few lines: `ctx, body = begin_write(request)` (the body schema comes from the route's
declaration), call the service, return its result (the declaration's wrapper renders it). Authentication itself happened in the middleware; here we decide which tenant the
request acts in and whether its role may.
"""
from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from dataclasses import replace

from chalice.app import Request

from functions import lazy, tenant_credentials
from functions.api.declaration import operation, query
from functions.errors import (BadRequest, FieldError, Forbidden, IdempotentReplay, PayloadTooLarge, TenantSuspended, Text,
                              ValidationFailed)
from functions.tenancy import AUDITOR, TENANT_ROLES, Principal, TenantContext
from functions.validation import validate

if TYPE_CHECKING:  # the real modules for readers and the type checker; loaded on first use at run time
    from functions import idempotency
else:
    idempotency = lazy.modules("functions", "idempotency")

if TYPE_CHECKING:  # the real modules for readers and the type checker; loaded on first use at run time
    from functions.platform import tenants
else:
    tenants = lazy.modules("functions.platform", "tenants")


def principal(request: Request) -> Principal:
    """The verified caller (set by the middleware)."""
    return request.context["principal"]


def tenant_context(request: Request, *, write: bool = False, roles: frozenset[str] = TENANT_ROLES) -> TenantContext:
    """The tenant the caller acts in. Tenant content is for tenant roles, and for auditors reading a
    tenant they are granted (named with `X-Tenant` or `?tenant=`); a platform admin gets 403.
    Auditors never write; a suspended tenant may read but not write (423)."""
    p = principal(request)
    if p.tenant and p.roles & roles:
        tenant = p.tenant
    elif p.has(AUDITOR) and not write:
        tenant = request.headers.get("x-tenant") or query(request).get("tenant") or ""
        if tenant not in p.audit_tenants:
            raise Forbidden(Text("审计员未获该区授权", "This auditor is not granted that tenant"))
    else:
        raise Forbidden(Text("该令牌无权执行此操作", "This token may not do this"))
    tenant_credentials.enter(tenant)
    profile, p = tenants.standing(tenant, p)
    if write and profile["status"] != "active":
        raise TenantSuspended()
    return TenantContext(tenant=tenant, principal=p, timezone=profile.get("timezone", "Asia/Shanghai"),
                         settings=profile.get("settings", {}))


MAX_DEPTH = 32  # no body of ours nests deeper; deeper ones would only cost stack in the validator


def json_body(request: Request) -> Any:
    """The request's JSON body ({} when empty): 413 over 1 MB, 400 when not UTF-8 JSON or nested absurdly."""
    raw = raw_body(request)
    if len(raw) > 1024 * 1024:
        raise PayloadTooLarge()
    try:
        body = json.loads(raw.decode("utf-8"), parse_constant=_no_constants) if raw else {}
    except (UnicodeDecodeError, ValueError, RecursionError) as exc:  # RecursionError: absurdly deep nesting
        raise BadRequest(Text("请求体不是有效的 UTF-8 JSON", "The body is not valid UTF-8 JSON")) from exc
    if _depth(body) > MAX_DEPTH:
        raise BadRequest(Text(f"请求体嵌套超过 {MAX_DEPTH} 层", f"The body nests deeper than {MAX_DEPTH} levels"))
    return body


def _depth(value: Any) -> int:
    """Nesting depth of a parsed JSON value, without recursion."""
    deepest, stack = 0, [(value, 1)]
    while stack:
        node, level = stack.pop()
        if isinstance(node, (dict, list)):
            deepest = max(deepest, level)
            stack.extend((child, level + 1) for child in (node.values() if isinstance(node, dict) else node))
    return deepest


def _no_constants(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")  # json.loads would otherwise accept NaN and Infinity


def begin_write(request: Request) -> tuple[TenantContext, dict[str, Any]]:
    """Tenant context for a write plus the body validated against the route's declared schema.

    A POST carrying `Idempotency-Key`, on a route that honours it, that was seen before is answered
    here with the stored result (or 422 if the key came with another body). On a PATCH the version
    may come as `If-Match` instead of `version` in the body.
    """
    op = operation(request)
    ctx = tenant_context(request, write=True)
    body = declared_body(request)
    claim = new_claim(request, ctx) if op.idempotent else None  # elsewhere the header is not offered
    return (replace(ctx, idempotency=claim) if claim is not None else ctx), body


def new_claim(request: Request, ctx: TenantContext) -> idempotency.Claim | None:
    """The claim of the request's `Idempotency-Key` in `ctx`'s tenant, or None without one. A key seen
    before is answered here with the stored result (or 422 if it came with another body)."""
    claim = idempotency_claim(request, operation(request).status)
    if claim is not None:
        replay = idempotency.find(ctx, claim)
        if replay is not None:
            raise IdempotentReplay(replay)
    return claim


def declared_body(request: Request) -> dict[str, Any]:
    """The JSON body checked against the route's declared schema ({} for routes that take none).
    On a PATCH the version may come as `If-Match` instead of `version` in the body."""
    op = operation(request)
    if not op.body_schema:
        return {}
    body = json_body(request)
    if op.patch and isinstance(body, dict) and "version" not in body and request.headers.get("if-match"):
        body["version"] = expected_version(request)
    return validate(op.body_schema, body, patch=op.patch)


def expected_version(request: Request, body: dict[str, Any] | None = None) -> int:
    """The version the client read: `version` in the body, or the `If-Match` header."""
    if body and "version" in body:
        return int(body["version"])
    tag = (request.headers.get("if-match") or "").strip().strip('"').removeprefix("W/").strip('"')
    if tag.isdigit():
        return int(tag)
    raise ValidationFailed(errors=[FieldError("/version", Text("需要 version 或 If-Match", "version or If-Match is required"))])


def delete_context(request: Request) -> tuple[TenantContext, int | None]:
    """A DELETE's tenant context and the version it names in `If-Match`, if any (else the current one)."""
    version = expected_version(request) if request.headers.get("if-match") else None
    return tenant_context(request, write=True), version


def idempotency_claim(request: Request, status: int) -> idempotency.Claim | None:
    """The claim of a POST's `Idempotency-Key` (1–200 characters, else 400), or None without one."""
    key = request.headers.get("idempotency-key")
    if request.method != "POST" or key is None:
        return None
    if not 1 <= len(key) <= 200 or not key.isprintable():
        raise ValidationFailed(errors=[FieldError("/Idempotency-Key", Text("Idempotency-Key 应为 1–200 个可见字符",
                                                                           "Idempotency-Key must be 1–200 printable characters"))])
    return idempotency.claim(key, request.method, request.path, raw_body(request), status)


def raw_body(request: Request) -> bytes:
    """The body's bytes (Chalice types `raw_body` as str or bytes)."""
    raw = request.raw_body or b""
    return raw.encode("utf-8") if isinstance(raw, str) else raw


def paging(request: Request) -> dict[str, Any]:
    """`limit` and `cursor_text` keyword arguments for a list service, from the checked query."""
    values = query(request)
    return {"limit": values["limit"], "cursor_text": values["cursor"]}
