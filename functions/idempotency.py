"""`Idempotency-Key` on POST: the same key and body give the same answer and no second write.

The record is written in the same transaction as the write it guards, so a retried request can
never create a duplicate, even when two copies race: the loser's transaction fails on the
record's condition and it replays the winner's answer. Records expire after a day (TTL).
"""
from __future__ import annotations

import hashlib
import re
import time
from dataclasses import dataclass
from datetime import datetime, UTC
from typing import Any

from pynamodb.transactions import TransactWrite

from functions.errors import BadRequest, Text, Unprocessable
from functions.models import PlatformTable
from functions.tenancy import TenantContext

TTL_SECONDS = 24 * 3600
KEY_PATTERN = re.compile(r"^[\x21-\x7e]{1,200}$")


@dataclass(frozen=True)
class Claim:
    """What a request promised: its key, a hash of what it asked, and the status it will answer."""

    key: str
    request_hash: str
    status: int


@dataclass(frozen=True)
class Replay:
    status: int
    body: Any


def claim(key: str, method: str, path: str, body: bytes, status: int) -> Claim:
    if not KEY_PATTERN.match(key):
        raise BadRequest(Text("Idempotency-Key 须为 1–200 个可见 ASCII 字符",
                              "Idempotency-Key must be 1–200 visible ASCII characters"))
    request_hash = hashlib.sha256(method.encode() + b" " + path.encode() + b"\n" + body).hexdigest()
    return Claim(key, request_hash, status)


def _keys(ctx: TenantContext, key: str) -> tuple[str, str]:
    return ctx.key("idem"), f"{ctx.actor}#{key}"


def find(ctx: TenantContext, c: Claim) -> Replay | None:
    """The stored answer for this key, or None if the key is new. 422 if the key was used for another request."""
    pk, sk = _keys(ctx, c.key)
    try:
        item = PlatformTable.get(pk, sk, consistent_read=True)
    except PlatformTable.DoesNotExist:
        return None
    data = item.fields()
    if data["request_hash"] != c.request_hash:
        raise Unprocessable(Text("该 Idempotency-Key 已用于另一个请求", "This Idempotency-Key was used for a different request"))
    return Replay(int(data["status"]), data["body"])


def add_record(tx: TransactWrite, ctx: TenantContext, c: Claim, body: Any) -> None:
    pk, sk = _keys(ctx, c.key)
    expires = datetime.fromtimestamp(time.time() + TTL_SECONDS, tz=UTC)
    tx.save(PlatformTable(pk, sk, kind="idempotency", expires_at=expires,
                          data={"request_hash": c.request_hash, "status": c.status, "body": body}),
            condition=PlatformTable.pk.does_not_exist())
