"""The console's frame in a real browser (Debian's chromium, driven by Playwright), served by the
local server beside the API as `make run` serves it: signing in and out, the navigation each role
gets, the home screen's tasks, and a refused token."""
from __future__ import annotations

from browser import console, done, shot
from conftest import token

NAV = ["首页", "地图", "事件", "会议", "党组织", "服务", "考核", "审计", "设置"]


def nav(page) -> list[str]:
    return [item.inner_text().strip() for item in page.locator(".el-menu-item").all()]


def test_the_sign_in_page_lists_the_districts_people_and_signs_one_in_and_out(browser, base_url, demo_tenant):
    """Locally, the sign-in page's buttons are the demo district's users, named by person and role;
    one click signs in as them (a token the local server mints), sign-out forgets it all."""
    page = console(browser, base_url, None, f"/incidents?tenant={demo_tenant}")
    page.wait_for_url("**/sign-in?**")
    page.goto(f"{base_url}/sign-in?tenant={demo_tenant}&next=/incidents")
    admin = page.get_by_role("button", name="韦主任（区委组织部） 区管理员")
    admin.wait_for()
    assert page.get_by_role("button", name="荷城社区书记 韦建华 社区书记/工作人员").count() == 1
    assert page.get_by_role("button", name="中央巡视组 审计员 审计员").count() == 1
    shot(page, "console-sign-in")
    admin.click()
    page.wait_for_url("**/incidents")
    page.locator(".el-menu-item").first.wait_for()
    assert nav(page) == NAV
    assert "韦主任（区委组织部） · 区管理员" in page.locator("[data-test=who]").inner_text()
    assert page.evaluate("localStorage.getItem('gongjian.token')")
    page.get_by_role("button", name="退出登录").click()
    page.wait_for_url("**/sign-in")
    # nothing of the user's is left: only the deployment's config.json, kept again by the sign-in page
    assert page.evaluate("Object.keys(localStorage)") in ([], ["gongjian.config"])
    assert page.evaluate("sessionStorage.length") == 0
    page.goto(f"{base_url}/")
    page.wait_for_url("**/sign-in?next=/")  # signed out: back to the sign-in page
    done(page)


def test_each_role_gets_the_screens_its_roles_open(browser, base_url, demo_tenant, api):
    """An auditor reads districts through 审计 alone and lands there; a grid worker has no 审计 or 设置."""
    page = console(browser, base_url, token("auditor", audit_tenants=[demo_tenant]), "/")
    page.wait_for_url("**/audit")
    page.locator(".el-menu-item").first.wait_for()
    assert nav(page) == ["审计"]
    done(page)
    page = console(browser, base_url, token("grid_worker", demo_tenant), "/settings")
    page.wait_for_url(f"{base_url}/")  # not theirs: the first screen that is
    page.locator(".el-menu-item").first.wait_for()
    assert nav(page) == ["首页", "地图", "事件", "会议", "党组织", "服务", "考核"]
    done(page)


def test_home_lists_the_users_tasks_most_urgent_first(api, browser, base_url, demo_tenant):
    """荷城社区's staff have the article's open problems to act on; the district admin, none today."""
    admin = token("district_admin", demo_tenant)
    hecheng = next(c for c in api.all_items("/v1/communities", admin) if c["name"] == "荷城社区")
    staff = token("community_staff", demo_tenant, communities=[hecheng["id"]])
    expected = api.get("/v1/me/tasks", staff).json["items"]
    assert expected, "the demo gives 荷城社区 open work"
    page = console(browser, base_url, staff)
    page.get_by_role("heading", name="我的待办").wait_for()
    page.locator(".tasks .el-table__row").first.wait_for()
    rows = page.locator(".tasks .el-table__row")
    assert rows.count() == len(expected)
    assert expected[0]["title"] in rows.first.inner_text()  # the API's order: most urgent first
    overdue = [task for task in expected if task["overdue"]]
    assert page.locator(".tasks").get_by_text("已超时").count() == len(overdue)
    assert "T" not in rows.first.locator("td").nth(2).inner_text()  # a time as people read it, not ISO
    done(page, "console-home")

    if api.get("/v1/me/tasks", admin).json["items"]:
        return
    page = console(browser, base_url, admin)
    page.get_by_text("暂无待办").wait_for()  # the empty state says what will appear
    done(page, "console-home-empty")


def test_english_by_the_switch(browser, base_url, demo_tenant):
    page = console(browser, base_url, token("district_admin", demo_tenant))
    page.get_by_role("button", name="English").click()
    page.get_by_role("heading", name="My tasks").wait_for()
    assert nav(page)[:3] == ["Home", "Map", "Incidents"]
    page.reload()
    page.get_by_role("heading", name="My tasks").wait_for()  # kept for this browser
    done(page)


def test_a_token_in_the_address_signs_in_and_leaves_the_address(browser, base_url, demo_tenant):
    staff = token("district_admin", demo_tenant)
    page = console(browser, base_url, None, f"/#token={staff}")
    page.get_by_role("heading", name="我的待办").wait_for()
    assert "token" not in page.url and page.evaluate("localStorage.getItem('gongjian.token')") == staff
    done(page)


def test_a_refused_token_shows_the_problem_not_a_blank_page(browser, base_url):
    page = console(browser, base_url, "not-a-token")
    page.locator(".el-alert--error").wait_for()
    assert "令牌" in page.locator(".el-alert--error").inner_text()
    done(page, allowed_errors=("401",))


def test_only_the_local_server_mints_tokens_never_the_app(api, base_url, demo_tenant):
    """The sign-in page's token comes from the local server; the app (what is packaged) has no route
    that mints one: the same calls to the app find no route (the gateway's 403/404)."""
    import json
    import urllib.request

    from app import app

    asked = {"tenant": demo_tenant, "user": "central-auditor"}
    request = urllib.request.Request(f"{base_url}/local/sign-in", data=json.dumps(asked).encode(), method="POST",
                                     headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(request) as answer:
        minted = json.loads(answer.read())["token"]
    assert api.get("/v1/me", minted).json["roles"] == ["auditor"]
    for answer in (api.post("/local/sign-in", None, asked), api.get("/local/sign-in/users")):
        assert answer.status in (403, 404) and b"token" not in answer.body.replace(b"Authentication Token", b"")
    paths = {route for route in app.routes}
    assert not [p for p in paths if "token" in p.lower() or "sign-in" in p or "login" in p], paths
