"""The local sign-in page's two calls, answered by the local server (never by the app).

In AWS the console signs in through Cognito's hosted UI. Locally there is no identity provider, so
the local server answers, beside the app it serves:

    GET  /local/sign-in/users?tenant=gangbei   the district's directory as buttons: id, name, roles
    POST /local/sign-in {"tenant", "user"}     a token for that user, minted as `make token` mints it

The packaged app has no such route (a test proves it): these exist only in this process.
"""
from __future__ import annotations

import json
from typing import Any

from functions import local_issuer

DEMO_TENANT = "gangbei"
# An auditor belongs to no district: the page offers one, granted the district it lists.
AUDITOR = "central-auditor"
AUDITOR_NAME = "中央巡视组 审计员"
TTL_SECONDS = 12 * 3600


def directory(tenant: str) -> list[dict[str, Any]]:
    """Everyone who may sign in to the district (disabled users left out), then the auditor."""
    from functions import store
    from functions.accounts.users import KIND
    from functions.models import PlatformTable

    people = [u.public() for u in store.query_all(PlatformTable, f"{tenant}#{KIND}")]
    listed = [{"id": u["id"], "name": u["name"], "roles": u["roles"], "tenant": tenant}
              for u in people if u["status"] != "disabled"]
    return [*listed, {"id": AUDITOR, "name": AUDITOR_NAME, "roles": ["auditor"], "tenant": None, "audit_tenants": [tenant]}]


def token(tenant: str, user: str) -> dict[str, Any]:
    """`{token, name}` for a user of the directory or the page's auditor; LookupError when unknown."""
    if user == AUDITOR:
        return {"token": local_issuer.mint(AUDITOR, ["auditor"], ttl_seconds=TTL_SECONDS, audit_tenants=[tenant]),
                "name": AUDITOR_NAME}
    try:
        record, minted = local_issuer.directory_token(tenant, user, TTL_SECONDS)
    except (local_issuer.NoSuchUser, local_issuer.UserDisabled) as refused:
        raise LookupError(user) from refused
    return {"token": minted, "name": record["name"]}


def answer(method: str, path: str, body: bytes) -> tuple[int, bytes]:
    """The status and JSON body for a `/local/sign-in` request."""
    from urllib.parse import parse_qs, urlsplit

    parts = urlsplit(path)
    if method == "GET" and parts.path == "/local/sign-in/users":
        tenant = parse_qs(parts.query).get("tenant", [DEMO_TENANT])[0]
        return 200, _json({"tenant": tenant, "items": directory(tenant)})
    if method == "POST" and parts.path == "/local/sign-in":
        try:
            asked = json.loads(body or b"{}")
            return 200, _json(token(str(asked.get("tenant") or DEMO_TENANT), str(asked["user"])))
        except (ValueError, KeyError, LookupError):
            return 404, _json({"title": "没有该用户 / No such user", "status": 404})
    return 404, _json({"title": "未找到 / Not found", "status": 404})


def _json(value: Any) -> bytes:
    return json.dumps(value, ensure_ascii=False).encode()
