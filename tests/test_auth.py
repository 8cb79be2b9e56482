"""Tokens: only RS256 tokens from our issuer, unexpired, for our audience, get in."""
import time

import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa

from conftest import token
from functions import config, local_issuer


def claims(**over):
    now = int(time.time())
    base = {"sub": "u1", "roles": ["district_admin"], "tenant": "gangbei", "iss": config.JWT_ISSUER,
            "aud": config.JWT_AUDIENCE, "iat": now, "exp": now + 600}
    base.update(over)
    return {k: v for k, v in base.items() if v is not None}


def signed(payload, key=None, alg="RS256"):
    return jwt.encode(payload, key or local_issuer.private_key(), algorithm=alg)


def assert_401(r):
    assert r.status == 401, r
    assert r.headers["content-type"].startswith("application/problem+json")
    assert r.json["status"] == 401 and r.json["type"].endswith("/unauthorized")


def test_missing_token(api):
    assert_401(api.get("/v1/me"))


@pytest.mark.parametrize("header", ["Bearer", "Bearer not.a.jwt", "Basic dXNlcjpwYXNz", "bearer x"])
def test_malformed(api, header):
    assert_401(api.get("/v1/me", headers={"Authorization": header}))


def test_expired(api):
    assert_401(api.get("/v1/me", signed(claims(iat=int(time.time()) - 7200, exp=int(time.time()) - 3600))))


def test_alg_none(api):
    unsigned = jwt.encode(claims(), key=None, algorithm="none")
    assert_401(api.get("/v1/me", unsigned))


def test_wrong_issuer_and_audience(api):
    assert_401(api.get("/v1/me", signed(claims(iss="someone-else"))))
    assert_401(api.get("/v1/me", signed(claims(aud="other-app"))))


def test_signed_by_another_key(api):
    other = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    assert_401(api.get("/v1/me", signed(claims(), key=other)))


def hs256_forgery(payload, secret):
    """A compact JWS signed HS256 by hand: PyJWT itself refuses a PEM key as an HMAC secret,
    an attacker's script does not."""
    import base64
    import hashlib
    import hmac
    import json

    def b64(raw):
        return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()

    header = {"alg": "HS256", "typ": "JWT", "kid": "local"}
    signing_input = b64(json.dumps(header).encode()) + "." + b64(json.dumps(payload).encode())
    signature = hmac.new(secret, signing_input.encode(), hashlib.sha256).digest()
    return signing_input + "." + b64(signature)


def test_hs256_with_public_key_as_secret(api, tenant):
    """Algorithm confusion: every claim is valid (issuer, audience, expiry, a real tenant, a role), and
    the HMAC secret is the issuer's whole public key as published; only the algorithm is wrong."""
    from cryptography.hazmat.primitives import serialization

    pem = local_issuer.public_key().public_bytes(serialization.Encoding.PEM,
                                                 serialization.PublicFormat.SubjectPublicKeyInfo)
    payload = claims(sub="forger", tenant=tenant, roles=["district_admin"])
    # The same claims signed RS256 get in, so the forgery is refused for its algorithm alone.
    assert api.get("/v1/me", signed(payload)).status == 200
    forged = hs256_forgery(payload, pem)
    r = api.get("/v1/me", forged, headers={"Accept-Language": "en"})
    assert_401(r)
    assert r.json["detail"] == "Token signing algorithm not accepted", r.json


def test_missing_required_claim(api):
    assert_401(api.get("/v1/me", signed(claims(exp=None))))


def test_valid_token_me(api):
    r = api.get("/v1/me", token("community_staff", "gangbei", sub="li", communities=["c1"]))
    assert r.status == 200, r
    assert r.json["sub"] == "li" and r.json["tenant"] == "gangbei" and r.json["roles"] == ["community_staff"]
    assert r.json["communities"] == ["c1"]


def test_platform_admin_cannot_read_tenant_content(api, tenant, admin):
    assert api.post("/v1/streets", admin, {"name": "贵城街道"}).status == 201
    r = api.get("/v1/streets", token("platform_admin", tenant))
    assert r.status == 403, r


def test_unknown_tenant_is_refused(api):
    r = api.get("/v1/streets", token("district_admin", "no-such-district"))
    assert r.status == 403, r


def test_english_problem_on_request(api):
    r = api.get("/v1/me", headers={"Accept-Language": "en-US,en;q=0.9"})
    assert r.json["title"] == "Missing or invalid token"
    assert api.get("/v1/me").json["title"] == "未认证或令牌无效"


def test_cognito_custom_attribute_claims(api, tenant):
    cognito_style = signed(claims(tenant=None, roles=None, **{"custom:tenant": tenant,
                                                              "custom:roles": "district_admin,auditor"}))
    r = api.get("/v1/me", cognito_style)
    assert r.status == 200 and r.json["tenant"] == tenant and r.json["roles"] == ["auditor", "district_admin"]
