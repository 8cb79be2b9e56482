"""Serve the app over HTTP on loopback, many requests at once, each app request alone in its process.

A pool of worker processes shares one listening socket. Each worker imports its own `app` once and
serves one connection at a time, one request per connection (`Connection: close`), with Chalice's
own local gateway turning the request into the API Gateway event the app gets in Lambda. A worker
calls accept() only when it is idle, so the kernel hands every new request to a worker that is free:
a slow request holds up no other, and a page that makes ten calls is served by all the workers at once.

Why processes and not a thread per request: the app is written for Lambda, where a container never
runs two requests at once. Chalice keeps `current_request` on the app object, and the log keys, the
tenant in scope (`functions.tenant_credentials`) and the per-container caches are module state;
separate processes keep all of that true without making any of it thread-safe, and they use every
core (threads would share one interpreter lock for the app's Python work). Why one request per
connection: a worker holding an idle keep-alive connection could not take the next request, and the
request would wait behind it; a new loopback connection costs far less than that. What it costs:
each worker pays its own cold start (before `Server` returns) and keeps its own tenant-profile cache,
as Lambda containers do.

    serve(port)        # what `make run` and the tests' `base_url` do; blocks
    Server(port, workers=10, app="module:attribute", log_requests=False)  # then .serve_forever(), .shutdown()

`GONGJIAN_LOCAL_WORKERS` sets the number of workers (default: twice the cores, 2 to 8).
"""
from __future__ import annotations

import importlib
import mimetypes
import multiprocessing
import os
import signal
import socket
import threading
import time
from http.server import HTTPServer
from pathlib import Path
from typing import Any, cast

from chalice.app import Chalice
from chalice.config import Config
from chalice.local import ChaliceRequestHandler, LocalGatewayException

APP = "app:app"
mimetypes.add_type("application/manifest+json", ".webmanifest")  # the field app's, for installing it
# The console's bundle (`make web-build`); GONGJIAN_WEB_DIST points elsewhere (a build of one's own).
WEB_DIST = Path(os.environ.get("GONGJIAN_WEB_DIST") or Path(__file__).resolve().parents[2] / "web" / "dist")
WORKER_START_SECONDS = 180


def default_workers() -> int:
    configured = os.environ.get("GONGJIAN_LOCAL_WORKERS")
    return int(configured) if configured else min(8, max(2, 2 * (os.cpu_count() or 1)))


def load_app(ref: str) -> Chalice:
    """`module:attribute` (`app:app` for ours) → the Chalice object."""
    module, _, name = ref.partition(":")
    return cast(Chalice, getattr(importlib.import_module(module), name or "app"))


class Handler(ChaliceRequestHandler):
    # Methods the standard library server would answer with its own 501 HTML page: the app answers
    # them (405 with Allow on a known path) like any other.
    do_TRACE = do_CONNECT = ChaliceRequestHandler._generic_handle

    log_requests = True
    web_dist: Path | None = None  # the console's bundle, served beside our app (not beside test apps)

    def do_GET(self) -> None:
        """The API's own paths go to the app; any other GET is the web console or, under /field/,
        the field app, when built (`web/dist`, made by `make run`): a file it has, else the app's
        `index.html` (its own routes), as a static host in front of the app would answer."""
        web = self.web_dist
        if web is not None and self.path.startswith("/local/"):
            self._sign_in()
            return
        if web is None or not web.is_dir() or self.path.startswith(("/v1/", "/docs")) or self.path == "/v1":
            self._generic_handle()
            return
        path = (web / self.path.split("?", 1)[0].lstrip("/")).resolve()
        if not path.is_file() or web.resolve() not in path.parents:
            # the app's own routes: the field app's under /field/, the console's elsewhere
            path = web / "field" / "index.html" if self.path.startswith("/field") else web / "index.html"
        body = path.read_bytes()
        kind = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        self.send_response(200)
        self.send_header("Content-Type", f"{kind}; charset=utf-8" if kind.startswith("text/") else kind)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_POST(self) -> None:
        if self.web_dist is not None and self.path.startswith("/local/"):
            self._sign_in()
        else:
            self._generic_handle()

    def _sign_in(self) -> None:
        """The local sign-in page's calls (`infra.local.sign_in`): this server's, not the app's."""
        from infra.local import sign_in

        length = int(self.headers.get("content-length") or 0)
        status, body = sign_in.answer(self.command, self.path, self.rfile.read(length) if length else b"")
        self.send_response(status)
        self.send_header("Content-Type", "application/json; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def handle(self) -> None:
        """One request, then the connection closes and the worker is free for the next one."""
        self.close_connection = True
        self.handle_one_request()

    def end_headers(self) -> None:
        self.send_header("Connection", "close")
        super().end_headers()

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


class _SharedSocketServer(HTTPServer):
    """An HTTP server accepting on a socket it was handed (the pool's), one connection at a time."""

    def __init__(self, listening: socket.socket, handler: Any) -> None:
        super().__init__(listening.getsockname()[:2], handler, bind_and_activate=False)
        self.socket.close()
        self.socket = listening


def _worker(listening: socket.socket, ref: str, log_requests: bool, ready: Any) -> None:
    web = WEB_DIST if ref == APP else None
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is for the process that started the pool
    app = load_app(ref)
    config = Config.create(chalice_app=app, app_name="gongjian", chalice_stage="local")
    handler: type[Handler] = type("Handler", (Handler,), {"log_requests": log_requests, "web_dist": web})

    def make_handler(request: Any, client_address: Any, server: Any) -> Handler:
        return handler(request, client_address, server, app_object=app, config=config)

    server = _SharedSocketServer(listening, make_handler)
    ready.release()
    server.serve_forever()


class Server:
    """The listening socket, then the workers, each ready (its app imported) before this returns."""

    def __init__(self, port: int, host: str = "127.0.0.1", *, workers: int | None = None, app: str = APP,
                 log_requests: bool = True) -> None:
        self.workers = workers or default_workers()
        self.socket = socket.create_server((host, port), backlog=128)
        self._spawn = multiprocessing.get_context("spawn")  # never fork a process that already runs threads
        self._ready = self._spawn.Semaphore(0)
        self._args = (self.socket, app, log_requests, self._ready)
        self._stopped = threading.Event()
        self.processes = [self._start() for _ in range(self.workers)]
        deadline, started = time.monotonic() + WORKER_START_SECONDS, 0
        while started < self.workers:
            if self._ready.acquire(timeout=0.2):
                started += 1
            elif time.monotonic() > deadline or any(p.exitcode is not None for p in self.processes):
                self.shutdown()
                raise RuntimeError(f"{self.workers - started} of {self.workers} API workers did not start (see their output above)")

    def _start(self) -> Any:
        process = self._spawn.Process(target=_worker, args=self._args, daemon=True)
        process.start()
        return process

    def serve_forever(self) -> None:
        """Keep the pool full (a worker that died is replaced) until shutdown()."""
        while not self._stopped.wait(1.0):
            for i, process in enumerate(self.processes):
                if not process.is_alive():
                    self.processes[i] = self._start()

    def shutdown(self) -> None:
        self._stopped.set()
        for process in self.processes:
            process.terminate()
        for process in self.processes:
            process.join(10)
        self.socket.close()


def serve(port: int, host: str = "127.0.0.1", *, workers: int | None = None, app: str = APP,
          log_requests: bool = True) -> None:
    """Serve until interrupted, then stop the workers: they ignore Ctrl-C, and Python's exit would
    otherwise wait on them forever."""
    running = Server(port, host, workers=workers, app=app, log_requests=log_requests)
    try:
        running.serve_forever()
    finally:
        running.shutdown()
