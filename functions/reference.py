"""The API reference at `/docs`: Swagger UI from the `swagger-ui-py` package (served by us, so it
works offline and loads nothing from a CDN), pointed at `/v1/openapi.json`, with an auth box for the
bearer token and try-it against the stage that serves it."""
from __future__ import annotations

from functools import lru_cache
from importlib import resources

ASSETS = {"swagger-ui-bundle.js": "text/javascript; charset=utf-8", "swagger-ui.css": "text/css; charset=utf-8"}

PAGE = """<!doctype html>
<html lang="zh-CN"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>共建 Gongjian API 参考 / API reference</title>
<link rel="stylesheet" href="/docs/swagger-ui.css">
<style>body{margin:0;font-family:system-ui,"PingFang SC","Microsoft YaHei",sans-serif}
header{padding:.8em 1.2em;background:#b71c1c;color:#fff}header a{color:#fff}</style></head>
<body><header>共建 Gongjian API 参考 / API reference —
先点 Authorize 填入令牌（本地：<code>make token</code>）/ click Authorize and paste a token (locally: <code>make token</code>)</header>
<div id="swagger-ui"></div>
<script src="/docs/swagger-ui-bundle.js"></script>
<script>
window.ui = SwaggerUIBundle({url: "/v1/openapi.json", dom_id: "#swagger-ui", deepLinking: true,
  persistAuthorization: true, tryItOutEnabled: true, displayRequestDuration: true, filter: true,
  requestInterceptor: function (req) { req.headers["Accept-Language"] = req.headers["Accept-Language"] || "zh-CN"; return req; }});
</script></body></html>
"""


def page() -> str:
    return PAGE


@lru_cache(maxsize=len(ASSETS))
def asset(name: str) -> tuple[str, str] | None:
    """(text, content type) of one of the reference page's files, or None for any other name."""
    if name not in ASSETS:
        return None
    text = resources.files("swagger_ui").joinpath("static", name).read_text(encoding="utf-8")
    return text, ASSETS[name]
