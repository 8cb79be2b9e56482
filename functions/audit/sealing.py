"""The `audit-seal` job: every five minutes, for each tenant not offboarded, link whatever the stream's
chainer has not (a stream outage delays the chain, it never skips it), then seal a signed digest
of the chain's head if it moved."""
from __future__ import annotations

from typing import Any

from functions.audit import chainer, digests
from functions.platform.tenants import for_each_active_tenant
from functions.tenancy import TenantContext


def seal_tenant(ctx: TenantContext) -> dict[str, Any]:
    linked = chainer.link(ctx.tenant)
    body = digests.seal(ctx.tenant)
    return {"linked": linked, "sealed_seq": body["seq"] if body else None}


def run_all_tenants() -> dict[str, Any]:
    # suspended districts too: exports and auditors' reads still write to their chains
    return for_each_active_tenant(seal_tenant, "audit seal", statuses=("active", "suspended"))
