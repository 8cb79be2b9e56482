"""Serve the same `app` object over HTTP on loopback, as `chalice local` does.

Chalice keeps `current_request` on the app object, so two requests handled at once in threads
could see each other's request; this server handles one request at a time for that reason.
"""
from __future__ import annotations

from http.server import HTTPServer

from chalice.config import Config
from chalice.local import create_local_server


def serve(port: int, host: str = "127.0.0.1") -> None:
    from app import app

    config = Config.create(chalice_app=app, app_name="gongjian", chalice_stage="local")
    local = create_local_server(app, config, host, port)
    local.server.server_close()
    local.server = HTTPServer((host, port), local._wrapped_handler)
    local.serve_forever()
