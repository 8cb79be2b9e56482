"""Opaque, signed list cursors.

A cursor is DynamoDB's LastEvaluatedKey plus the list it belongs to (tenant, list name, filters),
HMAC-signed. A cursor that was altered, or replayed on another list or tenant, is a 400.
"""
from __future__ import annotations

import base64
import hashlib
import hmac
import json
from functools import lru_cache
from typing import Any

from functions import config
from functions.errors import BadRequest, Text

CURSOR_KEY_FILE = "cursor.key"


@lru_cache(maxsize=1)
def _secret() -> bytes:
    return config.secret(config.CURSOR_SECRET, CURSOR_KEY_FILE)


def _b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _sign(scope: str, payload: str) -> str:
    return _b64(hmac.new(_secret(), f"{scope}\n{payload}".encode(), hashlib.sha256).digest()[:16])


def encode(last_key: dict[str, Any] | None, scope: str) -> str | None:
    """The cursor for the page after `last_key` within `scope`, or None at the end."""
    if not last_key:
        return None
    payload = _b64(json.dumps(last_key, separators=(",", ":"), sort_keys=True).encode())
    return f"{payload}.{_sign(scope, payload)}"


def decode(cursor: str | None, scope: str) -> dict[str, Any] | None:
    """The start key a cursor carries; 400 if it was not made by us for this same list."""
    if not cursor:
        return None
    bad = BadRequest(Text("分页游标无效或已被篡改", "Invalid or tampered cursor"))
    payload, _, signature = cursor.partition(".")
    if not payload or not hmac.compare_digest(signature, _sign(scope, payload)):
        raise bad
    try:
        value = json.loads(_unb64(payload))
    except ValueError as exc:
        raise bad from exc
    if not isinstance(value, dict):
        raise bad
    return value
