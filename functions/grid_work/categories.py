"""The tenant's incident category catalogue. Six built-in categories; a district may add its own
or redefine one, each optionally declaring extra typed fields as a JSON Schema (like an Open311
service definition) that an incident's `details` must match.

Keys: `<tenant>#incident-category-def` / `<code>`.
"""
from __future__ import annotations

from typing import Any

from functions import authz, store
from functions.errors import FieldError, Text, Unprocessable, ValidationFailed
from functions.models import GridsTable
from functions.tenancy import TenantContext

KIND = "incident-category-def"
BUILT_IN = {
    "public_security": "社会治安", "dispute": "矛盾纠纷", "sanitation": "环境卫生",
    "safety_hazard": "安全隐患", "public_service": "公共服务", "other": "其他",
}


def _built_in(code: str) -> dict[str, Any]:
    return {"id": code, "code": code, "name": BUILT_IN[code], "fields_schema": None, "source": "built_in", "version": 0}


def catalogue(ctx: TenantContext) -> dict[str, Any]:
    """Built-in categories overlaid with the tenant's own (one Query)."""
    mine = {item.sk: item.public() for item in store.query_all(GridsTable, ctx.key(KIND))}
    items = [mine.pop(code) if code in mine else _built_in(code) for code in BUILT_IN] + list(mine.values())
    return {"items": items, "next_cursor": None}


def put_category(ctx: TenantContext, code: str, body: dict[str, Any]) -> dict[str, Any]:
    authz.require(ctx, authz.MANAGE_DISTRICT)
    schema = body.get("fields_schema")
    if schema is not None:
        from jsonschema import Draft202012Validator
        from jsonschema.exceptions import SchemaError

        try:
            Draft202012Validator.check_schema(schema)
        except SchemaError as exc:
            raise ValidationFailed(errors=[FieldError("/fields_schema", Text(f"不是有效的 JSON Schema：{exc.message}",
                                                                             f"Not a valid JSON Schema: {exc.message}"))]) from exc
        if schema.get("type") != "object" or schema.get("additionalProperties") is not False:
            raise ValidationFailed(errors=[FieldError("/fields_schema", Text(
                "须为 type: object 且 additionalProperties: false", "Must be type: object with additionalProperties: false"))])
    data = {"code": code, "name": body["name"], "fields_schema": schema, "source": "tenant"}
    try:
        item = GridsTable.get(ctx.key(KIND), code)
    except GridsTable.DoesNotExist:
        return store.create(ctx, GridsTable, KIND, data, item_id=code)
    return store.update(ctx, item, data, body.get("version", item.version))


def require(ctx: TenantContext, code: str, details: dict[str, Any]) -> dict[str, Any]:
    """The category `code`, with `details` checked against its fields; 422/400 naming the field."""
    try:
        category = GridsTable.get(ctx.key(KIND), code).fields()
    except GridsTable.DoesNotExist:
        if code not in BUILT_IN:
            raise Unprocessable(errors=[FieldError("/category", Text("未知的事件类别", "Unknown category"))]) from None
        category = _built_in(code)
    schema = category.get("fields_schema")
    if schema:
        from jsonschema import Draft202012Validator

        errors = sorted(Draft202012Validator(schema, format_checker=Draft202012Validator.FORMAT_CHECKER)
                        .iter_errors(details), key=lambda e: list(e.absolute_path))
        if errors:
            from functions.validation import describe_error

            raise ValidationFailed(errors=[FieldError("/details" + f.path.rstrip("/"), f.message)
                                           for f in map(describe_error, errors)])
    elif details:
        raise ValidationFailed(errors=[FieldError("/details", Text("该类别没有附加字段", "This category has no extra fields"))])
    return category
