"""A local sink for robot and webhook calls: a small HTTP server on loopback that records every call
so a developer can watch them (`GET /_calls`) and the tests can assert them.

It answers like the robots do: `{"errcode": 0, "errmsg": "ok"}`; a path containing `/fail` answers
500, one containing `/refuse` answers 200 with a robot's error code (to exercise retries), and one
containing `/redirect` answers 302 (which the app must not follow).
"""
from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


class Sink:
    """The server and what it received, in order."""

    def __init__(self, port: int = 0) -> None:
        self.calls: list[dict[str, Any]] = []
        sink = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 (the http.server interface)
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(length)
                try:
                    body: Any = json.loads(raw)
                except ValueError:
                    body = raw.decode(errors="replace")
                sink.calls.append({"path": self.path, "headers": {k.lower(): v for k, v in self.headers.items()},
                                   "body": body, "raw": raw.decode(errors="replace")})
                if "/redirect" in self.path:  # a target that tries to send the caller elsewhere
                    self.send_response(302)
                    self.send_header("Location", f"{sink.url}/secret-target")
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                elif "/fail" in self.path:
                    self._answer(500, {"error": "sink told to fail"})
                elif "/refuse" in self.path:
                    self._answer(200, {"errcode": 310000, "errmsg": "sign not match"})
                else:
                    self._answer(200, {"errcode": 0, "errmsg": "ok"})

            def do_GET(self) -> None:  # noqa: N802
                self._answer(200, [{k: v for k, v in c.items() if k != "raw"} for c in sink.calls])

            def _answer(self, status: int, body: Any) -> None:
                data = json.dumps(body, ensure_ascii=False).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json; charset=utf-8")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", port), Handler)
        self.port = self.server.server_address[1]
        self.url = f"http://127.0.0.1:{self.port}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def paths(self, prefix: str) -> list[dict[str, Any]]:
        return [c for c in self.calls if c["path"].startswith(prefix)]

    def close(self) -> None:
        self.server.shutdown()
