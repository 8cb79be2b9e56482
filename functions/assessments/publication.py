"""Publication and review (公示): during the tenant's window (default 7 days) a unit may appeal with a
reason; a district admin resolves it — upheld with a corrected input (the period is re-run with the
same rule version, atomically) or dismissed — and then makes the period final. Final results
never change.

Keys: appeals `<tenant>#assessment-appeal#<YYYY-MM>` / id.
"""
from __future__ import annotations

from datetime import datetime, UTC
from typing import Any

from functions import authz, store
from functions.assessments import runs
from functions.errors import Conflict, FieldError, Text, Unprocessable
from functions.ids import new_id, now_iso
from functions.tasks import index as tasks
from functions.models import AssessmentsTable, CommitteesTable
from functions.tenancy import TenantContext

APPEAL = "assessment_appeal"


def _open_state(ctx: TenantContext, period: str) -> AssessmentsTable:
    item = runs.state(ctx, period)
    if item is None:
        raise store.not_found("assessment")
    if item.data["status"] == "final":
        raise Conflict(Text("该月考核已定稿", "This period is final"))
    return item


def answer_task(period: str, appeal_id: str, unit_name: str, until: str) -> tasks.Task:
    """The district admins' task to uphold or dismiss an appeal, before the period is made final."""
    return tasks.Task(tasks.DISTRICT, "appeal_answer", appeal_id, {
        "title": f"{period} 考核申诉：{unit_name} / assessment appeal", "reason": "驻区单位对考核结果提出申诉 / a unit appeals its result",
        "due_at": until, "object": {"kind": "assessment_appeal", "id": appeal_id, "period": period},
        "link": f"/v1/assessments/{period}/appeals"})


def create_appeal(ctx: TenantContext, period: str, body: dict[str, Any]) -> dict[str, Any]:
    """A unit's appeal, filed by staff of its community (or the district) within the window."""
    item = _open_state(ctx, period)
    if datetime.now(UTC) > datetime.fromisoformat(item.data["appeal_until"]):
        raise Conflict(Text("公示期已过，不能再申诉", "The appeal window has closed"))
    try:
        unit = CommitteesTable.get(ctx.key("unit"), body["unit_id"]).fields()
    except CommitteesTable.DoesNotExist as exc:
        raise Unprocessable(errors=[FieldError("/unit_id", Text("单位不存在", "No such unit"))]) from exc
    authz.require(ctx, authz.MANAGE_COMMUNITY, community_id=unit["community_id"])
    appeal_id = new_id()
    waiting = tasks.moved(ctx, None, answer_task(period, appeal_id, unit["name"], item.data["appeal_until"]))
    return store.create(ctx, AssessmentsTable, APPEAL, {**body, "period": period, "status": "open", "filed_by": ctx.actor},
                        item_id=appeal_id, partition=ctx.key("assessment-appeal", period), extra=waiting)


def list_appeals(ctx: TenantContext, period: str, *, limit: int | None, cursor_text: str | None) -> dict[str, Any]:
    key = ctx.key("assessment-appeal", period)
    return store.page(AssessmentsTable, key, scope=f"{ctx.tenant}|{key}", limit=limit, cursor_text=cursor_text).body()


def resolve_appeal(ctx: TenantContext, period: str, appeal_id: str, body: dict[str, Any]) -> dict[str, Any]:
    """Uphold (with a correction of the unit's inputs, then re-run) or dismiss an open appeal."""
    authz.require(ctx, authz.MANAGE_DISTRICT)
    state = _open_state(ctx, period)
    try:
        appeal = AssessmentsTable.get(ctx.key("assessment-appeal", period), appeal_id)
    except AssessmentsTable.DoesNotExist as exc:
        raise store.not_found("appeal") from exc
    data = appeal.fields()
    if data["status"] != "open":
        raise Conflict(Text("该申诉已处理", "This appeal was resolved already"))
    upheld = body["decision"] == "upheld"
    if upheld and not body.get("correction"):
        raise Unprocessable(errors=[FieldError("/correction", Text("支持申诉须给出更正的数据", "An upheld appeal needs a correction"))])
    data.update(status=body["decision"], resolution_note=body.get("note"), resolved_by=ctx.actor, resolved_at=now_iso(),
                correction=body.get("correction"))
    ops: list[store.Operation] = [store.Replace(store.changed(appeal, data), appeal.version),
                                  *tasks.moved(ctx, answer_task(period, appeal_id, "", ""), None)]
    if upheld:
        period_data = state.fields()
        corrections = dict(period_data.get("corrections", {}))
        corrections[data["unit_id"]] = body["correction"]
        ops.append(store.Replace(store.changed(state, {**period_data, "corrections": corrections}), state.version))
    store.write(ctx, ops, action=f"assessment_appeal.{body['decision']}", target=f"assessment/{period}/appeal/{appeal_id}",
                state=data)
    rerun = runs.run_period(ctx, period) if upheld else None
    return {**data, "id": appeal_id, "rerun": rerun}


def finalize(ctx: TenantContext, period: str) -> dict[str, Any]:
    """Close the period once the window has passed and no appeal is open; results are then fixed."""
    authz.require(ctx, authz.MANAGE_DISTRICT)
    state = _open_state(ctx, period)
    data = state.fields()
    if datetime.now(UTC) < datetime.fromisoformat(data["appeal_until"]):
        raise Conflict(Text("公示期未结束", "The appeal window is still open"))
    if any(a.data["status"] == "open" for a in store.query_all(AssessmentsTable, ctx.key("assessment-appeal", period))):
        raise Conflict(Text("仍有未处理的申诉", "Appeals are still open"))
    data.update(status="final", finalized_at=now_iso(), finalized_by=ctx.actor)
    store.write(ctx, [store.Replace(store.changed(state, data), state.version)], action="assessment.finalize",
                target=f"assessment/{period}", state=data)
    return {"period": period, "status": "final", "run_id": data["run_id"]}
