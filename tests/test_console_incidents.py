"""The console's 事件 screen in a real browser: an incident taken from reported to closed by its
buttons, a community secretary who sees only their community's incidents, and the list's filters
showing exactly what the API answers for the same query."""
from __future__ import annotations

import re
import uuid
from typing import Any

from browser import console, done, shot
from playwright.sync_api import expect
from conftest import token
from functions import local_issuer

# The console's labels (web/src/labels.ts: label("incident_action", …), label("incident_status", …)).
ACTION = {"report": "上报", "accept": "受理", "dispatch": "派遣", "start": "开始处置", "resolve": "办结",
          "verify": "核查", "close": "结案"}
STATUS = {"reported": "已上报", "accepted": "已受理", "dispatched": "已派遣", "in_progress": "处置中",
          "resolved": "已办结", "verified": "已核查", "closed": "已结案"}
SECRETARY = "荷城社区书记 韦建华"


def scene_png(width: int = 96, height: int = 72) -> bytes:
    """A small photo-like PNG (sky, pavement, a bicycle-grey block), so the thumbnail shows something."""
    import struct
    import zlib

    def pixel(x: int, y: int) -> bytes:
        if 30 <= x <= 66 and 34 <= y <= 52:
            return bytes((90, 94, 100))
        return bytes((135, 185, 230)) if y < height // 2 else bytes((120, 150, 95))

    raw = b"".join(b"\x00" + b"".join(pixel(x, y) for x in range(width)) for y in range(height))

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b""))


def hecheng(api: Any, tenant: str) -> tuple[dict, list[dict]]:
    admin = token("district_admin", tenant)
    community = next(c for c in api.all_items("/v1/communities", admin) if c["name"] == "荷城社区")
    return community, api.all_items(f"/v1/grids?community_id={community['id']}", admin)


def shown_ids(page: Any) -> list[str]:
    """Every incident the list shows, after paging it to its end with 加载更多 as a user would."""
    idle = page.locator("section.incidents[data-loading=false]")
    idle.wait_for()
    more = page.get_by_role("button", name="加载更多")
    while more.count():
        more.click()
        idle.wait_for()
    return [link.get_attribute("data-id") for link in page.locator("[data-test=incident-table] a[data-id]").all()]


def ids(items: list[dict]) -> list[str]:
    return [i["id"] for i in items]


def pick(page: Any, select: str, option: str) -> None:
    """Choose `option` in the el-select marked data-test=`select`."""
    page.locator(f"[data-test={select}]").click()
    exact = re.compile(f"^\\s*{re.escape(option)}\\s*$")
    page.locator(".el-select-dropdown__item:visible").filter(has_text=exact).first.click()
    expect(page.locator(".el-select__popper:visible")).to_have_count(0)  # closed again


def test_an_incident_goes_from_reported_to_closed_by_its_buttons(api, browser, base_url, demo_tenant):
    """荷城社区's secretary may take every step of a grid-level incident of their community: each button
    moves it on (dispatch asks whom to send), the status shown follows, and the API ends up holding
    it closed with every step on the timeline."""
    from functions import storage

    community, grids = hecheng(api, demo_tenant)
    grid = next(g for g in grids if g.get("workers"))
    secretary, bearer = local_issuer.directory_token(demo_tenant, SECRETARY)
    admin = token("district_admin", demo_tenant)
    worker = api.get(f"/v1/users/{grid['workers'][0]}", admin).json
    photo_key = storage.tenant_key(demo_tenant, "incident_photo", uuid.uuid4().hex)
    storage.put(photo_key, scene_png(), "image/png")
    description = f"小区门口共享单车乱停放 {uuid.uuid4().hex[:6]}"
    created = api.post("/v1/incidents", bearer, {"category": "public_service", "description": description,
                                                 "grid_id": grid["id"], "priority": "urgent",
                                                 "photos": [{"key": photo_key, "name": "现场.png"}]})
    assert created.status == 201, created
    incident = created.json

    page = console(browser, base_url, bearer, f"/incidents/{incident['id']}")
    status = page.locator("[data-test=status]")
    status.wait_for()
    assert status.inner_text() == STATUS["reported"]
    assert description in page.inner_text("main")
    fields = page.locator(".fields")
    fields.get_by_text(grid["name"], exact=True).wait_for()  # its grid and community by name
    fields.get_by_text("荷城社区", exact=True).wait_for()
    photo = page.locator("[data-test=photos] img[alt='现场.png']")
    photo.wait_for()  # a thumbnail from the API's time-limited link, loaded
    page.wait_for_function("document.querySelector(\"[data-test=photos] img[alt='现场.png']\")?.naturalWidth > 0")
    assert page.get_by_role("button", name="不予受理").count() == 1  # what the loop allows from reported

    for action, after in [("accept", "accepted"), ("dispatch", "dispatched"), ("start", "in_progress"),
                          ("resolve", "resolved"), ("verify", "verified"), ("close", "closed")]:
        page.get_by_role("button", name=ACTION[action], exact=True).click()
        if action == "dispatch":
            dialog = page.get_by_role("dialog")
            dialog.get_by_role("button", name="确定").click()  # nobody chosen yet: the dialog says so
            dialog.get_by_text("请选择承办人").wait_for()
            pick(page, "assignee", worker["name"])
            dialog.locator("textarea[data-test=note], [data-test=note] textarea").fill("请今天内清理")
            dialog.get_by_role("button", name="确定").click()
            dialog.wait_for(state="hidden")
        page.wait_for_function(
            "([sel, text]) => document.querySelector(sel)?.textContent.trim() === text",
            arg=["[data-test=status]", STATUS[after]])
        if action == "dispatch":
            assert worker["name"] in page.locator(".fields").inner_text()  # the assignee by name
        if action == "verify":
            shot(page, "console-incidents-detail")  # several steps on its timeline

    stored = api.get(f"/v1/incidents/{incident['id']}", admin).json
    assert stored["status"] == "closed" and stored["assignee"] == worker["id"]
    steps = ["report", "accept", "dispatch", "start", "resolve", "verify", "close"]
    assert [h["action"] for h in stored["history"]] == steps
    timeline = page.locator("[data-test=timeline] .el-timeline-item")
    assert timeline.count() == len(steps)
    for item, step in zip(timeline.all(), steps):
        assert ACTION[step] in item.inner_text()
    assert "请今天内清理" in timeline.nth(2).inner_text()
    assert SECRETARY in timeline.nth(1).inner_text()  # who did it, by name
    assert page.get_by_text("当前无可执行的操作").count() == 1  # closed: no buttons left
    done(page, "console-incidents-closed")


def test_a_step_someone_else_took_first_shows_the_apis_refusal(api, browser, base_url, demo_tenant):
    """The page still offers 受理, but a colleague accepted meanwhile: the API's 409 is shown with what
    is allowed now, and the page shows the incident as it now is."""
    _, grids = hecheng(api, demo_tenant)
    _, bearer = local_issuer.directory_token(demo_tenant, SECRETARY)
    incident = api.post("/v1/incidents", bearer, {"category": "dispute", "description": "楼上装修噪音纠纷",
                                                  "grid_id": grids[1]["id"]}).json
    page = console(browser, base_url, bearer, f"/incidents/{incident['id']}")
    page.get_by_role("button", name=ACTION["accept"], exact=True).wait_for()
    assert api.post(f"/v1/incidents/{incident['id']}/transitions", bearer, {"action": "accept"}).status == 200
    refused = api.post(f"/v1/incidents/{incident['id']}/transitions", bearer, {"action": "accept"})
    assert refused.status == 409
    page.get_by_role("button", name=ACTION["accept"], exact=True).click()
    alert = page.get_by_role("alert").first
    alert.wait_for()
    assert refused.json["title"] in alert.inner_text() and refused.json["detail"] in alert.inner_text()
    page.get_by_text("当前可执行：派遣、上报上级").wait_for()
    page.wait_for_function("document.querySelector('[data-test=status]')?.textContent.trim() === '已受理'")
    assert page.get_by_role("button", name=ACTION["dispatch"], exact=True).count() == 1
    done(page, allowed_errors=("409",))


def test_a_secretary_sees_only_their_communitys_incidents(api, browser, base_url, demo_tenant):
    community, grids = hecheng(api, demo_tenant)
    _, bearer = local_issuer.directory_token(demo_tenant, SECRETARY)
    expected = api.all_items("/v1/incidents", bearer)
    assert expected and {i["community_id"] for i in expected} == {community["id"]}

    page = console(browser, base_url, bearer, "/incidents")
    page.locator("[data-test=incident-table]").wait_for()
    assert shown_ids(page) == ids(expected)  # the API's order: newest first
    grid_names = re.compile("^(" + "|".join(re.escape(g["name"]) for g in grids) + ")$")
    for row in page.locator("[data-test=incident-table] .el-table__row").all():
        expect(row.locator("td").nth(3)).to_have_text(grid_names)  # each in one of 荷城社区's grids, by name
    done(page)

    admin = token("district_admin", demo_tenant)
    other = next(i for i in api.all_items("/v1/incidents", admin) if i["community_id"] != community["id"])
    refused = api.get(f"/v1/incidents/{other['id']}", bearer)
    assert refused.status == 404
    page = console(browser, base_url, bearer, f"/incidents/{other['id']}")
    alert = page.get_by_role("alert").first
    alert.wait_for()
    assert refused.json["title"] in alert.inner_text()
    assert other["description"] not in page.inner_text("main")
    assert page.locator("[data-test=status]").count() == 0
    done(page, allowed_errors=("404",))


def test_the_filters_show_what_the_api_answers(api, browser, base_url, demo_tenant):
    admin = token("district_admin", demo_tenant)
    page = console(browser, base_url, admin, "/incidents")
    page.locator("[data-test=incident-table]").wait_for()
    page.locator("section.incidents[data-loading=false]").wait_for()
    page.wait_for_function(  # grids named (their list comes beside the incidents')
        "document.querySelector('[data-test=incident-table] .el-table__row td:nth-child(4)')?.textContent.trim() !== '—'")
    assert page.locator("[data-test=incident-table] .el-table__row").count() > 0
    shot(page, "console-incidents-list")

    pick(page, "filter-status", STATUS["dispatched"])
    page.wait_for_url(lambda url: url.endswith("/incidents?status=dispatched"))
    expected = api.all_items("/v1/incidents?status=dispatched", admin)
    assert expected and shown_ids(page) == ids(expected)
    for row in page.locator("[data-test=incident-table] .el-table__row").all():
        assert STATUS["dispatched"] in row.inner_text()

    page.get_by_role("button", name="清除筛选").first.click()
    page.wait_for_url(lambda url: url.endswith("/incidents"))
    page.get_by_text("只看已超时").click()
    page.wait_for_url(lambda url: url.endswith("/incidents?overdue=true"))
    expected = api.all_items("/v1/incidents?overdue=true", admin)
    assert expected and all(i["overdue"] for i in expected)
    assert shown_ids(page) == ids(expected)
    assert page.locator("[data-test=incident-table] .el-tag", has_text="已超时").count() == len(expected)

    # both at once narrow the list, never widen it
    pick(page, "filter-status", STATUS["reported"])
    page.wait_for_url(lambda url: "status=reported" in url and "overdue=true" in url)
    expected = api.all_items("/v1/incidents?status=reported&overdue=true", admin)
    assert expected and shown_ids(page) == ids(expected)

    # a grid, chosen by its name
    _, grids = hecheng(api, demo_tenant)
    page.get_by_role("button", name="清除筛选").first.click()
    page.wait_for_url(lambda url: url.endswith("/incidents"))
    pick(page, "filter-grid", grids[0]["name"])
    page.wait_for_url(lambda url: f"grid_id={grids[0]['id']}" in url)
    expected = api.all_items(f"/v1/incidents?grid_id={grids[0]['id']}", admin)
    assert expected and shown_ids(page) == ids(expected)
    done(page)
