"""Identifiers and timestamps: ULIDs for ids, ISO-8601 UTC with offset for times."""
from __future__ import annotations

import hashlib
from datetime import datetime, timezone

from ulid import ULID


def new_id() -> str:
    return str(ULID())


def stable_id(*natural_key: str, at: datetime = datetime(2016, 9, 1, tzinfo=timezone.utc)) -> str:
    """A ULID fixed by a natural key, so loading the same demo object twice finds it again."""
    digest = hashlib.sha256("\x1f".join(natural_key).encode()).digest()
    millis = int(at.timestamp() * 1000).to_bytes(6, "big")
    return str(ULID.from_bytes(millis + digest[:10]))


def now_iso() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="milliseconds")


def is_ulid(value: str) -> bool:
    try:
        ULID.from_str(value)
        return True
    except ValueError:
        return False
