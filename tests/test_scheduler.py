"""The local scheduler finds every scheduled handler of the app, fires each at the times EventBridge
would, and the handler it fires does its job (its effect is visible through the API)."""
from datetime import datetime, timedelta, timezone, UTC
from zoneinfo import ZoneInfo

import pytest

from conftest import make_structure, make_tenant
from functions.grid_work import calendar, incidents
from functions.periods import previous_month
from functions.services.volunteers import previous_quarter
from functions.tenancy import system_context
from infra.local import scheduler

UTC = UTC
BEIJING = ZoneInfo("Asia/Shanghai")

EXPECTED = {  # name → (expression, handler on the app)
    "meeting-regularity": ("cron(0 2 1 * ? *)", "flag_committees_without_joint_meeting"),
    "incident-sweep": ("rate(1 hour)", "sweep_overdue_incidents"),
    "volunteer-quarterly": ("cron(0 3 1 1,4,7,10 ? *)", "report_volunteer_hours"),
    "assessment-fanout": ("cron(0 17 L * ? *)", "fan_out_assessments"),
    "audit-seal": ("rate(5 minutes)", "seal_audit_digests"),
}


def test_every_schedule_is_found_with_its_expression_and_handler():
    import app

    jobs = scheduler.schedules()
    assert {name: expr for name, (expr, _) in jobs.items()} == {name: expr for name, (expr, _) in EXPECTED.items()}
    for name, (_, handler) in jobs.items():
        assert handler is getattr(app, EXPECTED[name][1]), name


def simulate(monkeypatch, start: datetime, end: datetime) -> list[tuple[str, datetime]]:
    """Run the scheduler's loop on a fake clock ticking each minute from `start` to `end`; returns
    (job, time) of every firing, the handlers replaced by a recorder."""
    fired: list[tuple[str, datetime]] = []
    clock = {"now": start}
    monkeypatch.setattr(scheduler, "fire", lambda name: fired.append((name, clock["now"])))
    due = {name: scheduler.next_run(expr, start) for name, (expr, _) in scheduler.schedules().items()}
    while clock["now"] <= end:
        scheduler.fire_due(due, clock["now"])
        clock["now"] += timedelta(minutes=1)
    return fired


def at(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=UTC)


def test_jobs_fire_at_their_times_across_a_month_end(monkeypatch):
    fired = simulate(monkeypatch, at(2026, 11, 30, 16, 30), at(2026, 12, 1, 3, 30))
    others = [(name, when) for name, when in fired if name not in ("incident-sweep", "audit-seal")]
    assert others == [("assessment-fanout", at(2026, 11, 30, 17, 0)),   # 01:00 Beijing on Dec 1st
                      ("meeting-regularity", at(2026, 12, 1, 2, 0))]    # 10:00 Beijing on Dec 1st
    assert at(2026, 11, 30, 17, 0).astimezone(BEIJING) == datetime(2026, 12, 1, 1, 0, tzinfo=BEIJING)
    sweeps = [when for name, when in fired if name == "incident-sweep"]
    assert sweeps == [at(2026, 11, 30, 17, 30) + timedelta(hours=h) for h in range(11)]  # hourly, from start


def test_quarterly_report_fires_only_at_a_quarters_start(monkeypatch):
    names = [name for name, _ in simulate(monkeypatch, at(2026, 12, 31, 16, 30), at(2027, 1, 1, 3, 30))
             if name not in ("incident-sweep", "audit-seal")]
    assert names == ["assessment-fanout", "meeting-regularity", "volunteer-quarterly"]
    fired = simulate(monkeypatch, at(2027, 1, 31, 16, 30), at(2027, 2, 1, 3, 30))
    assert ("volunteer-quarterly" in [n for n, _ in fired]) is False
    assert ("assessment-fanout", at(2027, 1, 31, 17, 0)) in fired  # January's last day, whatever its length


def test_a_failing_job_does_not_stop_the_others(monkeypatch, capsys):
    calls = []

    def flaky(name):
        calls.append(name)
        if name == "assessment-fanout":
            raise RuntimeError("boom")

    monkeypatch.setattr(scheduler, "fire", flaky)
    due = {name: at(2026, 12, 1, 2, 0) for name in EXPECTED}
    assert scheduler.fire_due(due, at(2026, 12, 1, 2, 0)) == sorted(EXPECTED)
    assert calls == sorted(EXPECTED)
    assert all(when > at(2026, 12, 1, 2, 0) for when in due.values())  # each moved on, the failed one too
    assert "scheduled job assessment-fanout failed" in capsys.readouterr().out
    assert scheduler.fire_due(due, at(2026, 12, 1, 2, 30)) == ["audit-seal"]  # only the five-minute job is due again


@pytest.fixture
def only_this_tenant(monkeypatch, tenant):
    """Jobs run over every active tenant; other tests' tenants share the stack, so narrow the list
    (still read from the tenant table) to this test's tenant."""
    from functions.assessments import fanout
    from functions.platform import tenants

    real = tenants.active_tenants
    mine = lambda statuses=("active",): [ctx for ctx in real(statuses) if ctx.tenant == tenant]  # noqa: E731
    monkeypatch.setattr(tenants, "active_tenants", mine)
    monkeypatch.setattr(fanout, "active_tenants", mine)
    return tenant


def test_each_fired_handler_does_its_job(api, admin, only_this_tenant):
    tenant = only_this_tenant
    place = make_structure(api, admin)
    unit = api.post("/v1/units", admin, {"name": "港北区工商局", "kind": "government", "community_id": place["community"]})
    committee = api.post("/v1/committees", admin, {"community_id": place["community"], "members": [
        {"unit_id": unit.json["id"], "name": "书记", "role": "secretary"}]})
    assert committee.status == 201, committee
    member = api.post("/v1/members", admin, {"name": "在职党员", "unit_id": unit.json["id"], "in_service": True,
                                             "reported_community_id": place["community"], "user_id": "u-1"})
    assert member.status == 201, member
    late = incidents.report(system_context(tenant), {"category": "safety_hazard", "description": "井盖缺失",
                                                     "grid_id": place["grid"], "priority": "urgent"},
                            reported_at=datetime.now(UTC) - timedelta(hours=30))
    month, quarter = previous_month("Asia/Shanghai"), previous_quarter("Asia/Shanghai")

    # meeting-regularity: the committee held no joint meeting last month, so it is flagged
    assert scheduler.fire("meeting-regularity") == {tenant: [committee.json["id"]]}
    flags = api.get(f"/v1/meetings/flags?period={month}", admin).json["items"]
    assert [f["committee_id"] for f in flags] == [committee.json["id"]]

    # incident-sweep: the overdue incident gets its yellow card and goes up a level
    # and the district admins are reminded of each year without a calendar: this one, and from
    # 1 November the next (only 2026 is built in)
    today = datetime.now(ZoneInfo("Asia/Shanghai")).date()
    missing = [y for y in (today.year, today.year + 1) if y not in calendar.BUILT_IN and (y == today.year or today.month >= 11)]
    assert scheduler.fire("incident-sweep") == {tenant: {"carded": [{"id": late["id"], "card": "yellow", "level": "community"}],
                                                        "due_soon": 0, "meetings": {"told": 0, "closed": 0},
                                                        "calendar_tasks": missing, "relayed": 0}}
    assert [c["card"] for c in api.get(f"/v1/incidents/{late['id']}", admin).json["cards"]] == ["yellow"]

    # volunteer-quarterly: last quarter's report per employing unit
    assert scheduler.fire("volunteer-quarterly")[tenant]["units"] == 1
    reports = api.get(f"/v1/volunteer-reports?quarter={quarter}", admin).json["items"]
    assert [r["unit_id"] for r in reports] == [unit.json["id"]]

    # assessment-fanout: with no queue configured, last month is assessed in-process
    assert scheduler.fire("assessment-fanout")["assessed"] == [tenant]
    assert api.get(f"/v1/assessments?period={month}", admin).json["units"] == 1


@pytest.fixture
def three_tenants(monkeypatch, api, platform_token):
    """Three fresh tenants, the only active ones the jobs see (read from the tenant table)."""
    from functions.assessments import fanout
    from functions.platform import tenants

    mine = [make_tenant(api, platform_token) for _ in range(3)]
    real = tenants.active_tenants
    only = lambda statuses=("active",): [ctx for ctx in real(statuses) if ctx.tenant in mine]  # noqa: E731
    monkeypatch.setattr(tenants, "active_tenants", only)
    monkeypatch.setattr(fanout, "active_tenants", only)
    return mine


def failure_logs(caplog, job):
    return sorted((r.tenant, r.error) for r in caplog.records
                  if r.levelname == "ERROR" and getattr(r, "job", None) == job and r.exc_info)


def test_a_run_with_failing_tenants_raises_after_trying_every_tenant(three_tenants, caplog, capsys):
    from functions.platform.tenants import ScheduledJobFailed, for_each_active_tenant

    a, b, c = three_tenants
    tried = []

    def job(ctx):
        tried.append(ctx.tenant)
        if ctx.tenant == a:
            raise RuntimeError("disk on fire")
        if ctx.tenant == b:
            raise KeyError("settings")
        return "ok"

    with pytest.raises(ScheduledJobFailed) as failed:
        for_each_active_tenant(job, "test job")
    assert sorted(tried) == sorted(three_tenants)  # the failures did not stop the others
    assert failed.value.failures == {a: "RuntimeError", b: "KeyError"}
    assert failed.value.results == {c: "ok"}
    assert a in str(failed.value) and b in str(failed.value) and "2 of 3" in str(failed.value)
    assert failure_logs(caplog, "test job") == sorted([(a, "RuntimeError"), (b, "KeyError")])
    # and a metric for the alarm: 2 tenants failed this job (Embedded Metric Format on stdout)
    import json

    emitted = [json.loads(line) for line in capsys.readouterr().out.splitlines() if '"TenantFailures"' in line]
    assert [(m["job"], m["TenantFailures"], m["_aws"]["CloudWatchMetrics"][0]["Namespace"]) for m in emitted] == [
        ("test job", [2.0], "Gongjian")]


def test_a_run_where_every_tenant_failed_is_not_a_success(three_tenants, monkeypatch, caplog, capsys):
    from functions.meetings import regularity
    from functions.platform.tenants import ScheduledJobFailed

    def broken(ctx, period):
        raise ValueError("no index")

    monkeypatch.setattr(regularity, "flag_committees", broken)
    with pytest.raises(ScheduledJobFailed) as failed:
        scheduler.fire("meeting-regularity")
    assert failed.value.failures == {t: "ValueError" for t in three_tenants} and failed.value.results == {}
    assert failure_logs(caplog, "regularity check") == sorted((t, "ValueError") for t in three_tenants)
    # the local scheduler reports it and goes on with the other jobs
    due = {"meeting-regularity": at(2026, 12, 1, 2, 0), "incident-sweep": at(2026, 12, 1, 2, 0)}
    assert scheduler.fire_due(due, at(2026, 12, 1, 2, 0)) == ["incident-sweep", "meeting-regularity"]
    out = capsys.readouterr().out
    assert "scheduled job meeting-regularity failed" in out and all(t in out for t in three_tenants)
    assert "scheduled job incident-sweep failed" not in out


def test_the_inline_assessment_fan_out_raises_when_a_tenant_failed(three_tenants, monkeypatch, caplog):
    from functions.assessments import fanout, runs
    from functions.platform.tenants import ScheduledJobFailed

    a, b, c = three_tenants
    real = runs.run_period

    def run_period(ctx, period):
        if ctx.tenant == b:
            raise RuntimeError("worker died")
        return real(ctx, period)

    monkeypatch.setattr(runs, "run_period", run_period)
    with pytest.raises(ScheduledJobFailed) as failed:
        fanout.fan_out()
    assert failed.value.failures == {b: "RuntimeError"}
    assert sorted(failed.value.results) == sorted([a, c])
    assert failure_logs(caplog, "assessment") == [(b, "RuntimeError")]


def test_next_run_of_aws_expressions():
    after = datetime(2026, 11, 24, 12, 0, tzinfo=timezone.utc)
    assert scheduler.next_run("cron(0 2 1 * ? *)", after) == datetime(2026, 12, 1, 2, 0, tzinfo=timezone.utc)
    assert scheduler.next_run("cron(0 17 L * ? *)", after) == datetime(2026, 11, 30, 17, 0, tzinfo=timezone.utc)
    assert scheduler.next_run("cron(0 3 1 1,4,7,10 ? *)", after) == datetime(2027, 1, 1, 3, 0, tzinfo=timezone.utc)
    assert scheduler.next_run("rate(5 minutes)", after) == datetime(2026, 11, 24, 12, 5, tzinfo=timezone.utc)
    assert scheduler.next_run("rate(1 hour)", after) == datetime(2026, 11, 24, 13, 0, tzinfo=timezone.utc)
