"""Reads and audited writes of tenant items: the one write path of the app.

`write()` commits the caller's operations, the audit entry and (when the request carried an
`Idempotency-Key`) the idempotency record in a single DynamoDB transaction, so a write without its
audit entry, or half a write, cannot exist. Each operation names the error to raise if its
condition fails. The audit entry is an item of its own (linked into the hash chain afterwards, see
functions.audit.chain), so writers of one tenant contend only for the items they both change; a
transaction conflict on those is retried with jittered backoff.
"""
from __future__ import annotations

import random
import time
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any, TypeVar
from collections.abc import Iterator, Sequence

from pynamodb.connection import Connection
from pynamodb.exceptions import TransactWriteError
from pynamodb.expressions.condition import Condition
from pynamodb.transactions import TransactWrite

from functions import config, cursor, idempotency
from functions.audit import chain
from functions.errors import IdempotentReplay, NotFound, ProblemError, ServiceUnavailable, StaleVersion, Text
from functions.ids import now_iso
from functions.models.base import UNINDEXED, TenantItem, split_fields
from functions.tenancy import TenantContext

MAX_ATTEMPTS = 8
AUDIT, IDEMPOTENCY = "audit-entry", "idempotency-record"
DEFAULT_LIMIT = 50
MAX_LIMIT = 200

Item = TypeVar("Item", bound=TenantItem)


def _connection() -> Connection:
    """The connection transactions go through: the stack's own, or the tenant's scoped one."""
    from functions import tenant_credentials

    return _connection_for(tenant_credentials.current())


def transaction() -> TransactWrite:
    """A transaction on the current connection, for writers outside `write()` (the audit chainer)."""
    return TransactWrite(connection=_connection())


@lru_cache(maxsize=64)
def _connection_for(scoped: Any) -> Connection:
    from functions import aws

    connection = Connection(region=config.REGION, host=config.DYNAMODB_ENDPOINT, max_retry_attempts=3)
    connection._client = aws.client("dynamodb", scoped)  # the container's shared client
    return connection


def not_found(kind: str) -> NotFound:
    return NotFound(Text(f"{kind} 不存在", f"No such {kind}"))


# --- operations -------------------------------------------------------------------------------

@dataclass
class Put:
    """Create `item`; fails with `on_fail` (409 by default) if its key is taken."""

    item: TenantItem
    on_fail: ProblemError | None = None

    def add_to(self, tx: TransactWrite) -> str:
        tx.save(self.item, condition=type(self.item).pk.does_not_exist())
        return "put"


@dataclass
class Replace:
    """Save the new state of `item` if it is still at `expected_version` (optimistic locking)."""

    item: TenantItem
    expected_version: float  # NumberAttribute reads back as float
    on_fail: ProblemError | None = None

    def add_to(self, tx: TransactWrite) -> str:
        tx.save(self.item, condition=type(self.item).version == self.expected_version)
        return "put"


@dataclass
class Remove:
    """Delete `item` if unchanged since read and, for parents, if it has no children left."""

    item: TenantItem
    expected_version: float
    on_fail: ProblemError | None = None

    def add_to(self, tx: TransactWrite) -> str:
        model = type(self.item)
        tx.delete(self.item, condition=(model.version == self.expected_version) & (model.child_count == 0))
        return "delete"


@dataclass
class Require:
    """Require that another item exists (and meets `condition`), and optionally move its child count."""

    model: type[TenantItem]
    pk: str
    sk: str
    on_fail: ProblemError
    child_delta: int = 0
    condition: Condition | None = field(default=None)

    def add_to(self, tx: TransactWrite) -> str:
        condition = self.model.pk.exists()
        if self.condition is not None:
            condition = condition & self.condition
        if self.child_delta:
            tx.update(self.model(self.pk, self.sk), actions=[self.model.child_count.add(self.child_delta)],
                      condition=condition)
            return "update"
        tx.condition_check(self.model, self.pk, self.sk, condition=condition)
        return "check"


@dataclass
class Tally:
    """Add `amount` to a counter item (made on first use) unless that takes it over `maximum`:
    a limit (hours a day) that holds under concurrent writes."""

    model: type[TenantItem]
    pk: str
    sk: str
    amount: int
    maximum: int
    on_fail: ProblemError

    def add_to(self, tx: TransactWrite) -> str:
        counter = self.model(self.pk, self.sk)
        room = self.model.child_count.does_not_exist() | (self.model.child_count <= self.maximum - self.amount)
        tx.update(counter, actions=[self.model.child_count.add(self.amount), self.model.kind.set("tally")],
                  condition=room)
        return "update"


@dataclass
class Upsert:
    """Save `item` whatever is stored under its key: a record derived from another (a task kept with
    the incident it comes from), rewritten in the same transaction as its source."""

    item: TenantItem
    on_fail: ProblemError | None = None

    def add_to(self, tx: TransactWrite) -> str:
        tx.save(self.item)
        return "put"


@dataclass
class Drop:
    """Delete an item if it is there: a derived record its source no longer needs."""

    model: type[TenantItem]
    pk: str
    sk: str
    on_fail: ProblemError | None = None

    def add_to(self, tx: TransactWrite) -> str:
        tx.delete(self.model(self.pk, self.sk))
        return "delete"


@dataclass
class Notify:
    """Put an event in the outbox, in the write's transaction; once it commits the event goes to the
    delivery queue (`functions.notify.outbox`). A queue that is down never undoes the write: the
    event waits in the outbox for the next relay."""

    item: TenantItem
    on_fail: ProblemError | None = None

    def add_to(self, tx: TransactWrite) -> str:
        tx.save(self.item)
        return "put"


Operation = Put | Replace | Remove | Require | Tally | Upsert | Drop | Notify


def write(ctx: TenantContext, ops: Sequence[Operation], *, action: str, target: str, state: Any = None,
          result: Any = None) -> None:
    """Commit `ops` with their audit entry (and idempotency record) atomically.

    `state` is what the audit entry fingerprints (the object after the change); `result` is the
    answer stored for an idempotent replay.
    """
    for attempt in range(MAX_ATTEMPTS):
        # PynamoDB sends checks, deletes, puts, updates in that order; cancellation reasons follow it.
        sent: dict[str, list[Any]] = {"check": [], "delete": [], "put": [], "update": []}
        try:
            with transaction() as tx:
                for op in ops:
                    sent[op.add_to(tx)].append(op)
                tx.save(chain.pending_item(ctx, action, target, state))
                sent["put"].append(AUDIT)
                if ctx.idempotency is not None:
                    idempotency.add_record(tx, ctx, ctx.idempotency, result)
                    sent["put"].append(IDEMPOTENCY)
            events = [op.item for op in ops if isinstance(op, Notify)]
            if events:
                from functions.notify import outbox

                outbox.relay(events)
            return
        except TransactWriteError as exc:
            order = sent["check"] + sent["delete"] + sent["put"] + sent["update"]
            failed = [part for part, reason in zip(order, exc.cancellation_reasons or [])
                      if reason is not None and reason.code == "ConditionalCheckFailed"]
            conflict = any(r is not None and r.code == "TransactionConflict" for r in exc.cancellation_reasons or [])
            for part in failed:
                if part not in (AUDIT, IDEMPOTENCY):
                    raise (part.on_fail or _default_failure(part)) from exc
            if IDEMPOTENCY in failed:
                replay = idempotency.find(ctx, ctx.idempotency)
                if replay is not None:
                    raise IdempotentReplay(replay) from exc
            if not conflict:
                raise
        time.sleep(min(0.5, 0.01 * 2 ** attempt) * random.random())
    raise ServiceUnavailable(Text("写入冲突过多，请稍后重试", "Too many concurrent writes, retry shortly"),
                             headers={"Retry-After": "1"})


def _default_failure(op: Operation) -> ProblemError:
    if isinstance(op, (Replace, Remove)):
        return StaleVersion()
    from functions.errors import Conflict

    return Conflict(Text("对象已存在", "Already exists"))


# --- building items ---------------------------------------------------------------------------

def new_item(model: type[TenantItem], ctx: TenantContext, kind: str, item_id: str, data: dict[str, Any], *,
             partition: str | None = None, **keys: str) -> TenantItem:
    """A new item of `kind` with its timestamps, in the tenant's `<tenant>#<kind>` partition or, for
    items listed under a parent (a pairing's contacts), in `partition` (built with `ctx.key`)."""
    at = now_iso()
    attributes: dict[str, Any] = {"kind": kind, **split_fields(data), "version": 1, "created_at": at, "updated_at": at,
                                  **keys}
    return model(partition or ctx.key(kind), item_id, **attributes)


def changed(item: TenantItem, data: dict[str, Any], **keys: str) -> TenantItem:
    """A copy of `item` with new fields (all of them: `data` replaces `item.fields()`), the next
    version and a new `updated_at`. `item` must be read from the table, not from an index, when its
    kind has fields that indexes leave out (`UNINDEXED`), or they would be lost."""
    model = type(item)
    attrs = {name: getattr(item, name) for name in model.get_attributes()}
    attrs.update(keys, **split_fields(data), version=item.version + 1, updated_at=now_iso())
    return model(**attrs)


def create(ctx: TenantContext, model: type[TenantItem], kind: str, data: dict[str, Any], *,
           item_id: str | None = None, extra: Sequence[Operation] | None = None, partition: str | None = None,
           **keys: str) -> dict[str, Any]:
    """Create a `kind` item (plus `extra` operations) with its audit entry; returns its public form."""
    from functions.ids import new_id

    item = new_item(model, ctx, kind, item_id or new_id(), data, partition=partition, **keys)
    result = item.public()
    write(ctx, [Put(item), *(extra or [])], action=f"{kind}.create", target=f"{kind}/{item.sk}", state=result,
          result=result)
    return result


def update(ctx: TenantContext, item: TenantItem, data: dict[str, Any], expected_version: float, *,
           extra: Sequence[Operation] | None = None, action: str | None = None, **keys: str) -> dict[str, Any]:
    """Save `item` with new `data` if still at `expected_version` (else 409), audited as `action`
    (`<kind>.update` by default); returns its public form."""
    new = changed(item, data, **keys)
    result = new.public()
    write(ctx, [Replace(new, expected_version), *(extra or [])], action=action or f"{item.kind}.update",
          target=f"{item.kind}/{item.sk}", state=result, result=result)
    return result


def delete(ctx: TenantContext, item: TenantItem, expected_version: float | None, *,
           extra: Sequence[Operation] = ()) -> None:
    """Delete `item` (with `extra`) if still at `expected_version` (the version read when None), audited
    as `<kind>.delete`."""
    version = item.version if expected_version is None else expected_version
    write(ctx, [Remove(item, version), *extra], action=f"{item.kind}.delete", target=f"{item.kind}/{item.sk}")


# --- reads ------------------------------------------------------------------------------------

def get(model: type[Item], ctx: TenantContext, kind: str, item_id: str) -> Item:
    """The tenant's `kind` item with this id, or 404 (also for another tenant's id)."""
    try:
        return model.get(ctx.key(kind), item_id)
    except model.DoesNotExist as exc:
        raise not_found(kind) from exc


def exists(model: type[TenantItem], ctx: TenantContext, kind: str, item_id: str) -> bool:
    try:
        model.get(ctx.key(kind), item_id, attributes_to_get=["pk"])
        return True
    except model.DoesNotExist:
        return False


def get_many(model: type[TenantItem], ctx: TenantContext, kind: str, item_ids: list[str]) -> dict[str, dict[str, Any]]:
    """The tenant's `kind` items with these ids as {id: fields}; missing ones are absent. BatchGets of 100."""
    unique = list(dict.fromkeys(item_ids))
    found: dict[str, dict[str, Any]] = {}
    for start in range(0, len(unique), 100):
        for item in model.batch_get([(ctx.key(kind), item_id) for item_id in unique[start:start + 100]]):
            found[item.sk] = item.fields()
    return found


@dataclass
class Page:
    items: list[dict[str, Any]]
    next_cursor: str | None

    def body(self) -> dict[str, Any]:
        return {"items": self.items, "next_cursor": self.next_cursor}


def page(model: type[TenantItem], hash_key: str, *, scope: str, limit: int | None, cursor_text: str | None,
         index: str | None = None, range_condition: Condition | None = None, newest_first: bool = False,
         filter_condition: Condition | None = None) -> Page:
    """One page of a list, as exactly one Query. `scope` binds the cursor to this list and tenant."""
    limit = DEFAULT_LIMIT if limit is None else limit
    start = cursor.decode(cursor_text, scope)
    source = getattr(model, index) if index else model
    results = source.query(hash_key, range_condition, filter_condition=filter_condition, limit=limit,
                           page_size=limit, last_evaluated_key=start, scan_index_forward=not newest_first)
    # The same fields whichever path serves the list: an index has no `detail`, the table does.
    items = [{k: v for k, v in item.public().items() if k not in UNINDEXED} for item in results]
    return Page(items, cursor.encode(results.last_evaluated_key, scope))


def list_kind(model: type[TenantItem], ctx: TenantContext, kind: str, *, limit: int | None,
              cursor_text: str | None, parent: tuple[str, str | None] | None = None,
              filter_condition: Condition | None = None) -> dict[str, Any]:
    """One page of a tenant's `kind` items — all of them, or those of one parent (`("community", id)`)
    through gsi1 `<tenant>#<parent kind>#<parent id>#<kind>`. One Query either way."""
    if parent and parent[1]:
        hash_key, index = ctx.key(parent[0], parent[1], kind), "gsi1"
    else:
        hash_key, index = ctx.key(kind), None
    scope = f"{ctx.tenant}|{kind}|{hash_key}"
    return page(model, hash_key, index=index, scope=scope, limit=limit, cursor_text=cursor_text,
                filter_condition=filter_condition).body()


def parent_keys(ctx: TenantContext, parent_kind: str, parent_id: str, kind: str, item_id: str) -> dict[str, Any]:
    """The gsi1 keys that list an item under its parent (see `list_kind`)."""
    return {"gsi1pk": ctx.key(parent_kind, parent_id, kind), "gsi1sk": item_id}


def query_all(model: type[Item], hash_key: str, *, index: str | None = None,
              range_condition: Condition | None = None) -> Iterator[Item]:
    """Every item of one partition (paginated Queries), for jobs and small bounded partitions."""
    source = getattr(model, index) if index else model
    return iter(source.query(hash_key, range_condition))
