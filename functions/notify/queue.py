"""The notification queue: SQS in AWS (with a dead-letter queue after 3 receives), the same calls
against the local endpoint in `make run` and the tests."""
from __future__ import annotations

import json
from functools import lru_cache
from typing import Any

from functions import aws, config, queues

MAX_RECEIVES = queues.MAX_RECEIVES


@lru_cache(maxsize=1)
def url() -> str:
    return queues.url_of(config.NOTIFY_QUEUE_URL, config.NOTIFY_QUEUE_NAME)


def ensure_local() -> None:
    """Make the queue and its dead-letter queue on the local endpoint, if missing (CloudFormation in AWS)."""
    queues.ensure_local(config.NOTIFY_QUEUE_NAME, 60)


def send(events: list[dict[str, Any]]) -> list[str]:
    """Send events (10 a batch); returns the ids SQS accepted."""
    sqs, sent = aws.client("sqs"), []
    for start in range(0, len(events), 10):
        batch = events[start:start + 10]
        answer = sqs.send_message_batch(QueueUrl=url(), Entries=[
            {"Id": str(n), "MessageBody": json.dumps(e, ensure_ascii=False)} for n, e in enumerate(batch)])
        sent += [batch[int(ok["Id"])]["id"] for ok in answer.get("Successful", [])]
    return sent


def receive(wait_seconds: int = 0, visibility: int | None = None) -> list[dict[str, Any]]:
    """Up to 10 messages, each with its body, receipt handle and how often it was received."""
    return queues.receive(url(), wait_seconds, visibility)


def done(receipt: str) -> None:
    queues.delete(url(), receipt)


def retry_after(receipt: str, seconds: int) -> None:
    """Show the message again after `seconds` (the worker's backoff)."""
    aws.client("sqs").change_message_visibility(QueueUrl=url(), ReceiptHandle=receipt, VisibilityTimeout=seconds)


def send_later(message: dict[str, Any], delay_seconds: int) -> None:
    """One message, visible after `delay_seconds` (SQS allows up to 15 minutes; longer waits are
    chained by the worker)."""
    aws.client("sqs").send_message(QueueUrl=url(), MessageBody=json.dumps(message, ensure_ascii=False),
                                   DelaySeconds=max(0, min(900, delay_seconds)))
