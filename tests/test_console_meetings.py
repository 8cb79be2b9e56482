"""会议 in a real browser: the month's calendar of the committees' meetings, a meeting with its
agenda, attendance, minutes (revisions, upload from the browser with progress, the secretary's
approval) and decisions with their actions by department, and an action moved on by its department
and the community."""
from __future__ import annotations

import calendar
import hashlib
import re
from datetime import date, timedelta

from browser import SHOTS, console, done, shot
from conftest import token
from functions import local_issuer

SECRETARY = "荷城社区书记 韦建华"
MINUTES = "# 荷城社区大党委联席会议纪要\n\n## 议题\n- 研究夜宵摊点整治\n\n## 议定事项\n联合执法，限期整治。\n"


def setting(api, demo_tenant):
    """The district admin's token, the district's today, 荷城社区's committee and units, another committee."""
    admin = token("district_admin", demo_tenant)
    today = date.fromisoformat(_today(api, admin))
    communities = {c["name"]: c["id"] for c in api.all_items("/v1/communities", admin)}
    committees = {c["community_id"]: c for c in api.all_items("/v1/committees", admin)}
    hecheng = committees[communities["荷城社区"]]
    other = next(c for cid, c in committees.items() if cid != communities["荷城社区"])
    units = api.all_items(f"/v1/units?community_id={hecheng['community_id']}", admin)
    return admin, today, hecheng, other, units


def _today(api, admin) -> str:
    from functions.ids import today_in

    return today_in(api.get("/v1/me", admin).json["timezone"] or "Asia/Shanghai")


def schedule(api, admin, committee, day: date, hour: int, units=(), kind="joint") -> dict:
    r = api.post("/v1/meetings", admin, {
        "committee_id": committee["id"], "kind": kind, "scheduled_at": f"{day.isoformat()}T{hour:02d}:00:00+08:00",
        "location": "荷城社区党群服务中心", "chair": "韦建华",
        "agenda": ["研究中心城区夜宵摊点乱摆乱卖整治问题", "通报上月大党委工作情况"],
        "attendees": [{"unit_id": u["id"], "name": f"参会人{k + 1}", "present": k % 3 != 2} for k, u in enumerate(units[:4])]})
    assert r.status == 201, r
    return r.json


def settle(page) -> None:
    """The pointer off the button just clicked (a hovered primary button is lighter: theme.css's
    primary-light-3 under white text is 4.3:1), its colour transition and any message over."""
    page.mouse.move(1, 1)
    page.wait_for_timeout(300)
    page.locator(".el-message").first.wait_for(state="detached", timeout=10_000)


def whole_page(page, name: str) -> None:
    """A long screen's screenshot, top to bottom."""
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True, animations="disabled")


def departments(api, admin) -> dict[str, str]:
    return {d["name"]: d["id"] for d in api.all_items("/v1/departments", admin)}


def this_month(today: date) -> tuple[str, str]:
    return today.replace(day=1).isoformat(), today.replace(day=calendar.monthrange(today.year, today.month)[1]).isoformat()


def test_the_secretary_approves_the_draft_minutes(api, browser, base_url, demo_tenant):
    """A meeting of 荷城社区's committee with draft minutes: staff who are not the secretary see it
    wait for approval; the secretary (the committee's `secretary_user_id`) approves it on the page."""
    admin, today, hecheng, _, units = setting(api, demo_tenant)
    user, secretary = local_issuer.directory_token(demo_tenant, SECRETARY)
    assert hecheng["secretary_user_id"] == user["id"], "the committee's secretary approves its minutes"
    meeting = schedule(api, admin, hecheng, today, 9, units)
    staff = token("community_staff", demo_tenant, communities=[hecheng["community_id"]])
    r = api.call("PUT", f"/v1/meetings/{meeting['id']}/minutes", staff, raw=MINUTES.encode(),
                 headers={"Content-Type": "text/markdown; charset=utf-8"})
    assert r.status == 201 and r.json["status"] == "draft", r
    dept = departments(api, admin)
    due = (today + timedelta(days=14)).isoformat()
    r = api.post(f"/v1/meetings/{meeting['id']}/decisions", admin, {
        "title": "联合整治中心城区夜宵摊点乱摆乱卖", "description": "环保牵头，工商、市政配合联合执法。",
        "actions": [{"assignee": dept["港北区环境保护局"], "due_date": due, "description": "牵头开展夜宵摊点油烟、噪声联合执法",
                     "assisting": [{"assignee": dept["港北区工商局"], "due_date": due}]},
                    {"assignee": dept["港北区市政管理局"], "due_date": due, "description": "设置夜宵摊点临时疏导点"}]})
    assert r.status == 201, r

    # other staff of the community: no approve button, told who approves
    page = console(browser, base_url, staff, f"/meetings/{meeting['id']}")
    page.locator("[data-test=latest-status]").wait_for()
    assert page.locator("[data-test=latest-status]").inner_text() == "待审批"
    assert page.get_by_text("等待大党委书记审定").count() == 1
    assert page.get_by_role("button", name=re.compile("审定第")).count() == 0
    done(page)

    page = console(browser, base_url, secretary, f"/meetings/{meeting['id']}")
    page.get_by_role("heading", name=re.compile(f"{hecheng['name']} · 联席会议")).wait_for()
    assert [li.inner_text() for li in page.locator("[data-test=agenda] li").all()] == meeting["agenda"]
    attendance = page.locator("[data-test=attendance]")
    for unit in units[:4]:
        assert unit["name"] in attendance.inner_text()  # units by name, not id
    assert "出席 3 人 / 应出席 4 人" in page.locator(".meeting").inner_text()
    groups = page.locator("[data-test=department-group] h4")
    groups.first.wait_for()
    assert sorted(g.inner_text() for g in groups.all()) == sorted(["牵头部门：港北区环境保护局", "牵头部门：港北区市政管理局"])
    assert "港北区工商局" in page.locator("[data-test=department-group]").first.inner_text()
    assert page.locator("[data-test=decision] [data-test=action-status]").first.inner_text() == "待办"

    page.get_by_label("审定意见").fill("同意")
    page.get_by_role("button", name="审定第 1 稿").click()
    page.locator("[data-test=latest-status]", has_text="已批准").wait_for()
    assert page.get_by_role("button", name=re.compile("审定第")).count() == 0
    assert f"审定：{SECRETARY}" in page.locator("[data-test=latest-minutes]").inner_text()
    stored = api.get(f"/v1/meetings/{meeting['id']}", admin).json
    assert stored["approved_revision"] == 1
    revision = api.get(f"/v1/meetings/{meeting['id']}/minutes/revisions", admin).json["items"][0]
    assert (revision["status"], revision["approved_by"], revision["approval_note"]) == ("approved", user["id"], "同意")
    page.mouse.wheel(0, 300)
    settle(page)
    whole_page(page, "console-meetings-detail")
    done(page)


def test_minutes_upload_with_progress_and_the_refusal_shown(api, browser, base_url, demo_tenant):
    """The secretary uploads a markdown file: the page hashes it (SHA-256), PUTs it to the presigned
    URL with a progress bar and completes it; the new draft revision carries the test's SHA-256. When
    the file never reaches storage, the API's 422 is shown."""
    admin, today, hecheng, _, units = setting(api, demo_tenant)
    _, secretary = local_issuer.directory_token(demo_tenant, SECRETARY)
    meeting = schedule(api, admin, hecheng, today.replace(day=1), 15, units, kind="expanded")
    content = (MINUTES + "\n（上传稿）\n").encode()
    digest = hashlib.sha256(content).hexdigest()

    page = console(browser, base_url, secretary, f"/meetings/{meeting['id']}")
    page.get_by_text("尚无纪要").wait_for()
    page.set_input_files("#minutes-file", files=[{"name": "荷城联席会议纪要.md", "mimeType": "text/markdown", "buffer": content}])
    assert page.locator("[data-test=chosen]").inner_text() == f"荷城联席会议纪要.md · {len(content)} B"
    page.get_by_role("button", name="上传", exact=True).click()
    page.locator("[data-test=uploaded]").wait_for()
    assert page.locator("[data-test=uploaded]").inner_text().strip() == "已上传为第 1 稿（待审定）"
    assert page.locator("[data-test=upload-sha]").inner_text() == digest
    assert page.locator("[data-test=upload-progress] [role=progressbar]").get_attribute("aria-valuenow") == "100"
    row = page.locator("[data-test=revisions] .el-table__row").first
    row.wait_for()
    assert row.locator("[data-test=sha]").inner_text() == digest[:12]
    assert row.locator("[data-test=sha]").get_attribute("title") == digest
    assert "荷城联席会议纪要.md" in row.inner_text() and "待审批" in row.inner_text()
    stored = api.get(f"/v1/meetings/{meeting['id']}/minutes/revisions", admin).json["items"]
    assert [(r["revision"], r["sha256"], r["size"], r["filename"], r["content_type"]) for r in stored] == [
        (1, digest, len(content), "荷城联席会议纪要.md", "text/markdown")]
    page.locator("[data-test=upload]").scroll_into_view_if_needed()
    shot(page, "console-meetings-upload")

    # the bytes never reach storage (the PUT is answered without them): complete is refused, 422
    page.route(lambda url: "X-Amz-Signature" in url and "/uploads/" in url,
               lambda route: route.fulfill(status=200, body="", headers={"Access-Control-Allow-Origin": "*"}))
    page.set_input_files("#minutes-file", files=[{"name": "第二稿.md", "mimeType": "text/markdown", "buffer": b"# v2\n"}])
    page.get_by_role("button", name="上传", exact=True).click()
    alert = page.locator(".upload [role=alert]")
    alert.wait_for()
    assert "尚未收到上传的文件" in alert.inner_text()
    assert len(api.get(f"/v1/meetings/{meeting['id']}/minutes/revisions", admin).json["items"]) == 1
    settle(page)
    done(page, allowed_errors=("422",))


def rows(page, meetings) -> None:
    """The list below the calendar: the month's meetings, the first 20 of them, in time order."""
    page.wait_for_function(f"document.querySelectorAll('[data-test=meeting-list] .el-table__row').length === {min(len(meetings), 20)}"
                           " && !document.querySelector('[data-test=meeting-list] .el-loading-mask')")
    times = [r.locator("td").first.inner_text() for r in page.locator("[data-test=meeting-list] .el-table__row").all()]
    assert times == sorted(times)


def test_the_calendar_shows_this_months_meetings_of_the_users_scope(api, browser, base_url, demo_tenant):
    """荷城社区's secretary starts with their own committee's meetings of this month, each on its day
    (as the API lists them); all committees one choice away; last month holds the demo's meetings."""
    admin, today, hecheng, other, units = setting(api, demo_tenant)
    _, secretary = local_issuer.directory_token(demo_tenant, SECRETARY)
    last_day = today.replace(day=calendar.monthrange(today.year, today.month)[1])
    schedule(api, admin, hecheng, last_day, 10, units)
    schedule(api, admin, other, today.replace(day=1) + timedelta(days=1), 14)
    first, last = this_month(today)

    def shows(page, meetings, names) -> None:
        """Each day's cell: its meetings (two at most, then "另有 n 场"), by committee name."""
        per_day: dict[str, list[dict]] = {}
        for m in meetings:
            per_day.setdefault(m["scheduled_at"][:10], []).append(m)  # offsets are the district's (+08:00)
        entries = page.locator("[data-test=calendar-meeting]")
        assert entries.count() == sum(min(2, len(ms)) for ms in per_day.values())
        for day, ms in per_day.items():
            cell = page.locator(f'[data-day="{day}"]')
            texts = [e.inner_text() for e in cell.locator("[data-test=calendar-meeting]").all()]
            assert len(texts) == min(2, len(ms)), (day, texts)
            assert all(any(names[m["committee_id"]] in text for m in ms) for text in texts)
            if len(ms) > 2:
                assert f"另有 {len(ms) - 2} 场" in cell.inner_text()

    names = {c["id"]: c["name"] for c in api.all_items("/v1/committees", admin)}
    own = api.all_items(f"/v1/meetings?committee_id={hecheng['id']}&from={first}&to={last}", secretary)
    assert own and all(m["committee_id"] == hecheng["id"] for m in own)
    page = console(browser, base_url, secretary, "/meetings")
    page.locator("[data-test=meeting-list] .el-table__row").first.wait_for()
    page.wait_for_function("document.querySelectorAll('[data-test=calendar-meeting]').length > 0")
    shows(page, own, names)
    assert other["name"] not in page.locator("[data-test=calendar]").inner_text()
    rows(page, own)
    assert hecheng["name"] in page.locator("[data-test=meeting-list]").inner_text()

    everyone = api.all_items(f"/v1/meetings?from={first}&to={last}", secretary)
    page.get_by_role("combobox", name="大党委").click()
    page.get_by_role("option", name="全部大党委").click()
    page.wait_for_url(re.compile(r"/meetings\?month=\d{4}-\d{2}$"))
    page.locator("[data-test=calendar-meeting]", has_text=other["name"]).first.wait_for()
    shows(page, everyone, names)
    rows(page, everyone)

    page.get_by_role("button", name="上个月").click()
    previous = (today.replace(day=1) - timedelta(days=1))
    page.wait_for_url(re.compile(f"month={previous.strftime('%Y-%m')}"))
    earlier = api.all_items(f"/v1/meetings?from={previous.replace(day=1)}&to={previous}", secretary)
    assert len(earlier) >= 17  # every committee met last month (the demo)
    page.wait_for_function(f"document.querySelectorAll('[data-test=calendar-meeting]').length >= {min(17, len(earlier))}")
    shows(page, earlier, names)
    rows(page, earlier)
    page.mouse.move(1, 1)
    done(page, "console-meetings-calendar")


def test_an_action_moved_on_by_its_department_and_the_community(api, browser, base_url, demo_tenant):
    """The lead department signs its part off and reports it done; 荷城社区's secretary then moves the
    action to done (PATCH at the version read) and the API stores it."""
    admin, today, hecheng, _, units = setting(api, demo_tenant)
    _, secretary = local_issuer.directory_token(demo_tenant, SECRETARY)
    meeting = schedule(api, admin, hecheng, today, 11, units)
    municipal = departments(api, admin)["港北区市政管理局"]
    decided = api.post(f"/v1/meetings/{meeting['id']}/decisions", admin, {"title": "整治楼道堆放杂物", "actions": [
        {"assignee": municipal, "due_date": (today + timedelta(days=7)).isoformat(), "description": "清理楼道杂物，打通消防通道"}]})
    assert decided.status == 201, decided
    action = decided.json["actions"][0]

    page = console(browser, base_url, token("department", demo_tenant, departments=[municipal]), f"/meetings/actions/{action['id']}")
    parts = page.locator("[data-test=parts]")
    parts.get_by_role("button", name="签收").click()
    parts.get_by_text("未签收").wait_for(state="detached")
    assert page.locator("h2 [data-test=action-status]").inner_text() == "进行中"
    parts.get_by_role("button", name="报告进度").click()
    page.get_by_label("完成百分比").fill("100")
    page.locator("[data-test=report]").get_by_label("说明").fill("已清理 3 栋楼道")
    page.locator("[data-test=report]").get_by_role("button", name="提交").click()
    page.locator("[data-test=report]").wait_for(state="detached")
    assert "已清理 3 栋楼道" in parts.inner_text()
    assert page.locator("[data-test=move]").count() == 0  # the department works its part; the community moves the action
    settle(page)
    done(page)
    stored = api.get(f"/v1/actions/{action['id']}", admin).json
    assert stored["parts"][0]["signed_off_at"] and stored["parts"][0]["progress"] == 100

    page = console(browser, base_url, secretary, f"/meetings/actions/{action['id']}")
    move = page.locator("[data-test=move]")
    move.get_by_text("已完成").click()
    move.get_by_label("说明").fill("经核实已办结")
    move.get_by_role("button", name="提交").click()
    page.locator("h2 [data-test=action-status]", has_text="已完成").wait_for()
    stored = api.get(f"/v1/actions/{action['id']}", admin).json
    assert stored["status"] == "done" and stored["notes"][-1]["text"] == "经核实已办结"
    assert page.get_by_role("button", name="核验并关闭").count() == 1
    settle(page)
    whole_page(page, "console-meetings-action")
    done(page)

