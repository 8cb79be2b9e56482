"""The local token issuer: an RS256 key made on first run (git-ignored) and tokens signed with it.

Only the CLI (`make token`) and the tests mint tokens. No route does, so a deployed stage cannot.
"""
from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from functions import config

KEY_FILE = "jwt-private.pem"


def _key_path() -> Path:
    return config.LOCAL_DIR / KEY_FILE


def private_key() -> Any:
    """Load the issuer key, creating it on first use."""
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import rsa

    path = _key_path()
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                serialization.NoEncryption())
        tmp = path.with_suffix(".tmp")
        tmp.write_bytes(pem)
        tmp.chmod(0o600)
        tmp.replace(path)  # atomic, so parallel first runs agree on one key
    return serialization.load_pem_private_key(path.read_bytes(), password=None)


PUBLIC_FILE = "jwt-public.pem"


def public_key() -> Any:
    """The issuer's public key, from its own file: loading the private key runs RSA's consistency
    checks (tens of milliseconds), which a verifier on a cold path should not pay."""
    from cryptography.hazmat.primitives import serialization

    path = config.LOCAL_DIR / PUBLIC_FILE
    if not path.exists():
        pem = private_key().public_key().public_bytes(serialization.Encoding.PEM,
                                                      serialization.PublicFormat.SubjectPublicKeyInfo)
        tmp = path.with_suffix(".tmp")
        tmp.write_bytes(pem)
        tmp.replace(path)
    return serialization.load_pem_public_key(path.read_bytes())


def mint(sub: str, roles: list[str], tenant: str | None = None, ttl_seconds: int = 12 * 3600,
         **claims: Any) -> str:
    """A signed token with the project's claim names (`tenant`, `roles`, `communities`, …)."""
    import jwt

    now = int(time.time())
    payload: dict[str, Any] = {"sub": sub, "roles": roles, "iss": config.JWT_ISSUER,
                               "aud": config.JWT_AUDIENCE, "iat": now, "exp": now + ttl_seconds}
    if tenant:
        payload["tenant"] = tenant
    payload.update({k: v for k, v in claims.items() if v})
    return jwt.encode(payload, private_key(), algorithm="RS256", headers={"kid": "local"})


class NoSuchUser(LookupError):
    """No user of the directory by that id or exact name."""


class UserDisabled(PermissionError):
    """The user is disabled: no token."""


def directory_token(tenant: str, who: str, ttl_seconds: int = 12 * 3600) -> tuple[dict[str, Any], str]:
    """A token of a user of the tenant's directory (an id or an exact name), its claims built from the
    record as the pre-token trigger builds them in AWS; their first token makes an invited user
    active, as there. For `make token` and the local server's sign-in page."""
    from functions.accounts import users

    user = users.record(tenant, who) or users.find_by_name(tenant, who)
    if user is None:
        raise NoSuchUser(who)
    if user["status"] == "disabled":
        raise UserDisabled(user["name"])
    users.signed_in(tenant, user["id"])
    claims = users.claims(tenant, user)
    token = mint(user["id"], claims.pop("roles"), tenant=claims.pop("tenant"), ttl_seconds=ttl_seconds,
                 **{k: v for k, v in claims.items() if k != "uid"})
    return user, token
