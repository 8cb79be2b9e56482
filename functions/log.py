"""The structured JSON logger (Powertools). Never log tokens, bodies or minutes text.

Made on first use: importing Powertools is paid by the first request, not by every cold start.
"""
from __future__ import annotations

from functools import lru_cache
from typing import Any


@lru_cache(maxsize=1)
def _logger() -> Any:
    from aws_lambda_powertools import Logger

    return Logger(service="gongjian")


class _Lazy:
    def __getattr__(self, name: str) -> Any:
        return getattr(_logger(), name)


logger: Any = _Lazy()
