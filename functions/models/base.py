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
"""
from __future__ import annotations

from typing import Any

from pynamodb.attributes import MapAttribute, NumberAttribute, TTLAttribute, UnicodeAttribute
from pynamodb.connection import TableConnection
from pynamodb.indexes import AllProjection, GlobalSecondaryIndex
from pynamodb.models import Model

from functions import config


_SCOPED_CONNECTIONS: dict[tuple[str, str, str], TableConnection] = {}


class Gsi1(GlobalSecondaryIndex[Any]):
    class Meta:
        index_name = "gsi1"
        projection = AllProjection()

    gsi1pk = UnicodeAttribute(hash_key=True)
    gsi1sk = UnicodeAttribute(range_key=True)


class Gsi2(GlobalSecondaryIndex[Any]):
    class Meta:
        index_name = "gsi2"
        projection = AllProjection()

    gsi2pk = UnicodeAttribute(hash_key=True)
    gsi2sk = UnicodeAttribute(range_key=True)


class Gsi3(GlobalSecondaryIndex[Any]):
    class Meta:
        index_name = "gsi3"
        projection = AllProjection()

    gsi3pk = UnicodeAttribute(hash_key=True)
    gsi3sk = UnicodeAttribute(range_key=True)


class Gsi4(GlobalSecondaryIndex[Any]):
    class Meta:
        index_name = "gsi4"
        projection = AllProjection()

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

    def public(self) -> dict[str, Any]:
        """The entity as clients see it: its fields plus id, version and timestamps."""
        body: dict[str, Any] = {"id": self.sk}
        body.update(self.data.as_dict() if isinstance(self.data, MapAttribute) else self.data)
        body.update(version=self.version, created_at=self.created_at, updated_at=self.updated_at)
        return body


def table_meta(area: str) -> Any:
    """Meta for an area's table: name from the stage prefix, endpoint for the local stack."""

    class Meta:
        table_name = f"{config.TABLE_PREFIX}-{area}"
        region = config.REGION
        host = config.DYNAMODB_ENDPOINT
        billing_mode = "PAY_PER_REQUEST"
        max_retry_attempts = 3

    return Meta
