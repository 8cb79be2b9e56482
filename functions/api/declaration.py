"""One declaration per route: what it takes, what it answers and who may call it.

`@route(bp, "GET", "/v1/incidents", "事件列表 / List incidents", query=(...), pages=True, ...)` registers
the handler with Chalice and records an `Operation`. Everything else reads that record: the query
parameters are checked here before the handler runs (an unknown name or value is a 400 naming it),
`begin_write` takes the body schema, status and idempotency from it, `functions.openapi` builds the
document from it and the isolation and listing walks in `tests/` take the routes from it.
Handlers then read typed values with `query(request)`.
"""
from __future__ import annotations

import functools
import json
import re
from dataclasses import dataclass, field, replace
from datetime import date
from typing import Any, TypeVar
from collections.abc import Callable

from chalice.app import Blueprint
from chalice.app import Request, Response

from functions.errors import FieldError, Forbidden, ProblemError, Text, ValidationFailed, from_dependency
from functions import authz
from functions.tenancy import AUDITOR, ROLES, TENANT_ID, TENANT_ROLES

F = TypeVar("F", bound=Callable[..., Any])
ULID = "^[0-9A-HJKMNP-TV-Z]{26}$"
DATE = "^(20[0-9]{2}|2100)-[0-9]{2}-[0-9]{2}$"  # years 2000–2100, as everywhere in the product
MONTH = "^(20[0-9]{2}|2100)-(0[1-9]|1[0-2])$"
QUARTER = "^(20[0-9]{2}|2100)-Q[1-4]$"
PERIOD_PATTERN = "^(20[0-9]{2}|2100)(-(0[1-9]|1[0-2])|-Q[1-4])?$"
READERS = TENANT_ROLES | {AUDITOR}
ANYONE = frozenset(ROLES)
PLATFORM = authz.roles(authz.MANAGE_PLATFORM)
EXPORTERS = authz.roles(authz.EXPORT)
DISTRICT_STAFF = authz.roles(authz.MANAGE_DISTRICT)
COMMUNITY_STAFF_AND_UP = authz.roles(authz.MANAGE_COMMUNITY)
MAX_VALUE = 200      # query values end up in keys, which DynamoDB limits
MAX_CURSOR = 2048    # our own cursors; see functions.cursor
JSON = {"Content-Type": "application/json; charset=utf-8"}


@dataclass(frozen=True)
class Param:
    """A query parameter. `kind` says how its text is read: string, id (a ULID), enum (one of
    `enum`), boolean, integer (1–200), number (within `bounds`), date (YYYY-MM-DD), month (YYYY-MM),
    quarter (YYYY-Qn), period (a month, quarter or year), cursor."""

    name: str
    description: str
    kind: str = "string"
    enum: tuple[str, ...] = ()
    required: bool = False
    bounds: tuple[float, float] = (-180.0, 180.0)  # for kind "number"


LIMIT = Param("limit", "每页条数（1–200，默认 50）/ page size (1–200, default 50)", "integer")
CURSOR = Param("cursor", "上一页返回的 next_cursor / the next_cursor of the previous page", "cursor")
TENANT = Param("tenant", "审计员查看的区（或用 X-Tenant 头）/ the tenant an auditor reads (or X-Tenant)", "tenant")
# Filters shared by several routes
COMMUNITY_ID = Param("community_id", "只看该社区 / only this community", "id")
COMMITTEE_ID = Param("committee_id", "只看该大党委 / only this big Party committee", "id")
UNIT_ID = Param("unit_id", "只看该单位 / only this unit", "id")
MEMBER_ID = Param("member_id", "只看该党员 / only this Party member", "id")
GRID_ID = Param("grid_id", "只看该网格 / only this grid", "id")
FROM = Param("from", "起始日期（含，区所在时区）/ first day, inclusive, in the tenant's time zone", "date")
TO = Param("to", "截止日期（含）/ last day, inclusive", "date")
PERIOD = Param("period", "月份 YYYY-MM（区所在时区）/ the month, in the tenant's time zone", "month", required=True)
OVERDUE = Param("overdue", "true：只列已逾期的 / true: only the overdue ones", "boolean")
ARCHIVED = Param("archived", "true：只列已归档的（默认只列在用的）/ true: only the archived ones (default: those in use)", "boolean")


@dataclass(frozen=True)
class Operation:
    """Everything a route declares. `body` names `schemas/<body>.json` (`"<name>#patch"` is its PATCH
    form); `response` names `schemas/responses/<response>.json` or is a media type such as `text/html`."""

    method: str
    path: str
    summary: str
    view_name: str = ""
    body: str | None = None
    response: str | None = None
    status: int = 200
    query: tuple[Param, ...] = ()
    pages: bool = False
    roles: frozenset[str] = READERS
    idempotent: bool = False
    public: bool = False
    tenant_scoped: bool = True
    problems: tuple[int, ...] = ()
    content_types: tuple[str, ...] = ("application/json",)
    description: str = ""
    accepted: tuple[Param, ...] = field(default=(), compare=False)

    @property
    def patch(self) -> bool:
        return bool(self.body and self.body.endswith("#patch"))

    @property
    def body_schema(self) -> str | None:
        return self.body.removesuffix("#patch") if self.body else None


OPERATIONS: dict[tuple[str, str], Operation] = {}


def route(bp: Blueprint, method: str, path: str, summary: str, **declared: Any) -> Callable[[F], F]:
    """Register `handler` for `method path` with Chalice and record its declaration."""

    def register(handler: F) -> F:
        op = Operation(method=method, path=path, summary=summary, view_name=handler.__name__,
                       description=(handler.__doc__ or "").strip(), **declared)
        accepted = op.query + ((LIMIT, CURSOR) if op.pages else ())
        op = replace(op, accepted=accepted + ((TENANT,) if op.tenant_scoped and not op.public else ()))
        OPERATIONS[(method, path)] = op

        @functools.wraps(handler)
        def view(**path_params: Any) -> Any:
            request = bp.current_request
            if not op.public and not request.context["principal"].roles & op.roles:
                raise Forbidden(Text("当前角色无权执行此操作", "Your role may not do this"))
            request.context["operation"] = op
            request.context["query"] = read_query(op, request.query_params)
            try:
                result = handler(**path_params)
            except ProblemError:
                raise
            except Exception as error:  # Chalice would answer anything else with its own 500 body
                problem = from_dependency(error)
                if problem is None:
                    raise
                raise problem from error
            return result if isinstance(result, Response) else respond(result, op.status)

        bp.route(path, methods=[method], content_types=list(op.content_types))(view)
        return handler

    return register


def respond(body: Any, status: int = 200, headers: dict[str, str] | None = None) -> Response:
    """`body` as UTF-8 JSON with `status`, its version as the ETag, and for work handed to a job
    (202) the job's address as `Location`."""
    out: dict[str, str | list[str]] = dict(JSON)
    if isinstance(body, dict) and "version" in body:
        out["ETag"] = f'"{body["version"]}"'
    location = job_location(body) if status == 202 else None
    if location:
        out["Location"] = location
    out.update(headers or {})
    return Response(body=json.dumps(body, ensure_ascii=False), status_code=status, headers=out)


def operation(request: Request) -> Operation:
    """The declaration of the route serving `request`."""
    return request.context["operation"]


def query(request: Request) -> dict[str, Any]:
    """The request's query parameters, checked and typed; every declared one is present (None if absent)."""
    return request.context["query"]


def read_query(op: Operation, raw: Any) -> dict[str, Any]:
    """Check each query parameter (Chalice's multi-valued dict, or None) against the declaration: 400
    naming every unknown, repeated, empty, missing or malformed one, with what is expected in words."""
    known = {p.name: p for p in op.accepted}
    raw = raw or {}
    errors = [FieldError(f"/{name}", Text(f"不支持的查询参数 {name}（可用：{'、'.join(known) or '无'}）",
                                          f"Unknown query parameter '{name}' (accepted: {', '.join(known) or 'none'})"))
              for name in raw if name not in known]
    errors += [FieldError(f"/{name}", Text(f"查询参数 {name} 只能给出一次", f"Query parameter '{name}' may be given once"))
               for name in raw if name in known and hasattr(raw, "getlist") and len(raw.getlist(name)) > 1]
    values: dict[str, Any] = {}
    for name, param in known.items():
        text = raw.get(name)
        if text == "":
            errors.append(FieldError(f"/{name}", Text(f"查询参数 {name} 不能为空", f"Query parameter '{name}' must not be empty")))
            continue
        if text is None:
            if param.required:
                errors.append(FieldError(f"/{name}", Text(f"缺少查询参数 {name}", f"Query parameter '{name}' is required")))
            values[name] = None
            continue
        try:
            values[name] = _parse(param, text)
        except ValueError:
            zh, en = expected(param)
            errors.append(FieldError(f"/{name}", Text(f"{name} {zh}", f"{name} {en}")))
    if values.get("from") and values.get("to") and values["from"] > values["to"]:
        errors.append(FieldError("/to", Text("to 不能早于 from", "to must not be before from")))
    if errors:
        raise ValidationFailed(Text("查询参数有误，见 errors", "The query has errors, see errors"), errors=errors)
    return values


def _parse(param: Param, text: str) -> Any:
    kind = param.kind
    limit = MAX_CURSOR if kind == "cursor" else MAX_VALUE
    if len(text) > limit or (kind == "id" and not re.match(ULID, text)) \
            or (kind == "enum" and text not in param.enum) or (kind == "month" and not re.match(MONTH, text)) \
            or (kind == "quarter" and not re.match(QUARTER, text)) \
            or (kind == "period" and not re.match(PERIOD_PATTERN, text)) \
            or (kind == "tenant" and not TENANT_ID.match(text)) or (kind == "cursor" and not text.isascii()):
        raise ValueError(text)
    if kind == "boolean":
        if text not in ("true", "false"):
            raise ValueError(text)
        return text == "true"
    if kind == "integer":
        if not text.isascii() or not text.isdigit() or not 1 <= int(text) <= 200:
            raise ValueError(text)
        return int(text)
    if kind == "number":
        number = float(text)  # ValueError for non-numbers
        if not param.bounds[0] <= number <= param.bounds[1]:  # also refuses nan
            raise ValueError(text)
        return number
    if kind == "date":
        if not re.match(DATE, text):
            raise ValueError(text)
        return date.fromisoformat(text).isoformat()
    return text


def expected(param: Param) -> tuple[str, str]:
    """What a parameter's value must look like, in words (zh, en)."""
    return {
        "id": ("应为 26 位 ULID（数字和大写字母）", "must be a 26-character ULID (digits and capital letters)"),
        "enum": (f"取值应为以下之一：{'、'.join(param.enum)}", f"must be one of: {', '.join(param.enum)}"),
        "boolean": ("应为 true 或 false", "must be true or false"),
        "integer": ("应为 1–200 的整数", "must be an integer from 1 to 200"),
        "number": (f"应为 {param.bounds[0]:g} 到 {param.bounds[1]:g} 之间的数字",
                   f"must be a number from {param.bounds[0]:g} to {param.bounds[1]:g}"),
        "date": ("应为 YYYY-MM-DD 格式的日期", "must be a date, YYYY-MM-DD"),
        "month": ("应为 YYYY-MM 格式的月份", "must be a month, YYYY-MM"),
        "quarter": ("应为 YYYY-Qn 格式的季度（n 为 1–4）", "must be a quarter, YYYY-Qn with n 1–4"),
        "period": ("应为月份 YYYY-MM、季度 YYYY-Qn 或年份 YYYY", "must be a month YYYY-MM, a quarter YYYY-Qn or a year YYYY"),
        "cursor": ("应为本接口返回的 next_cursor", "must be a next_cursor this API returned"),
        "tenant": ("应为区代码：3–32 位小写字母、数字或连字符，以字母开头", "must be a tenant id: 3–32 lowercase letters, digits or hyphens, starting with a letter"),
    }.get(param.kind, (f"长度至多 {MAX_VALUE} 个字符", f"must be at most {MAX_VALUE} characters"))


def json_schema(param: Param) -> dict[str, Any]:
    """The OpenAPI schema of a query parameter."""
    schemas: dict[str, dict[str, Any]] = {
        "id": {"type": "string", "pattern": ULID},
        "enum": {"type": "string", "enum": list(param.enum)},
        "boolean": {"type": "boolean"},
        "integer": {"type": "integer", "minimum": 1, "maximum": 200},
        "number": {"type": "number", "minimum": param.bounds[0], "maximum": param.bounds[1]},
        "date": {"type": "string", "format": "date", "pattern": DATE},
        "month": {"type": "string", "pattern": MONTH},
        "quarter": {"type": "string", "pattern": QUARTER},
        "period": {"type": "string", "pattern": PERIOD_PATTERN},
        "cursor": {"type": "string", "minLength": 1, "maxLength": MAX_CURSOR},
        "tenant": {"type": "string", "pattern": TENANT_ID.pattern},
    }
    return schemas.get(param.kind, {"type": "string", "minLength": 1, "maxLength": MAX_VALUE})


def job_location(body: Any) -> str | None:
    """The job a 202 answer started: an export names it as `job_url`, a job itself as `links.self`."""
    if not isinstance(body, dict):
        return None
    found = body.get("job_url") or (body.get("links") or {}).get("self")
    return found if isinstance(found, str) and found.startswith("/v1/jobs/") else None
