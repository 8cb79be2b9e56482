"""The field app (/field/) on a phone-sized Chromium with a position in a demo grid: a grid worker
reports offline and the report arrives exactly once; a resident sees staff move their report; a
conflict during sync is shown, not dropped."""
from __future__ import annotations

import re
import struct
import zlib

import pytest

from browser import FIELD, SHOTS, accessibility_violations
from conftest import token

PHOTO_PIXELS = 64


def photo_png() -> bytes:
    """A small real image (the page decodes and shrinks it before queuing)."""
    raw = b"".join(b"\x00" + bytes((180, 18, 30)) * PHOTO_PIXELS for _ in range(PHOTO_PIXELS))

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
    header = struct.pack(">IIBBBBB", PHOTO_PIXELS, PHOTO_PIXELS, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b"")


def centre(boundary: dict) -> dict[str, float]:
    ring = boundary["coordinates"][0]
    return {"longitude": sum(p[0] for p in ring[:-1]) / (len(ring) - 1), "latitude": sum(p[1] for p in ring[:-1]) / (len(ring) - 1)}


@pytest.fixture(scope="module")
def hecheng_grid(api, demo_tenant):
    admin = token("district_admin", demo_tenant)
    grids = api.all_items("/v1/grids", admin)
    return next(g for g in grids if g["name"] == "荷城社区第1网格")


def phone(browser, base_url: str, where: dict[str, float] | None = None):
    context = browser.new_context(viewport=FIELD, locale="zh-CN", geolocation=where, permissions=["geolocation"] if where else [],
                                  service_workers="allow", is_mobile=True, has_touch=True)
    page = context.new_page()
    page.errors = []
    page.on("console", lambda m: page.errors.append(m.text) if m.type == "error" else None)
    return context, page


def sign_in(page, base_url: str, tenant: str, name: str) -> None:
    page.goto(f"{base_url}/field/sign-in?tenant={tenant}")
    page.get_by_role("searchbox").fill(name)
    page.get_by_role("button", name=name).first.click()


def shot(page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), animations="disabled")


def test_a_report_made_offline_arrives_exactly_once(api, browser, base_url, demo_tenant, hecheng_grid, tmp_path):
    admin = token("district_admin", demo_tenant)
    worker_id = hecheng_grid["workers"][0]
    worker = api.get(f"/v1/users/{worker_id}", admin).json
    context, page = phone(browser, base_url, centre(hecheng_grid["boundary"]))
    sign_in(page, base_url, demo_tenant, worker["name"])
    page.get_by_role("heading", name="我的任务").wait_for()
    page.wait_for_function("navigator.serviceWorker.controller !== null", timeout=30000)  # the shell is cached
    shot(page, "field-tasks")
    assert not accessibility_violations(page)

    page.get_by_role("tab", name=re.compile(r"^[^\u4e00-\u9fff]*上报$")).click()
    page.get_by_text("荷城社区第1网格").wait_for()  # the grid found from the phone's position
    description = f"3号楼楼道堆放杂物 {tmp_path.name}"
    page.get_by_role("textbox", name="描述").fill(description)
    picture = tmp_path / "stairwell.png"
    picture.write_bytes(photo_png())
    page.locator("input[type=file]").set_input_files(str(picture))
    page.locator(".van-uploader__preview").wait_for()
    shot(page, "field-report")
    assert not accessibility_violations(page)
    context.set_offline(True)
    page.get_by_role("button", name="上报").click()
    page.get_by_text("1 条待上传").wait_for()
    shot(page, "field-queued-offline")

    page.reload()  # still offline: the service worker serves the app, IndexedDB keeps the queue
    page.get_by_text("1 条待上传").wait_for()
    reports = [i for i in api.all_items("/v1/incidents", admin) if i["description"] == description]
    assert reports == []  # nothing has left the phone

    context.set_offline(False)
    page.get_by_text("1 条待上传").wait_for(state="detached", timeout=30000)
    reports = [i for i in api.all_items("/v1/incidents", admin) if i["description"] == description]
    assert len(reports) == 1
    stored = api.get(f"/v1/incidents/{reports[0]['id']}", admin).json
    assert stored["grid_id"] == hecheng_grid["id"] and len(stored["photos"]) == 1
    assert stored["photos"][0]["key"].startswith(f"tenants/{demo_tenant}/")

    context.set_offline(True)
    context.set_offline(False)
    page.reload()
    page.get_by_role("heading", name="我的任务").wait_for()
    assert len([i for i in api.all_items("/v1/incidents", admin) if i["description"] == description]) == 1
    assert not page.errors or all("Failed to load resource" in e for e in page.errors), page.errors
    context.close()


def test_a_resident_reports_and_sees_staff_move_it(api, browser, base_url, demo_tenant, hecheng_grid, tmp_path):
    admin = token("district_admin", demo_tenant)
    context, page = phone(browser, base_url, centre(hecheng_grid["boundary"]))
    sign_in(page, base_url, demo_tenant, "荷城社区居民 王女士")
    page.get_by_role("heading", name="我的上报").wait_for()
    page.get_by_role("tab", name=re.compile(r"^[^\u4e00-\u9fff]*上报$")).click()
    description = f"路灯不亮 {tmp_path.name}"
    page.get_by_role("textbox", name="描述").fill(description)
    page.get_by_role("button", name="上报").click()
    page.get_by_role("heading", name="我的上报").wait_for()
    page.get_by_text(description).wait_for()
    report = next(i for i in api.all_items("/v1/incidents", admin) if i["description"] == description)
    assert report["source"] == "resident_report"
    moved = api.post(f"/v1/incidents/{report['id']}/transitions", admin, {"action": "accept", "note": "已受理"})
    assert moved.status == 200, moved
    page.reload()
    page.locator(".report", has_text=description).get_by_text("已受理").wait_for()
    shot(page, "field-resident-mine")
    assert not accessibility_violations(page)
    context.close()


def test_a_conflict_during_sync_is_shown_with_both_states(api, browser, base_url, demo_tenant, hecheng_grid, tmp_path):
    admin = token("district_admin", demo_tenant)
    worker_id = hecheng_grid["workers"][0]
    worker = api.get(f"/v1/users/{worker_id}", admin).json
    incident = api.post("/v1/incidents", admin, {"category": "sanitation", "description": f"垃圾满溢 {tmp_path.name}",
                                                 "grid_id": hecheng_grid["id"]}).json
    for step in ({"action": "accept"}, {"action": "dispatch", "assignee": worker_id}):
        assert api.post(f"/v1/incidents/{incident['id']}/transitions", admin, step).status == 200
    context, page = phone(browser, base_url, centre(hecheng_grid["boundary"]))
    sign_in(page, base_url, demo_tenant, worker["name"])
    page.get_by_role("heading", name="我的任务").wait_for()
    page.goto(f"{base_url}/field/incidents/{incident['id']}")
    page.get_by_role("button", name="开始处置").wait_for()
    page.wait_for_function("navigator.serviceWorker.controller !== null", timeout=30000)  # installed: works offline
    shot(page, "field-incident")
    context.set_offline(True)
    page.get_by_role("button", name="开始处置").click()
    page.get_by_text("1 条待上传").wait_for()
    # meanwhile, in the office, the incident goes up a level: the worker's step no longer applies
    assert api.post(f"/v1/incidents/{incident['id']}/transitions", admin, {"action": "start"}).status == 200
    context.set_offline(False)
    page.get_by_text("1 条需处理").wait_for(timeout=30000)
    page.locator("[data-test=queue]").click()
    page.wait_for_url("**/field/queue")
    item = page.locator("[data-state=conflict]")
    item.wait_for()
    assert "处置中" in item.inner_text() and "开始处置" in item.inner_text()  # both states
    shot(page, "field-conflict")
    assert not accessibility_violations(page)
    context.close()
