"""Who is in an audience (`functions.tasks.index`): the directory's users, not disabled, with the
role and scope it names. One Query of the district's users, off the request path."""
from __future__ import annotations

from typing import Any

from functions.models import PlatformTable
from functions.tenancy import COMMUNITY_STAFF, DEPARTMENT, DISTRICT_ADMIN, EMPLOYER, STREET_STAFF, TenantContext

SCOPED_ROLES = {"community": (COMMUNITY_STAFF, "communities"), "street": (STREET_STAFF, "streets"),
                "department": (DEPARTMENT, "departments"), "unit": (EMPLOYER, "units")}


def users_of(ctx: TenantContext, audience: str) -> list[dict[str, Any]]:
    """The users an audience stands for, each as {id, name, phone, email, channels}."""
    kind, _, scope_id = audience.partition("#")
    found = []
    for item in PlatformTable.query(ctx.key("user")):
        user = item.fields()
        if user.get("status") == "disabled":
            continue
        roles = set(user.get("roles", []))
        if kind == "user":
            member = item.sk == scope_id
        elif kind == "district":
            member = DISTRICT_ADMIN in roles
        else:
            role, scope = SCOPED_ROLES[kind]
            member = role in roles and scope_id in user.get(scope, [])
        if member:
            found.append({"id": item.sk, "name": user.get("name"), "phone": user.get("phone"), "email": user.get("email"),
                          "channels": user.get("notification_channels", ["in_app"])})
    if kind == "user" and not found:  # someone outside the directory (a token-only actor): in-app only
        found.append({"id": scope_id, "name": None, "phone": None, "email": None, "channels": ["in_app"]})
    return found
