"""The peer `make bench` compares the app with: the least code that does the same job.

Bare Chalice, one PynamoDB model with the same table layout (`pk` `<tenant>#street`, `sk` the id, a
`data` map), PyJWT RS256 verification of the same tokens (issuer, audience, and `require` of exp, iat,
sub, iss and aud), then one GetItem (`GET /v1/streets/{id}`), one Query (`GET /v1/streets?limit=`) or
one plain PutItem (`POST /v1/streets`). No tenant profile, no authorisation table, no validation, no
audit entry, no idempotency: what the app does beyond this is what the ratios measure.

Configured by the environment the bench sets: `PEER_TABLE`, `PEER_PUBLIC_KEY` (PEM),
`PEER_DYNAMODB_ENDPOINT`, `PEER_JWT_ISSUER`, `PEER_JWT_AUDIENCE`, `AWS_DEFAULT_REGION`.
"""
from __future__ import annotations

import os
import uuid
from typing import Any

import jwt
from chalice.app import Chalice, NotFoundError, Request, Response, UnauthorizedError
from cryptography.hazmat.primitives.serialization import load_pem_public_key
from pynamodb.attributes import MapAttribute, UnicodeAttribute
from pynamodb.models import Model

app = Chalice(app_name="bench-peer")

PUBLIC_KEY = load_pem_public_key(os.environ["PEER_PUBLIC_KEY"].encode())
ISSUER = os.environ.get("PEER_JWT_ISSUER", "gongjian-local")
AUDIENCE = os.environ.get("PEER_JWT_AUDIENCE", "gongjian")


class Item(Model):
    class Meta:
        table_name = os.environ["PEER_TABLE"]
        region = os.environ.get("AWS_DEFAULT_REGION", "cn-north-1")
        host = os.environ.get("PEER_DYNAMODB_ENDPOINT") or None

    pk = UnicodeAttribute(hash_key=True)
    sk = UnicodeAttribute(range_key=True)
    data: MapAttribute[str, Any] = MapAttribute(default=dict)


def request() -> Request:
    assert app.current_request is not None
    return app.current_request


def tenant() -> str:
    """The verified token's tenant, or 401."""
    authorization = request().headers.get("authorization") or ""
    try:
        claims = jwt.decode(authorization.removeprefix("Bearer "), PUBLIC_KEY, algorithms=["RS256"],  # type: ignore[arg-type]
                            audience=AUDIENCE, issuer=ISSUER, options={"require": ["exp", "iat", "sub", "iss", "aud"]})
    except jwt.PyJWTError as exc:
        raise UnauthorizedError("invalid token") from exc
    return str(claims["tenant"])


def public(item: Item) -> dict[str, Any]:
    return {"id": item.sk, **item.data.as_dict()}


@app.route("/v1/streets/{street_id}")
def get_street(street_id: str) -> dict[str, Any]:
    try:
        return public(Item.get(f"{tenant()}#street", street_id))
    except Item.DoesNotExist as exc:
        raise NotFoundError(street_id) from exc


@app.route("/v1/streets", methods=["GET"])
def list_streets() -> dict[str, Any]:
    params: dict[str, str] = dict(request().query_params or {})
    limit = int(params.get("limit", "50"))
    return {"items": [public(item) for item in Item.query(f"{tenant()}#street", limit=limit)]}


@app.route("/v1/streets", methods=["POST"])
def create_street() -> Response:
    item = Item(f"{tenant()}#street", uuid.uuid4().hex, data={"name": request().json_body["name"]})
    item.save()
    return Response(body=public(item), status_code=201)
