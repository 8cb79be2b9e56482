"""Serve the app over HTTP on loopback, many requests at once, each app request alone in its process.

A front process accepts connections on threads (clients keep HTTP/1.1 connections alive), turns each
request into the API Gateway event Lambda would get (Chalice's own local gateway does that), and hands
the event to a pool of worker processes. Each worker imports its own `app` once and runs one event at a
time, as a Lambda container does; the next event goes to whichever worker is free, so a slow request
holds up no other and a page that makes ten calls is served by all the workers together.

Why processes and not a thread per request: the app is written for Lambda, where a container never
runs two requests at once. Chalice keeps `current_request` on the app object, and the log keys, the
tenant in scope (`functions.tenant_credentials`) and the per-container caches are module state;
workers keep all of that true without making any of it thread-safe, and they use every core (threads
would share one interpreter lock for the app's Python work). What it costs: each worker pays its own
cold start (in the background, before the port opens) and its own tenant-profile cache, as containers do.

    serve(port)                       # what `make run` and the tests' `base_url` do; blocks
    Server(port, workers=10, app="module:attr", log_requests=False)   # .serve_forever() / .shutdown()

`GONGJIAN_LOCAL_WORKERS` sets the number of workers (default: twice the cores, 2 to 8).
"""
from __future__ import annotations

import functools
import importlib
import multiprocessing
import os
import signal
from typing import Any, cast

from chalice.app import Chalice
from chalice.config import Config
from chalice.local import ChaliceRequestHandler, LocalGatewayException, ThreadedHTTPServer

APP = "app:app"
LAMBDA_TIMEOUT_SECONDS = 900  # the longest a Lambda invocation runs
WORKER_START_SECONDS = 180

_worker_app: Chalice | None = None


def default_workers() -> int:
    configured = os.environ.get("GONGJIAN_LOCAL_WORKERS")
    return int(configured) if configured else min(8, max(2, 2 * (os.cpu_count() or 1)))


def load_app(ref: str) -> Chalice:
    """`module:attribute` (`app:app` for ours) → the Chalice object."""
    module, _, name = ref.partition(":")
    return cast(Chalice, getattr(importlib.import_module(module), name or "app"))


def _start_worker(ref: str, ready: Any) -> None:
    global _worker_app
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the front process's; its workers end with it
    _worker_app = load_app(ref)
    ready.release()


def _invoke(event: dict[str, Any], context: Any) -> dict[str, Any]:
    assert _worker_app is not None
    response: dict[str, Any] = _worker_app(event, context)
    return response


class _Workers:
    """What the local gateway calls as the app: the route table is the app's, the call runs in a worker."""

    def __init__(self, app: Chalice, pool: Any) -> None:
        self.routes, self.api, self._pool = app.routes, app.api, pool

    def __call__(self, event: dict[str, Any], context: Any) -> dict[str, Any]:
        response: dict[str, Any] = self._pool.apply_async(_invoke, (event, context)).get(LAMBDA_TIMEOUT_SECONDS)
        return response


class Handler(ChaliceRequestHandler):
    # Methods the standard library server would answer with its own 501 HTML page: the app answers
    # them (405 with Allow on a known path) like any other.
    do_TRACE = do_CONNECT = ChaliceRequestHandler._generic_handle

    log_requests = True

    def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
        if self.log_requests:
            super().log_request(code, size)

    def _send_error_response(self, error: LocalGatewayException) -> None:
        """No route matches the path: a 404 problem, as the gateway's MISSING_AUTHENTICATION_TOKEN
        response in the template answers (never Chalice's SigV4 wording, which echoes the token)."""
        from functions.api.middleware import problem_response
        from functions.errors import NotFound, language

        lang = language(self.headers.get("accept-language"))
        response = problem_response(NotFound(), lang)
        self._send_http_response(404, dict(response.headers), response.body)


class Server:
    """The workers, started and ready, then the listening socket."""

    def __init__(self, port: int, host: str = "127.0.0.1", *, workers: int | None = None, app: str = APP,
                 log_requests: bool = True) -> None:
        front = load_app(app)  # its route table turns paths into events; it never runs a request here
        self.workers = count = workers or default_workers()
        spawn = multiprocessing.get_context("spawn")  # never fork a process that already runs threads
        ready = spawn.Semaphore(0)
        self.pool = spawn.Pool(count, initializer=_start_worker, initargs=(app, ready))
        for _ in range(count):
            if not ready.acquire(timeout=WORKER_START_SECONDS):
                self.pool.terminate()
                raise RuntimeError(f"the API workers did not start within {WORKER_START_SECONDS}s")
        config = Config.create(chalice_app=front, app_name="gongjian", chalice_stage="local")
        handler = type("Handler", (Handler,), {"log_requests": log_requests})
        self.httpd = ThreadedHTTPServer((host, port), functools.partial(
            handler, app_object=cast(Chalice, _Workers(front, self.pool)), config=config))

    def serve_forever(self) -> None:
        self.httpd.serve_forever()

    def shutdown(self) -> None:
        """From another thread than the one serving."""
        self.httpd.shutdown()
        self.httpd.server_close()
        self.pool.terminate()
        self.pool.join()


def serve(port: int, host: str = "127.0.0.1", *, workers: int | None = None, app: str = APP,
          log_requests: bool = True) -> None:
    Server(port, host, workers=workers, app=app, log_requests=log_requests).serve_forever()
