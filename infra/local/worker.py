"""The local stack's workers: the same code Lambda runs on SQS and on the audit table's stream,
fed from the local endpoints until the process ends.

- notifications: `functions.notify.worker` polling the local queue endpoint (long polls of 5 s);
- jobs: `functions.jobs.worker` polling the local job queue (long polls of 5 s);
- the audit chainer: `functions.audit.chainer.on_stream` fed by DynamoDB Local's stream of the
  audit table, as the event source mapping feeds the Lambda in AWS.
"""
from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from functions.log import logger


def run_forever() -> None:
    from functions.notify import worker

    while True:
        try:
            if not worker.drain(wait_seconds=5):
                continue
        except Exception:  # keep the local stack up; the message returns to the queue
            logger.exception("local notify worker step failed")
            time.sleep(5)


def run_jobs_forever() -> None:
    from functions.jobs import worker

    while True:
        try:
            worker.drain(wait_seconds=5)
        except Exception:  # keep the local stack up; the job's message returns to the queue
            logger.exception("local job worker step failed")
            time.sleep(5)


def run_chainer_forever(poll_seconds: float = 1.0) -> None:
    """Read every shard of the audit table's stream from its start and hand the records to the
    chainer (which reads what is pending from the table, so a replayed record is harmless)."""
    while True:
        try:
            follow_audit_stream(poll_seconds)
        except Exception:  # e.g. DynamoDB Local restarting: start over from the stream's description
            logger.exception("local audit chainer step failed")
            time.sleep(5)


def follow_audit_stream(poll_seconds: float, stopped: Callable[[], bool] = lambda: False) -> None:
    from functions import aws
    from functions.audit import chainer
    from functions.models import AuditTable

    dynamodb, streams = aws.client("dynamodb"), aws.client("dynamodbstreams")
    arn = dynamodb.describe_table(TableName=AuditTable.Meta.table_name)["Table"]["LatestStreamArn"]
    iterators: dict[str, Any] = {}
    finished: set[str] = set()
    while not stopped():
        for shard in streams.describe_stream(StreamArn=arn)["StreamDescription"]["Shards"]:
            shard_id = shard["ShardId"]
            if shard_id not in iterators and shard_id not in finished:
                iterators[shard_id] = streams.get_shard_iterator(StreamArn=arn, ShardId=shard_id,
                                                                 ShardIteratorType="TRIM_HORIZON")["ShardIterator"]
        for shard_id, iterator in list(iterators.items()):
            answer = streams.get_records(ShardIterator=iterator, Limit=1000)
            if answer["Records"]:
                chainer.on_stream(answer["Records"])
            if answer.get("NextShardIterator"):
                iterators[shard_id] = answer["NextShardIterator"]
            else:
                del iterators[shard_id]
                finished.add(shard_id)
        time.sleep(poll_seconds)
