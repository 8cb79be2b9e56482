"""The monthly schedule's fan-out: one message per active tenant, each assessed on its own.

In AWS the schedule sends the messages to an SQS queue (batch size 1, with a dead-letter queue),
so a poisoned message for one tenant is retried and parked without holding up the others.
Locally (no queue URL configured) the same messages are handled in-process, one by one, with the
same handler, and a failure is logged and counted the same way.
"""
from __future__ import annotations

import json
import os
from datetime import datetime
from typing import Any

from functions.log import logger
from functions.periods import previous_month
from functions.platform.tenants import active_tenants, active_profile
from functions.tenancy import system_context

QUEUE_URL_ENV = "GONGJIAN_ASSESSMENT_QUEUE_URL"


def messages(now: datetime | None = None) -> list[dict[str, str]]:
    """One message per active tenant with the month that just ended in its time zone."""
    return [{"tenant": ctx.tenant, "period": previous_month(ctx.timezone, now)} for ctx in active_tenants()]


def assess(message: dict[str, str]) -> dict[str, Any]:
    """Assess one tenant's month: what the SQS handler does with each message."""
    from functions import tenant_credentials
    from functions.assessments import runs

    with tenant_credentials.scoped(message["tenant"]):
        profile = active_profile(message["tenant"])
        ctx = system_context(message["tenant"], profile.get("timezone", "Asia/Shanghai"), profile.get("settings", {}))
        return runs.run_period(ctx, message["period"])


def fan_out(now: datetime | None = None) -> dict[str, Any]:
    batch = messages(now)
    queue_url = os.environ.get(QUEUE_URL_ENV)
    if queue_url:
        import boto3

        sqs = boto3.client("sqs")
        for start in range(0, len(batch), 10):
            sqs.send_message_batch(QueueUrl=queue_url, Entries=[
                {"Id": str(i), "MessageBody": json.dumps(m)} for i, m in enumerate(batch[start:start + 10])])
        return {"queued": len(batch)}
    return handle_inline(batch)


def handle_inline(batch: list[dict[str, str]]) -> dict[str, Any]:
    done, failed = [], []
    for message in batch:
        try:
            assess(message)
            done.append(message["tenant"])
        except Exception:
            logger.exception("assessment failed", extra={"tenant": message.get("tenant")})
            failed.append(message.get("tenant"))
    return {"assessed": done, "failed": failed}
