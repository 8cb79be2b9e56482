"""The console in a real browser (Debian's chromium, driven by Playwright), served by the local server
beside the API as `make run` serves it: what a district admin sees first, at 1366×768."""
from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import Page, sync_playwright

from conftest import ROOT, token

CHROMIUM = "/usr/bin/chromium"
SHOTS = ROOT / "build" / "screenshots"
NAV = ["首页", "地图", "事件", "会议", "党组织", "服务", "考核", "审计", "设置"]


@pytest.fixture(scope="module")
def browser():
    assert Path(CHROMIUM).exists(), "make test installs Debian's chromium (make browser)"
    assert (ROOT / "web" / "dist" / "index.html").exists(), "make test builds the console (make web-build)"
    with sync_playwright() as p:
        launched = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        yield launched
        launched.close()


def open_console(browser, base_url: str, bearer: str) -> Page:
    page = browser.new_page(viewport={"width": 1366, "height": 768}, locale="zh-CN")
    page.add_init_script(f"localStorage.setItem('gongjian.token', {bearer!r})")
    page.goto(f"{base_url}/")
    return page


def test_home_lists_the_users_tasks_under_the_navigation(api, browser, base_url, demo_tenant):
    """荷城社区's staff have the article's open problems to act on; the district admin, none today."""
    admin = token("district_admin", demo_tenant)
    hecheng = next(c for c in api.all_items("/v1/communities", admin) if c["name"] == "荷城社区")
    staff = token("community_staff", demo_tenant, communities=[hecheng["id"]])
    expected = api.get("/v1/me/tasks", staff).json["items"]
    assert expected, "the demo gives 荷城社区 open work"
    page = open_console(browser, base_url, staff)
    page.get_by_role("heading", name="我的待办 / My tasks").wait_for()
    assert [item.inner_text().strip() for item in page.locator(".el-menu-item").all()] == NAV
    page.locator(".el-table__row").first.wait_for()
    assert page.locator(".el-table__row").count() == len(expected)
    assert expected[0]["title"] in page.locator(".el-table").inner_text()
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")  # no horizontal scroll
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / "console-home.png"))
    page.close()

    if api.get("/v1/me/tasks", admin).json["items"]:
        return
    page = open_console(browser, base_url, admin)
    page.get_by_text("暂无待办").wait_for()  # the empty state says what will appear
    page.screenshot(path=str(SHOTS / "console-home-empty.png"))
    page.close()


def test_a_token_in_the_address_signs_in_and_leaves_the_address(api, browser, base_url, demo_tenant):
    staff = token("district_admin", demo_tenant)
    page = browser.new_page(viewport={"width": 1366, "height": 768}, locale="zh-CN")
    page.goto(f"{base_url}/#token={staff}")
    page.get_by_role("heading", name="我的待办 / My tasks").wait_for()
    assert "token" not in page.url and page.evaluate("localStorage.getItem('gongjian.token')") == staff
    page.locator(".el-empty, .el-table").first.wait_for()
    page.close()


def test_a_refused_token_shows_the_problem_not_a_blank_page(browser, base_url):
    page = open_console(browser, base_url, "not-a-token")
    page.locator(".el-alert--error").wait_for()
    assert "令牌" in page.locator(".el-alert--error").inner_text() or "token" in page.locator(".el-alert--error").inner_text()
    page.close()
