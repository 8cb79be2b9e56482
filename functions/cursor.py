"""Opaque, signed list cursors.

A cursor is DynamoDB's LastEvaluatedKey, compacted and deflated, with an HMAC over it and the list it
belongs to (tenant, list name, filters). A cursor that was altered, or replayed on another list or tenant, is a 400.
"""
from __future__ import annotations

import base64
import hashlib
import hmac
import json
import zlib
from functools import lru_cache
from typing import Any

from functions import config
from functions.errors import BadRequest, Text

CURSOR_KEY_FILE = "cursor.key"
MAX_RAW = 4096  # no LastEvaluatedKey of ours comes near; a bigger inflation is not our cursor


@lru_cache(maxsize=1)
def _secret() -> bytes:
    return config.secret(config.CURSOR_SECRET, CURSOR_KEY_FILE)


def _b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _sign(scope: str, payload: str) -> str:
    return _b64(hmac.new(_secret(), f"{scope}\n{payload}".encode(), hashlib.sha256).digest()[:12])


def _compact(last_key: dict[str, Any]) -> list[Any]:
    """DynamoDB's `{"pk": {"S": "acme#incident"}, …}` as `[["pk", "acme#incident"], …]`: string values
    lose their type wrapper and keys keep a fixed order, so a cursor is about half as long."""
    return [[name, value["S"]] if set(value) == {"S"} else [name, value] for name, value in sorted(last_key.items())]


def _expand(compact: Any) -> dict[str, Any]:
    if not isinstance(compact, list) or not all(isinstance(p, list) and len(p) == 2 and isinstance(p[0], str) for p in compact):
        raise ValueError("not a cursor")
    return {name: {"S": value} if isinstance(value, str) else value for name, value in compact}


def encode(last_key: dict[str, Any] | None, scope: str) -> str | None:
    """The cursor for the page after `last_key` within `scope`, or None at the end."""
    if not last_key:
        return None
    packer = zlib.compressobj(9, zlib.DEFLATED, -15)  # raw deflate: keys repeat the tenant and ids
    raw = json.dumps(_compact(last_key), separators=(",", ":"), ensure_ascii=False).encode()
    payload = _b64(packer.compress(raw) + packer.flush())
    return f"{payload}.{_sign(scope, payload)}"


def decode(cursor: str | None, scope: str) -> dict[str, Any] | None:
    """The start key a cursor carries; 400 if it was not made by us for this same list."""
    if not cursor:
        return None
    bad = BadRequest(Text("分页游标无效或已被篡改，请从第一页重新开始", "Invalid or tampered cursor: start again from the first page"))
    payload, _, signature = cursor.partition(".")
    if not payload or not cursor.isascii() or not hmac.compare_digest(signature.encode(), _sign(scope, payload).encode()):
        raise bad
    try:
        unpacker = zlib.decompressobj(-15)
        raw = unpacker.decompress(_unb64(payload), MAX_RAW)
        if unpacker.unconsumed_tail:
            raise ValueError("cursor too large")
        return _expand(json.loads(raw))
    except (ValueError, zlib.error) as exc:  # bad base64, deflate, JSON or shape
        raise bad from exc
