"""Who is calling and for which tenant: principals, roles, tenant contexts and key building.

Every key a request reads or writes is built here from the caller's tenant context, so a key
always begins with `<tenant>#` and never with anything a client sent.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any


TENANT_ID = re.compile(r"^[a-z][a-z0-9-]{2,31}$")
KEY_DELIMITER = "#"

PLATFORM_ADMIN = "platform_admin"
DISTRICT_ADMIN = "district_admin"
COMMUNITY_STAFF = "community_staff"
GRID_WORKER = "grid_worker"
MEMBER = "member"
AUDITOR = "auditor"
ROLES = (PLATFORM_ADMIN, DISTRICT_ADMIN, COMMUNITY_STAFF, GRID_WORKER, MEMBER, AUDITOR)
TENANT_ROLES = frozenset({DISTRICT_ADMIN, COMMUNITY_STAFF, GRID_WORKER, MEMBER})


@dataclass(frozen=True)
class Principal:
    """The verified claims of a bearer token."""

    sub: str
    roles: frozenset[str]
    tenant: str | None = None
    communities: frozenset[str] = frozenset()
    grids: frozenset[str] = frozenset()
    audit_tenants: frozenset[str] = frozenset()

    @classmethod
    def from_claims(cls, claims: dict[str, Any]) -> "Principal":
        """The principal of verified claims; ValueError (a 401 to the caller) when a claim has the wrong shape."""
        def claim(name: str) -> Any:
            # Cognito ID tokens carry custom attributes as "custom:<name>"
            return claims.get(name) or claims.get(f"custom:{name}")

        def strings(name: str) -> frozenset[str]:
            value = claim(name) or []
            if isinstance(value, str):  # Cognito custom attributes arrive comma-separated
                value = [v for v in value.split(",") if v]
            if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
                raise ValueError(f"claim {name} must be a list of strings")
            return frozenset(value)

        tenant, sub = claim("tenant") or None, claims["sub"]
        if tenant is not None and not (isinstance(tenant, str) and TENANT_ID.match(tenant)):
            raise ValueError("claim tenant must be a tenant id")
        if not isinstance(sub, str) or not sub:
            raise ValueError("claim sub must be a string")
        return cls(
            sub=sub,
            roles=strings("roles") & frozenset(ROLES),
            tenant=tenant,
            communities=strings("communities"),
            grids=strings("grids"),
            audit_tenants=strings("audit_tenants"),
        )

    def has(self, *roles: str) -> bool:
        return bool(self.roles.intersection(roles))


@dataclass(frozen=True)
class TenantContext:
    """A request (or job) acting inside one tenant. Services take this, never a raw tenant id."""

    tenant: str
    principal: Principal
    timezone: str = "Asia/Shanghai"
    settings: dict[str, Any] = field(default_factory=dict)
    idempotency: Any = None  # functions.idempotency.Claim when the request carried a key

    def key(self, *parts: str) -> str:
        """`<tenant>#part#part…`: the only way a partition key is made."""
        return KEY_DELIMITER.join((self.tenant, *parts))

    @property
    def actor(self) -> str:
        return self.principal.sub


def system_context(tenant: str, timezone: str = "Asia/Shanghai", settings: dict[str, Any] | None = None) -> TenantContext:
    """Context for scheduled jobs, the demo loader and the CLI: acts as the district admin."""
    return TenantContext(tenant=tenant, principal=Principal(sub="system", roles=frozenset({DISTRICT_ADMIN}), tenant=tenant),
                         timezone=timezone, settings=settings or {})
