"""Request bodies checked against the JSON Schemas in `schemas/`.

One schema file per resource (draft 2020-12). The create body is the file itself; the PATCH body
is derived from it (nothing required, unknown fields still refused, `version` required), so the
two cannot drift. Validators are built once and reused (building one re-checks the schema).
"""
from __future__ import annotations

import json
import re
from functools import cache
from pathlib import Path
from typing import Any

from functions.errors import FieldError, Text, ValidationFailed

SCHEMA_DIR = Path(__file__).resolve().parent.parent / "schemas"


@cache
def load(name: str) -> dict[str, Any]:
    """The schema `schemas/<name>.json`."""
    return json.loads((SCHEMA_DIR / f"{name}.json").read_text(encoding="utf-8"))


def patch_schema(name: str) -> dict[str, Any]:
    """The PATCH body for `name`: every field optional, plus the required `version`."""
    schema = dict(load(name))
    schema.pop("required", None)
    schema["examples"] = [{**example, "version": 1} for example in schema.get("examples", [])]
    schema["$id"] = schema.get("$id", name) + "-patch"
    schema["title"] = f"{schema.get('title', name)} (PATCH)"
    schema["properties"] = {**schema["properties"], "version": {"type": "integer", "minimum": 1,
                                                                  "description": "当前版本 / the version you read"}}
    schema["required"] = ["version"]
    return schema


@cache
def _validator(name: str, patch: bool) -> Any:
    from jsonschema import Draft202012Validator

    schema = patch_schema(name) if patch else load(name)
    return Draft202012Validator(schema, format_checker=Draft202012Validator.FORMAT_CHECKER)


def validate(name: str, body: Any, *, patch: bool = False) -> dict[str, Any]:
    """Return `body` if it matches schema `name` and every number fits DynamoDB, else 400 naming
    every failing field."""
    errors = [describe_error(e) for e in sorted(_validator(name, patch).iter_errors(body), key=lambda e: list(e.absolute_path))]
    errors += unstorable_numbers(body)
    if errors:
        raise ValidationFailed(Text("请求内容有误，见 errors", "The body has errors, see errors"), errors=errors)
    return body


# DynamoDB numbers: magnitudes 1E-130 to 9.9999…E+125, 38 significant digits.
SMALLEST, LARGEST = 1e-130, 9.9e125


def unstorable_numbers(value: Any, path: str = "") -> list[FieldError]:
    """Numbers DynamoDB cannot store (too small, too large), wherever they are in the body."""
    if isinstance(value, dict):
        return [e for k, v in value.items() for e in unstorable_numbers(v, f"{path}/{k}")]
    if isinstance(value, list):
        return [e for i, v in enumerate(value) for e in unstorable_numbers(v, f"{path}/{i}")]
    if isinstance(value, (int, float)) and not isinstance(value, bool) and value != 0:
        if not SMALLEST <= abs(value) <= LARGEST or (isinstance(value, int) and len(str(abs(value))) > 38):
            return [FieldError(path or "/", Text("数值超出可存储范围（1e-130 至 9.9e125，38 位有效数字）",
                                                 "Number outside the storable range (1e-130 to 9.9e125, 38 digits)"))]
    return []


# Every pattern the schemas use, said in words: a client reads what is expected, never a regex.
# (tests/test_validation.py fails when a schema gains a pattern that is not here.)
PATTERN_WORDS: dict[str, tuple[str, str]] = {
    "^[0-9A-HJKMNP-TV-Z]{26}$": ("应为 26 位 ULID（数字和大写字母）", "must be a 26-character ULID (digits and capital letters)"),
    "^[0-9a-f]{64}$": ("应为 64 位小写十六进制的 SHA-256", "must be a SHA-256 as 64 lowercase hex digits"),
    "^[a-z][a-z0-9-]{2,31}$": ("应为 3–32 位小写字母、数字或连字符，以字母开头", "must be 3–32 lowercase letters, digits or hyphens, starting with a letter"),
    "^[0-9+\\- ]{5,20}$": ("应为 5–20 位数字，可含 +、- 和空格", "must be 5–20 digits, optionally with +, - and spaces"),
    "^20[0-9]{2}-Q[1-4]$": ("应为季度 YYYY-Qn（n 为 1–4）", "must be a quarter, YYYY-Qn with n 1–4"),
    "^20[0-9]{2}-(0[1-9]|1[0-2])$": ("应为月份 YYYY-MM", "must be a month, YYYY-MM"),
    "^[a-z0-9_]{1,40}$": ("应为 1–40 位小写字母、数字或下划线", "must be 1–40 lowercase letters, digits or underscores"),
    "^[a-z_]{1,40}$": ("应为 1–40 位小写字母或下划线", "must be 1–40 lowercase letters or underscores"),
    "^(\\+86)?1[3-9][0-9]{9}$": ("应为中国大陆手机号（11 位，可加 +86）", "must be a mainland China mobile number (11 digits, optionally +86)"),
    "^[^@\\s]+@[^@\\s]+\\.[^@\\s]+$": ("应为电子邮箱地址", "must be an email address"),
    "^([01][0-9]|2[0-3]):[0-5][0-9]$": ("应为 24 小时制时刻 HH:MM", "must be a 24-hour time, HH:MM"),
}


def _pointer(parts: Any) -> str:
    return "/" + "/".join(str(p) for p in parts) if parts else "/"


def describe_error(error: Any) -> FieldError:
    path = list(error.absolute_path)
    kind, value = error.validator, error.validator_value
    if kind == "required":
        missing = re.findall(r"'([^']+)' is a required property", error.message)
        name = missing[0] if missing else "?"
        return FieldError(_pointer(path + [name]), Text(f"缺少必填字段 {name}", f"'{name}' is required"))
    if kind == "additionalProperties":
        extra = re.findall(r"'([^']+)'", error.message)
        name = extra[0] if extra else "?"
        return FieldError(_pointer(path + [name]), Text(f"不允许的字段 {name}", f"Unknown field '{name}'"))
    zh = {
        "type": f"类型应为 {value}",
        "enum": f"取值应为以下之一：{'、'.join(map(str, value)) if isinstance(value, list) else value}",
        "const": f"取值应为 {value}",
        "format": f"格式应为 {value}",
        "minLength": f"长度至少为 {value}",
        "maxLength": f"长度至多为 {value}",
        "minimum": f"不能小于 {value}",
        "maximum": f"不能大于 {value}",
        "exclusiveMinimum": f"必须大于 {value}",
        "exclusiveMaximum": f"必须小于 {value}",
        "minItems": f"至少需要 {value} 项",
        "maxItems": f"至多允许 {value} 项",
        "uniqueItems": "列表中不能有重复项",
        "minProperties": "内容不能为空",
    }.get(kind, "取值无效")
    if kind == "pattern":
        zh, en = PATTERN_WORDS.get(value, ("格式不符合要求", "does not have the expected form"))
        return FieldError(_pointer(path), Text(zh, en))
    return FieldError(_pointer(path), Text(zh, error.message))
