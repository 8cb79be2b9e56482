"""Browser clients: CORS preflight and headers, through the local HTTP server (the test client's
OPTIONS cannot be used), including on problem answers."""
from __future__ import annotations

import requests



def test_preflight_allows_the_headers_clients_send(base_url):
    r = requests.options(f"{base_url}/v1/streets", headers={
        "Origin": "https://gongjian.example", "Access-Control-Request-Method": "POST",
        "Access-Control-Request-Headers": "authorization,content-type,idempotency-key"}, timeout=10)
    assert r.status_code == 200
    assert r.headers["Access-Control-Allow-Origin"] == "*"
    allowed = r.headers["Access-Control-Allow-Headers"].lower()
    assert "authorization" in allowed and "idempotency-key" in allowed and "if-match" in allowed
    assert "POST" in r.headers["Access-Control-Allow-Methods"]


def test_answers_carry_cors_headers_problems_included(base_url, admin):
    ok = requests.get(f"{base_url}/v1/streets", headers={"Authorization": f"Bearer {admin}", "Origin": "https://x"}, timeout=10)
    assert ok.status_code == 200 and ok.headers["Access-Control-Allow-Origin"] == "*"
    assert "ETag" in ok.headers.get("Access-Control-Expose-Headers", "")
    denied = requests.get(f"{base_url}/v1/streets", headers={"Origin": "https://x"}, timeout=10)
    assert denied.status_code == 401 and denied.headers["Access-Control-Allow-Origin"] == "*"
