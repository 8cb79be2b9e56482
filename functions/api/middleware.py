"""The one HTTP middleware: authenticate, map errors to problem+json, log one line per request.

Every route needs a valid bearer token unless its declaration says `public`: a new route is
protected the day it is added. Errors from our code (`ProblemError`) and Chalice's own error bodies (405, 415, 500…)
all leave as RFC 9457 problem details in the caller's language.
"""
from __future__ import annotations

import json
import time
from typing import Any
from collections.abc import Callable

from chalice.app import CORSConfig, Request, Response

from functions import config, tenant_credentials
from functions.api.declaration import OPERATIONS, job_location
from functions.auth import verify_bearer
from functions.errors import CHALICE_CODES, IdempotentReplay, MethodNotAllowed, NotFound, PayloadTooLarge, ProblemError, language
from functions.log import logger

CORS = CORSConfig(allow_origin=config.CORS_ORIGIN, max_age=600,
                  allow_headers=["Authorization", "Content-Type", "Idempotency-Key", "If-Match", "X-Tenant", "Accept-Language"],
                  expose_headers=["ETag", "Retry-After", "Idempotent-Replayed", "Content-Language", "Location"])
PROBLEM = "application/problem+json; charset=utf-8"
MAX_BODY = 1024 * 1024
MAX_PATH_PARAM = 200


def problem_response(error: ProblemError, lang: str) -> Response:
    headers: dict[str, str | list[str]] = {"Content-Type": PROBLEM, "Content-Language": "en" if lang == "en" else "zh-CN",
                                           **error.headers}
    return Response(body=json.dumps(error.to_problem(lang), ensure_ascii=False), status_code=error.status,
                    headers=headers)


def _from_chalice_error(response: Response, lang: str) -> Response:
    """Chalice answers some failures itself with `{"Code", "Message"}`; give them our shape."""
    error_class = CHALICE_CODES.get(response.status_code, ProblemError)
    error = error_class()
    error.status = response.status_code
    headers = {k: v for k, v in response.headers.items() if k.lower() != "content-type"}
    out = problem_response(error, lang)
    out.headers.update(headers)
    return out


def handle_request(event: Request, get_response: Callable[[Request], Response]) -> Response:
    started = time.perf_counter()
    lang = language(event.headers.get("accept-language"))
    route = event.context.get("resourcePath", event.path)
    principal = None
    try:
        if len(event.raw_body or b"") > MAX_BODY:
            raise PayloadTooLarge()
        if any(len(v) > MAX_PATH_PARAM for v in (event.uri_params or {}).values()):
            raise NotFound()  # no id is that long; it would not fit in a key either
        declared = OPERATIONS.get((event.method, route))
        if declared is None and event.method != "OPTIONS":
            allowed = sorted(method for method, path in OPERATIONS if path == route)
            raise MethodNotAllowed(headers={"Allow": ", ".join(allowed + ["OPTIONS"])}) if allowed else NotFound()
        if not (declared and declared.public) and event.method != "OPTIONS":
            principal = verify_bearer(event.headers.get("authorization"))
            event.context["principal"] = principal
        response = get_response(event)
        if response.status_code >= 400 and isinstance(response.body, dict) and "Code" in response.body:
            response = _from_chalice_error(response, lang)
    except IdempotentReplay as replay:
        replayed: dict[str, str | list[str]] = {"Content-Type": "application/json; charset=utf-8", "Idempotent-Replayed": "true"}
        location = job_location(replay.replay.body) if replay.replay.status == 202 else None
        if location:
            replayed["Location"] = location
        response = Response(body=json.dumps(replay.replay.body, ensure_ascii=False),
                            status_code=replay.replay.status, headers=replayed)
    except ProblemError as error:
        response = problem_response(error, lang)

    except Exception:  # a bug: log it with its stack, answer a problem without internals
        logger.exception("unhandled error", extra={"route": route})
        response = problem_response(ProblemError(), lang)
    tenant_credentials.leave()
    response.headers.setdefault("Access-Control-Allow-Origin", config.CORS_ORIGIN)  # problem answers too
    _log(event, route, principal, response.status_code, started)
    return response


def _log(event: Request, route: str, principal: Any, status: int, started: float) -> None:
    logger.info("request", extra={
        "request_id": event.context.get("requestId"),
        "tenant": getattr(principal, "tenant", None),
        "method": event.method,
        "route": route,
        "status": status,
        "latency_ms": round((time.perf_counter() - started) * 1000, 2),
    })
