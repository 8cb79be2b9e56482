"""The job worker: takes one job from the queue, runs it with its progress, records how it ended.

In AWS it is the `job-worker` Lambda on the job queue (batch size 1, 15 minutes). Locally
`make run` runs `drain` in a thread against the local queue endpoint: the same code. A job runs
as the user who started it, re-checked against the directory (a user disabled since is refused).
A fault of the app's own (a problem+json error) fails the job at once; anything else is retried
30 s later, twice, and then fails the job with its problem.
"""
from __future__ import annotations

import importlib
from typing import Any

from functions.errors import ProblemError
from functions.jobs import queue, records
from functions.log import logger
from functions.queues import MAX_RECEIVES
from functions.tenancy import Principal

# kind → "module:function" taking (job item, principal) and returning the job's result
RUNNERS = {
    "export": "functions.exports.jobs:run_job",
    "offboarding": "functions.exports.offboarding:run_job",
    "assessment_run": "functions.assessments.runs:run_job",
}
RETRY_SECONDS = 30


class RetryLater(Exception):
    """A transient failure: the message comes back after `RETRY_SECONDS`."""


def _runner(kind: str) -> Any:
    module, function = RUNNERS[kind].split(":")
    return getattr(importlib.import_module(module), function)


def handle(message: dict[str, Any], receives: int = 1) -> None:
    """Run one job to its end; raises `RetryLater` for a transient failure before the last receive."""
    from functions import tenant_credentials

    item = records.claim(message["partition"], message["id"])
    if item is None:  # ended, cancelled while queued, or gone
        return
    data = item.fields()
    principal = Principal.from_claims(data["principal"])
    tenant = item.pk.removesuffix("#job")
    try:
        if tenant != "platform":
            with tenant_credentials.scoped(tenant):
                result = _runner(data["kind"])(item, principal)
        else:
            result = _runner(data["kind"])(item, principal)
    except records.Cancelled:
        records.finish(item.pk, item.sk, "cancelled")
        return
    except Exception as exc:
        final = isinstance(exc, ProblemError) or receives >= MAX_RECEIVES
        logger.exception("job failed" if final else "job failed, will retry",
                         extra={"job": item.sk, "kind": data["kind"], "receives": receives, "error": type(exc).__name__})
        if not final:
            raise RetryLater(f"job {item.sk} retries after receive {receives}") from exc
        records.finish(item.pk, item.sk, "failed", problem=records.problem_of(exc))
        return
    records.finish(item.pk, item.sk, "succeeded", result=result)


def drain(wait_seconds: int = 0) -> int:
    """Run every job waiting on the queue (the local stack's worker and the tests); returns how many."""
    handled = 0
    while True:
        messages = queue.receive(wait_seconds)
        if not messages:
            return handled
        for message in messages:
            try:
                handle(message["body"], message["receives"])
            except RetryLater:
                queue.retry_after(message["receipt"], RETRY_SECONDS)
                continue
            queue.done(message["receipt"])
            handled += 1
        wait_seconds = 0
