"""Platform tenants: platform admins only; suspension makes a tenant read-only (423)."""
from conftest import make_tenant, token


def test_create_list_get(api, platform_token):
    tid = make_tenant(api, platform_token, timezone="Asia/Shanghai")
    assert api.get(f"/v1/tenants/{tid}", platform_token).json["status"] == "active"
    listed = api.all_items("/v1/tenants", platform_token)
    assert tid in {t["id"] for t in listed}


def test_duplicate_id_is_409(api, platform_token):
    tid = make_tenant(api, platform_token)
    r = api.post("/v1/tenants", platform_token, {"id": tid, "name": "again", "tier": "basic"})
    assert r.status == 409, r


def test_bad_tenant_fields(api, platform_token):
    r = api.post("/v1/tenants", platform_token, {"id": "Bad_Id", "name": "x", "tier": "gold"})
    assert r.status == 400 and {e["path"] for e in r.json["errors"]} == {"/id", "/tier"}
    r = api.post("/v1/tenants", platform_token, {"id": "tz-test", "name": "x", "tier": "basic", "timezone": "Mars/Olympus"})
    assert r.status == 400 and r.json["errors"][0]["path"] == "/timezone"


def test_only_platform_admin(api, tenant, admin):
    assert api.get("/v1/tenants", admin).status == 403
    assert api.post("/v1/tenants", admin, {"id": "sneaky", "name": "x", "tier": "basic"}).status == 403
    assert api.get(f"/v1/tenants/{tenant}", token("auditor", audit_tenants=[tenant])).status == 403


def test_suspended_tenant_reads_but_cannot_write(api, platform_token, tenant, admin):
    assert api.post("/v1/streets", admin, {"name": "贵城街道"}).status == 201
    r = api.patch(f"/v1/tenants/{tenant}", platform_token, {"status": "suspended", "version": 1})
    assert r.status == 200 and r.json["status"] == "suspended"
    assert api.get("/v1/streets", admin).status == 200
    blocked = api.post("/v1/streets", admin, {"name": "港城街道"})
    assert blocked.status == 423 and blocked.json["status"] == 423
    assert api.patch(f"/v1/tenants/{tenant}", platform_token, {"status": "active", "version": 1}).status == 409
    assert api.patch(f"/v1/tenants/{tenant}", platform_token, {"status": "active", "version": 2}).status == 200
    assert api.post("/v1/streets", admin, {"name": "港城街道"}).status == 201
