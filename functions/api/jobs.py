"""Routes for jobs: long work (exports, offboarding, assessment runs) that answered 202 with
`Location: /v1/jobs/{id}`. Each user sees and cancels only the jobs they started."""
from __future__ import annotations

from typing import TYPE_CHECKING, Any

from chalice.app import Blueprint

from functions import lazy
from functions.api.declaration import ANYONE, Param, query, route
from functions.api.request import declared_body, paging, principal

bp = Blueprint(__name__)
if TYPE_CHECKING:  # the real modules for readers and the type checker; loaded on first use at run time
    from functions.jobs import records
else:
    records = lazy.modules("functions.jobs", "records")

KIND = Param("kind", "只看某一种任务 / only jobs of this kind", "enum", ("export", "offboarding", "assessment_run"))


@route(bp, "GET", "/v1/jobs", "我的任务 / My jobs", query=(KIND,), pages=True, tenant_scoped=False, roles=ANYONE,
       response="job-list")
def list_jobs() -> dict[str, Any]:
    """The jobs you started, newest first; `?kind=` for one kind."""
    r = bp.current_request
    return records.list_jobs(principal(r), query(r)["kind"], **paging(r))


@route(bp, "GET", "/v1/jobs/{job_id}", "查看任务 / Get a job", tenant_scoped=False, roles=ANYONE, response="job")
def get_job(job_id: str) -> dict[str, Any]:
    """Your job's state, progress (done / total, with a unit), times, and its result or problem; others get 404."""
    return records.get(principal(bp.current_request), job_id)


@route(bp, "POST", "/v1/jobs/{job_id}/cancel", "取消任务 / Cancel a job", body="cancel-job", tenant_scoped=False,
       roles=ANYONE, response="job")
def cancel_job(job_id: str) -> dict[str, Any]:
    """A queued job is cancelled at once; a running one stops at its next step and removes what it
    wrote. A job that has ended, or an offboarding already deleting data, is a 409."""
    r = bp.current_request
    return records.cancel(principal(r), job_id, declared_body(r).get("reason"))
