"""SQS calls shared by the app's queues (notifications, jobs): SQS in AWS, the same calls against the
local endpoint in `make run` and the tests. Each queue has a dead-letter queue after 3 receives."""
from __future__ import annotations

import json
from typing import Any

from functions import aws

MAX_RECEIVES = 3  # then SQS moves the message to the dead-letter queue


def url_of(configured: str | None, name: str) -> str:
    """A queue's URL: configured in AWS, looked up by name locally."""
    if configured:
        return configured
    found: str = aws.client("sqs").get_queue_url(QueueName=name)["QueueUrl"]
    return found


def ensure_local(name: str, visibility_seconds: int) -> str:
    """Make queue `name` and its dead-letter queue on the local endpoint, if missing (CloudFormation
    makes them in AWS); returns the queue's URL."""
    sqs = aws.client("sqs")
    dead = sqs.create_queue(QueueName=f"{name}-dlq")["QueueUrl"]
    dead_arn = sqs.get_queue_attributes(QueueUrl=dead, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    answer: str = sqs.create_queue(QueueName=name, Attributes={
        "VisibilityTimeout": str(visibility_seconds),
        "RedrivePolicy": json.dumps({"deadLetterTargetArn": dead_arn, "maxReceiveCount": str(MAX_RECEIVES)})})["QueueUrl"]
    return answer


def receive(queue_url: str, wait_seconds: int = 0, visibility: int | None = None, most: int = 10) -> list[dict[str, Any]]:
    """Up to `most` messages, each with its body, receipt handle and how often it was received."""
    kwargs: dict[str, Any] = {"QueueUrl": queue_url, "MaxNumberOfMessages": most, "WaitTimeSeconds": wait_seconds,
                              "AttributeNames": ["ApproximateReceiveCount"]}
    if visibility is not None:
        kwargs["VisibilityTimeout"] = visibility
    messages = aws.client("sqs").receive_message(**kwargs).get("Messages", [])
    return [{"body": json.loads(m["Body"]), "receipt": m["ReceiptHandle"],
             "receives": int(m.get("Attributes", {}).get("ApproximateReceiveCount", "1"))} for m in messages]


def delete(queue_url: str, receipt: str) -> None:
    aws.client("sqs").delete_message(QueueUrl=queue_url, ReceiptHandle=receipt)
