"""The shape every Gongjian table shares.

Each area has its own table (one PynamoDB model each, in this package). All of them use the same
generic key design so that one write path (`functions.store`) serves every area:

- `pk` `<tenant>#<kind>[#<parent>…]`: every partition key starts with the tenant and a delimiter,
  which is also what the IAM `dynamodb:LeadingKeys` condition scopes on.
- `sk`: the item's ULID (so a partition lists in creation order) or a fixed name.
- `gsi1pk/gsi1sk` … `gsi4pk/gsi4sk`: optional further access paths, sparse; a table declares
  only the indexes it uses.
- `data`: the entity's fields as a map; `version` for optimistic locking; `child_count` for
  refusing to delete a parent that still has children, inside the same transaction.
- `detail`: the fields kept on the item alone (`UNINDEXED`: an incident's or request's `history`),
  left out of every index: each index holds a copy of what it projects, written (and, inside a
  transaction, paid twice) on every change, and a history grows with every step. Lists leave
  these fields out; reading the item gives them.
"""
from __future__ import annotations

from typing import Any

from pynamodb.attributes import MapAttribute, NumberAttribute, TTLAttribute, UnicodeAttribute
from pynamodb.connection import TableConnection
from pynamodb.indexes import GlobalSecondaryIndex, IncludeProjection
from pynamodb.models import Model

from functions import config


_SCOPED_CONNECTIONS: dict[tuple[str, str, str], TableConnection] = {}

UNINDEXED = ("history",)
# Every attribute of TenantItem but `detail` and the key attributes: DynamoDB projects the table's
# and the index's own keys anyway and refuses key attributes here; other indexes' keys are never
# read from an index. tests/test_tables.py fails if an attribute is added and not listed here.
PROJECTED = ["kind", "version", "child_count", "created_at", "updated_at", "data", "expires_at"]


class Gsi1(GlobalSecondaryIndex[Any]):
    class Meta:
        index_name = "gsi1"
        projection = IncludeProjection(PROJECTED)

    gsi1pk = UnicodeAttribute(hash_key=True)
    gsi1sk = UnicodeAttribute(range_key=True)


class Gsi2(GlobalSecondaryIndex[Any]):
    class Meta:
        index_name = "gsi2"
        projection = IncludeProjection(PROJECTED)

    gsi2pk = UnicodeAttribute(hash_key=True)
    gsi2sk = UnicodeAttribute(range_key=True)


class Gsi3(GlobalSecondaryIndex[Any]):
    class Meta:
        index_name = "gsi3"
        projection = IncludeProjection(PROJECTED)

    gsi3pk = UnicodeAttribute(hash_key=True)
    gsi3sk = UnicodeAttribute(range_key=True)


class Gsi4(GlobalSecondaryIndex[Any]):
    class Meta:
        index_name = "gsi4"
        projection = IncludeProjection(PROJECTED)

    gsi4pk = UnicodeAttribute(hash_key=True)
    gsi4sk = UnicodeAttribute(range_key=True)


class TenantItem(Model):
    """Abstract base: attributes common to every table. Subclasses name the table."""

    class Meta:
        abstract = True
        # set per table by table_meta; declared here for readers and the type checker
        table_name: str
        region: str
        host: str | None
        max_retry_attempts: int

    pk = UnicodeAttribute(hash_key=True)
    sk = UnicodeAttribute(range_key=True)
    gsi1pk = UnicodeAttribute(null=True)
    gsi1sk = UnicodeAttribute(null=True)
    gsi2pk = UnicodeAttribute(null=True)
    gsi2sk = UnicodeAttribute(null=True)
    gsi3pk = UnicodeAttribute(null=True)
    gsi3sk = UnicodeAttribute(null=True)
    gsi4pk = UnicodeAttribute(null=True)
    gsi4sk = UnicodeAttribute(null=True)
    kind = UnicodeAttribute()
    version = NumberAttribute(default=1)
    child_count = NumberAttribute(default=0)
    created_at = UnicodeAttribute(null=True)
    updated_at = UnicodeAttribute(null=True)
    data: MapAttribute[str, Any] = MapAttribute(default=dict)
    detail: MapAttribute[str, Any] = MapAttribute(null=True)
    expires_at = TTLAttribute(null=True)

    @classmethod
    def _get_connection(cls) -> TableConnection:
        """PynamoDB's cached connection, or — while a tenant is in scope in AWS — one made with that
        tenant's scoped credentials (see functions.tenant_credentials), cached per key. Either way it
        uses the container's shared DynamoDB client (`functions.aws`), not one of its own."""
        from functions import aws, tenant_credentials

        base = super()._get_connection()
        scoped = tenant_credentials.current()
        if scoped is None:
            base.connection._client = aws.client("dynamodb")
            return base
        key = (cls.Meta.table_name, scoped.tenant, scoped.access_key_id)
        connection = _SCOPED_CONNECTIONS.get(key)
        if connection is None:
            connection = TableConnection(cls.Meta.table_name, meta_table=base.get_meta_table(), region=cls.Meta.region,
                                         host=cls.Meta.host, max_retry_attempts=cls.Meta.max_retry_attempts)
            connection.connection._client = aws.client("dynamodb", scoped)
            _SCOPED_CONNECTIONS[key] = connection
        return connection

    def fields(self) -> dict[str, Any]:
        """The entity's fields: `data` and, when read from the table rather than an index, `detail`."""
        fields = _plain(self.data)
        if self.detail is not None:
            fields.update(_plain(self.detail))
        return fields

    def public(self) -> dict[str, Any]:
        """The entity as clients see it: its fields plus id, version and timestamps."""
        body: dict[str, Any] = {"id": self.sk}
        body.update(self.fields())
        body.update(version=self.version, created_at=self.created_at, updated_at=self.updated_at)
        return body


def _plain(value: Any) -> dict[str, Any]:
    return value.as_dict() if isinstance(value, MapAttribute) else dict(value or {})


def split_fields(fields: dict[str, Any]) -> dict[str, Any]:
    """An entity's fields as the `data` and `detail` attributes of its item."""
    detail = {name: fields[name] for name in UNINDEXED if name in fields}
    data = {name: value for name, value in fields.items() if name not in detail}
    return {"data": data, "detail": detail or None}


def table_meta(area: str, stream_view_type: str | None = None) -> Any:
    """Meta for an area's table: name from the stage prefix, endpoint for the local stack, and
    a stream of the given view type when one is wanted."""

    class Meta:
        table_name = f"{config.TABLE_PREFIX}-{area}"
        region = config.REGION
        host = config.DYNAMODB_ENDPOINT
        billing_mode = "PAY_PER_REQUEST"
        max_retry_attempts = 3

    if stream_view_type:
        Meta.stream_view_type = stream_view_type  # type: ignore[attr-defined]
    return Meta
