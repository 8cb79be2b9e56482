"""The console's 审计 screen in a real browser: an auditor exports and downloads, a district admin
verifies the chain in one click, and the audit log pages with its date filters."""
from __future__ import annotations

import hashlib
import uuid
from pathlib import Path
from datetime import datetime
from zoneinfo import ZoneInfo

from conftest import token
from browser import console, done, shot
from functions.audit import chain, chainer, digests

ZONE = ZoneInfo("Asia/Shanghai")  # the demo district's zone (functions/demo/gangbei.py)


def test_an_auditor_starts_an_export_follows_it_and_downloads_it(browser, base_url, api, demo_tenant):
    from functions.jobs import worker

    sub = f"auditor-{uuid.uuid4().hex[:6]}"
    auditor = token("auditor", audit_tenants=[demo_tenant], sub=sub)  # no district of its own
    page = console(browser, base_url, auditor, "/audit?tab=exports")
    page.get_by_role("tab", name="数据导出").wait_for()
    # the district selector: the first (only) granted district, named on every tenant call
    assert demo_tenant in page.locator("[data-test=district]").inner_text()

    # an export cancelled while it waits: its job and its record say so
    picks = page.locator("[data-test=export-datasets]")
    picks.get_by_text("街道", exact=True).click()
    page.get_by_role("button", name="开始导出").click()
    state = page.locator("[data-test=job-state]")
    state.filter(has_text="排队中").wait_for()
    shot(page, "console-audit-export-form")
    page.get_by_role("button", name="取消导出").click()
    with page.expect_response(lambda r: r.url.endswith("/cancel")) as cancelled:
        page.get_by_role("dialog").get_by_role("button", name="取消导出").click()
    assert cancelled.value.status == 200
    state.filter(has_text="已取消").wait_for()
    dropped = api.get("/v1/exports", auditor).json["items"][0]
    assert dropped["datasets"] == ["streets"] and dropped["status"] == "cancelled"
    assert api.get(f"/v1/jobs/{dropped['id']}", auditor).json["state"] == "cancelled"

    page.get_by_role("button", name="清空").click()
    picks.get_by_text("社区", exact=True).click()
    picks.get_by_text("审计日志", exact=True).click()
    page.get_by_role("button", name="开始导出").click()

    # the job is queued: nothing runs it until the worker does (the page keeps polling meanwhile)
    state.filter(has_text="排队中").wait_for()
    listed = api.get("/v1/exports", auditor).json["items"]
    export_id = listed[0]["id"]
    assert listed[0]["datasets"] == ["communities", "audit_log"] and listed[0]["tenants"] == [demo_tenant]
    assert worker.drain() >= 1

    state.filter(has_text="已完成").wait_for(timeout=20_000)
    page.locator("[data-test=export-files]").wait_for()
    progress = page.locator("[data-test=job-progress-text]").inner_text()
    job = api.get(f"/v1/jobs/{export_id}", auditor).json
    assert job["state"] == "succeeded" and f"已导出 {job['progress']['done']:,} 行" == progress
    assert page.locator("[data-test=job-progress]").get_attribute("aria-valuenow") == "100"

    # the files with rows and SHA-256, as the API stores them
    stored = api.get(f"/v1/exports/{export_id}", auditor).json
    assert stored["status"] == "done"
    files = {f["name"]: f for f in stored["files"]}
    assert set(files) == {"communities.csv", "audit_log.csv", "README.md"}
    table = page.locator("[data-test=export-files]")
    shown_shas = table.locator("[data-test=file-sha]").all_inner_texts()
    assert sorted(shown_shas) == sorted(f["sha256"] for f in files.values())
    assert "17" in table.locator("tr", has_text="communities.csv").locator("[data-test=file-rows]").inner_text()

    # a download link gives the very file
    row = table.locator("tr", has_text="communities.csv")
    with page.expect_download() as started:
        row.get_by_role("link", name="下载 communities.csv").click()
    got = started.value
    body = Path(got.path()).read_bytes()
    assert got.suggested_filename == "communities.csv"
    assert hashlib.sha256(body).hexdigest() == files["communities.csv"]["sha256"]
    assert body.startswith("\ufeff".encode()) and "社区名称".encode() in body  # Chinese column titles

    # the manifest check, in the browser (the S3 server answers cross-origin reads)
    page.get_by_role("button", name="核对清单").click()
    page.locator("[data-test=manifest-ok]").filter(has_text="全部 3 个文件与清单一致").wait_for(timeout=20_000)
    assert "make verify-export" in page.locator("[data-test=manifest-signature]").inner_text()
    page.locator("[data-test=export-current]").evaluate("e => e.scrollIntoView({block: 'start'})")
    shot(page, "console-audit-export")

    # the earlier exports list it; the auditor's reads of the export are on the district's chain
    assert page.locator("[data-test=export-list]").get_by_text("已完成").count() >= 1
    chainer.link(demo_tenant)
    reads = [e for e in chain.entries(demo_tenant) if e["action"] == "export.read" and e["target"] == f"export/{export_id}"]
    assert reads and all(e["actor"] == sub for e in reads)
    done(page)


def test_a_district_admin_verifies_the_chain_in_one_click(browser, base_url, api, demo_tenant):
    chainer.link(demo_tenant)  # what the stream's chainer does in AWS
    digests.seal(demo_tenant)  # and the five-minute sealer
    admin = token("district_admin", demo_tenant)
    page = console(browser, base_url, admin, "/audit")
    page.locator("[data-test=verify]").click()

    result = page.locator("[data-test=verify-result]")
    result.filter(has_text="校验通过").wait_for()
    checked = api.get("/v1/audit-log/verify", admin).json
    assert checked["ok"] is True and checked["digests"]["verified"] == 1
    assert page.locator("[data-test=verify-entries]").inner_text() == f"{checked['entries']:,}"
    facts = page.locator("[data-test=verify-facts]").inner_text()
    assert checked["head"] in facts and "签名有效，与链相符" in facts
    assert f"第 {checked['digests']['last_seq']} 条" in facts
    command = page.locator("[data-test=openssl]").inner_text()
    assert command == (f"openssl dgst -sha256 -verify audit-public.pem -signature {checked['digests']['last_seq']:012d}.json.sig "
                       f"{checked['digests']['last_seq']:012d}.json")
    key = api.get("/v1/audit-log/public-key", admin).json
    assert key["public_key_sha256"] in page.inner_text("body")
    with page.expect_download() as pem:
        page.locator("[data-test=public-key]").click()
    assert Path(pem.value.path()).read_text() == key["public_key_pem"]
    shot(page, "console-audit-verify")
    # the header's switch: the same screen in English
    page.get_by_role("button", name="English").click()
    page.get_by_text("The chain is intact").wait_for()
    page.get_by_role("tab", name="Audit log").click()
    page.get_by_role("columnheader", name="Actor").wait_for()
    done(page, "console-audit-log-en")


def pick(page, start: str, end: str) -> None:
    """Type both dates as a keyboard user would (Enter takes each), then search."""
    for name, value in (("起始日期", start), ("截止日期", end)):
        field = page.locator("[data-test=audit-log-panel]").get_by_placeholder(name)
        field.fill(value)
        field.press("Enter")
    page.locator("[data-test=audit-log-panel]").get_by_role("button", name="查询").click()


def test_the_audit_log_pages_with_its_date_filters(browser, base_url, api, demo_tenant):
    admin = token("district_admin", demo_tenant)
    chainer.link(demo_tenant)
    first = next(iter(chain.entries(demo_tenant)))
    day = datetime.fromisoformat(first["at"]).astimezone(ZONE).date().isoformat()
    page = console(browser, base_url, admin, "/audit")
    rows = page.locator("[data-test=audit-log] .el-table__body tr")
    rows.first.wait_for()
    assert rows.count() == 50
    assert rows.first.locator("td").first.inner_text() == "1"
    assert "区 · 新建" in rows.first.inner_text()

    # a range with nothing in it: the empty state says what to do
    with page.expect_request(lambda r: "/v1/audit-log?" in r.url and "from=2000-01-01" in r.url and "to=2000-01-02" in r.url):
        pick(page, "2000-01-01", "2000-01-02")
    page.get_by_text("该时段没有审计条目").wait_for()

    # the day the district was loaded: the API's pages, 50 at a time
    with page.expect_request(lambda r: "/v1/audit-log?" in r.url and f"from={day}" in r.url and f"to={day}" in r.url):
        pick(page, day, day)
    one = api.get(f"/v1/audit-log?from={day}&to={day}", admin).json
    two = api.get(f"/v1/audit-log?from={day}&to={day}&cursor={one['next_cursor']}", admin).json
    rows.nth(49).wait_for()
    assert [int(t) for t in page.locator("[data-test=audit-log] .el-table__body tr td:first-child").all_inner_texts()] == \
        [e["seq"] for e in one["items"]]
    page.get_by_role("button", name="加载更多").click()
    rows.nth(99).wait_for()
    seqs = [int(t) for t in page.locator("[data-test=audit-log] .el-table__body tr td:first-child").all_inner_texts()]
    assert seqs == [e["seq"] for e in one["items"] + two["items"]]
    # times in the district's zone, hashes short, the full one on hover
    entry = one["items"][0]
    at = datetime.fromisoformat(entry["at"]).astimezone(ZONE).strftime("%Y-%m-%d %H:%M")
    assert at in rows.first.inner_text() and entry["hash"][:12] in rows.first.inner_text()
    assert rows.first.locator("code").get_attribute("title").endswith(entry["hash"])
    done(page, "console-audit-log")
