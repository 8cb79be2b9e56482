"""The field app (/field/) on a phone-sized Chromium with a position in a demo grid: a grid worker
reports offline and the report arrives exactly once; a resident sees staff move their report; a
conflict during sync is shown, not dropped."""
from __future__ import annotations

import json
import re
import struct
import zlib

import pytest

from browser import CHROMIUM, FIELD, accessibility_violations, shot
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


def phone(browser, base_url: str, where: dict[str, float] | None = None, *, service_worker: bool = True):
    context = browser.new_context(viewport=FIELD, locale="zh-CN", geolocation=where, permissions=["geolocation"] if where else [],
                                  service_workers="allow" if service_worker else "block", is_mobile=True, has_touch=True)
    page = context.new_page()
    page.errors = []
    page.on("console", lambda m: page.errors.append(m.text) if m.type == "error" else None)
    return context, page


def sign_in(page, base_url: str, tenant: str, name: str) -> None:
    page.goto(f"{base_url}/field/sign-in?tenant={tenant}")
    page.get_by_role("searchbox").fill(name)
    page.get_by_role("button", name=name).first.click()


def look(page, name: str) -> None:
    """A screenshot, then what every field screen owes its user: no horizontal scroll at 390 px and no
    WCAG 2.1 AA failure axe-core can find."""
    shot(page, name)
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"), "horizontal scroll"
    assert not accessibility_violations(page)


def settled_box(page, locator) -> dict:
    """Where an element is once it has stopped moving (a sheet slides up from the bottom)."""
    box = locator.bounding_box()
    for _ in range(50):
        page.wait_for_timeout(100)
        now = locator.bounding_box()
        if now == box:
            return now
        box = now
    raise AssertionError(f"still moving: {box}")


def dispatched_to(api, admin: str, grid: dict, worker_id: str, description: str) -> dict:
    """An incident in the grid, accepted and dispatched to the worker by the office."""
    incident = api.post("/v1/incidents", admin, {"category": "sanitation", "description": description, "grid_id": grid["id"]}).json
    for step in ({"action": "accept"}, {"action": "dispatch", "assignee": worker_id}):
        assert api.post(f"/v1/incidents/{incident['id']}/transitions", admin, step).status == 200
    return api.get(f"/v1/incidents/{incident['id']}", admin).json


def test_a_report_made_offline_arrives_exactly_once(api, browser, base_url, demo_tenant, hecheng_grid, tmp_path):
    admin = token("district_admin", demo_tenant)
    worker_id = hecheng_grid["workers"][0]
    worker = api.get(f"/v1/users/{worker_id}", admin).json
    context, page = phone(browser, base_url, centre(hecheng_grid["boundary"]))
    sign_in(page, base_url, demo_tenant, worker["name"])
    page.get_by_role("heading", name="我的任务").wait_for()
    page.wait_for_function("navigator.serviceWorker.controller !== null", timeout=30000)  # the shell is cached

    page.get_by_role("tab", name=re.compile(r"^[^\u4e00-\u9fff]*上报$")).click()
    page.get_by_text("荷城社区第1网格").wait_for()  # the grid found from the phone's position
    description = f"3号楼楼道堆放杂物 {tmp_path.name}"
    page.get_by_role("textbox", name="描述").fill(description)
    picture = tmp_path / "stairwell.png"
    picture.write_bytes(photo_png())
    page.locator("input[type=file]").set_input_files(str(picture))
    page.locator(".van-uploader__preview").wait_for()
    look(page, "field-report")
    context.set_offline(True)
    page.get_by_role("button", name="上报").click()
    page.get_by_text("1 条待上传").wait_for()
    page.get_by_text("已保存，联网后自动上传").wait_for()  # said on the spot
    look(page, "field-queued-offline")

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


def test_a_report_whose_answer_was_lost_is_applied_once_with_its_photo(api, browser, base_url, demo_tenant, hecheng_grid, tmp_path):
    """The report reaches the server, the signal drops before the answer comes back: the phone keeps it
    and sends it again with the same key and the same photo, and the server answers the first result."""
    admin = token("district_admin", demo_tenant)
    worker = api.get(f"/v1/users/{hecheng_grid['workers'][0]}", admin).json
    # no service worker here: the test stands between the page and the network (the app is online)
    context, page = phone(browser, base_url, centre(hecheng_grid["boundary"]), service_worker=False)
    sign_in(page, base_url, demo_tenant, worker["name"])
    page.get_by_role("heading", name="我的任务").wait_for()
    lost = []

    def reach_then_drop(route):
        if route.request.method == "POST" and not lost:
            lost.append(route.fetch().status)  # the server has it ...
            route.abort("internetdisconnected")  # ... the phone never hears back
        else:
            route.continue_()
    context.route("**/v1/incidents", reach_then_drop)
    page.get_by_role("tab", name=re.compile(r"^[^\u4e00-\u9fff]*上报$")).click()
    page.get_by_text("荷城社区第1网格").wait_for()
    description = f"广告乱贴 {tmp_path.name}"
    page.get_by_role("textbox", name="描述").fill(description)
    picture = tmp_path / "wall.png"
    picture.write_bytes(photo_png())
    page.locator("input[type=file]").set_input_files(str(picture))
    page.locator(".van-uploader__preview").wait_for()
    page.get_by_role("button", name="上报").click()
    page.get_by_text("1 条待上传").wait_for()
    for _ in range(100):
        if lost:
            break
        page.wait_for_timeout(100)
    assert lost == [201]
    context.unroute("**/v1/incidents")
    page.get_by_text("1 条待上传").wait_for(state="detached", timeout=30000)  # sent again by itself
    reports = [i for i in api.all_items("/v1/incidents", admin) if i["description"] == description]
    assert len(reports) == 1
    assert len(api.get(f"/v1/incidents/{reports[0]['id']}", admin).json["photos"]) == 1
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
    page.locator(".report", has_text=description).get_by_text("已上报").wait_for(timeout=60000)  # sent, as the API has it
    report = next(i for i in api.all_items("/v1/incidents", admin) if i["description"] == description)
    assert report["source"] == "resident_report"
    moved = api.post(f"/v1/incidents/{report['id']}/transitions", admin, {"action": "accept", "note": "已受理"})
    assert moved.status == 200, moved
    page.reload()
    page.locator(".report", has_text=description).get_by_text("已受理").wait_for()
    page.locator(".report", has_text=description).get_by_text(description).click()  # the report itself
    page.get_by_role("heading", name="上报详情").wait_for()
    page.get_by_text("处置记录").wait_for()
    assert page.get_by_role("button", name="开始处置").count() == 0  # residents read; workers act
    page.get_by_role("link", name=re.compile("返回我的上报")).click()
    # staff handle it; the resident rates the outcome once
    worker = hecheng_grid["workers"][0]
    for step in ({"action": "dispatch", "assignee": worker}, {"action": "start"}, {"action": "resolve", "note": "已修复"}):
        assert api.post(f"/v1/incidents/{report['id']}/transitions", admin, step).status == 200
    page.reload()
    mine = page.locator(".report", has_text=description)
    mine.get_by_text("已办结").wait_for()
    look(page, "field-resident-mine")
    mine.get_by_role("radio", name="满意度 4 / 5").click()
    for _ in range(30):
        if api.get(f"/v1/incidents/{report['id']}", admin).json.get("rating") == 4:
            break
        page.wait_for_timeout(500)
    assert api.get(f"/v1/incidents/{report['id']}", admin).json["rating"] == 4
    mine.get_by_role("radio", name="满意度 2 / 5").click(force=True)  # locked: one rating
    page.wait_for_timeout(500)
    assert page.locator("[data-test=queue]").count() == 0 and api.get(f"/v1/incidents/{report['id']}", admin).json["rating"] == 4
    context.close()


def test_a_conflict_during_sync_is_shown_with_both_states(api, browser, base_url, demo_tenant, hecheng_grid, tmp_path):
    admin = token("district_admin", demo_tenant)
    worker_id = hecheng_grid["workers"][0]
    worker = api.get(f"/v1/users/{worker_id}", admin).json
    incident = dispatched_to(api, admin, hecheng_grid, worker_id, f"垃圾满溢 {tmp_path.name}")
    context, page = phone(browser, base_url, centre(hecheng_grid["boundary"]))
    sign_in(page, base_url, demo_tenant, worker["name"])
    page.get_by_role("heading", name="我的任务").wait_for()
    page.goto(f"{base_url}/field/incidents/{incident['id']}")
    page.get_by_role("button", name="开始处置").wait_for()
    page.wait_for_function("navigator.serviceWorker.controller !== null", timeout=30000)  # installed: works offline
    page.get_by_text("荷城社区第1网格").wait_for()  # the grid by name, from the grids kept on the phone
    look(page, "field-incident")
    context.set_offline(True)
    page.get_by_role("button", name="开始处置").click()
    page.get_by_text("1 条待上传").wait_for()
    # meanwhile, in the office, someone starts it: the worker's step no longer applies
    assert api.post(f"/v1/incidents/{incident['id']}/transitions", admin, {"action": "start"}).status == 200
    context.set_offline(False)
    page.get_by_text("1 条需处理").wait_for(timeout=30000)
    page.locator("[data-test=queue]").click()
    page.wait_for_url("**/field/queue")
    item = page.locator("[data-state=conflict]")
    item.wait_for()
    assert item.locator(".van-cell", has_text="你的操作").inner_text().split() == ["你的操作", "开始处置"]  # both states
    assert item.locator(".van-cell", has_text="服务器上现在是").inner_text().split() == ["服务器上现在是", "处置中"]
    look(page, "field-conflict")
    context.close()


def test_tasks_show_working_time_left_and_stay_readable_offline(api, browser, base_url, demo_tenant, hecheng_grid, tmp_path):
    admin = token("district_admin", demo_tenant)
    worker_id = hecheng_grid["workers"][1]
    worker = api.get(f"/v1/users/{worker_id}", admin).json
    incident = dispatched_to(api, admin, hecheng_grid, worker_id, f"井盖松动 {tmp_path.name}")
    context, page = phone(browser, base_url, centre(hecheng_grid["boundary"]))
    sign_in(page, base_url, demo_tenant, worker["name"])
    task = page.locator(".task", has_text=incident["description"])
    task.wait_for()
    mine = api.get("/v1/me/tasks", page.evaluate("localStorage.getItem('gongjian.token')")).json["items"]
    assert page.locator(".task").count() == len(mine)  # the API's list, no more and no less
    assert re.search(r"剩余 \d+ (个工作日|小时|分钟)", task.inner_text()), task.inner_text()
    page.wait_for_function("navigator.serviceWorker.controller !== null", timeout=30000)
    look(page, "field-tasks")

    context.set_offline(True)
    page.reload()  # no signal: the app and the last list come from the phone
    page.get_by_text(re.compile("离线：显示 .* 保存的任务")).wait_for()
    assert "剩余" in page.locator(".task", has_text=incident["description"]).inner_text()  # counted offline too
    look(page, "field-tasks-offline")
    page.locator(".task", has_text=incident["description"]).click()
    page.get_by_role("button", name="开始处置").wait_for()  # the incident as kept on the phone
    context.close()


def test_a_place_is_picked_on_the_map_when_there_is_no_gps_fix(api, browser, base_url, demo_tenant, hecheng_grid, tmp_path):
    admin = token("district_admin", demo_tenant)
    worker = api.get(f"/v1/users/{hecheng_grid['workers'][0]}", admin).json
    context, page = phone(browser, base_url, None)  # location refused: no GPS fix
    sign_in(page, base_url, demo_tenant, worker["name"])
    page.get_by_role("heading", name="我的任务").wait_for()
    page.wait_for_function("navigator.serviceWorker.controller !== null", timeout=30000)
    page.wait_for_function("""async () => {  // the grids kept on the phone while online
        const db = await new Promise((ok) => { const r = indexedDB.open('gongjian-field'); r.onsuccess = () => ok(r.result); });
        return await new Promise((ok) => { const r = db.transaction('cache').objectStore('cache').get('grids');
                                           r.onsuccess = () => ok(Boolean(r.result)); });
    }""", timeout=30000)
    context.set_offline(True)  # in a basement: neither GPS nor signal
    page.get_by_role("tab", name=re.compile(r"^[^\u4e00-\u9fff]*上报$")).click()
    page.get_by_text("无法定位").wait_for()
    page.get_by_role("button", name="地图选点").click()
    grid = page.locator(f"path.grid-{hecheng_grid['id']}")
    try:
        grid.wait_for(state="attached", timeout=60000)
    except Exception:  # what the map holds, for the run's log
        print("place map:", page.errors, page.evaluate("document.querySelector('[data-test=place-map]')?.outerHTML?.slice(0, 600)"))
        raise
    box = settled_box(page, grid)
    page.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    page.get_by_text("已选：荷城社区第1网格").wait_for()
    look(page, "field-place-picker")
    page.get_by_role("button", name="确定").click()
    page.get_by_text("荷城社区第1网格（地图选点）").wait_for()
    description = f"地下室渗水 {tmp_path.name}"
    page.get_by_role("textbox", name="描述").fill(description)
    page.get_by_role("button", name="上报").click()
    page.get_by_text("1 条待上传").wait_for()
    context.set_offline(False)
    page.get_by_text("1 条待上传").wait_for(state="detached", timeout=30000)
    report = next(i for i in api.all_items("/v1/incidents", admin) if i["description"] == description)
    assert report["grid_id"] == hecheng_grid["id"]
    located = api.get(f"/v1/grids/locate?lat={report['location']['lat']}&lon={report['location']['lon']}", admin).json
    assert located["id"] == hecheng_grid["id"]  # the tapped point lies in the grid the phone named
    context.close()


def test_a_patrol_records_its_track_and_findings(api, browser, base_url, demo_tenant, hecheng_grid, tmp_path):
    admin = token("district_admin", demo_tenant)
    worker_id = hecheng_grid["workers"][1]
    worker = api.get(f"/v1/users/{worker_id}", admin).json
    here = centre(hecheng_grid["boundary"])
    context, page = phone(browser, base_url, here)
    sign_in(page, base_url, demo_tenant, worker["name"])
    page.get_by_role("heading", name="我的任务").wait_for()
    page.get_by_role("tab", name=re.compile("巡查$")).click()
    page.get_by_role("radio", name="荷城社区第1网格").click()
    page.get_by_role("button", name="开始巡查").click()
    page.get_by_text(re.compile(r"已记录轨迹 [1-9]\d* 个点")).wait_for()
    for step in range(1, 3):  # walking north-east through the grid, about 30 m a step
        context.set_geolocation({"latitude": here["latitude"] + step * 0.0002, "longitude": here["longitude"] + step * 0.0002})
        page.get_by_text(re.compile(rf"已记录轨迹 ([{step + 1}-9]|\d\d+) 个点")).wait_for(timeout=15000)
    page.get_by_role("tab", name=re.compile(r"^[^\u4e00-\u9fff]*上报$")).click()  # reporting a finding: the track goes on
    page.get_by_role("textbox", name="描述").wait_for()
    context.set_geolocation({"latitude": here["latitude"] + 0.0006, "longitude": here["longitude"] + 0.0006})
    page.wait_for_timeout(1500)
    page.get_by_role("tab", name=re.compile("巡查$")).click()
    page.get_by_text(re.compile(r"已记录轨迹 ([4-9]|\d\d+) 个点")).wait_for(timeout=15000)
    finding = f"5栋消防通道被占 {tmp_path.name}"
    page.get_by_role("textbox", name="发现的问题").fill(finding)
    page.get_by_role("button", name="记录").click()
    page.get_by_text(finding).wait_for()
    look(page, "field-patrol")
    page.get_by_role("button", name="结束巡查").click()
    page.locator(".van-dialog").get_by_text("个轨迹点、1 条发现将上传").wait_for()  # asked first
    page.locator(".van-dialog").get_by_role("button", name="结束并上传").click()
    page.get_by_role("button", name="开始巡查").wait_for()
    patrols = []
    for _ in range(30):
        patrols = [p for p in api.all_items(f"/v1/patrols?grid_id={hecheng_grid['id']}", admin) if finding in p["findings"]]
        if patrols:
            break
        page.wait_for_timeout(1000)
    assert len(patrols) == 1
    track = patrols[0]["track"]["coordinates"]
    assert len(track) >= 4 and patrols[0]["worker"] == worker_id
    assert track[-1][1] > track[0][1] and track[-1][0] > track[0][0]

    # an afternoon round of the same grid: the API keeps one record a day, so it is added to that one
    page.get_by_role("radio", name="荷城社区第1网格").click()
    page.get_by_role("button", name="开始巡查").click()
    context.set_geolocation({"latitude": here["latitude"] - 0.0003, "longitude": here["longitude"]})
    page.get_by_text(re.compile(r"已记录轨迹 [1-9]\d* 个点")).wait_for()
    afternoon = f"垃圾桶破损 {tmp_path.name}"
    page.get_by_role("textbox", name="发现的问题").fill(afternoon)
    page.get_by_role("button", name="记录").click()
    page.get_by_role("button", name="结束巡查").click()
    page.locator(".van-dialog").get_by_role("button", name="结束并上传").click()
    page.get_by_role("button", name="开始巡查").wait_for()
    for _ in range(30):
        day = [p for p in api.all_items(f"/v1/patrols?grid_id={hecheng_grid['id']}", admin) if finding in p["findings"]]
        if day and afternoon in day[0]["findings"]:
            break
        page.wait_for_timeout(1000)
    assert len(day) == 1 and day[0]["findings"] == [finding, afternoon]
    assert len(day[0]["track"]["coordinates"]) > len(track)
    assert page.locator("[data-test=queue]").count() == 0  # merged, not left as a conflict
    context.close()


def test_the_app_is_installable_and_its_sign_in_page_accessible(browser, base_url, demo_tenant, tmp_path):
    # a profile on disk, as a phone has: Chromium offers no install in an incognito context
    context = browser.browser_type.launch_persistent_context(
        tmp_path / "profile", executable_path=CHROMIUM, args=["--no-sandbox"], viewport=FIELD, locale="zh-CN",
        is_mobile=True, has_touch=True, service_workers="allow")
    page = context.pages[0] if context.pages else context.new_page()
    page.goto(f"{base_url}/field/auth/callback")  # the provider's way back: locally there is none, so to sign-in
    page.wait_for_url("**/field/sign-in")
    page.goto(f"{base_url}/field/sign-in?tenant={demo_tenant}")
    page.get_by_role("button", name=re.compile("网格员")).first.wait_for()
    page.wait_for_function("navigator.serviceWorker.controller !== null", timeout=30000)
    manifest = page.evaluate("""async () => (await fetch(document.querySelector('link[rel=manifest]').href)).json()""")
    assert manifest["start_url"] == "/field/" and manifest["display"] == "standalone" and manifest["lang"] == "zh-CN"
    assert {"192x192", "512x512"} <= {i["sizes"] for i in manifest["icons"]}
    cdp = context.new_cdp_session(page)
    assert cdp.send("Page.getInstallabilityErrors")["installabilityErrors"] == []  # Chromium would offer 安装
    look(page, "field-sign-in")
    page.get_by_role("button", name="English").click()  # the language switch, kept per phone
    page.get_by_role("searchbox", name="Search by name or grid").wait_for()
    assert page.evaluate("document.documentElement.lang") == "en"
    look(page, "field-sign-in-en")
    page.get_by_role("searchbox").fill("荷城社区第1网格")
    page.get_by_role("button", name=re.compile("荷城社区第1网格")).first.click()
    page.get_by_role("heading", name="My tasks").wait_for()
    page.get_by_role("tab", name=re.compile("Report$")).click()
    page.get_by_role("heading", name="Report an incident").wait_for()
    page.get_by_role("button", name="Pick on map").wait_for()
    assert not re.search(r"[\u4e00-\u9fff]", page.locator("main").inner_text()), page.locator("main").inner_text()
    look(page, "field-report-en")
    context.close()


def test_signing_out_asks_first_while_actions_wait(api, browser, base_url, demo_tenant, hecheng_grid, tmp_path):
    admin = token("district_admin", demo_tenant)
    worker = api.get(f"/v1/users/{hecheng_grid['workers'][1]}", admin).json
    context, page = phone(browser, base_url, centre(hecheng_grid["boundary"]))
    sign_in(page, base_url, demo_tenant, worker["name"])
    page.get_by_role("heading", name="我的任务").wait_for()
    page.wait_for_function("navigator.serviceWorker.controller !== null", timeout=30000)
    context.set_offline(True)
    page.get_by_role("tab", name=re.compile(r"^[^\u4e00-\u9fff]*上报$")).click()
    description = f"电动车楼道充电 {tmp_path.name}"
    page.get_by_role("textbox", name="描述").fill(description)
    page.get_by_role("button", name="上报").click()
    page.get_by_text("1 条待上传").wait_for()
    page.get_by_role("button", name="退出", exact=True).click()
    page.get_by_text("还有 1 条没有上传").wait_for()
    look(page, "field-sign-out-unsent")
    page.get_by_role("button", name="先不退出").click()
    page.get_by_text("1 条待上传").wait_for()  # still signed in, still queued
    context.set_offline(False)
    page.get_by_text("1 条待上传").wait_for(state="detached", timeout=30000)
    assert len([i for i in api.all_items("/v1/incidents", admin) if i["description"] == description]) == 1
    page.get_by_role("button", name="退出", exact=True).click()  # nothing waits: no question
    page.wait_for_url("**/field/sign-in")
    assert page.evaluate("localStorage.getItem('gongjian.token')") is None
    stored = page.evaluate("""async () => {  // the queue and the kept lists are gone (the sign-in page opens an empty store)
        const db = await new Promise((ok) => { const r = indexedDB.open('gongjian-field'); r.onsuccess = () => ok(r.result); });
        if (!db.objectStoreNames.contains('queue')) return 0;
        const count = (store) => new Promise((ok) => { const r = db.transaction(store).objectStore(store).count(); r.onsuccess = () => ok(r.result); });
        return (await count('queue')) + (await count('cache'));
    }""")
    assert stored == 0
    context.set_offline(True)
    page.reload()  # signed out, no signal: the app itself still opens
    page.get_by_text("登录网格通").wait_for()
    context.close()


def test_a_refused_report_is_kept_with_its_problem_until_given_up(api, browser, base_url, demo_tenant, hecheng_grid, tmp_path):
    """A resident picks a grid by name (the picker's list), reports offline; meanwhile the office
    archives that grid, so the API refuses the report (422 on grid_id). The phone keeps it, names the
    field in words, lets the text be corrected, and drops it only when the resident gives it up."""
    admin = token("district_admin", demo_tenant)
    ring = [[x + 1.0, y] for x, y in hecheng_grid["boundary"]["coordinates"][0]]  # far from every demo grid
    name = f"荷城社区临时网格{tmp_path.name[-6:]}"
    temporary = api.post("/v1/grids", admin, {"name": name, "community_id": hecheng_grid["community_id"],
                                              "boundary": {"type": "Polygon", "coordinates": [ring]}}).json
    context, page = phone(browser, base_url, None)
    sign_in(page, base_url, demo_tenant, "荷城社区居民 王女士")
    page.get_by_role("heading", name="我的上报").wait_for()
    page.wait_for_function("navigator.serviceWorker.controller !== null", timeout=30000)
    page.wait_for_function("""async () => {
        const db = await new Promise((ok) => { const r = indexedDB.open('gongjian-field'); r.onsuccess = () => ok(r.result); });
        return await new Promise((ok) => { const r = db.transaction('cache').objectStore('cache').get('grids');
                                           r.onsuccess = () => ok(Boolean(r.result) && r.result.value.some((g) => g.name === name)); });
    }""".replace("name)", f"{json.dumps(name)})"), timeout=30000)
    context.set_offline(True)
    page.get_by_role("tab", name=re.compile(r"^[^\u4e00-\u9fff]*上报$")).click()
    description = f"临时摊点占道 {tmp_path.name}"
    page.get_by_role("textbox", name="描述").fill(description)
    page.get_by_role("button", name="地图选点").click()
    page.get_by_role("searchbox", name="搜索网格").fill(name)
    page.get_by_role("button", name=name).click()
    page.get_by_text(f"已选：{name}").wait_for()
    page.get_by_role("button", name="确定").click()
    page.get_by_role("button", name="上报").click()
    page.get_by_text("1 条待上传").wait_for()
    archived = api.post(f"/v1/grids/{temporary['id']}/archive", admin, {"reason": "网格调整", "version": temporary["version"]})
    assert archived.status == 200, archived
    context.set_offline(False)
    page.get_by_text("1 条需处理").wait_for(timeout=30000)
    page.locator("[data-test=queue]").click()
    item = page.locator("[data-state=refused]")
    item.get_by_text("网格已归档").wait_for()
    assert "网格" in item.inner_text() and "/grid_id" not in item.inner_text()  # the field by its name
    assert item.get_by_role("textbox", name="描述").input_value() == description  # kept, to correct
    look(page, "field-refused")
    page.reload()  # kept across a restart
    page.locator("[data-state=refused]").get_by_text("网格已归档").wait_for()
    assert [i for i in api.all_items("/v1/incidents", admin) if i["description"] == description] == []
    page.locator("[data-state=refused]").get_by_role("button", name="放弃此条").click()
    page.locator(".van-dialog").get_by_role("button", name="保留").click()  # asked first: nothing lost by a slip
    page.locator("[data-state=refused]").wait_for()
    page.locator("[data-state=refused]").get_by_role("button", name="放弃此条").click()
    page.locator(".van-dialog").get_by_role("button", name="放弃此条").click()
    page.get_by_text("没有待上传的内容").wait_for()
    assert [i for i in api.all_items("/v1/incidents", admin) if i["description"] == description] == []
    context.close()
