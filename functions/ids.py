"""Identifiers and timestamps: ULIDs for ids, ISO-8601 UTC with offset for times."""
from __future__ import annotations

import hashlib
from datetime import datetime, UTC


def new_id(at: datetime | None = None) -> str:
    """A new ULID; `at` sets its time part (an incident reported earlier sorts where it happened)."""
    from ulid import ULID

    return str(ULID.from_timestamp(at.timestamp()) if at else ULID())


DEMO_EPOCH = datetime(2016, 9, 1, tzinfo=UTC)  # the article's date


def stable_id(*natural_key: str, seq: int = 0, at: datetime | None = None) -> str:
    """A ULID fixed by a natural key, so loading the same demo object twice finds it again.
    `seq` orders ids of one kind as they were listed (ULIDs sort by their time part); `at` puts
    the time part at a real moment, for objects whose id must say when they happened."""
    from ulid import ULID

    digest = hashlib.sha256("\x1f".join(natural_key).encode()).digest()
    millis = (int((at or DEMO_EPOCH).timestamp() * 1000) + seq).to_bytes(6, "big")
    return str(ULID.from_bytes(millis + digest[:10]))


def now_iso() -> str:
    return datetime.now(UTC).isoformat(timespec="milliseconds")


def today_in(timezone_name: str) -> str:
    """Today's date (YYYY-MM-DD) in the tenant's time zone."""
    from zoneinfo import ZoneInfo

    return datetime.now(ZoneInfo(timezone_name)).date().isoformat()
