"""Volunteer activities of Party members (在职党员进社区) and the 双报到 loop back to their units.

Hours are positive and at most 24 a day per member — a per-member-day tally moved in the same
transaction as the activity, so the limit holds under concurrent writes. An activity counts once
community staff verified it. Each quarter the verified hours of every in-service member are
summarised in a report per employing unit, against the tenant's annual threshold (default 50 h).

Keys: `<tenant>#volunteer` / id; gsi1 `<tenant>#member#<mid>#volunteer` / `<date>#<id>`; gsi2
`<tenant>#volunteer-month#<YYYY-MM>` / `<status>#<id>` (a month's verified hours: one Query).
Tallies `<tenant>#volunteer-day#<mid>` / `<date>` (tenths of hours). Reports
`<tenant>#volunteer-report#<YYYY-Qn>` / `<unit id>`.
"""
from __future__ import annotations

from collections import defaultdict
from datetime import date, datetime, UTC
from collections.abc import Iterator
from typing import Any

from functions import authz, store
from functions.errors import Conflict, FieldError, Forbidden, Text, Unprocessable, ValidationFailed
from functions.ids import new_id, now_iso, today_in
from functions.notify import outbox
from functions.tasks import index as tasks
from functions.models import CommitteesTable, ServicesTable
from functions.tenancy import COMMUNITY_STAFF, DISTRICT_ADMIN, TenantContext

KIND = "volunteer_activity"
REPORT = "volunteer_report"
DAY_LIMIT_TENTHS = 240
DEFAULT_THRESHOLD_HOURS = 50.0


def _member(ctx: TenantContext, member_id: str) -> dict[str, Any]:
    try:
        return CommitteesTable.get(ctx.key("member"), member_id).fields()
    except CommitteesTable.DoesNotExist as exc:
        raise Unprocessable(errors=[FieldError("/member_id", Text("党员不存在", "No such member"))]) from exc


def _month_keys(ctx: TenantContext, data: dict[str, Any], item_id: str) -> dict[str, Any]:
    return {"gsi1pk": ctx.key("member", data["member_id"], "volunteer"), "gsi1sk": f"{data['date']}#{item_id}",
            "gsi2pk": ctx.key("volunteer-month", data["date"][:7]), "gsi2sk": f"{data['status']}#{item_id}"}


def _day_tally(ctx: TenantContext, member_id: str, day: str, tenths: int) -> store.Tally:
    over = Unprocessable(Text("该党员当日志愿服务累计超过 24 小时", "More than 24 hours in one day for this member"),
                         errors=[FieldError("/hours", Text("当日累计不能超过 24 小时", "At most 24 hours a day"))])
    return store.Tally(ServicesTable, ctx.key("volunteer-day", member_id), day, tenths, DAY_LIMIT_TENTHS, over)


def create_volunteer_activity(ctx: TenantContext, body: dict[str, Any], item_id: str | None = None) -> dict[str, Any]:
    """Record hours for a member: by the member themself, or staff of the community served."""
    member = _member(ctx, body["member_id"])
    community_id = body.get("community_id") or member.get("reported_community_id")
    if not community_id:
        raise Unprocessable(errors=[FieldError("/community_id", Text("须指明服务的社区", "Name the community served"))])
    p = ctx.principal
    if not (p.has(DISTRICT_ADMIN) or (p.has(COMMUNITY_STAFF) and community_id in p.communities)
            or member.get("user_id") == p.sub):
        raise Forbidden(Text("无权为该党员登记志愿服务", "Not allowed to record hours for this member"))
    if body["date"] > today_in(ctx.timezone):
        raise Unprocessable(errors=[FieldError("/date", Text("服务日期不能晚于今天", "The date is in the future"))])
    data = {**body, "community_id": community_id, "member_name": member["name"], "unit_id": member.get("unit_id"),
            "status": "pending", "recorded_by": ctx.actor}
    item_id = item_id or new_id()
    tenths = round(body["hours"] * 10)
    return store.create(ctx, ServicesTable, KIND, data, item_id=item_id,
                        extra=[_day_tally(ctx, body["member_id"], body["date"], tenths),
                               *tasks.moved(ctx, None, verify_task(data, item_id), tell=False)],
                        **_month_keys(ctx, data, item_id))


def verify_task(data: dict[str, Any], activity_id: str) -> tasks.Task:
    """Community staff's task to verify (or reject) recorded hours."""
    return tasks.Task(tasks.audience("community", data["community_id"]), "volunteer_verify", activity_id, {
        "title": f"{data['member_name']} {data['date']} 志愿服务 {data['hours']} 小时 / volunteer hours",
        "reason": "在职党员志愿服务时长待审核 / hours to verify", "due_at": None,
        "object": {"kind": KIND, "id": activity_id}, "link": f"/v1/volunteer-activities/{activity_id}"})


def verify(ctx: TenantContext, activity_id: str, body: dict[str, Any]) -> dict[str, Any]:
    """Community staff verify (count) or reject an activity, once; a rejection frees its hours."""
    item = store.get(ServicesTable, ctx, KIND, activity_id)
    data = item.fields()
    authz.require(ctx, authz.MANAGE_COMMUNITY, community_id=data["community_id"])
    if data["status"] != "pending":
        raise Conflict(Text("该记录已审核", "This activity was reviewed already"))
    data.update(status="verified" if body["verified"] else "rejected", reviewed_by=ctx.actor, reviewed_at=now_iso(),
                review_note=body.get("note"))
    extra: list[store.Operation] = tasks.moved(ctx, verify_task(data, activity_id), None)
    if not body["verified"]:
        extra.append(_day_tally(ctx, data["member_id"], data["date"], -round(data["hours"] * 10)))
    return store.update(ctx, item, data, item.version, extra=extra, **_month_keys(ctx, data, activity_id))


def list_activities(ctx: TenantContext, *, member_id: str | None, limit: int | None, cursor_text: str | None) -> dict[str, Any]:
    """All activities, or one member's in date order; each caller sees those `functions.authz` lets them
    (staff their communities', anyone the hours they recorded themselves)."""
    shown = authz.list_filter(ctx, authz.READ_VOLUNTEER_HOURS, ServicesTable, owner_field="recorded_by")
    if not member_id:
        key, index = ctx.key(KIND), None
    else:
        key, index = ctx.key("member", member_id, "volunteer"), "gsi1"
    return store.page(ServicesTable, key, index=index, scope=f"{ctx.tenant}|{key}", limit=limit, cursor_text=cursor_text,
                      filter_condition=shown).body()


def months_of(period: str) -> list[str]:
    """`YYYY-MM` → [it]; `YYYY-Qn` → its three months; `YYYY` → twelve. 400 otherwise."""
    try:
        if len(period) == 7 and period[4:6] == "-Q" and period[:4].isdigit() and period[6] in "1234":
            first = (int(period[6]) - 1) * 3 + 1
            return [f"{period[:4]}-{m:02d}" for m in range(first, first + 3)]
        if len(period) == 7 and period[4] == "-":
            date.fromisoformat(period + "-01")
            return [period]
        if len(period) == 4 and period.isdigit():
            return [f"{period}-{m:02d}" for m in range(1, 13)]
    except ValueError:
        pass
    raise ValidationFailed(errors=[FieldError("/period", Text("period 应为 YYYY-MM、YYYY-Qn 或 YYYY", "period must be YYYY-MM, YYYY-Qn or YYYY"))])


def verified_in(ctx: TenantContext, months: list[str]) -> Iterator[ServicesTable]:
    """Verified activities of these months: one Query per month."""
    for month in months:
        yield from store.query_all(ServicesTable, ctx.key("volunteer-month", month), index="gsi2",
                                   range_condition=ServicesTable.gsi2sk.startswith("verified#"))


def totals(ctx: TenantContext, period: str) -> dict[str, Any]:
    """Verified hours and activities per member, unit and community in a month, quarter or year
    (members by name: for staff and auditors)."""
    authz.require(ctx, authz.READ_PEOPLE)
    sums: dict[str, dict[str, dict[str, float]]] = {"members": defaultdict(lambda: {"hours": 0.0, "activities": 0}),
                                                     "units": defaultdict(lambda: {"hours": 0.0, "activities": 0}),
                                                     "communities": defaultdict(lambda: {"hours": 0.0, "activities": 0})}
    names = {}
    for item in verified_in(ctx, months_of(period)):
        a = item.fields()
        names[a["member_id"]] = a.get("member_name")
        for group, key in (("members", a["member_id"]), ("units", a.get("unit_id") or "none"),
                           ("communities", a["community_id"])):
            sums[group][key]["hours"] += a["hours"]
            sums[group][key]["activities"] += 1
    id_field = {"members": "member_id", "units": "unit_id", "communities": "community_id"}
    out: dict[str, list[dict[str, Any]]] = {group: sorted(({id_field[group]: k, **({"name": names.get(k)} if group == "members" else {}),
                           "hours": round(v["hours"], 1), "activities": v["activities"]} for k, v in rows.items()),
                         key=lambda r: -r["hours"]) for group, rows in sums.items()}
    return {"period": period, "hours": round(sum(r["hours"] for r in out["members"]), 1), **out}


def run_quarter(ctx: TenantContext, quarter: str) -> dict[str, Any]:
    """Write (or rewrite) the quarter's report per employing unit: each in-service member's verified
    hours in the quarter and the year so far, and who is below the annual threshold."""
    quarter_months = months_of(quarter)
    year_months = [m for m in months_of(quarter[:4]) if m <= quarter_months[-1]]
    threshold = float(ctx.settings.get("volunteer_threshold_hours", DEFAULT_THRESHOLD_HOURS))
    in_quarter: dict[str, float] = defaultdict(float)
    in_year: dict[str, float] = defaultdict(float)
    for item in verified_in(ctx, year_months):
        a = item.fields()
        in_year[a["member_id"]] += a["hours"]
        if a["date"][:7] in quarter_months:
            in_quarter[a["member_id"]] += a["hours"]
    by_unit: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for member in store.query_all(CommitteesTable, ctx.key("member")):
        m = member.fields()
        if m.get("in_service") and m.get("unit_id"):
            by_unit[m["unit_id"]].append({"member_id": member.sk, "name": m["name"],
                                          "quarter_hours": round(in_quarter[member.sk], 1),
                                          "year_hours": round(in_year[member.sk], 1),
                                          "below_threshold": in_year[member.sk] < threshold})
    partition = ctx.key("volunteer-report", quarter)
    for unit_id, members in sorted(by_unit.items()):
        below = [m["member_id"] for m in members if m["below_threshold"]]
        data = {"quarter": quarter, "unit_id": unit_id, "threshold_hours": threshold, "members": members, "below": below,
                "generated_at": datetime.now(UTC).isoformat(timespec="seconds")}
        ready = [outbox.event(ctx, "volunteer_report.ready", tasks.audience("unit", unit_id), {
            "title": f"{quarter} 在职党员志愿服务报告 / volunteer hours report",
            "reason": f"本单位 {len(members)} 名在职党员的季度时长，{len(below)} 人低于年度要求 / "
                      f"{len(members)} in-service members, {len(below)} below the annual threshold",
            "link": f"/v1/volunteer-reports/{quarter}/units/{unit_id}", "object": {"kind": REPORT, "id": unit_id}})]
        try:
            existing = ServicesTable.get(partition, unit_id)
            store.update(ctx, existing, data, existing.version, extra=ready)
        except ServicesTable.DoesNotExist:
            store.create(ctx, ServicesTable, REPORT, data, item_id=unit_id, partition=partition, extra=ready)
    return {"quarter": quarter, "units": len(by_unit), "threshold_hours": threshold}


def list_reports(ctx: TenantContext, quarter: str, *, limit: int | None, cursor_text: str | None) -> dict[str, Any]:
    """The quarter's reports to employing units (members' hours by name): staff and auditors see
    every unit's, an employer's contact their own unit's."""
    months_of(quarter)
    key = ctx.key("volunteer-report", quarter)
    only = authz.list_filter(ctx, authz.READ_VOLUNTEER_REPORT, ServicesTable, owner_field="unit_id")
    return store.page(ServicesTable, key, scope=f"{ctx.tenant}|{key}", limit=limit, cursor_text=cursor_text,
                      filter_condition=only).body()


def get_report(ctx: TenantContext, quarter: str, unit_id: str) -> dict[str, Any]:
    """One unit's report of the quarter (404 for a unit the caller may not see, as for a missing one)."""
    if not (len(quarter) == 7 and quarter[4:6] == "-Q"):
        raise ValidationFailed(errors=[FieldError("/quarter", Text("quarter 应为 YYYY-Qn", "quarter must be YYYY-Qn"))])
    months_of(quarter)
    try:
        item = ServicesTable.get(ctx.key("volunteer-report", quarter), unit_id)
    except ServicesTable.DoesNotExist as exc:
        raise store.not_found(REPORT) from exc
    authz.require(ctx, authz.READ_VOLUNTEER_REPORT, hide=REPORT, unit_id=unit_id)
    return {**item.public(), "id": unit_id}


REPORT_COLUMNS = [("name", "姓名", "Name"), ("quarter_hours", "本季度时长（小时）", "Quarter hours"),
                  ("year_hours", "本年累计（小时）", "Year hours"), ("below_threshold", "未达年度要求", "Below the annual threshold")]


def _cell(value: Any) -> Any:
    """A text cell a spreadsheet will not run as a formula."""
    return "'" + value if isinstance(value, str) and value[:1] in ("=", "+", "-", "@") else value


def report_csv(ctx: TenantContext, quarter: str, unit_id: str) -> tuple[str, str]:
    """The unit's report as a spreadsheet-ready CSV (sent as UTF-8 with a BOM): (file name, text)."""
    import csv
    import io

    report = get_report(ctx, quarter, unit_id)
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([f"{zh} / {en}" for _, zh, en in REPORT_COLUMNS])
    for m in report["members"]:
        writer.writerow([("是 / yes" if m[f] else "否 / no") if f == "below_threshold" else _cell(m[f]) for f, _, _ in REPORT_COLUMNS])
    return f"volunteer-hours-{quarter}-{unit_id}.csv", "\ufeff" + out.getvalue()


def previous_quarter(timezone_name: str, now: datetime | None = None) -> str:
    from functions.periods import previous_month

    month = previous_month(timezone_name, now)
    return f"{month[:4]}-Q{(int(month[5:]) - 1) // 3 + 1}"


def run_all_tenants(now: datetime | None = None) -> dict[str, Any]:
    from functions.platform.tenants import for_each_active_tenant

    return for_each_active_tenant(lambda ctx: run_quarter(ctx, previous_quarter(ctx.timezone, now)), "volunteer report")
