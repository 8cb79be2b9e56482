"""The OpenAPI 3.1 document, built from the route declarations (`functions.api.declaration`) and the
schemas in `schemas/` (request bodies) and `schemas/responses/` (answers), so it cannot drift from
what the code serves: every parameter, body, success status and problem status comes from there.
"""
from __future__ import annotations

import json
import re
from functools import lru_cache
from typing import Any

from functions import validation
from functions.api.declaration import OPERATIONS, Operation, expected, json_schema
from functions.tenancy import AUDITOR

RESPONSE_DIR = validation.SCHEMA_DIR / "responses"
PROBLEM_SLUGS = {400: "validation-failed", 401: "unauthorized", 403: "forbidden", 404: "not-found", 405: "method-not-allowed",
                 409: "conflict", 413: "payload-too-large", 415: "unsupported-media-type", 422: "unprocessable",
                 423: "tenant-suspended", 429: "too-many-requests", 503: "service-unavailable"}
PROBLEM_TEXT = {400: "请求无效，errors 指出字段 / bad request; errors names each field",
                401: "未认证或令牌无效 / missing or invalid token", 403: "无权执行此操作 / not allowed",
                404: "对象不存在（或属于其他区）/ not found (or another tenant's)",
                409: "与当前状态冲突或版本已过期 / conflicts with the current state or a stale version",
                413: "请求体超过 1 MB / body over 1 MB", 415: "不支持的内容类型 / unsupported media type",
                422: "引用的对象不存在或幂等键已用于其他请求 / a referenced object is missing, or the idempotency key was used for another body",
                423: "该区已暂停，只能查询和导出 / tenant suspended: read and export only",
                503: "服务繁忙，请按 Retry-After 重试 / busy, retry after Retry-After"}
PATH_PARAMS: dict[str, dict[str, Any]] = {
    "period": {"type": "string", "pattern": "^20[0-9]{2}-(0[1-9]|1[0-2])$"},
    "year": {"type": "string", "pattern": "^(20[0-9]{2}|2100)$"},
    "part": {"type": "string", "pattern": "^[0-9]{1,3}$"},
    "revision": {"type": "string", "pattern": "^[0-9]{1,6}$"},
    "code": {"type": "string", "pattern": "^[A-Za-z0-9_]{1,40}$"},
    "tenant_id": {"type": "string", "pattern": "^[a-z][a-z0-9-]{2,31}$"},
}


def problems(op: Operation) -> list[int]:
    """Every problem status the operation can answer with."""
    found = {400, 503} if not op.public else {400}
    if not op.public:
        found |= {401, 403}
    if "{" in op.path:
        found.add(404)
    if op.method in ("POST", "PUT", "PATCH", "DELETE"):
        found |= {409, 413, 415, 422} | ({423} if op.tenant_scoped else set())
    if op.method == "GET" and op.tenant_scoped and not op.public:
        found.add(404)  # an auditor naming a tenant that does not exist
    return sorted(found | set(op.problems))


def _responses(op: Operation) -> dict[str, Any]:
    success: dict[str, Any] = {"description": "成功 / success"}
    if op.status != 204:
        success["content"] = _content(op.response)
    out: dict[str, Any] = {str(op.status): success}
    for status in problems(op):
        out[str(status)] = {"$ref": f"#/components/responses/Problem{status}"}
    return out


def _content(response: str | None) -> dict[str, Any]:
    if response and "/" in response:  # a media type: reports, pages
        return {response: {"schema": {"type": "string"}}}
    schema = {"$ref": f"#/components/schemas/{response}"} if response else {"type": "object"}
    return {"application/json": {"schema": schema}}


def _parameters(op: Operation) -> list[dict[str, Any]]:
    params: list[dict[str, Any]] = []
    for name in re.findall(r"{(\w+)}", op.path):
        schema = PATH_PARAMS.get(name) or {"type": "string", "pattern": "^[0-9A-HJKMNP-TV-Z]{26}$"}
        params.append({"name": name, "in": "path", "required": True, "schema": schema})
    for param in op.accepted:
        zh, en = expected(param)
        params.append({"name": param.name, "in": "query", "required": param.required,
                       "description": f"{param.description}（{zh}）", "schema": json_schema(param)})
    if op.tenant_scoped and not op.public:
        params.append({"name": "X-Tenant", "in": "header", "required": False, "schema": {"type": "string"},
                       "description": "审计员查看的区 / the tenant an auditor reads"})
    if op.method in ("PATCH", "DELETE"):
        params.append({"name": "If-Match", "in": "header", "required": False, "schema": {"type": "string"},
                       "description": "读取时的 ETag（版本）；PATCH 也可在请求体中给出 version / the ETag (version) you read"})
    if op.idempotent:
        params.append({"name": "Idempotency-Key", "in": "header", "required": False,
                       "schema": {"type": "string", "minLength": 1, "maxLength": 200},
                       "description": "同一键与同一请求体只执行一次 / the same key and body run once"})
    params.append({"name": "Accept-Language", "in": "header", "required": False,
                   "schema": {"type": "string"}, "description": "en 为英文，默认中文 / en for English, Chinese by default"})
    return params


def _operation(op: Operation) -> dict[str, Any]:
    out: dict[str, Any] = {
        "operationId": op.view_name,
        "tags": [op.path.split("/")[2] if op.path.startswith("/v1/") else "docs"],
        "summary": op.summary,
        "parameters": _parameters(op),
        "responses": _responses(op),
    }
    # auditors never write in a district; what they start themselves (exports, their jobs) is theirs
    roles = sorted(op.roles - ({AUDITOR} if op.method != "GET" and op.tenant_scoped else set()))
    out["description"] = (op.description + "\n\n" if op.description else "") + \
        ("公开 / public" if op.public else f"角色 / roles: {', '.join(roles)}")
    if not op.public:
        out["security"] = [{"bearer": []}]
        out["x-roles"] = roles  # machine-readable: the console shows a screen or button only to these
    if op.body_schema:
        name = op.body_schema + ("-patch" if op.patch else "-body")
        out["requestBody"] = {"required": True, "content": {"application/json": {"schema": {"$ref": f"#/components/schemas/{name}"}}}}
    elif op.content_types != ("application/json",):
        out["requestBody"] = {"required": True, "content": {t: {"schema": {"type": "string"}} for t in op.content_types}}
    links = _links(op)
    if links:
        out["responses"][str(op.status)]["links"] = links
    return out


def _links(op: Operation) -> dict[str, Any]:
    """From a create to the read, update, delete and list of what it made (stateful testing follows these)."""
    if op.method != "POST" or op.status != 201:
        return {}
    links: dict[str, Any] = {}
    for (method, path), other in OPERATIONS.items():
        match = re.fullmatch(re.escape(op.path) + r"/\{(\w+)\}", path)
        if match and method in ("GET", "PATCH", "DELETE"):
            params = {name: f"$request.path.{name}" for name in re.findall(r"{(\w+)}", op.path)}
            params[match.group(1)] = "$response.body#/id"
            links[other.view_name] = {"operationId": other.view_name, "parameters": params}
        elif path == op.path and method == "GET":
            links[other.view_name] = {"operationId": other.view_name,
                                      "parameters": {name: f"$request.path.{name}" for name in re.findall(r"{(\w+)}", op.path)}}
    return links


def _schema(name: str, schema: dict[str, Any]) -> dict[str, Any]:
    return _open_maps({k: v for k, v in schema.items() if k not in ("$schema", "$id")})


def _open_maps(node: Any) -> Any:
    """Say `additionalProperties: true` on free-form objects (JSON Schema's default), so generated
    clients type them as maps of unknown values rather than as empty objects."""
    if isinstance(node, list):
        return [_open_maps(item) for item in node]
    if not isinstance(node, dict):
        return node
    out = {key: _open_maps(value) for key, value in node.items()}
    types = out.get("type")
    if (types == "object" or (isinstance(types, list) and "object" in types)) \
            and "properties" not in out and "additionalProperties" not in out:
        out["additionalProperties"] = True
    return out


def _response_schemas() -> dict[str, Any]:
    """Every file under schemas/responses/ (named by its entity; request bodies are `<name>-body` and
    `<name>-patch`), with cross-file `$ref`s pointed into the document."""
    out: dict[str, Any] = {}
    for path in sorted(RESPONSE_DIR.glob("*.json")) if RESPONSE_DIR.exists() else []:
        text = re.sub(r'"\$ref":\s*"#/', f'"$ref": "#/components/schemas/{path.stem}/', path.read_text(encoding="utf-8"))
        text = re.sub(r'"\$ref":\s*"([\w-]+)(?:\.json)?(#[^"]*)?"',
                      lambda m: f'"$ref": "#/components/schemas/{m.group(1)}{(m.group(2) or "").replace("#", "", 1)}"', text)
        out[path.stem] = _schema(path.stem, json.loads(text))
    return out


def _problem_response(status: int) -> dict[str, Any]:
    example = {"type": f"https://gongjian.example/problems/{PROBLEM_SLUGS.get(status, 'problem')}",
               "title": PROBLEM_TEXT.get(status, "").split(" / ")[0], "status": status,
               "detail": PROBLEM_TEXT.get(status, "").split(" / ")[0]}
    if status == 400:
        example["errors"] = [{"path": "/name", "message": "缺少必填字段 name"}]
    out: dict[str, Any] = {"description": PROBLEM_TEXT.get(status, "问题详情 / problem details"),
                           "content": {"application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"},
                                                                    "example": example}}}
    if status == 503:
        out["headers"] = {"Retry-After": {"schema": {"type": "integer"}, "description": "秒 / seconds"}}
    return out


@lru_cache(maxsize=1)
def document() -> dict[str, Any]:
    import app  # noqa: F401  (registers every route's declaration)

    paths: dict[str, Any] = {}
    schemas: dict[str, Any] = _response_schemas()
    statuses: set[int] = set()
    for (method, path), op in sorted(OPERATIONS.items(), key=lambda item: (item[0][1], item[0][0])):
        paths.setdefault(path, {})[method.lower()] = _operation(op)
        statuses |= set(problems(op))
        if op.body_schema:
            if op.patch:
                schemas[op.body_schema + "-patch"] = _schema(op.body_schema, validation.patch_schema(op.body_schema))
            else:
                schemas[op.body_schema + "-body"] = _schema(op.body_schema, validation.load(op.body_schema))
    schemas["Problem"] = {
        "type": "object", "title": "问题详情 / Problem details (RFC 9457)",
        "properties": {"type": {"type": "string"}, "title": {"type": "string"}, "status": {"type": "integer"},
                       "detail": {"type": "string"},
                       "errors": {"type": "array", "items": {"type": "object", "required": ["path", "message"], "properties": {
                           "path": {"type": "string", "description": "出错字段的 JSON 指针 / JSON pointer of the field"},
                           "message": {"type": "string"}}}}},
        "required": ["type", "title", "status"],
    }
    return {
        "openapi": "3.1.0",
        "info": {"title": "共建 Gongjian API", "version": "1.0.0",
                 "description": "大党委社区治理 SaaS 接口 / Community governance API for districts.\n\n"
                                "错误均为 RFC 9457 problem+json，默认中文，`Accept-Language: en` 为英文。"
                                "列表按 `limit` 与 `next_cursor` 分页。"},
        "servers": [{"url": "/"}],
        "paths": paths,
        "components": {
            "schemas": schemas,
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer", "bearerFormat": "JWT"}},
            "responses": {f"Problem{status}": _problem_response(status) for status in sorted(statuses)},
        },
    }
