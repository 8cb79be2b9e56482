"""Presigned uploads of incident photos, action evidence and street networks, and the check that a referenced
object exists under the tenant's prefix before a record points at it."""
from __future__ import annotations

import hashlib

from typing import Any

from functions import authz, storage
from functions.errors import FieldError, PayloadTooLarge, Text, Unprocessable, UnsupportedMediaType
from functions.ids import new_id
from functions.tenancy import TenantContext

IMAGE_TYPES = ("image/jpeg", "image/png", "image/webp", "image/heic")
DOC_TYPES = ("application/pdf",)
NETWORK_TYPES = ("application/geo+json", "application/json")  # functions.services.street_network
MAX_BYTES = 10 * 1024 * 1024


def start(ctx: TenantContext, body: dict[str, Any]) -> dict[str, Any]:
    """A presigned PUT for one photo or evidence file under `tenants/<tenant>/<purpose>/`; the declared
    size and SHA-256 are signed, so S3 takes exactly those bytes at that URL."""
    if body["purpose"] == "street_network":
        authz.require(ctx, authz.MANAGE_DISTRICT)
    allowed = {"incident_photo": IMAGE_TYPES, "street_network": NETWORK_TYPES}.get(body["purpose"], IMAGE_TYPES + DOC_TYPES)
    if body["content_type"] not in allowed:
        raise UnsupportedMediaType(extra={"allowed": list(allowed)})
    if body["size"] > MAX_BYTES:  # the street network's own limit is the same
        raise PayloadTooLarge(Text("文件不能超过 10 MB", "Files are limited to 10 MB"))
    key = storage.tenant_key(ctx.tenant, body["purpose"], _object_id(ctx))
    url, headers = storage.presigned_put(key, body["content_type"], size=body["size"], sha256=body["sha256"])
    return {"key": key, "url": url, "headers": headers, "expires_in": storage.UPLOAD_SECONDS}


def _object_id(ctx: TenantContext) -> str:
    """A new object's id. With an Idempotency-Key it is derived from the caller, the key and the request,
    so a repeated request (a phone replaying its queue) gets the same object again with a fresh URL:
    a ticket writes nothing, so there is no stored answer to replay."""
    claim = ctx.idempotency
    if claim is None:
        return new_id()
    return hashlib.sha256(f"{ctx.tenant}#{ctx.actor}#{claim.key}#{claim.request_hash}".encode()).hexdigest()[:32]


def require_objects(ctx: TenantContext, keys: list[str], path: str) -> None:
    """422 naming each key that is not an existing object of this tenant."""
    prefix = storage.tenant_key(ctx.tenant, "")
    errors = []
    for i, key in enumerate(keys):
        if not key.startswith(prefix) or not storage.exists(key):
            errors.append(FieldError(f"{path}/{i}/key", Text("文件不存在或不属于本区", "No such object of this tenant")))
    if errors:
        raise Unprocessable(errors=errors)
