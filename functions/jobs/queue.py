"""The job queue: SQS in AWS (visibility 15 minutes, the worker's longest life; a dead-letter queue
after 3 receives), the same calls against the local endpoint in `make run` and the tests."""
from __future__ import annotations

import json
from functools import lru_cache
from typing import Any

from functions import aws, config, queues

VISIBILITY_SECONDS = 900


@lru_cache(maxsize=1)
def url() -> str:
    return queues.url_of(config.JOBS_QUEUE_URL, config.JOBS_QUEUE_NAME)


def ensure_local() -> None:
    queues.ensure_local(config.JOBS_QUEUE_NAME, VISIBILITY_SECONDS)


def send(message: dict[str, Any]) -> None:
    aws.client("sqs").send_message(QueueUrl=url(), MessageBody=json.dumps(message, ensure_ascii=False))


def receive(wait_seconds: int = 0) -> list[dict[str, Any]]:
    return queues.receive(url(), wait_seconds, most=1)


def done(receipt: str) -> None:
    queues.delete(url(), receipt)


def retry_after(receipt: str, seconds: int) -> None:
    aws.client("sqs").change_message_visibility(QueueUrl=url(), ReceiptHandle=receipt, VisibilityTimeout=seconds)
