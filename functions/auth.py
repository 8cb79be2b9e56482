"""Bearer-token verification, the same in `chalice local`, the test client and AWS.

API Gateway's Cognito authorizer is not run by `chalice local` or the test client, so the app
verifies every token itself: RS256 only, signature, expiry, issuer and audience. In AWS the key
comes from the Cognito user pool's JWKS; locally from the project's own issuer
(`functions.local_issuer`).
"""
from __future__ import annotations

from functools import lru_cache
from typing import Any

from functions import config
from functions.errors import Text, Unauthorized
from functions.tenancy import Principal

ALGORITHMS = ["RS256"]  # never "none", never HS256 with a public key
ALGORITHM_REFUSED = Text("令牌签名算法不被接受", "Token signing algorithm not accepted")


@lru_cache(maxsize=1)
def _jwks_client() -> Any:
    import jwt

    return jwt.PyJWKClient(config.JWKS_URL or "", cache_keys=True, lifespan=3600)


@lru_cache(maxsize=1)
def _local_public_key() -> Any:
    from functions import local_issuer

    return local_issuer.public_key()


def _signing_key(token: str) -> Any:
    if config.JWKS_URL:
        return _jwks_client().get_signing_key_from_jwt(token).key
    return _local_public_key()


def verify_bearer(authorization: str | None) -> Principal:
    """Return the caller's principal, or raise 401 for a missing, malformed, expired or forged token."""
    import jwt

    if not authorization or not authorization.startswith("Bearer "):
        raise Unauthorized(Text("缺少 Bearer 令牌", "Missing bearer token"))
    token = authorization[len("Bearer "):].strip()
    try:
        claims = jwt.decode(
            token,
            key=_signing_key(token),
            algorithms=ALGORITHMS,
            audience=config.JWT_AUDIENCE,
            issuer=config.JWT_ISSUER,
            options={"require": ["exp", "iat", "sub", "iss", "aud"]},
        )
        return Principal.from_claims(claims)
    except jwt.ExpiredSignatureError as exc:
        raise Unauthorized(Text("令牌已过期", "Token expired")) from exc
    except jwt.InvalidAlgorithmError as exc:
        # Named apart so a refused algorithm (alg confusion, "none") is visible in answers and logs.
        raise Unauthorized(ALGORITHM_REFUSED) from exc
    except (jwt.PyJWTError, KeyError, ValueError) as exc:
        raise Unauthorized(Text("令牌无效", "Invalid token")) from exc
