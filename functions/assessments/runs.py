"""Assessment runs: gather a period's inputs with Queries, score, and publish atomically.

A run writes its results into a fresh partition `<tenant>#assessment-run#<run id>` (sk the unit id;
gsi1 `…#rank` / rank, for the ranked list), invisible to readers, then makes them visible with one
audited write of the period's state item `<tenant>#assessment-period` / `<YYYY-MM>` pointing at the
run. Re-running a period therefore replaces it whole or not at all, however many units it has; a
run that dies half-way leaves only an unreferenced partition. Final periods never change.

Inputs, each one (paginated) Query — never a Scan: units; the month's co-building activities;
the month's meetings; actions due in the month (one Query per status); pairings and the month's
pairing contacts; the months' verified volunteer hours and the in-service members.
"""
from __future__ import annotations

import contextvars
import hashlib
import json
from collections import defaultdict
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta, UTC
from collections.abc import Callable
from typing import Any
from zoneinfo import ZoneInfo

from functions import store
from functions.assessments import activities, engine, reports, rules
from functions.errors import Conflict, Text
from functions.ids import new_id
from functions.meetings.meetings import BY_TIME
from functions.models import AssessmentsTable, CommitteesTable, JobsTable, MeetingsTable
from functions.periods import month_bounds, month_dates
from functions.services.volunteers import verified_in
from functions.tenancy import Principal, TenantContext

STATE = "assessment_period"
RESULT = "assessment_result"
DEFAULT_APPEAL_DAYS = 7


def state(ctx: TenantContext, period: str) -> AssessmentsTable | None:
    try:
        return AssessmentsTable.get(ctx.key("assessment-period"), period, consistent_read=True)
    except AssessmentsTable.DoesNotExist:
        return None


UNIT_READERS = 8  # concurrent per-unit Queries while gathering a month


def gather(ctx: TenantContext, period: str) -> tuple[dict[str, dict[str, Any]], dict[str, dict[str, Any]]]:
    """(units, inputs per unit) for a month, from Queries only."""
    # a unit archived before the month began (in the tenant's zone) is no longer assessed; one
    # archived during it still is
    zone = ZoneInfo(ctx.timezone)

    def assessed(unit: dict[str, Any]) -> bool:
        archived = unit.get("archived")
        return not archived or datetime.fromisoformat(archived["at"]).astimezone(zone).strftime("%Y-%m") >= period

    units = {u.sk: {"name": u.data["name"], "community_id": u.data["community_id"],
                    "department_id": u.fields().get("department_id")}
             for u in store.query_all(CommitteesTable, ctx.key("unit")) if assessed(u.fields())}
    inputs: dict[str, dict[str, Any]] = {u: {"dimensions": {d: 0.0 for d in engine.DIMENSIONS}, "activities": 0,
                  "factors": {f: None for f in engine.FACTORS}} for u in units}
    # One Query per unit, on the unit's own partition, a few at a time: the work grows with the
    # units and their activities, never with the size of one month's shared index partition.
    def unit_effort(unit_id: str) -> tuple[str, dict[str, float], int]:
        dimensions: dict[str, float] = defaultdict(float)
        count = 0
        for item in activities.of_unit(ctx, unit_id, period):
            a = item.fields()
            dimensions[a["dimension"]] += float(a.get("participants") or 1) * float(a.get("hours") or 0)
            count += 1
        return unit_id, dimensions, count

    with ThreadPoolExecutor(max_workers=UNIT_READERS) as pool:
        scope = contextvars.copy_context()  # the tenant's scoped credentials, in every reader
        for unit, dimensions, count in pool.map(lambda u: scope.copy().run(unit_effort, u), list(units)):
            for dimension, effort in dimensions.items():
                inputs[unit]["dimensions"][dimension] += effort
            inputs[unit]["activities"] += count

    low, high = month_bounds(ctx.timezone, period)
    invited: dict[str, int] = defaultdict(int)
    present: dict[str, int] = defaultdict(int)
    for meeting in store.query_all(MeetingsTable, ctx.key(BY_TIME), index="gsi2",
                                   range_condition=MeetingsTable.gsi2sk.between(low.isoformat(timespec="seconds"),
                                                                                high.isoformat(timespec="seconds"))):
        for attendee in meeting.fields().get("attendees", []):
            invited[attendee["unit_id"]] += 1
            present[attendee["unit_id"]] += bool(attendee.get("present"))

    first, last = month_dates(period)
    # a department's part of an action counts for its local office: the unit of the action's community
    # that names the department
    office = {(v["community_id"], v["department_id"]): k for k, v in units.items() if v.get("department_id")}
    due: dict[str, int] = defaultdict(int)
    on_time: dict[str, int] = defaultdict(int)
    for status in ("open", "in_progress", "done"):
        for action in store.query_all(MeetingsTable, ctx.key("action-status", status), index="gsi1",
                                      range_condition=MeetingsTable.gsi1sk.between(first, f"{last}#~")):
            a = action.fields()
            for part in a["parts"]:
                unit_id = office.get((a["community_id"], part["assignee"]))
                if unit_id is None:
                    continue
                due[unit_id] += 1
                done_day = (a.get("done_at") or "9999")[:10]
                on_time[unit_id] += status == "done" and done_day <= part["due_date"]

    expected: dict[str, float] = defaultdict(float)
    days = (datetime.fromisoformat(last) - datetime.fromisoformat(first)).days + 1
    for pairing in store.query_all(CommitteesTable, ctx.key("pairing")):
        p = pairing.fields()
        if p["started_on"] <= last:
            for unit_id in (p["from_unit_id"], p["to_unit_id"]):
                expected[unit_id] += days / p["cadence_days"]
    made: dict[str, int] = defaultdict(int)
    for contact in store.query_all(CommitteesTable, ctx.key("pairing-contact-month", period), index="gsi2"):
        for unit_id in contact.fields().get("units", []):
            made[unit_id] += 1

    members_of: dict[str, int] = defaultdict(int)
    for member in store.query_all(CommitteesTable, ctx.key("member")):
        m = member.fields()
        if m.get("in_service") and m.get("unit_id"):
            members_of[m["unit_id"]] += 1
    hours: dict[str, float] = defaultdict(float)
    for item in verified_in(ctx, [period]):
        a = item.fields()
        if a.get("unit_id"):
            hours[a["unit_id"]] += float(a["hours"])

    for u, entry in inputs.items():
        factors = entry["factors"]
        factors["meeting_attendance"] = round(present[u] / invited[u], 6) if invited[u] else None
        factors["action_completion"] = round(on_time[u] / due[u], 6) if due[u] else None
        factors["pairing_activity"] = round(min(1.0, made[u] / expected[u]), 6) if expected[u] else None
        factors["volunteer_hours"] = round(hours[u], 2) if members_of[u] else None
        entry["counts"] = {"meetings_invited": invited[u], "meetings_present": present[u], "actions_due": due[u],
                           "actions_on_time": on_time[u], "pairing_contacts": made[u],
                           "pairing_contacts_expected": round(expected[u], 4), "in_service_members": members_of[u]}
        entry["dimensions"] = {d: round(v, 4) for d, v in entry["dimensions"].items()}
    return units, inputs


def apply_corrections(inputs: dict[str, dict[str, Any]], corrections: dict[str, Any]) -> None:
    """Upheld appeals correct a unit's raw inputs; the correction is kept in its inputs."""
    for unit_id, fix in corrections.items():
        if unit_id in inputs:
            inputs[unit_id]["dimensions"].update(fix.get("dimensions", {}))
            inputs[unit_id]["factors"].update(fix.get("factors", {}))
            inputs[unit_id]["corrected"] = fix


def queue_run(ctx: TenantContext, period: str) -> dict[str, Any]:
    """An on-demand run as a job (202 with its `Location`): refused at once (409) if the month is final."""
    _refuse_final(state(ctx, period))
    from functions.jobs import records

    return records.start(ctx.principal, "assessment_run", f"{period} 共建考核 / assessment of {period}",
                         {"period": period}, ctx=ctx, result_link=f"/v1/assessments?period={period}")


def run_job(job: JobsTable, p: Principal) -> dict[str, Any]:
    """The job worker's part, as the staff member who asked (re-checked: a user demoted since is refused)."""
    from functions import authz
    from functions.jobs import records
    from functions.platform.tenants import standing

    tenant = job.pk.removesuffix("#job")
    profile, now = standing(tenant, p)
    ctx = TenantContext(tenant=tenant, principal=now, timezone=profile.get("timezone", "Asia/Shanghai"),
                        settings=profile.get("settings", {}))
    authz.require(ctx, authz.MANAGE_DISTRICT)
    return run_period(ctx, job.fields()["params"]["period"],
                      report=lambda done, total: records.progress(job, done, total, "units"),
                      publishing=lambda: records.mark_irreversible(job))


def _refuse_final(previous: AssessmentsTable | None) -> None:
    if previous is not None and previous.fields().get("status") == "final":
        raise Conflict(Text("该月考核结果已定稿，不能重算", "This period is final and cannot be re-run"))


def run_period(ctx: TenantContext, period: str, *, now: datetime | None = None,
               report: Callable[[int, int], None] = lambda done, total: None,
               publishing: Callable[[], None] = lambda: None) -> dict[str, Any]:
    """Assess every unit for a month and publish the results (replacing an earlier run atomically).
    `report` hears progress in units: gathered, then results written (it may stop the run by
    raising); `publishing` is told just before the results replace the published ones, after which
    the run is no longer stopped."""
    previous = state(ctx, period)
    old = previous.fields() if previous else {}
    _refuse_final(previous)
    if old.get("corrections"):  # an upheld appeal re-scores under the rules the month was published with
        rule_set = {**rules.version(ctx, old["rule_version"]), "scale": old.get("rule_scale", "linear")}
    else:
        rule_set = rules.current(ctx)
    units, inputs = gather(ctx, period)
    report(0, len(units))
    apply_corrections(inputs, old.get("corrections", {}))
    results = engine.score(units, inputs, rule_set)
    run_id = new_id()
    partition = ctx.key("assessment-run", run_id)
    try:
        with AssessmentsTable.batch_write() as batch:
            for n, r in enumerate(results, 1):
                if n % 200 == 0 or n == len(results):
                    report(n, len(results))
                batch.save(AssessmentsTable(partition, r["unit_id"], kind=RESULT, data=r, gsi1pk=f"{partition}#rank",
                                            gsi1sk=f"{r['rank']:06d}"))
        report_keys = reports.write(ctx, period, run_id, results)
        publishing()
    except BaseException:  # cancelled or failed: this run's results were never referenced; remove them
        _drop_run(ctx, run_id)
        raise
    now = now or datetime.now(UTC)
    window = float(ctx.settings.get("appeal_window_days", DEFAULT_APPEAL_DAYS))
    data = {**old, "period": period, "run_id": run_id, "rule_version": rule_set["version"],
            "rule_scale": rule_set.get("scale", "linear"), "status": "published",
            "units": len(results), "published_at": now.isoformat(timespec="seconds"),
            "appeal_until": old.get("appeal_until") or (now + timedelta(days=window)).isoformat(timespec="seconds"),
            "results_sha256": hashlib.sha256(json.dumps(results, sort_keys=True, ensure_ascii=False).encode()).hexdigest(),
            "reports": report_keys, "corrections": old.get("corrections", {})}
    if previous is None:
        item = store.new_item(AssessmentsTable, ctx, STATE, period, data, partition=ctx.key("assessment-period"))
        ops: list[store.Operation] = [store.Put(item, Conflict(Text("该月考核正在进行，请稍后", "This period is being assessed, retry")))]
    else:
        item = store.changed(previous, data)
        ops = [store.Replace(item, previous.version)]
    published = {"period": period, "run_id": run_id, "units": len(results), "rule_version": rule_set["version"],
                 "status": "published", "appeal_until": data["appeal_until"]}
    store.write(ctx, ops, action="assessment.publish", target=f"assessment/{period}", state=data, result=published)
    if old.get("run_id"):
        _drop_run(ctx, old["run_id"])
    return published


def _drop_run(ctx: TenantContext, run_id: str) -> None:
    """Delete a replaced run's results (no longer referenced, so never visible)."""
    with AssessmentsTable.batch_write() as batch:
        for item in store.query_all(AssessmentsTable, ctx.key("assessment-run", run_id)):
            batch.delete(item)


def published(ctx: TenantContext, period: str) -> dict[str, Any]:
    item = state(ctx, period)
    if item is None:
        raise store.not_found("assessment")
    return item.fields()


def ranked(ctx: TenantContext, period: str, *, limit: int | None, cursor_text: str | None) -> dict[str, Any]:
    """The period's results in district rank order, with the report links."""
    current = published(ctx, period)
    key = f"{ctx.key('assessment-run', current['run_id'])}#rank"
    page = store.page(AssessmentsTable, key, index="gsi1", scope=f"{ctx.tenant}|{key}", limit=limit,
                      cursor_text=cursor_text)
    items = [{k: r[k] for k in ("unit_id", "name", "community_id", "score", "grade", "rank", "rank_in_community",
                                "dimensions", "factors")} for r in page.items]
    return {"period": period, "status": current["status"], "rule_version": current["rule_version"],
            "appeal_until": current["appeal_until"], "units": current["units"],
            "reports": reports.links(current.get("reports", {})), "items": items, "next_cursor": page.next_cursor}


def unit_result(ctx: TenantContext, period: str, unit_id: str) -> dict[str, Any]:
    """One unit's result with the rule that gave its grade: its band and the next one up."""
    current = published(ctx, period)
    try:
        item = AssessmentsTable.get(ctx.key("assessment-run", current["run_id"]), unit_id)
    except AssessmentsTable.DoesNotExist as exc:
        raise store.not_found("unit") from exc
    result = item.fields()
    return {**result, "period": period, "status": current["status"],
            "grade_rule": grade_rule(rules.version(ctx, result["rule_version"]), result["score"])}


def grade_rule(rule_set: dict[str, Any], score: float) -> dict[str, Any]:
    """Why a score has its grade, in words: the band it falls in under the rule's version, and what
    the next band up needs."""
    bands = rule_set["grade_bands"]
    band = engine.grade(score, bands)
    higher = [b for b in bands if b["min"] > band["min"]]
    above = higher[-1] if higher else None
    text = f"第 {rule_set['version']} 版规则：总分 {score} ≥ {band['min']}，为{band['grade']}"
    if above:
        text += f"；达到 {above['min']} 分为{above['grade']}"
    return {"version": rule_set["version"], "grade": band["grade"], "min": band["min"],
            "next": {"grade": above["grade"], "min": above["min"]} if above else None, "text": text}
