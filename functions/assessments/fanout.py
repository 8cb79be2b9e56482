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

from functions.periods import previous_month
from functions.platform.tenants import ScheduledJobFailed, active_profile, active_tenants, log_tenant_failure
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
    result = handle_inline(batch)
    if result["failed"]:
        # Like for_each_active_tenant: every tenant was tried; the run itself must not look successful.
        raise ScheduledJobFailed("assessment", result["errors"], {t: "assessed" for t in result["assessed"]})
    return result


def handle_inline(batch: list[dict[str, str]]) -> dict[str, Any]:
    """Assess each message in turn; a failing one is logged and counted, the others still run."""
    done, failed, errors = [], [], {}
    for message in batch:
        try:
            assess(message)
            done.append(message["tenant"])
        except Exception as exc:
            tenant = message.get("tenant")
            errors[str(tenant)] = log_tenant_failure("assessment", str(tenant), exc)
            failed.append(tenant)
    return {"assessed": done, "failed": failed, "errors": errors}
