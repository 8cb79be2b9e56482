"""Every list of the demo district, walked from the route declarations (a list route added tomorrow is
walked tomorrow): paging follows `next_cursor` to the end with nothing missing or repeated, under
every filter value; and for each role, every item a list shows can be opened by that caller."""
from __future__ import annotations

import re
from typing import Any

import pytest

from conftest import token
from functions.tenancy import TENANT_ROLES
from functions.periods import previous_month


def list_routes() -> list[Any]:
    import app  # noqa: F401  (registers the declarations)
    from functions.api.declaration import OPERATIONS

    return [op for (method, _), op in sorted(OPERATIONS.items()) if method == "GET" and op.pages]


@pytest.fixture(scope="module")
def demo(api, demo_tenant) -> dict[str, str]:
    """The demo district, and one id of each parent a nested list needs."""
    admin = token("district_admin", demo_tenant)
    ids = {"tenant": demo_tenant, "period": previous_month("Asia/Shanghai")}
    for name, path in (("pairing_id", "/v1/pairings"), ("alliance_id", "/v1/alliances"),
                       ("meeting_id", "/v1/meetings"), ("programme_id", "/v1/programmes")):
        items = api.get(f"{path}?limit=200", admin).json["items"]
        # the parent with the most children makes the longest walk
        ids[name] = items[0]["id"] if name != "meeting_id" else next(
            (m["id"] for m in items if m.get("decision_count") or m.get("decisions")), items[0]["id"])
    decided = api.get("/v1/actions?limit=1", admin).json["items"]
    if decided:
        ids["meeting_id"] = decided[0].get("meeting_id", ids["meeting_id"])
    return ids


def required_query(op: Any, ids: dict[str, str]) -> dict[str, str]:
    values = {"month": ids["period"], "quarter": f"{ids['period'][:4]}-Q{(int(ids['period'][5:]) - 1) // 3 + 1}"}
    return {p.name: values[p.kind] for p in op.query if p.required}


def variants(op: Any) -> list[dict[str, str]]:
    """No filter, and each value of each enum or boolean filter."""
    out: list[dict[str, str]] = [{}]
    for p in op.query:
        if p.kind == "enum":
            out += [{p.name: value} for value in p.enum]
        elif p.kind == "boolean":
            out.append({p.name: "true"})
    return out


def walk(api, path: str, who: str, query: dict[str, str], limit: int) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = []
    cursor = None
    for _ in range(1000):
        params = {**query, "limit": str(limit), **({"cursor": cursor} if cursor else {})}
        r = api.get(path + "?" + "&".join(f"{k}={v}" for k, v in params.items()), who)
        assert r.status == 200, (path, params, r)
        items += r.json["items"]
        cursor = r.json["next_cursor"]
        if not cursor:
            return items
    raise AssertionError(f"{path} never ended")


def identity(item: dict[str, Any]) -> str:
    return str(item.get("id") or item.get("unit_id") or item.get("committee_id") or sorted(item.items()))


def test_paging_follows_every_cursor_to_the_end(api, demo):
    admin = token("district_admin", demo["tenant"])
    walked, longest = 0, 0
    for op in list_routes():
        if op.path == "/v1/tenants":
            continue
        path = re.sub(r"{(\w+)}", lambda m: demo[m.group(1)], op.path)
        for variant in variants(op):
            query = {**required_query(op, demo), **variant}
            whole = walk(api, path, admin, query, 200)
            paged = walk(api, path, admin, query, 3)
            keys = [identity(i) for i in paged]
            assert len(keys) == len(set(keys)), (op.path, variant, "repeated items")
            assert sorted(keys) == sorted(identity(i) for i in whole), (op.path, variant, "missing items")
            walked += 1
            longest = max(longest, len(paged))
    assert walked >= len(list_routes()) and longest >= 151  # incidents, 3 a page: 51 cursors followed


def test_audit_log_pages_past_its_first_page(api, demo):
    """Once the audit log's cursor was longer than 200 characters and page 2 was a 400."""
    admin = token("district_admin", demo["tenant"])
    first = api.get("/v1/audit-log?limit=5", admin).json
    second = api.get(f"/v1/audit-log?limit=5&cursor={first['next_cursor']}", admin)
    assert second.status == 200 and second.json["items"][0]["seq"] > first["items"][-1]["seq"]


def openable(op: Any) -> str | None:
    """The read route of a list's items (`/v1/incidents` → `/v1/incidents/{incident_id}`), if any."""
    from functions.api.declaration import OPERATIONS

    for (method, path), _ in OPERATIONS.items():
        if method == "GET" and re.fullmatch(re.escape(op.path) + r"/\{\w+_id\}", path):
            return path
    return None


@pytest.mark.parametrize("role", sorted(TENANT_ROLES - {"district_admin"}))
def test_every_listed_item_can_be_opened_by_its_viewer(api, demo, role):
    """Every role below the district admin, holding every scope claim at once (only its role's count)."""
    admin = token("district_admin", demo["tenant"])
    grids = api.get("/v1/grids?limit=200", admin).json["items"]
    grid = grids[7]
    community = api.get(f"/v1/communities/{grid['community_id']}", admin).json
    department = next(d for d in api.get("/v1/departments", admin).json["items"] if d["name"] == "港北区工商局")
    unit = api.get(f"/v1/units?community_id={community['id']}&limit=1", admin).json["items"][0]
    who = token(role, demo["tenant"], sub="viewer-1" if role in ("member", "resident") else f"{role}-1",
                communities=[grid["community_id"]], grids=[grid["id"]], streets=[community["street_id"]],
                departments=[department["id"]], units=[unit["id"]])
    checked = 0
    for op in list_routes():
        read = openable(op)
        if read is None or op.path == "/v1/tenants":
            continue
        path = re.sub(r"{(\w+)}", lambda m: demo[m.group(1)], op.path)
        for variant in variants(op):
            r = api.get(path + "?" + "&".join(f"{k}={v}" for k, v in {**required_query(op, demo), **variant, "limit": "200"}.items()), who)
            if r.status in (403, 404):
                continue  # the role may not list these at all
            assert r.status == 200, (op.path, r)
            for item in r.json["items"]:
                opened = api.get(re.sub(r"{\w+_id}$", item["id"], re.sub(r"{(\w+)}(?=/)", lambda m: demo[m.group(1)], read)), who)
                assert opened.status == 200, (role, op.path, variant, item["id"], opened)
                checked += 1
    assert role in ("member", "resident", "employer") or checked > 0


def test_lists_no_longer_leak_other_scopes(api, demo):
    admin = token("district_admin", demo["tenant"])
    incidents = walk(api, "/v1/incidents", admin, {}, 200)
    community = incidents[0]["community_id"]
    staff = token("community_staff", demo["tenant"], communities=[community])
    seen = walk(api, "/v1/incidents", staff, {}, 50)
    assert seen and {i["community_id"] for i in seen} == {community}
    assert len(seen) == sum(1 for i in incidents if i["community_id"] == community)

    overdue = walk(api, "/v1/incidents", admin, {"overdue": "true"}, 200)
    grid = overdue[0]["grid_id"]
    worker = token("grid_worker", demo["tenant"], grids=[grid])
    mine = walk(api, "/v1/incidents", worker, {"grid_id": grid, "overdue": "true"}, 50)
    assert mine and {i["grid_id"] for i in mine} == {grid}

    member = token("member", demo["tenant"], sub="resident-nobody")
    assert walk(api, "/v1/service-requests", member, {}, 50) == []
    programme = demo["programme_id"]
    assert api.get(f"/v1/programmes/{programme}/participants", member).status == 403
    assert api.get("/v1/volunteer-reports?quarter=2026-Q3", member).status == 403
