"""The structured JSON logger (Powertools). Never log tokens, bodies or minutes text."""
from __future__ import annotations

from aws_lambda_powertools import Logger

logger = Logger(service="gongjian")
