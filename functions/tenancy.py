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
STREET_STAFF = "street_staff"        # a street office (街道): incidents escalated to its streets
COMMUNITY_STAFF = "community_staff"  # a community's secretary (书记) and staff
GRID_WORKER = "grid_worker"          # 网格员, in their grids
DEPARTMENT = "department"            # a department's staff (环保、工商、市政 …): its action parts
EMPLOYER = "employer"                # a resident unit's contact: its in-service members' hours reports
RESIDENT = "resident"                # 居民: their own reports and service requests
MEMBER = "member"                    # a Party member: Party life, 双报到 hours
AUDITOR = "auditor"
ROLES = (PLATFORM_ADMIN, DISTRICT_ADMIN, STREET_STAFF, COMMUNITY_STAFF, GRID_WORKER, DEPARTMENT, EMPLOYER, RESIDENT,
         MEMBER, AUDITOR)
TENANT_ROLES = frozenset({DISTRICT_ADMIN, STREET_STAFF, COMMUNITY_STAFF, GRID_WORKER, DEPARTMENT, EMPLOYER, RESIDENT,
                          MEMBER})
# The claims that scope a role, each a list of ids of the tenant (comma-separated in Cognito tokens).
SCOPE_CLAIMS = ("streets", "communities", "grids", "departments", "units")


@dataclass(frozen=True)
class Principal:
    """The verified claims of a bearer token."""

    sub: str
    roles: frozenset[str]
    tenant: str | None = None
    communities: frozenset[str] = frozenset()
    grids: frozenset[str] = frozenset()
    audit_tenants: frozenset[str] = frozenset()
    streets: frozenset[str] = frozenset()
    departments: frozenset[str] = frozenset()
    units: frozenset[str] = frozenset()

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

        # `uid`: the user directory's id, which Cognito's pre-token trigger adds (Cognito's own `sub`
        # cannot be overridden); tokens of the local issuer carry it as `sub`.
        tenant, sub = claim("tenant") or None, claim("uid") or claims["sub"]
        if tenant is not None and not (isinstance(tenant, str) and TENANT_ID.match(tenant)):
            raise ValueError("claim tenant must be a tenant id")
        if not isinstance(sub, str) or not sub:
            raise ValueError("claim sub must be a string")
        return cls(
            sub=sub,
            roles=strings("roles") & frozenset(ROLES),
            tenant=tenant,
            audit_tenants=strings("audit_tenants"),
            **{name: strings(name) for name in SCOPE_CLAIMS},
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
