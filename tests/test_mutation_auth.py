"""Bearer verification and principals, as plain functions: every way a token is refused says why,
and the principal carries exactly the claims it was given (no stack needed)."""
from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time
from typing import Any

import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from functions import authz, auth, config, local_issuer
from functions.errors import Forbidden, Text, Unauthorized
from functions.tenancy import (AUDITOR, COMMUNITY_STAFF, DISTRICT_ADMIN, GRID_WORKER, MEMBER, PLATFORM_ADMIN, Principal,
                               TenantContext, system_context)

MISSING = Text("缺少 Bearer 令牌", "Missing bearer token")
EXPIRED = Text("令牌已过期", "Token expired")
INVALID = Text("令牌无效", "Invalid token")
ALGORITHM_REFUSED = Text("令牌签名算法不被接受", "Token signing algorithm not accepted")


def claims(**over: Any) -> dict[str, Any]:
    now = int(time.time())
    body = {"sub": "li", "roles": [DISTRICT_ADMIN], "tenant": "gangbei", "iss": config.JWT_ISSUER,
            "aud": config.JWT_AUDIENCE, "iat": now, "exp": now + 600}
    body.update(over)
    return {k: v for k, v in body.items() if v is not None}


def bearer(body: dict[str, Any], key: Any = None, algorithm: str = "RS256", headers: dict | None = None) -> str:
    return "Bearer " + jwt.encode(body, key or local_issuer.private_key(), algorithm=algorithm, headers=headers)


def refused(authorization: str | None) -> Text:
    with pytest.raises(Unauthorized) as caught:
        auth.verify_bearer(authorization)
    return caught.value.detail


def test_a_valid_token_gives_its_principal():
    p = auth.verify_bearer(bearer(claims(communities=["c1"], grids=["g1", "g2"])))
    assert p == Principal(sub="li", roles=frozenset({DISTRICT_ADMIN}), tenant="gangbei", communities=frozenset({"c1"}),
                          grids=frozenset({"g1", "g2"}))


def test_surrounding_blanks_after_the_scheme_are_ignored():
    assert auth.verify_bearer(bearer(claims()) + "  ").sub == "li"


@pytest.mark.parametrize("header", [None, "", "Basic bGk6cHc=", "bearer x.y.z", "BEARER x.y.z", "Token abc"])
def test_without_the_bearer_scheme_the_token_is_missing(header):
    assert refused(header) == MISSING


def test_an_expired_token_says_so():
    past = int(time.time()) - 3600
    assert refused(bearer(claims(iat=past - 600, exp=past))) == EXPIRED


@pytest.mark.parametrize("missing", ["exp", "iat", "sub", "iss", "aud"])
def test_each_required_claim_must_be_present(missing):
    assert refused(bearer({k: v for k, v in claims().items() if k != missing})) == INVALID


@pytest.mark.parametrize("over", [{"iss": "someone-else"}, {"aud": "other-app"}, {"tenant": "Not A Tenant"},
                                  {"roles": "a,b", "communities": [1]}, {"sub": ""}])
def test_wrong_issuer_audience_or_claim_shape_is_invalid(over):
    assert refused(bearer(claims(**over))) == INVALID


def test_garbage_and_another_issuers_signature_are_invalid():
    assert refused("Bearer not-a-token") == INVALID
    other = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    assert refused(bearer(claims(), key=other)) == INVALID


def hs256(payload: dict[str, Any], secret: bytes) -> str:
    """A compact JWS signed HS256 by hand (PyJWT refuses a PEM as an HMAC secret; an attacker does not)."""
    def b64(raw: bytes) -> str:
        return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()

    signing_input = b64(json.dumps({"alg": "HS256", "typ": "JWT"}).encode()) + "." + b64(json.dumps(payload).encode())
    return signing_input + "." + b64(hmac.new(secret, signing_input.encode(), hashlib.sha256).digest())


def test_refused_algorithms_are_named_apart():
    """Alg "none" and HS256 keyed with the published public key: refused for the algorithm, and said so."""
    pem = local_issuer.public_key().public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
    assert refused("Bearer " + jwt.encode(claims(), None, algorithm="none")) == ALGORITHM_REFUSED
    assert refused("Bearer " + hs256(claims(), pem)) == ALGORITHM_REFUSED


def test_with_a_jwks_url_the_key_named_by_the_token_is_used(monkeypatch):
    mine, other = local_issuer.private_key(), rsa.generate_private_key(public_exponent=65537, key_size=2048)
    keys = {"current": mine.public_key(), "old": other.public_key()}

    class Jwks:
        def get_signing_key_from_jwt(self, token: str) -> Any:
            return type("Key", (), {"key": keys[jwt.get_unverified_header(token)["kid"]]})

    monkeypatch.setattr(config, "JWKS_URL", "https://issuer.example/.well-known/jwks.json")
    monkeypatch.setattr(auth, "_jwks_client", lambda: Jwks())
    assert auth.verify_bearer(bearer(claims(), key=other, headers={"kid": "old"})).sub == "li"
    assert refused(bearer(claims(), key=mine, headers={"kid": "old"})) == INVALID


# --- principals -----------------------------------------------------------------------------

def test_principal_takes_each_claim_and_drops_unknown_roles():
    p = Principal.from_claims({"sub": "wang", "tenant": "gangbei", "roles": [MEMBER, "superuser", GRID_WORKER],
                               "communities": ["c1"], "grids": ["g1"], "audit_tenants": ["gangnan"]})
    assert (p.sub, p.tenant, p.roles) == ("wang", "gangbei", frozenset({MEMBER, GRID_WORKER}))
    assert (p.communities, p.grids, p.audit_tenants) == (frozenset({"c1"}), frozenset({"g1"}), frozenset({"gangnan"}))


def test_principal_without_optional_claims_is_empty_and_tenantless():
    p = Principal.from_claims({"sub": "ops", "roles": [PLATFORM_ADMIN]})
    assert p == Principal(sub="ops", roles=frozenset({PLATFORM_ADMIN}))
    assert p.tenant is None and p.communities == p.grids == p.audit_tenants == frozenset()
    assert Principal.from_claims({"sub": "nobody"}).roles == frozenset()


def test_cognito_custom_attributes_arrive_comma_separated():
    p = Principal.from_claims({"sub": "zhao", "custom:tenant": "gangbei", "custom:roles": f"{COMMUNITY_STAFF},{AUDITOR}",
                               "custom:communities": "c1,,c2", "custom:grids": "g9", "custom:audit_tenants": "a1,a2"})
    assert (p.tenant, p.roles) == ("gangbei", frozenset({COMMUNITY_STAFF, AUDITOR}))
    assert (p.communities, p.grids, p.audit_tenants) == (frozenset({"c1", "c2"}), frozenset({"g9"}), frozenset({"a1", "a2"}))


def test_a_plain_claim_wins_over_its_custom_twin():
    p = Principal.from_claims({"sub": "s", "roles": [MEMBER], "custom:roles": AUDITOR})
    assert p.roles == frozenset({MEMBER})


@pytest.mark.parametrize("bad", [
    {"roles": [MEMBER, 7]}, {"roles": {"member": True}}, {"communities": 3}, {"grids": [["g1"]]},
    {"tenant": "AB"}, {"tenant": "x"}, {"tenant": 12345}, {"tenant": ["gangbei"]},
    {"sub": ""}, {"sub": 42},
])
def test_claims_of_the_wrong_shape_are_refused(bad):
    with pytest.raises(ValueError):
        Principal.from_claims({"sub": "s", "roles": [MEMBER], **bad})


def test_a_principal_without_sub_is_refused():
    with pytest.raises(KeyError):
        Principal.from_claims({"roles": [MEMBER]})


def test_has_is_any_of_the_roles():
    p = Principal(sub="s", roles=frozenset({MEMBER, GRID_WORKER}))
    assert p.has(MEMBER) and p.has(AUDITOR, GRID_WORKER)
    assert not p.has(DISTRICT_ADMIN) and not p.has()


# --- tenant contexts ------------------------------------------------------------------------

def ctx_of(*roles: str, communities: tuple[str, ...] = ()) -> TenantContext:
    return TenantContext(tenant="gangbei", principal=Principal(sub="u1", roles=frozenset(roles), tenant="gangbei",
                                                              communities=frozenset(communities)))


def test_keys_always_begin_with_the_tenant():
    ctx = ctx_of(MEMBER)
    assert ctx.key() == "gangbei"
    assert ctx.key("incident") == "gangbei#incident"
    assert ctx.key("grid", "g1", "x") == "gangbei#grid#g1#x"
    assert ctx.actor == "u1"


def test_authz_lets_district_work_through_for_district_admins_only():
    authz.require(ctx_of(DISTRICT_ADMIN), authz.MANAGE_DISTRICT)
    for roles in ((COMMUNITY_STAFF,), (GRID_WORKER, MEMBER)):
        with pytest.raises(Forbidden) as caught:
            authz.require(ctx_of(*roles), authz.MANAGE_DISTRICT)
        assert caught.value.detail == Text("仅区管理员可以执行此操作", "Only district admins may do this")


def test_authz_community_work_in_the_callers_communities():
    authz.require(ctx_of(DISTRICT_ADMIN), authz.MANAGE_COMMUNITY, community_id="anywhere")
    authz.require(ctx_of(COMMUNITY_STAFF, communities=("c1", "c2")), authz.MANAGE_COMMUNITY, community_id="c2")
    not_allowed = Text("无权操作该社区的数据", "Not allowed in this community")
    for ctx, community in [(ctx_of(COMMUNITY_STAFF, communities=("c1",)), "c2"),
                           (ctx_of(GRID_WORKER, MEMBER, communities=("c1",)), "c1"),  # listed, but not as staff
                           (ctx_of(COMMUNITY_STAFF), "c1")]:
        with pytest.raises(Forbidden) as caught:
            authz.require(ctx, authz.MANAGE_COMMUNITY, community_id=community)
        assert caught.value.detail == not_allowed


def test_system_context_acts_as_the_district_admin_of_its_tenant():
    ctx = system_context("gangbei")
    assert ctx.tenant == "gangbei" and ctx.timezone == "Asia/Shanghai" and ctx.settings == {}
    assert ctx.principal == Principal(sub="system", roles=frozenset({DISTRICT_ADMIN}), tenant="gangbei")
    assert ctx.actor == "system" and ctx.key("x") == "gangbei#x"
    other = system_context("gangnan", "Asia/Urumqi", {"sla": 2})
    assert (other.tenant, other.timezone, other.settings, other.principal.tenant) == ("gangnan", "Asia/Urumqi", {"sla": 2}, "gangnan")
