"""The OpenAPI 3.1 document, built from the app's route table and `schemas/`, so it cannot drift
from what the code serves.

Request bodies follow the handler names: a handler `verb_thing` takes `schemas/verb-thing.json`
if there is one (`approve-minutes-revision.json`); else `create_<thing>` takes `schemas/<thing>.json`
and `update_<thing>` the PATCH form of `<thing>` (see `functions.validation.patch_schema`).
A test checks every route that takes a JSON body has one.
"""
from __future__ import annotations

import re
from functools import lru_cache
from typing import Any

from functions import validation
from functions.api.middleware import PUBLIC_ROUTES

WRITE_METHODS = {"POST", "PUT", "PATCH"}
PROBLEM_REF = {"$ref": "#/components/responses/Problem"}


def body_schema(view_name: str) -> tuple[str, dict[str, Any]] | None:
    """(schema name, schema) for a handler's JSON body, or None if it takes none."""
    whole = view_name.replace("_", "-")
    if (validation.SCHEMA_DIR / f"{whole}.json").exists():
        return whole, validation.load(whole)
    verb, _, noun = whole.partition("-")
    if verb == "create" and (validation.SCHEMA_DIR / f"{noun}.json").exists():
        return noun, validation.load(noun)
    if verb == "update" and (validation.SCHEMA_DIR / f"{noun}.json").exists():
        return f"{noun}-patch", validation.patch_schema(noun)
    return None


def _operation(path: str, method: str, entry: Any) -> tuple[dict[str, Any], tuple[str, dict] | None]:
    doc = (entry.view_function.__doc__ or "").strip()
    tag = path.split("/")[2] if path.startswith("/v1/") else "docs"
    op: dict[str, Any] = {
        "operationId": entry.view_name,
        "tags": [tag],
        "summary": doc.splitlines()[0] if doc else entry.view_name.replace("_", " "),
        "responses": {
            "200" if method in ("GET", "PATCH", "PUT") else ("204" if method == "DELETE" else "201"): {
                "description": "OK", "content": {"application/json": {"schema": {"type": "object"}}}},
            "400": PROBLEM_REF, "404": PROBLEM_REF,
        },
    }
    params = [{"name": name, "in": "path", "required": True, "schema": {"type": "string"}}
              for name in re.findall(r"{(\w+)}", path)]
    if method == "GET" and not params and path not in PUBLIC_ROUTES:
        params += [{"name": "limit", "in": "query", "schema": {"type": "integer", "minimum": 1, "maximum": 200}},
                   {"name": "cursor", "in": "query", "schema": {"type": "string"}}]
    if method == "DELETE":
        params.append({"name": "If-Match", "in": "header", "schema": {"type": "string"}})
    if method == "POST":
        params.append({"name": "Idempotency-Key", "in": "header", "schema": {"type": "string", "maxLength": 200}})
    if params:
        op["parameters"] = params
    if path not in PUBLIC_ROUTES:
        op["security"] = [{"bearer": []}]
        op["responses"].update({"401": PROBLEM_REF, "403": PROBLEM_REF})
    schema = body_schema(entry.view_name) if method in WRITE_METHODS else None
    if schema:
        op["requestBody"] = {"required": True, "content": {"application/json": {
            "schema": {"$ref": f"#/components/schemas/{schema[0]}"}}}}
        op["responses"]["409"] = PROBLEM_REF
    return op, schema


@lru_cache(maxsize=1)
def document() -> dict[str, Any]:
    from app import app  # the route table is the source of truth

    paths: dict[str, Any] = {}
    schemas: dict[str, Any] = {}
    for path, methods in sorted(app.routes.items()):
        for method, entry in sorted(methods.items()):
            op, schema = _operation(path, method, entry)
            paths.setdefault(path, {})[method.lower()] = op
            if schema:
                schemas[schema[0]] = {k: v for k, v in schema[1].items() if k not in ("$schema", "$id")}
    schemas["Problem"] = {
        "type": "object",
        "properties": {"type": {"type": "string"}, "title": {"type": "string"}, "status": {"type": "integer"},
                       "detail": {"type": "string"},
                       "errors": {"type": "array", "items": {"type": "object", "properties": {
                           "path": {"type": "string"}, "message": {"type": "string"}}}}},
        "required": ["type", "title", "status"],
    }
    return {
        "openapi": "3.1.0",
        "info": {"title": "共建 Gongjian API", "version": "1.0.0",
                 "description": "大党委社区治理 SaaS 接口 / Community governance API for districts"},
        "servers": [{"url": "/"}],
        "paths": paths,
        "components": {
            "schemas": schemas,
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer", "bearerFormat": "JWT"}},
            "responses": {"Problem": {"description": "问题详情 / problem details (RFC 9457)",
                                      "content": {"application/problem+json": {
                                          "schema": {"$ref": "#/components/schemas/Problem"}}}}},
        },
    }


def html_page() -> str:
    """A self-contained page that renders the OpenAPI document (no third-party scripts)."""
    return _PAGE


_PAGE = """<!doctype html>
<html lang="zh-CN"><head><meta charset="utf-8"><title>共建 Gongjian API 文档</title>
<style>body{font-family:system-ui,"PingFang SC","Microsoft YaHei",sans-serif;margin:2em;max-width:70em}
h2{border-bottom:1px solid #ccc}details{margin:.3em 0}summary{cursor:pointer}
code.m{display:inline-block;width:4.5em;font-weight:bold}.GET{color:#0a7}.POST{color:#07c}.PATCH{color:#c70}
.DELETE{color:#c00}.PUT{color:#70c}pre{background:#f6f6f6;padding:.6em;overflow:auto}</style></head>
<body><h1>共建 Gongjian API</h1><p>接口说明 / API reference — <a href="/v1/openapi.json">openapi.json</a></p>
<div id="ops">加载中… / loading…</div>
<script>
fetch('/v1/openapi.json').then(r=>r.json()).then(doc=>{
  const byTag={};
  for(const [path,ops] of Object.entries(doc.paths))for(const [m,op] of Object.entries(ops))
    (byTag[op.tags[0]]=byTag[op.tags[0]]||[]).push([m.toUpperCase(),path,op]);
  const out=document.getElementById('ops');out.textContent='';
  for(const [tag,list] of Object.entries(byTag)){
    const h=document.createElement('h2');h.textContent=tag;out.appendChild(h);
    for(const [m,path,op] of list){
      const d=document.createElement('details'),s=document.createElement('summary');
      s.innerHTML='<code class="m '+m+'">'+m+'</code> <code></code> — <span></span>';
      s.children[1].textContent=path;s.children[2].textContent=op.summary;d.appendChild(s);
      const ref=op.requestBody&&op.requestBody.content['application/json'].schema.$ref;
      if(ref){const p=document.createElement('pre');
        p.textContent=JSON.stringify(doc.components.schemas[ref.split('/').pop()],null,2);d.appendChild(p);}
      out.appendChild(d);
    }
  }
});
</script></body></html>
"""
