"""Cognito's pre-token-generation trigger (V1_0: the ID token the app verifies): the directory's
record, not Cognito's attributes, decides what a token says.

Cognito passes the user's name (our user id) and `custom:tenant`; the trigger reads the record and
puts `tenant`, `uid`, `roles` and the scope claims into the token (lists comma-separated: V1_0 claims
are strings, which `Principal.from_claims` reads back). A user without a record, or disabled, gets no
token: raising makes Cognito refuse the sign-in. The first token marks an invited user active.

Platform admins and auditors belong to no district: they are users of the pool without
`custom:tenant`, in its `platform_admin` or `auditor` group (an auditor's districts in
`custom:audit_tenants`, granted by the platform).
"""
from __future__ import annotations

from typing import Any

from functions.accounts import users


class SignInRefused(Exception):
    """Cognito shows the sign-in as failed; the message is not shown to the user as is."""


OUTSIDE_DISTRICTS = ("platform_admin", "auditor")


def _outside_districts(event: dict[str, Any]) -> dict[str, Any]:
    groups = (event["request"].get("groupConfiguration") or {}).get("groupsToOverride") or []
    roles = [g for g in OUTSIDE_DISTRICTS if g in groups]
    if not roles:
        raise SignInRefused("no district and no platform group")
    grants = event["request"]["userAttributes"].get("custom:audit_tenants", "") if "auditor" in roles else ""
    return {"roles": ",".join(roles), "audit_tenants": grants}


def handle(event: dict[str, Any]) -> dict[str, Any]:
    user_id = event["userName"]
    tenant = event["request"]["userAttributes"].get("custom:tenant", "")
    if not tenant:
        event.setdefault("response", {})["claimsOverrideDetails"] = {"claimsToAddOrOverride": _outside_districts(event)}
        return event
    user = users.record(tenant, user_id)
    if user is None:
        raise SignInRefused("no such user in the directory")
    if user["status"] == "disabled":
        raise SignInRefused("this user is disabled")
    users.signed_in(tenant, user_id)
    claims = {name: ",".join(value) if isinstance(value, list) else value
              for name, value in users.claims(tenant, user).items()}
    event.setdefault("response", {})["claimsOverrideDetails"] = {"claimsToAddOrOverride": claims}
    return event
