"""Per-tenant AWS credentials: defence in depth under the code's own tenant keys.

In AWS (`GONGJIAN_TENANT_ROLE_ARN` set) a request or job acting in one tenant reaches DynamoDB and
S3 with credentials of `TenantDataRole`, assumed with a `tenant` session tag: IAM then allows only
items whose partition key starts with `<tenant>#` and objects under `tenants/<tenant>/`. The
credentials are cached per tenant until five minutes before they expire. Locally (no role ARN)
nothing changes: the stack's own credentials are used.

The scope is a context variable set where a request enters a tenant (`functions.api.request`) and
around each tenant of a scheduled job, and cleared when the request ends.
"""
from __future__ import annotations

import contextvars
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta, UTC
from functools import lru_cache
from typing import Any
from collections.abc import Iterator

from functions import config

_scope: contextvars.ContextVar[str | None] = contextvars.ContextVar("tenant_scope", default=None)
_cache: dict[str, "Scoped"] = {}
SESSION_SECONDS = 3600


@dataclass(frozen=True)
class Scoped:
    tenant: str
    access_key_id: str
    secret_access_key: str
    session_token: str
    expires: datetime


@lru_cache(maxsize=1)
def _sts() -> Any:
    from functions import aws

    return aws.client("sts")


def enter(tenant: str) -> None:
    """Act in `tenant` for the rest of this request (cleared by `leave`)."""
    _scope.set(tenant)


def leave() -> None:
    _scope.set(None)


@contextmanager
def scoped(tenant: str) -> Iterator[None]:
    token = _scope.set(tenant)
    try:
        yield
    finally:
        _scope.reset(token)


def current() -> Scoped | None:
    """Credentials for the tenant in scope, or None (no role configured, or no tenant in scope)."""
    tenant = _scope.get()
    if tenant is None or not config.TENANT_ROLE_ARN:
        return None
    cached = _cache.get(tenant)
    if cached and cached.expires - timedelta(minutes=5) > datetime.now(UTC):
        return cached
    answer = _sts().assume_role(RoleArn=config.TENANT_ROLE_ARN, RoleSessionName=f"gongjian-{tenant}"[:64],
                                DurationSeconds=SESSION_SECONDS, Tags=[{"Key": "tenant", "Value": tenant}])
    c = answer["Credentials"]
    _cache[tenant] = Scoped(tenant, c["AccessKeyId"], c["SecretAccessKey"], c["SessionToken"], c["Expiration"])
    return _cache[tenant]


def boto_kwargs(scoped_credentials: Scoped | None) -> dict[str, Any]:
    if scoped_credentials is None:
        return {}
    return {"aws_access_key_id": scoped_credentials.access_key_id,
            "aws_secret_access_key": scoped_credentials.secret_access_key,
            "aws_session_token": scoped_credentials.session_token}
