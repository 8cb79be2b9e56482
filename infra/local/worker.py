"""The notification worker of the local stack: the same `functions.notify.worker` code that Lambda
runs on SQS, polling the local queue endpoint (long polls of 5 s), until the process ends."""
from __future__ import annotations

import time

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
