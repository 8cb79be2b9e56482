"""Serve the same `app` object over HTTP on loopback, as `chalice local` does.

Connections are handled on threads (clients keep HTTP/1.1 connections alive, so a one-at-a-time
server would serve one client until it hangs up), but the app itself runs one request at a time:
Chalice keeps `current_request` on the app object, so two requests inside it at once could see
each other's request.
"""
from __future__ import annotations

import threading

from chalice.config import Config
from chalice.local import (ChaliceRequestHandler, LocalChalice, LocalDevServer, LocalGatewayException,
                           create_local_server)

_one_request_at_a_time = threading.Lock()


class SerialisedHandler(ChaliceRequestHandler):
    def _generic_handle(self) -> None:
        with _one_request_at_a_time:
            super()._generic_handle()

    # Methods the standard library server would answer with its own 501 HTML page: the app answers
    # them (405 with Allow on a known path) like any other.
    do_TRACE = do_CONNECT = _generic_handle

    def _send_error_response(self, error: LocalGatewayException) -> None:
        """No route matches the path: a 404 problem, as the gateway's MISSING_AUTHENTICATION_TOKEN
        response in the template answers (never Chalice's SigV4 wording, which echoes the token)."""
        from functions.api.middleware import problem_response
        from functions.errors import NotFound, language

        lang = language(self.headers.get("accept-language"))
        response = problem_response(NotFound(), lang)
        self._send_http_response(404, dict(response.headers), response.body)


def serve(port: int, host: str = "127.0.0.1") -> None:
    from app import app

    config = Config.create(chalice_app=app, app_name="gongjian", chalice_stage="local")
    if not isinstance(app, LocalChalice):  # Chalice swaps the app's class once; a second swap would loop
        create_local_server(app, config, host, port).server.server_close()
    LocalDevServer(app, config, host, port, handler_cls=SerialisedHandler).serve_forever()
