"""The console's 地图 and 首页 dashboard in a real browser, on the demo district (Gangbei: 2 streets,
17 communities, 151 grids): what a district admin and a community secretary see, compared with what
the API answers them."""
from __future__ import annotations

import json
import re
import urllib.request
from datetime import datetime
from zoneinfo import ZoneInfo

from playwright.sync_api import expect

from browser import CONSOLE, SHOTS, console, done
from conftest import token

OPEN = {"reported", "accepted", "dispatched", "in_progress", "resolved", "verified"}
LAYERS = "[data-test=map-layers] label"


def months_back(n: int, zone: str = "Asia/Shanghai") -> str:
    now = datetime.now(ZoneInfo(zone))
    index = now.year * 12 + now.month - 1 - n
    return f"{index // 12}-{index % 12 + 1:02d}"


def open_map(browser, base_url: str, bearer: str):
    page = console(browser, base_url, bearer, "/map")
    expect(page.locator("[data-test=map-incident-count]")).to_be_visible(timeout=30_000)  # everything loaded
    return page


def toggle(page, layer: str) -> None:
    page.locator(LAYERS, has_text=layer).click()


def test_the_district_admin_sees_all_17_communities_drawn_without_tiles(browser, base_url, api, demo_tenant):
    admin = token("district_admin", demo_tenant)
    communities = api.all_items("/v1/communities", admin)
    grids = api.all_items("/v1/grids", admin)
    incidents = api.all_items("/v1/incidents", admin)
    assert len(communities) == 17 and len(grids) > 140
    with urllib.request.urlopen(f"{base_url}/config.json") as answer:
        assert json.load(answer)["tiles"] is None  # locally: no tile layer

    page = open_map(browser, base_url, admin)
    counts = page.locator("[data-test=map-structure-count]")
    expect(counts).to_have_text(f"2 个街道 · 17 个社区 · {len(grids)} 个网格")
    expect(page.locator("path.gj-community")).to_have_count(17)
    expect(page.locator("path.gj-street")).to_have_count(2)
    expect(page.locator("path.gj-grid")).to_have_count(len(grids))
    for name in ("荷城社区", "港城社区", "新兴社区"):
        expect(page.locator(".gj-community-label", has_text=name)).to_have_count(1)

    # incidents coloured by state: the open ones first, all with 含已结案
    open_ones = [i for i in incidents if i["status"] in OPEN]
    expect(page.locator("path.gj-incident")).to_have_count(len(open_ones))
    expect(page.locator("[data-test=map-incident-count]")).to_contain_text(f"{len(open_ones)} 件未结事件")
    assert page.locator("path.gj-status-closed").count() == 0
    page.locator("[data-test=map-closed-too]").click()
    expect(page.locator("path.gj-incident")).to_have_count(len(incidents))
    expect(page.locator("path.gj-status-closed")).to_have_count(sum(i["status"] == "closed" for i in incidents))
    page.locator("[data-test=map-closed-too]").click()
    legend = page.locator("[data-test=map-legend]")
    for status in ("已上报", "已受理", "已派遣", "处置中", "已办结", "已核查", "已结案", "不予受理"):
        expect(legend).to_contain_text(status)

    # service centres with their 20-minute circles, as the coverage route defines them
    centres = api.all_items("/v1/service-centres", admin)
    coverage = api.get("/v1/service-centres/coverage", admin).json
    expect(page.locator(".gj-centre")).to_have_count(len(centres))
    expect(page.locator("path.gj-circle")).to_have_count(len(centres))
    s = coverage["settings"]
    metres = s["walking_speed_kmh"] * 1000 / 60 * s["service_circle_minutes"] / s["detour_factor"]
    expect(page.locator("[data-test=map-circle-note]")).to_contain_text(f"{round(metres):,} 米")
    expect(page.locator("[data-test=map-counts]")).to_contain_text(f"{coverage['covered']}/{len(grids)} 个网格在 20 分钟服务圈内")

    # the layer control hides and shows each layer
    toggle(page, "社区")
    expect(page.locator("path.gj-community")).to_have_count(0)
    toggle(page, "服务中心")
    expect(page.locator(".gj-centre")).to_have_count(0)
    toggle(page, "社区")
    toggle(page, "服务中心")
    expect(page.locator("path.gj-community")).to_have_count(17)
    expect(page.locator(".gj-centre")).to_have_count(len(centres))

    # no tile was asked for: every resource the page fetched came from the console's own server
    fetched = page.evaluate("performance.getEntriesByType('resource').map(e => e.name)")
    assert fetched and all(url.startswith(base_url) for url in fetched), [u for u in fetched if not u.startswith(base_url)]
    assert page.locator(".leaflet-tile").count() == 0
    done(page, "console-map")


def test_clicking_a_grid_shows_its_workers_open_incidents_and_figures(browser, base_url, api, demo_tenant):
    admin = token("district_admin", demo_tenant)
    communities = {c["id"]: c for c in api.all_items("/v1/communities", admin)}
    grids = api.all_items("/v1/grids", admin)
    heads = [g for g in grids if communities[g["community_id"]]["name"] == "荷城社区"]
    by_grid = {g["id"]: [i for i in api.all_items(f"/v1/incidents?grid_id={g['id']}", admin) if i["status"] in OPEN]
               for g in heads}
    grid = max(heads, key=lambda g: (len(by_grid[g["id"]]), g["name"]))  # the one with the most open incidents
    open_ids = {i["id"] for i in by_grid[grid["id"]]}
    assert open_ids and grid["workers"]  # two in the demo, more once 设置 has invited one
    worker_names = sorted(api.get(f"/v1/users/{w}", admin).json["name"] for w in grid["workers"])

    page = open_map(browser, base_url, admin)
    toggle(page, "事件")  # the markers sit on the grids: out of the way to click the grid itself
    toggle(page, "服务中心")
    page.locator(f"path.gj-grid[data-grid='{grid['id']}']").click()

    panel = page.locator("[data-test=grid-panel]")
    expect(panel.locator("[data-test=grid-name]")).to_have_text(grid["name"])
    expect(panel.locator("[data-test=grid-community]")).to_have_text("荷城社区")
    expect(panel.locator("[data-test=grid-worker-count]")).to_have_text(f"{len(grid['workers'])} 名网格员")
    expect(panel.locator("[data-test=grid-workers] li")).to_have_count(len(grid["workers"]))
    assert sorted(panel.locator("[data-test=grid-workers] li").all_inner_texts()) == worker_names
    expect(panel.locator("[data-test=grid-open-count]")).to_have_text(str(len(open_ids)))
    rows = panel.locator("[data-test=grid-open-incidents] li")
    expect(rows).to_have_count(len(open_ids))
    assert {rows.nth(n).get_attribute("data-id") for n in range(len(open_ids))} == open_ids
    first = next(iter(by_grid[grid["id"]]))
    expect(panel.locator(f"li[data-id='{first['id']}'] a")).to_have_attribute("href", f"/incidents/{first['id']}")
    assert "?grid=" + grid["id"] in page.url  # the panel can be linked to

    # this month's and last month's figures are the grid's own from /v1/stats/grid-work
    for column, period in ((1, months_back(0)), (2, months_back(1))):
        stats = api.get(f"/v1/stats/grid-work?period={period}", admin).json
        entry = next((g for g in stats["grids"] if g["grid_id"] == grid["id"]), {"incidents": 0, "closed": 0, "overdue": 0})
        table = panel.locator("[data-test=grid-stats] tbody tr")
        expect(table.nth(0).locator("td").nth(column - 1)).to_have_text(str(entry["incidents"]))
        expect(table.nth(1).locator("td").nth(column - 1)).to_have_text(str(entry["closed"]))
        expect(table.nth(4).locator("td").nth(column - 1)).to_have_text(str(entry["overdue"]))

    toggle(page, "事件")
    toggle(page, "服务中心")
    expect(page.locator("path.gj-incident").first).to_be_visible()
    page.mouse.move(5, 5)  # no hover tooltip in the picture
    done(page, "console-map-grid")


def test_the_dashboard_shows_the_open_and_overdue_counts_of_the_users_scope(browser, base_url, api, demo_tenant):
    from functions import local_issuer

    admin = token("district_admin", demo_tenant)
    _, secretary = local_issuer.directory_token(demo_tenant, "荷城社区书记 韦建华")
    (heads,) = [c for c in api.all_items("/v1/communities", admin) if c["name"] == "荷城社区"]
    for bearer, whole in ((admin, True), (secretary, False)):
        incidents = api.all_items("/v1/incidents", bearer)
        open_ones = [i for i in incidents if i["status"] in OPEN]
        overdue = api.all_items("/v1/incidents?overdue=true", bearer)
        assert overdue and open_ones
        page = console(browser, base_url, bearer, "/")
        dashboard = page.locator("[data-test=dashboard]")
        expect(dashboard.locator("[data-test=dash-open]")).to_have_text(str(len(open_ones)), timeout=30_000)
        expect(dashboard.locator("[data-test=dash-overdue]")).to_have_text(str(len(overdue)))
        expect(dashboard.locator("[data-test=dash-due-soon]")).to_have_text(str(sum(i["due_soon"] for i in open_ones)))
        expect(dashboard.locator("h2")).to_contain_text("全区" if whole else "荷城社区")

        # this month's joint meetings against the committees due to hold one
        committees = api.all_items("/v1/committees", bearer)
        mine = [c for c in committees if whole or c["community_id"] == heads["id"]]
        expect(dashboard.locator("[data-test=dash-meetings]")).to_have_text(re.compile(rf"^\d+ / {len(mine)}$"))
        if whole:
            quarter = months_back(0)
            quarter = f"{quarter[:4]}-Q{(int(quarter[5:]) + 2) // 3}"
            hours = api.get(f"/v1/volunteer-activities/totals?period={quarter}", admin).json["hours"]
            expect(dashboard.locator("[data-test=dash-hours]")).to_have_text(f"{hours:g} 小时")
            expect(dashboard.locator("[data-test=dash-trend]")).to_be_visible()
            expect(dashboard.locator("[data-test=dash-parts]")).to_be_visible()
            # the whole page in one picture: a window as tall as the page (a full-page capture catches the
            # charts mid-resize)
            page.set_viewport_size({**CONSOLE, "height": page.evaluate("document.documentElement.scrollHeight")})
            page.wait_for_timeout(600)
            SHOTS.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(SHOTS / "console-home-dashboard.png"), animations="disabled")
            page.set_viewport_size(CONSOLE)
        done(page)


def test_a_community_secretary_sees_only_their_communitys_grids(browser, base_url, api, demo_tenant):
    from functions import local_issuer

    user, secretary = local_issuer.directory_token(demo_tenant, "荷城社区书记 韦建华")
    admin = token("district_admin", demo_tenant)
    (heads,) = [c for c in api.all_items("/v1/communities", admin) if c["name"] == "荷城社区"]
    theirs = api.all_items(f"/v1/grids?community_id={heads['id']}", admin)
    incidents = api.all_items("/v1/incidents", secretary)  # the API's own narrowing
    open_ones = [i for i in incidents if i["status"] in OPEN and i["grid_id"] in {g["id"] for g in theirs}]

    page = open_map(browser, base_url, secretary)
    expect(page.locator("[data-test=map-structure-count]")).to_have_text(f"1 个街道 · 1 个社区 · {len(theirs)} 个网格")
    expect(page.locator("path.gj-grid")).to_have_count(len(theirs))
    expect(page.locator("path.gj-community")).to_have_count(1)
    expect(page.locator(".gj-community-label")).to_have_text(["荷城社区"])
    drawn = {page.locator("path.gj-grid").nth(n).get_attribute("data-grid") for n in range(len(theirs))}
    assert drawn == {g["id"] for g in theirs}
    expect(page.locator("path.gj-incident")).to_have_count(len(open_ones))

    # the grid finder lists only theirs, and opens a grid's panel from the keyboard
    page.get_by_role("combobox", name="查找网格").click()
    options = page.locator(".el-select-dropdown__item:visible")
    expect(options).to_have_count(len(theirs))
    assert sorted(options.all_inner_texts()) == sorted(g["name"] for g in theirs)
    page.keyboard.type("第2网格")
    page.keyboard.press("Enter")
    expect(page.locator("[data-test=grid-name]")).to_have_text("荷城社区第2网格")
    # the secretary may read their community's grid workers by name
    second = next(g for g in theirs if g["name"] == "荷城社区第2网格")
    expect(page.locator("[data-test=grid-workers] li")).to_have_count(len(second["workers"]))
    page.keyboard.press("Escape")
    done(page, "console-map-community")
