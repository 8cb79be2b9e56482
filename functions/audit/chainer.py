"""Links each tenant's pending audit entries into its hash chain, oldest first.

In AWS it runs on the audit table's DynamoDB stream (`app.chain_audit_entries`): the stream says
which tenants have new entries, and `link` reads what is pending from the table itself, so a
record delivered twice, late or out of order changes nothing. Locally `make run` polls DynamoDB
Local's stream with the same handler (`infra/local/worker.py`), and the five-minute digest job
links whatever is left before it seals (a stream outage delays the chain, it never skips it).

One chainer at a time moves a tenant's head: the head's version is the transaction's condition,
so a second chainer racing the first loses and stops, leaving the work to the winner.
"""
from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from pynamodb.exceptions import TransactWriteError

from functions import store
from functions.audit import chain
from functions.log import logger
from functions.models import AuditTable

BATCH = 49  # two items per entry plus the head, within DynamoDB's 100-item transaction


def link(tenant: str) -> int:
    """Link every pending entry of `tenant`; returns how many this call linked."""
    head, total = chain.read_head(tenant), 0
    while True:
        batch = list(chain.pending(tenant, limit=BATCH))
        if not batch:
            return total
        head_unmoved = (AuditTable.version == head.seq) if head.exists else AuditTable.pk.does_not_exist()
        entry: dict[str, Any] = {}
        try:
            with store.transaction() as tx:
                for item in batch:
                    entry = chain.linked(head, item.fields())
                    tx.save(chain.entry_item(tenant, entry), condition=AuditTable.pk.does_not_exist())
                    tx.delete(item, condition=AuditTable.pk.exists())
                    head = chain.Head(entry["seq"], entry["hash"], True)
                tx.save(chain.head_item(tenant, entry), condition=head_unmoved)
        except TransactWriteError as exc:
            reasons = {r.code for r in exc.cancellation_reasons or [] if r is not None}
            if reasons & {"ConditionalCheckFailed", "TransactionConflict"}:
                logger.info("audit chainer stopped: another chainer moved the head", extra={"tenant": tenant})
                return total
            raise  # throttling or worse: the stream (or the next seal) tries again
        total += len(batch)


def tenants_in(records: Iterable[dict[str, Any]]) -> set[str]:
    """The tenants with new pending entries among DynamoDB stream records (keys only)."""
    found = set()
    for record in records:
        keys = record.get("dynamodb", {}).get("Keys", {})
        pk, sk = keys.get("pk", {}).get("S", ""), keys.get("sk", {}).get("S", "")
        if record.get("eventName") == "INSERT" and sk.startswith(chain.PENDING) and pk.endswith("#audit"):
            found.add(pk.removesuffix("#audit"))
    return found


def on_stream(records: Iterable[dict[str, Any]]) -> dict[str, int]:
    """Link the chains of every tenant named in a batch of stream records."""
    return {tenant: link(tenant) for tenant in sorted(tenants_in(records))}
