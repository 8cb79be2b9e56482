"""Routes for meetings, their minutes (text or uploaded files, revisions, approval), decisions and actions."""
from __future__ import annotations

from typing import TYPE_CHECKING, Any

from chalice.app import Blueprint

from functions import lazy
from functions.api.declaration import COMMITTEE_ID, FROM, PERIOD, TO, Param, query, route
from functions.tenancy import TenantContext
from functions.api.request import begin_write, paging, raw_body, tenant_context
from functions.errors import FieldError, Text, ValidationFailed
from functions.vocabulary import ACTION_STATUSES

bp = Blueprint(__name__)
if TYPE_CHECKING:  # the real modules for readers and the type checker; loaded on first use at run time
    from functions.meetings import decisions, meetings, minutes, regularity
else:
    decisions, meetings, minutes, regularity = lazy.modules("functions.meetings", "decisions", "meetings", "minutes", "regularity")

MINUTES_TEXT_TYPES = ["text/markdown", "text/plain"]  # minutes.TEXT_TYPES, stated here so routes load lazily
COMMITTEE_ID_REQUIRED = Param("committee_id", "大党委 / the big Party committee", "id", required=True)
REASON = Param("reason", "审定后更正的理由（1–500 字）/ why approved minutes are corrected (1–500 characters)")
ACTION_STATUS = Param("status", "行动状态 / action status", "enum", ACTION_STATUSES)
ASSIGNEE = Param("assignee", "牵头职能部门的标识 / the lead department's id", "id")


def _read() -> TenantContext:
    return tenant_context(bp.current_request)


def _reason() -> str | None:
    """The reason for a correction after approval: `?reason=` (URL-encoded UTF-8)."""
    reason = query(bp.current_request)["reason"]
    if reason is not None and not 1 <= len(reason) <= 500:
        raise ValidationFailed(errors=[FieldError("/reason", Text("理由须为 1–500 字", "reason must be 1–500 characters"))])
    return reason


@route(bp, "POST", "/v1/meetings", "安排联席会议 / Schedule a meeting", body="meeting", status=201, idempotent=True, response="meeting")
def create_meeting() -> dict[str, Any]:
    """Schedule a joint or expanded meeting of a big Party committee."""
    ctx, body = begin_write(bp.current_request)
    return meetings.create_meeting(ctx, body)


@route(bp, "GET", "/v1/meetings", "会议列表 / List meetings", query=(COMMITTEE_ID, FROM, TO), pages=True, response="meeting-list")
def list_meetings() -> dict[str, Any]:
    """Meetings in time order (`?committee_id=&from=&to=`, dates in the tenant's time zone)."""
    r = bp.current_request
    return meetings.list_meetings(_read(), committee_id=query(r)["committee_id"],
                                          date_from=query(r)["from"], date_to=query(r)["to"], **paging(r))


@route(bp, "GET", "/v1/meetings/attendance", "参会情况 / Attendance per unit", query=(COMMITTEE_ID_REQUIRED, FROM, TO), response="meeting-attendance")
def meeting_attendance() -> dict[str, Any]:
    """Attendance per unit of a committee's meetings over `?from=&to=`."""
    r = bp.current_request
    return meetings.attendance(_read(), query(r)["committee_id"], query(r)["from"], query(r)["to"])


@route(bp, "GET", "/v1/meetings/flags", "未按期召开联席会议的大党委 / Committees flagged for no joint meeting", query=(PERIOD,), pages=True, response="meeting-flag-list")
def list_meeting_flags() -> dict[str, Any]:
    """Committees flagged for holding no joint meeting in `?period=YYYY-MM`."""
    r = bp.current_request
    return regularity.list_flags(_read(), query(r)["period"], **paging(r))


@route(bp, "GET", "/v1/meetings/{meeting_id}", "查看会议 / Get a meeting", response="meeting")
def get_meeting(meeting_id: str) -> dict[str, Any]:
    return meetings.get_meeting(_read(), meeting_id)


@route(bp, "PATCH", "/v1/meetings/{meeting_id}", "修改会议 / Update a meeting", body="meeting#patch", response="meeting")
def update_meeting(meeting_id: str) -> dict[str, Any]:
    """Change agenda, attendees and presence, time or place, at the version read."""
    ctx, body = begin_write(bp.current_request)
    return meetings.update_meeting(ctx, meeting_id, body)


@route(bp, "PUT", "/v1/meetings/{meeting_id}/minutes", "保存会议纪要文本 / Store minutes text", status=201, query=(REASON,), content_types=MINUTES_TEXT_TYPES, response="minutes-revision")
def put_minutes(meeting_id: str) -> dict[str, Any]:
    """Store minutes text (text/markdown or text/plain, UTF-8) as a new draft revision."""
    r = bp.current_request
    ctx, _ = begin_write(r)
    return minutes.put_text(ctx, meeting_id, raw_body(r), r.headers.get("content-type", ""), _reason())


@route(bp, "GET", "/v1/meetings/{meeting_id}/minutes", "最新会议纪要 / Latest minutes", response="minutes-revision")
def get_minutes(meeting_id: str) -> dict[str, Any]:
    """The latest revision with a short-lived download URL; 404 if there is none."""
    return minutes.latest(_read(), meeting_id)


@route(bp, "GET", "/v1/meetings/{meeting_id}/minutes/revisions", "会议纪要各版本 / Minutes revisions", response="minutes-revision-list")
def list_minutes_revisions(meeting_id: str) -> dict[str, Any]:
    """Every revision, oldest first, each downloadable."""
    return minutes.list_revisions(_read(), meeting_id)


@route(bp, "POST", "/v1/meetings/{meeting_id}/minutes/uploads", "上传会议纪要文件 / Start a minutes upload", body="minutes-upload", status=201, idempotent=True, response="minutes-upload-ticket")
def create_minutes_upload(meeting_id: str) -> dict[str, Any]:
    """Declare a minutes file (≤ 20 MB) and get a presigned PUT URL with the headers to send."""
    ctx, body = begin_write(bp.current_request)
    return minutes.start_upload(ctx, meeting_id, body)


@route(bp, "POST", "/v1/meetings/{meeting_id}/minutes/uploads/{upload_id}/complete", "完成纪要上传 / Complete a minutes upload", body="complete-minutes-upload", status=201, idempotent=True, query=(REASON,), response="minutes-revision")
def complete_minutes_upload(meeting_id: str, upload_id: str) -> dict[str, Any]:
    """Verify the uploaded file's size and SHA-256 and link it as a revision (422 and deleted if they differ)."""
    ctx, _ = begin_write(bp.current_request)
    return minutes.complete_upload(ctx, meeting_id, upload_id, _reason())


@route(bp, "POST", "/v1/meetings/{meeting_id}/minutes/revisions/{revision}/approve", "审定会议纪要 / Approve a minutes revision", body="approve-minutes-revision", idempotent=True, response="minutes-revision")
def approve_minutes_revision(meeting_id: str, revision: str) -> dict[str, Any]:
    """The committee secretary approves a revision; approved minutes are fixed."""
    ctx, body = begin_write(bp.current_request)
    if not revision.isdigit():
        raise ValidationFailed(errors=[FieldError("/revision", Text("版本号应为正整数", "revision must be a positive integer"))])
    return minutes.approve(ctx, meeting_id, int(revision), body)


@route(bp, "POST", "/v1/meetings/{meeting_id}/decisions", "记录会议决定 / Record a decision", body="decision", status=201, idempotent=True, response="decision")
def create_decision(meeting_id: str) -> dict[str, Any]:
    """Record a decision; its actions are created with status `open`."""
    ctx, body = begin_write(bp.current_request)
    return decisions.create_decision(ctx, meeting_id, body)


@route(bp, "GET", "/v1/meetings/{meeting_id}/decisions", "会议决定列表 / List a meeting's decisions", pages=True, response="decision-list")
def list_decisions(meeting_id: str) -> dict[str, Any]:
    return decisions.list_decisions(_read(), meeting_id, **paging(bp.current_request))


@route(bp, "GET", "/v1/actions", "行动列表 / List actions", query=(ACTION_STATUS, ASSIGNEE), pages=True, response="action-list")
def list_actions() -> dict[str, Any]:
    """Actions by `?status=` and/or `?assignee=` (lead), each one Query; `overdue` marked."""
    r = bp.current_request
    return decisions.list_actions(_read(), status=query(r)["status"], assignee=query(r)["assignee"],
                                          **paging(r))


@route(bp, "GET", "/v1/actions/{action_id}", "查看行动 / Get an action", response="action")
def get_action(action_id: str) -> dict[str, Any]:
    return decisions.get_action(_read(), action_id)


@route(bp, "PATCH", "/v1/actions/{action_id}", "推进行动 / Update an action", body="update-action", response="action")
def update_action(action_id: str) -> dict[str, Any]:
    """Move an action forward (open → in_progress → done) with a note; a stale version is 409."""
    ctx, body = begin_write(bp.current_request)
    return decisions.update_action(ctx, action_id, body)


@route(bp, "POST", "/v1/actions/{action_id}/parts/{part}/sign-off", "部门签收 / Sign off an action part", body="sign-off-action-part", idempotent=True, response="action")
def sign_off_action_part(action_id: str, part: str) -> dict[str, Any]:
    """A lead or assisting department signs for its part (签收)."""
    ctx, body = begin_write(bp.current_request)
    return decisions.sign_off_part(ctx, action_id, _index(part), body)


@route(bp, "POST", "/v1/actions/{action_id}/parts/{part}/progress", "报告分项进度 / Report a part's progress", body="report-action-progress", idempotent=True, response="action")
def report_action_progress(action_id: str, part: str) -> dict[str, Any]:
    """Report a part's progress, notes and evidence; the action's progress rolls up."""
    ctx, body = begin_write(bp.current_request)
    return decisions.report_part_progress(ctx, action_id, _index(part), body)


@route(bp, "POST", "/v1/actions/{action_id}/close", "验收并关闭行动 / Close an action", body="close-action", idempotent=True, response="action")
def close_action(action_id: str) -> dict[str, Any]:
    """Verify a done action and close it (once)."""
    ctx, body = begin_write(bp.current_request)
    return decisions.close_action(ctx, action_id, body)


@route(bp, "GET", "/v1/committees/{committee_id}/next-agenda", "下次联席会议议程草案 / Draft next agenda", response="next-agenda")
def next_agenda(committee_id: str) -> dict[str, Any]:
    """Draft agenda of the committee's next joint meeting: overdue actions and unfinished decisions."""
    return decisions.next_agenda(_read(), committee_id)


def _index(part: str) -> int:
    if not part.isdigit():
        raise ValidationFailed(errors=[FieldError("/part", Text("part 应为序号", "part must be an index"))])
    return int(part)

