"""The console's 党组织 and 服务 screens in a real browser: 荷城社区's secretary sees the building branch
short of six members with the warning the API gives it and the pairings flagged overdue exactly as the
API reports them, and logs a contact through the form; the alliance tab shows the six links covered as
the coverage route reports; the district admin sees the service centres and requests as the API lists
them, moves a request one step by its button, and verifies volunteer hours."""
from __future__ import annotations

import uuid
from typing import Any

from browser import console, done, shot
from conftest import token
from functions import local_issuer
from functions.ids import today_in

SECRETARY = "荷城社区书记 韦建华"
ZONE = "Asia/Shanghai"  # the demo district's
# The console's labels (web/src/labels.ts alliance_activity, service_status; services/labels.ts).
SIX_LINKS = {"training": "党员联训", "activity": "活动联办", "system": "制度联建", "position": "阵地联创", "service": "服务联动",
             "information": "信息联通"}
SERVICE_STATUS = {"submitted": "已提交", "accepted": "已受理", "in_service": "服务中", "completed": "已完成", "declined": "已婉拒"}


def hecheng(api: Any, tenant: str) -> dict:
    admin = token("district_admin", tenant)
    return next(c for c in api.all_items("/v1/communities", admin) if c["name"] == "荷城社区")


def rows(page: Any, table: str) -> Any:
    return page.locator(f"[data-test={table}] .el-table__body > tbody > tr.el-table__row")


def row_of(page: Any, table: str, marker: str, item_id: str) -> Any:
    """The table row whose `marker` element carries data-id=`item_id`."""
    return rows(page, table).filter(has=page.locator(f"[data-test={marker}][data-id='{item_id}']"))


def shown_ids(page: Any, table: str, marker: str) -> list[str]:
    page.wait_for_load_state("networkidle")
    more = page.get_by_role("button", name="加载更多")
    while more.count():
        more.click()
        page.wait_for_load_state("networkidle")
    return page.eval_on_selector_all(f"[data-test={table}] [data-test={marker}][data-id]", "es => es.map(e => e.dataset.id)")


def shows(page: Any, table: str, marker: str, expected: list[str]) -> None:
    """Wait until the table shows exactly these items, in this order (a filter's reload is on its way)."""
    page.wait_for_function(
        "([sel, ids]) => JSON.stringify([...document.querySelectorAll(sel)].map(e => e.dataset.id)) === JSON.stringify(ids)",
        arg=[f"[data-test={table}] [data-test={marker}][data-id]", expected])


def test_secretary_sees_branch_warnings_and_overdue_pairings_and_logs_a_contact(api, browser, base_url, demo_tenant):
    community = hecheng(api, demo_tenant)
    _, bearer = local_issuer.directory_token(demo_tenant, SECRETARY)

    # 楼栋党支部: every branch with its member count; the one short of six carries the API's warning.
    branches = api.all_items("/v1/branches", bearer)
    units = {u["id"]: u["name"] for u in api.all_items("/v1/units", bearer)}
    short = [b for b in branches if b["warnings"]]
    assert short and all(len(b["members"]) < 6 for b in short)
    page = console(browser, base_url, bearer, "/organisations/branches")
    page.locator("[data-test=branch-table]").wait_for()
    assert shown_ids(page, "branch-table", "branch-name") == [b["id"] for b in branches]
    for branch in branches:
        row = row_of(page, "branch-table", "branch-name", branch["id"])
        assert row.locator("[data-test=member-count]").inner_text() == str(len(branch["members"]))
        assert community["name"] in row.inner_text()
        warnings = row.locator("[data-test=branch-warning]")
        assert [w.inner_text() for w in warnings.all()] == [w["message"] for w in branch["warnings"]]
    assert "楼宇党支部应有 6–8 名党员，现有 3 名" in page.inner_text("main")
    # The short branch opens to its members by name and role.
    row_of(page, "branch-table", "branch-name", short[0]["id"]).locator(".el-table__expand-icon").click()
    for seat in short[0]["members"]:
        name = api.get(f"/v1/members/{seat['member_id']}", bearer).json["name"]
        page.locator(".el-table__expanded-cell").get_by_text(name, exact=True).first.wait_for()
    team = page.locator(".el-table__expanded-cell").inner_text()
    assert all(units[u] in team for u in short[0]["service_team"]["unit_service_team"])  # units by name, not id
    shot(page, "console-organisations-branches")

    # 结对: reached by its tab, as a user would; overdue flagged exactly where the API says so.
    page.get_by_role("tab", name="结对").click()
    page.wait_for_url("**/organisations/pairings")
    page.locator("[data-test=pairing-table]").wait_for()
    pairings = api.all_items("/v1/pairings", bearer)
    overdue = [p for p in pairings if p["overdue"]]
    assert overdue, "the demo's 一帮一 pairing started 75 days ago with no contact"
    assert shown_ids(page, "pairing-table", "from-unit") == [p["id"] for p in pairings]
    for pairing in pairings:
        row = row_of(page, "pairing-table", "from-unit", pairing["id"])
        assert row.locator("[data-test=overdue]").count() == (1 if pairing["overdue"] else 0)
        assert units[pairing["from_unit_id"]] in row.inner_text() and units[pairing["to_unit_id"]] in row.inner_text()
        assert row.locator("[data-test=next-due]").inner_text() == pairing["next_due"]
    assert page.get_by_text("一帮一").count() >= 1 and page.get_by_text("一联一").count() >= 1

    # Only the overdue ones, as `?overdue=true` lists them.
    page.locator("[data-test=overdue-only]").click()
    shows(page, "pairing-table", "from-unit", [p["id"] for p in api.all_items("/v1/pairings?overdue=true", bearer)])
    page.locator("[data-test=overdue-only]").click()
    shows(page, "pairing-table", "from-unit", [p["id"] for p in pairings])
    shot(page, "console-organisations-pairings")

    # Log a contact for the overdue pairing through the form; the API stores it and the flag goes.
    target = overdue[0]
    outcome = f"走访了解用工需求 {uuid.uuid4().hex[:6]}"
    row = row_of(page, "pairing-table", "from-unit", target["id"])
    row.get_by_role("button", name="记录联系").click()
    dialog = page.get_by_role("dialog")
    dialog.get_by_role("button", name="保存").click()  # nothing written yet: the form says what is missing
    dialog.get_by_text("请填写联系成效").wait_for()
    dialog.get_by_text("电话").click()
    dialog.get_by_role("textbox", name="联系成效").fill(outcome)
    dialog.get_by_role("button", name="保存").click()
    dialog.wait_for(state="hidden")
    page.get_by_text("已记录联系").wait_for()

    contacts = api.all_items(f"/v1/pairings/{target['id']}/contacts", bearer)
    assert [(c["outcome"], c["mode"], c["date"]) for c in contacts] == [(outcome, "phone", today_in(ZONE))]
    stored = api.get(f"/v1/pairings/{target['id']}", bearer).json
    assert stored["contacts"] == 1 and stored["last_contact_on"] == today_in(ZONE) and stored["overdue"] is False
    page.wait_for_function(
        "id => { const r = [...document.querySelectorAll('[data-test=pairing-table] tr.el-table__row')]"
        ".find(tr => tr.querySelector(`[data-id='${id}']`)); return r && !r.querySelector('[data-test=overdue]') }",
        arg=target["id"])
    row.locator(".el-table__expand-icon").click()
    page.get_by_text(outcome).wait_for()  # the row opens to its contacts
    done(page)


def test_alliance_tab_shows_the_six_links_as_the_coverage_route_reports(api, browser, base_url, demo_tenant):
    _, bearer = local_issuer.directory_token(demo_tenant, SECRETARY)
    alliance = api.all_items("/v1/alliances", bearer)[0]
    year = today_in(ZONE)[:4]
    period = f"from={year}-01-01&to={year}-12-31"  # the tab's default: this year
    coverage = api.get(f"/v1/alliances/{alliance['id']}/coverage?{period}", bearer).json
    assert coverage["covered"] and coverage["missing"]  # the demo covers five links, not 联通信息

    page = console(browser, base_url, bearer, "/organisations/alliance")
    six = page.locator("[data-test=six-links] [data-kind]")
    six.first.wait_for()
    page.wait_for_load_state("networkidle")
    assert alliance["name"] in page.locator("[data-test=alliance]").inner_text()
    units = {u["id"]: u["name"] for u in api.all_items("/v1/units", bearer)}
    for unit_id in alliance["unit_ids"]:
        assert units[unit_id] in page.locator("[data-test=alliance]").inner_text()
    assert [s.get_attribute("data-kind") for s in six.all()] == [link["kind"] for link in coverage["links"]]
    for tile, link in zip(six.all(), coverage["links"]):
        covered = link["kind"] in coverage["covered"]
        assert tile.get_attribute("data-covered") == ("true" if covered else "false")
        assert SIX_LINKS[link["kind"]] in tile.inner_text()
        assert f"{link['activities']} 次活动" in tile.inner_text()
        assert tile.locator("[data-test=link-state]").inner_text() == ("已覆盖" if covered else "未覆盖")
    summary = page.locator("[data-test=coverage-summary]").inner_text()
    assert f"已覆盖 {len(coverage['covered'])}/6" in summary
    assert all(SIX_LINKS[k] in summary for k in coverage["missing"])
    activities = api.all_items(f"/v1/alliances/{alliance['id']}/activities?{period}", bearer)
    assert rows(page, "alliance-activities").count() == len(activities)
    for activity in activities:
        assert activity["description"] in page.locator("[data-test=alliance-activities]").inner_text()
    done(page, "console-organisations-alliance")


def test_services_show_centres_and_requests_and_a_request_moves_one_step(api, browser, base_url, demo_tenant):
    admin = token("district_admin", demo_tenant)
    centres = api.all_items("/v1/service-centres", admin)
    coverage = api.get("/v1/service-centres/coverage", admin).json

    page = console(browser, base_url, admin, "/services")
    page.locator("[data-test=centre-table]").wait_for()
    assert shown_ids(page, "centre-table", "centre-name") == [c["id"] for c in centres]
    for centre in centres:
        assert centre["name"] in page.locator("[data-test=centre-table]").inner_text()
    page.locator("[data-test=reached]").wait_for()
    assert page.locator("[data-test=reached]").inner_text() == str(coverage["covered"])
    assert page.locator("[data-test=not-reached]").inner_text() == str(coverage["grids"] - coverage["covered"])
    assert len(coverage["uncovered_grids"]) == coverage["grids"] - coverage["covered"]
    shot(page, "console-services-centres")

    page.get_by_role("tab", name="服务申请").click()
    page.wait_for_url("**/services/requests")
    page.locator("[data-test=request-table]").wait_for()
    requests = api.all_items("/v1/service-requests", admin)
    assert shown_ids(page, "request-table", "request-description") == [r["id"] for r in requests]
    for request in requests:
        row = row_of(page, "request-table", "request-description", request["id"])
        assert row.locator("[data-test=request-state]").inner_text() == SERVICE_STATUS[request["status"]]
    request = next(r for r in requests if r["status"] == "submitted")
    row = row_of(page, "request-table", "request-description", request["id"])
    assert [b.inner_text() for b in row.locator(".steps button").all()] == ["受理", "婉拒"]  # what submitted allows
    row.get_by_role("button", name="受理").click()
    page.wait_for_function(
        "id => [...document.querySelectorAll('[data-test=request-table] tr.el-table__row')]"
        ".find(tr => tr.querySelector(`[data-id='${id}']`))?.querySelector('[data-test=request-state]')"
        "?.textContent.trim() === '已受理'", arg=request["id"])
    assert [b.inner_text() for b in row.locator(".steps button").all()] == ["开始服务", "婉拒"]
    stored = api.get(f"/v1/service-requests/{request['id']}", admin).json
    assert stored["status"] == "accepted" and [h["action"] for h in stored["history"]] == ["submit", "accept"]
    done(page)


def test_volunteer_hours_this_quarter_and_verified_by_a_button(api, browser, base_url, demo_tenant):
    community = hecheng(api, demo_tenant)
    _, bearer = local_issuer.directory_token(demo_tenant, SECRETARY)
    member = api.all_items(f"/v1/members?reported_community_id={community['id']}", bearer)[0]
    recorded = api.post("/v1/volunteer-activities", bearer, {
        "member_id": member["id"], "date": today_in(ZONE), "hours": 1.5, "description": "社区环境整治志愿服务",
        "dimension": "sanitation"})
    assert recorded.status == 201, recorded
    activity = recorded.json
    today = today_in(ZONE)
    quarter = f"{today[:4]}-Q{(int(today[5:7]) - 1) // 3 + 1}"
    totals = api.get(f"/v1/volunteer-activities/totals?period={quarter}", bearer).json

    page = console(browser, base_url, bearer, "/services/volunteer")
    page.locator("[data-test=volunteer-table]").wait_for()
    page.locator("[data-test=quarter-hours]").wait_for()
    assert page.locator("[data-test=quarter-hours]").inner_text() == f"{totals['hours']:.1f} 小时"
    listed = api.all_items("/v1/volunteer-activities", bearer)
    assert shown_ids(page, "volunteer-table", "member-name") == [a["id"] for a in listed]
    row = row_of(page, "volunteer-table", "member-name", activity["id"])
    assert member["name"] in row.inner_text() and "1.5" in row.inner_text()
    assert row.locator("[data-test=volunteer-state]").inner_text() == "待审核"
    # What waits for this secretary's review (their tasks) is on top, with its buttons.
    waiting = page.locator(f"[data-test=volunteer-pending] [data-id='{activity['id']}']")
    waiting.wait_for()
    assert member["name"] in waiting.inner_text() and "1.5 小时" in waiting.inner_text()
    page.evaluate("window.scrollTo(0, 0)")
    shot(page, "console-services-volunteer")
    waiting.get_by_role("button", name="核实").click()
    waiting.wait_for(state="detached")
    page.wait_for_function(
        "id => [...document.querySelectorAll('[data-test=volunteer-table] tr.el-table__row')]"
        ".find(tr => tr.querySelector(`[data-id='${id}']`))?.querySelector('[data-test=volunteer-state]')"
        "?.textContent.trim() === '已审核'", arg=activity["id"])
    assert row.get_by_role("button").count() == 0
    stored = next(a for a in api.all_items("/v1/volunteer-activities", bearer) if a["id"] == activity["id"])
    assert stored["status"] == "verified"
    after = api.get(f"/v1/volunteer-activities/totals?period={quarter}", bearer).json
    assert after["hours"] == round(totals["hours"] + 1.5, 1)
    page.locator("[data-test=quarter-hours]").filter(has_text=f"{after['hours']:.1f} 小时").wait_for()
    done(page)
