"""Helpers every handler uses to turn a Chalice request into (tenant context, validated body).

Handlers stay a few lines: `ctx, body = begin_write(request, "street")`, call the service, return
`respond(...)`. Authentication itself happened in the middleware; here we decide which tenant the
request acts in and whether its role may.
"""
from __future__ import annotations

import json
import re
from typing import Any

from chalice.app import Request, Response

from dataclasses import replace

from functions import lazy, tenant_credentials
from functions.errors import (BadRequest, FieldError, Forbidden, IdempotentReplay, PayloadTooLarge, TenantSuspended, Text,
                              ValidationFailed)
from functions.tenancy import AUDITOR, TENANT_ROLES, Principal, TenantContext
from functions.validation import validate

JSON = {"Content-Type": "application/json; charset=utf-8"}
idempotency = lazy.modules("functions", "idempotency")
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
        tenant = request.headers.get("x-tenant") or query_param(request, "tenant") or ""
        if tenant not in p.audit_tenants:
            raise Forbidden(Text("审计员未获该区授权", "This auditor is not granted that tenant"))
    else:
        raise Forbidden(Text("该令牌无权执行此操作", "This token may not do this"))
    tenant_credentials.enter(tenant)
    profile = tenants.active_profile(tenant)
    if write and profile["status"] != "active":
        raise TenantSuspended()
    return TenantContext(tenant=tenant, principal=p, timezone=profile.get("timezone", "Asia/Shanghai"),
                         settings=profile.get("settings", {}))


def json_body(request: Request) -> Any:
    raw = request.raw_body or b""
    if len(raw) > 1024 * 1024:
        raise PayloadTooLarge()
    try:
        return json.loads(raw.decode("utf-8"), parse_constant=_no_constants) if raw else {}
    except (UnicodeDecodeError, ValueError) as exc:
        raise BadRequest(Text("请求体不是有效的 UTF-8 JSON", "The body is not valid UTF-8 JSON")) from exc


def _no_constants(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")  # json.loads would otherwise accept NaN and Infinity


def begin_write(request: Request, schema: str | None, *, patch: bool = False,
                status: int = 201) -> tuple[TenantContext, dict[str, Any]]:
    """Tenant context for a write plus the body validated against `schemas/<schema>.json`.

    A POST carrying `Idempotency-Key` that was seen before is answered here with the stored
    result (or 422 if the key came with another body); `status` is the answer it will store.
    """
    ctx = tenant_context(request, write=True)
    body = validate(schema, json_body(request), patch=patch) if schema else {}
    claim = idempotency_claim(request, status)
    if claim is not None:
        replay = idempotency.find(ctx, claim)
        if replay is not None:
            raise IdempotentReplay(replay)
        ctx = replace(ctx, idempotency=claim)
    return ctx, body


def expected_version(request: Request, body: dict[str, Any] | None = None) -> int:
    """The version the client read: `version` in the body, or the `If-Match` header."""
    if body and "version" in body:
        return int(body["version"])
    tag = (request.headers.get("if-match") or "").strip().strip('"').removeprefix("W/").strip('"')
    if tag.isdigit():
        return int(tag)
    raise ValidationFailed(errors=[FieldError("/version", Text("需要 version 或 If-Match", "version or If-Match is required"))])


ULID_PATTERN = re.compile(r"^[0-9A-HJKMNP-TV-Z]{26}$")


def query_param(request: Request, name: str) -> str | None:
    """A query parameter; `*_id` ones must be ULIDs and none may exceed 200 characters (values end
    up in keys, which DynamoDB limits)."""
    value = (request.query_params or {}).get(name)
    if value is None:
        return None
    if len(value) > 200 or (name.endswith("_id") and not ULID_PATTERN.match(value)):
        raise ValidationFailed(errors=[FieldError(f"/{name}", Text(f"{name} 格式不正确", f"{name} is malformed"))])
    return value


def limit_param(request: Request) -> int | None:
    raw = query_param(request, "limit")
    if raw is None:
        return None
    if not raw.isdigit() or not 1 <= int(raw) <= 200:
        raise ValidationFailed(errors=[FieldError("/limit", Text("limit 应为 1–200 的整数", "limit must be an integer 1–200"))])
    return int(raw)


def respond(body: Any, status: int = 200, headers: dict[str, str] | None = None) -> Response:
    out = dict(JSON)
    if isinstance(body, dict) and "version" in body:
        out["ETag"] = f'"{body["version"]}"'
    out.update(headers or {})
    return Response(body=json.dumps(body, ensure_ascii=False), status_code=status, headers=out)


def idempotency_claim(request: Request, status: int) -> idempotency.Claim | None:
    key = request.headers.get("idempotency-key")
    if request.method != "POST" or not key:
        return None
    return idempotency.claim(key, request.method, request.path, request.raw_body or b"", status)


def paging(request: Request) -> dict[str, Any]:
    """`limit` and `cursor_text` keyword arguments for a list service, from the query string."""
    return {"limit": limit_param(request), "cursor_text": query_param(request, "cursor")}


def date_param(request: Request, name: str) -> str | None:
    """An optional `YYYY-MM-DD` query parameter, named in the error when malformed."""
    from datetime import date

    raw = query_param(request, name)
    if raw is None:
        return None
    try:
        return date.fromisoformat(raw).isoformat()
    except ValueError as exc:
        raise ValidationFailed(errors=[FieldError(f"/{name}", Text("日期格式应为 YYYY-MM-DD", "Date must be YYYY-MM-DD"))]) from exc


def period_param(request: Request, name: str = "period") -> str:
    """A required `YYYY-MM` month, named in the error when missing or malformed."""
    from datetime import date

    raw = query_param(request, name) or ""
    try:
        if len(raw) == 7:
            date.fromisoformat(raw + "-01")
            return raw
    except ValueError:
        pass
    raise ValidationFailed(errors=[FieldError(f"/{name}", Text(f"{name} 格式应为 YYYY-MM", f"{name} must be YYYY-MM"))])
