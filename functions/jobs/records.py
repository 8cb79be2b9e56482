"""Job records: who started what, its state, its progress, its result or its problem.

A job belongs to the user who started it, under their district (`<tenant>#job` / id) or, for
auditors and platform admins who have none, `platform#job`; only they see it (others get 404).
Its state moves queued → running → succeeded | failed | cancelled, each move a write conditioned
on the version read, so a cancel and the worker's progress never overwrite each other. The worker
beats (`heartbeat_at`) with every progress step; a job silent for longer than `STALE_AFTER` (twice
the worker's longest life) reads as failed, so none stays queued or running forever. SQS gives a job
whose worker died to the next worker (3 receives, then the dead-letter queue), which starts it over.
"""
from __future__ import annotations

import hashlib
import importlib
from collections.abc import Callable
from datetime import datetime, timedelta, UTC
from typing import Any

from pynamodb.exceptions import PutError, TransactWriteError

from functions import idempotency, store
from functions.errors import Conflict, IdempotentReplay, ProblemError, ServiceUnavailable, Text, Unprocessable
from functions.idempotency import Claim
from functions.ids import new_id, now_iso
from functions.models import JobsTable
from functions.tenancy import Principal, TenantContext

KINDS = ("export", "offboarding", "assessment_run")
TERMINAL = ("succeeded", "failed", "cancelled")
STALE_AFTER = timedelta(minutes=30)


class Cancelled(Exception):
    """The job's owner cancelled it: the worker stops at its next progress step and cleans up."""


def home(p: Principal) -> str:
    return p.tenant or "platform"


def partition(owner_home: str) -> str:
    return f"{owner_home}#job"


def claims(p: Principal) -> dict[str, Any]:
    """The principal as claims the worker turns back into one (and re-checks against the directory)."""
    return {"sub": p.sub, "roles": sorted(p.roles), "tenant": p.tenant, "communities": sorted(p.communities),
            "grids": sorted(p.grids), "audit_tenants": sorted(p.audit_tenants), "streets": sorted(p.streets),
            "departments": sorted(p.departments), "units": sorted(p.units)}


def new_job(p: Principal, kind: str, title: str, params: dict[str, Any], *, job_id: str | None = None,
            result_link: str | None = None) -> JobsTable:
    """A queued job's item (not yet saved): `save` it alone, or `store.Put` it in an audited write."""
    job_id = job_id or new_id()
    owner = partition(home(p))
    at = now_iso()
    data = {"kind": kind, "state": "queued", "title": title, "requester": p.sub, "principal": claims(p),
            "params": params, "progress": None, "result": None, "problem": None, "started_at": None,
            "finished_at": None, "heartbeat_at": at, "attempts": 0, "cancel_requested": False,
            "result_link": result_link}
    return JobsTable(owner, job_id, kind="job", data=data, version=1, created_at=at, updated_at=at,
                     gsi1pk=f"{owner}#{p.sub}", gsi1sk=job_id, gsi2pk=f"{owner}#{p.sub}#{kind}", gsi2sk=job_id)


def enqueue(item: JobsTable) -> dict[str, Any]:
    """Hand a saved job to the worker; if the queue refuses it, the job fails visibly (503)."""
    from functions.jobs import queue

    try:
        queue.send({"partition": item.pk, "id": item.sk})
    except Exception as exc:
        finish(item.pk, item.sk, "failed", problem=_problem(503, "任务队列不可用", "The job queue is unavailable"))
        raise ServiceUnavailable(Text("任务队列暂不可用，请稍后重试", "The job queue is unavailable, retry shortly"),
                                 headers={"Retry-After": "5"}) from exc
    return view(item)


def start(p: Principal, kind: str, title: str, params: dict[str, Any], *, job_id: str | None = None,
          result_link: str | None = None, ctx: TenantContext | None = None, claim: Claim | None = None,
          answer: Callable[[dict[str, Any]], dict[str, Any]] = lambda job: job) -> dict[str, Any]:
    """Record a queued job and hand it to the worker; returns `answer(job view)`, the 202's body.

    With `ctx` the record is an audited write of that district, honouring the request's
    `Idempotency-Key` the usual way. Without (auditors and platform admins act across districts),
    `claim` is kept as a marker beside the job in the same transaction: a repeat replays the first
    answer (`replayed`), and of two racing copies only one job is made."""
    item = new_job(p, kind, title, params, job_id=job_id, result_link=result_link)
    body = answer(view(item))
    if ctx is not None:
        store.write(ctx, [store.Put(item)], action=f"job.{kind}", target=f"job/{item.sk}", state=item.fields(),
                    result=body)
        enqueue(item)
        return body
    try:
        with store.transaction() as tx:
            tx.save(item, condition=JobsTable.pk.does_not_exist())
            if claim is not None:
                tx.save(JobsTable(item.pk, _marker(p, claim), kind="job_idempotency", expires_at=_marker_expiry(),
                                  data={"request_hash": claim.request_hash, "job_id": item.sk, "body": body}),
                        condition=JobsTable.pk.does_not_exist())
    except TransactWriteError as exc:
        replayed(p, claim)  # the racing copy won: answer what it answered
        raise Conflict(Text("任务已存在", "The job already exists")) from exc
    enqueue(item)
    return body


def _marker(p: Principal, claim: Claim) -> str:
    return "idem#" + hashlib.sha256(f"{p.sub}|{claim.key}".encode()).hexdigest()


def _marker_expiry() -> datetime:
    return datetime.now(UTC) + timedelta(seconds=idempotency.TTL_SECONDS)


def replayed(p: Principal, claim: Claim | None) -> None:
    """If this `Idempotency-Key` already started a job, answer as the first request was answered
    (`IdempotentReplay`, 202 with its `Location`); 422 if the key came with another request."""
    if claim is None:
        return
    marker = _read(partition(home(p)), _marker(p, claim))
    if marker is None:
        return
    data = marker.fields()
    if data["request_hash"] != claim.request_hash:
        raise Unprocessable(Text("该 Idempotency-Key 已用于另一个请求", "This Idempotency-Key was used for a different request"))
    raise IdempotentReplay(idempotency.Replay(202, data["body"]))


def _read(owner: str, job_id: str) -> JobsTable | None:
    try:
        return JobsTable.get(owner, job_id, consistent_read=True)
    except JobsTable.DoesNotExist:
        return None


def get(p: Principal, job_id: str) -> dict[str, Any]:
    item = _read(partition(home(p)), job_id)
    if item is None or item.fields().get("requester") != p.sub:
        raise store.not_found("任务")
    return view(item)


def list_jobs(p: Principal, kind: str | None, limit: int | None, cursor_text: str | None) -> dict[str, Any]:
    """The caller's jobs, newest first, of one kind when `kind` is given."""
    owner = partition(home(p))
    if kind:
        page = store.page(JobsTable, f"{owner}#{p.sub}#{kind}", index="gsi2", scope=f"{owner}|{p.sub}|job|{kind}",
                          limit=limit, cursor_text=cursor_text, newest_first=True)
    else:
        page = store.page(JobsTable, f"{owner}#{p.sub}", index="gsi1", scope=f"{owner}|{p.sub}|job",
                          limit=limit, cursor_text=cursor_text, newest_first=True)
    return {"items": [view_fields(item["id"], item["created_at"], item) for item in page.items],
            "next_cursor": page.next_cursor}


def cancel(p: Principal, job_id: str, reason: str | None = None) -> dict[str, Any]:
    """Cancel a queued job at once; ask a running one to stop (it stops at its next step). A job that
    has ended, or one past the point of no return (an offboarding deleting data), is a 409."""
    for _ in range(5):
        item = _read(partition(home(p)), job_id)
        if item is None or item.fields().get("requester") != p.sub:
            raise store.not_found("任务")
        data = item.fields()
        if data["state"] in TERMINAL or view(item)["state"] in TERMINAL:
            raise Conflict(Text("任务已结束，不能取消", "The job has ended and cannot be cancelled"))
        if data.get("irreversible"):
            raise Conflict(Text("任务已进入不可撤销的阶段", "The job is past the point where it can be cancelled"))
        data.update(cancel_requested=True, cancel_reason=reason)
        if data["state"] == "queued":
            data.update(state="cancelled", finished_at=now_iso())
        if _save(item, data):
            if data["state"] == "cancelled":
                never_ran(item, p)
            return view(item)
    raise ServiceUnavailable(Text("任务正在更新，请稍后重试", "The job is being updated, retry shortly"))


# what a kind does when its job ends without having run (exports close their per-tenant records)
NEVER_RAN = {"export": "functions.exports.jobs:close_parts"}


def never_ran(item: JobsTable, p: Principal) -> None:
    target = NEVER_RAN.get(item.fields()["kind"])
    if target:
        module, function = target.split(":")
        getattr(importlib.import_module(module), function)(item, p)


# --- the worker's side ------------------------------------------------------------------------

def _save(item: JobsTable, data: dict[str, Any]) -> bool:
    """Save new `data` if the item is still at the version read; False if someone wrote first."""
    expected = item.version
    item.data, item.version, item.updated_at = data, expected + 1, now_iso()
    try:
        item.save(condition=JobsTable.version == expected)
        return True
    except PutError:
        return False


def claim(owner: str, job_id: str) -> JobsTable | None:
    """Mark a queued (or dead worker's running) job as running; None if it has ended or is gone."""
    item = _read(owner, job_id)
    if item is None:
        return None
    data = item.fields()
    if data["state"] in TERMINAL:
        return None
    if data.get("cancel_requested"):
        finish(owner, job_id, "cancelled")
        never_ran(item, Principal.from_claims(data["principal"]))
        return None
    now = now_iso()
    data.update(state="running", started_at=data.get("started_at") or now, heartbeat_at=now,
                attempts=int(data.get("attempts") or 0) + 1, progress=None)
    return item if _save(item, data) else claim(owner, job_id)


def progress(item: JobsTable, done: int, total: int | None, unit: str) -> None:
    """Record progress (and a heartbeat); raises `Cancelled` once the owner has asked to cancel."""
    for _ in range(5):
        data = item.fields()
        if data.get("cancel_requested"):
            raise Cancelled()
        data.update(progress={"done": done, "total": total, "unit": unit}, heartbeat_at=now_iso())
        if _save(item, data):
            return
        item.refresh(consistent_read=True)
    raise ServiceUnavailable(Text("任务记录更新冲突", "The job record kept changing"))


def mark_irreversible(item: JobsTable, **keep: Any) -> None:
    """From here on the job cannot be cancelled (it is replacing or deleting data); raises
    `Cancelled` if it already was. `keep` is saved with it, for a worker that starts it over."""
    for _ in range(5):
        data = item.fields()
        if data.get("cancel_requested"):
            raise Cancelled()
        data.update(irreversible=True, **keep)
        if _save(item, data):
            return
        item.refresh(consistent_read=True)
    raise ServiceUnavailable(Text("任务记录更新冲突", "The job record kept changing"))


def finish(owner: str, job_id: str, state: str, *, result: Any = None, problem: dict[str, Any] | None = None) -> None:
    for _ in range(20):
        item = _read(owner, job_id)
        if item is None:
            return
        data = item.fields()
        data.update(state=state, result=result, problem=problem, finished_at=now_iso(), heartbeat_at=now_iso())
        if _save(item, data):
            return


def _problem(status: int, zh: str, en: str) -> dict[str, Any]:
    return {"type": "about:blank", "title": f"{zh} / {en}", "status": status, "detail": f"{zh} / {en}"}


def problem_of(exc: BaseException) -> dict[str, Any]:
    """A failed job's problem+json: the app's own error as the API would answer it, else a 500."""
    if isinstance(exc, ProblemError):
        zh, en = exc.to_problem("zh-CN"), exc.to_problem("en")
        return {**zh, "title": f"{zh['title']} / {en['title']}", "detail": f"{zh.get('detail', zh['title'])} / {en.get('detail', en['title'])}"}
    return _problem(500, f"任务失败（{type(exc).__name__}）", f"The job failed ({type(exc).__name__})")


# --- what callers see -------------------------------------------------------------------------

def view(item: JobsTable) -> dict[str, Any]:
    return view_fields(item.sk, item.created_at, item.fields())


def view_fields(job_id: str, created_at: str | None, data: dict[str, Any]) -> dict[str, Any]:
    state, problem = data["state"], data.get("problem")
    beat = data.get("heartbeat_at") or created_at
    if state not in TERMINAL and beat and datetime.fromisoformat(beat) < datetime.now(UTC) - STALE_AFTER:
        state, problem = "failed", _problem(500, "任务中断：处理进程已停止", "The job stopped: its worker died")
    links = {"self": f"/v1/jobs/{job_id}"}
    if state not in TERMINAL:
        links["cancel"] = f"/v1/jobs/{job_id}/cancel"
    if data.get("result_link"):
        links["result"] = data["result_link"]
    return {"id": job_id, "kind": data["kind"], "state": state, "title": data.get("title", ""),
            "cancel_requested": bool(data.get("cancel_requested")), "progress": data.get("progress"),
            "created_at": created_at, "started_at": data.get("started_at"), "finished_at": data.get("finished_at"),
            "attempts": int(data.get("attempts") or 0), "result": data.get("result"), "problem": problem,
            "links": links}


