"""Routes for meetings, their minutes (text or uploaded files, revisions, approval), decisions and actions."""
from __future__ import annotations

from chalice import Blueprint
from chalice.app import Response

from functions import lazy
from functions.api.request import begin_write, date_param, paging, period_param, query_param, respond, tenant_context
from functions.errors import FieldError, Text, ValidationFailed

bp = Blueprint(__name__)
decisions, meetings, minutes, regularity = lazy.modules("functions.meetings", "decisions", "meetings", "minutes", "regularity")
MINUTES_TEXT_TYPES = ["text/markdown", "text/plain"]  # minutes.TEXT_TYPES, stated here so routes load lazily


def _read():
    return tenant_context(bp.current_request)


def _reason() -> str | None:
    """The reason for a correction after approval: `?reason=` (URL-encoded UTF-8)."""
    reason = query_param(bp.current_request, "reason")
    if reason is not None and not 1 <= len(reason) <= 500:
        raise ValidationFailed(errors=[FieldError("/reason", Text("理由须为 1–500 字", "reason must be 1–500 characters"))])
    return reason


@bp.route("/v1/meetings", methods=["POST"])
def create_meeting() -> Response:
    """Schedule a joint or expanded meeting of a big Party committee."""
    ctx, body = begin_write(bp.current_request, "meeting")
    return respond(meetings.create_meeting(ctx, body), 201)


@bp.route("/v1/meetings", methods=["GET"])
def list_meetings() -> Response:
    """Meetings in time order (`?committee_id=&from=&to=`, dates in the tenant's time zone)."""
    r = bp.current_request
    return respond(meetings.list_meetings(_read(), committee_id=query_param(r, "committee_id"),
                                          date_from=date_param(r, "from"), date_to=date_param(r, "to"), **paging(r)))


@bp.route("/v1/meetings/attendance", methods=["GET"])
def meeting_attendance() -> Response:
    """Attendance per unit of a committee's meetings over `?from=&to=`."""
    r = bp.current_request
    return respond(meetings.attendance(_read(), query_param(r, "committee_id"), date_param(r, "from"), date_param(r, "to")))


@bp.route("/v1/meetings/flags", methods=["GET"])
def list_meeting_flags() -> Response:
    """Committees flagged for holding no joint meeting in `?period=YYYY-MM`."""
    r = bp.current_request
    return respond(regularity.list_flags(_read(), period_param(r), **paging(r)))


@bp.route("/v1/meetings/{meeting_id}", methods=["GET"])
def get_meeting(meeting_id: str) -> Response:
    return respond(meetings.get_meeting(_read(), meeting_id))


@bp.route("/v1/meetings/{meeting_id}", methods=["PATCH"])
def update_meeting(meeting_id: str) -> Response:
    """Change agenda, attendees and presence, time or place, at the version read."""
    ctx, body = begin_write(bp.current_request, "meeting", patch=True)
    return respond(meetings.update_meeting(ctx, meeting_id, body))


@bp.route("/v1/meetings/{meeting_id}/minutes", methods=["PUT"], content_types=MINUTES_TEXT_TYPES)
def put_minutes(meeting_id: str) -> Response:
    """Store minutes text (text/markdown or text/plain, UTF-8) as a new draft revision."""
    r = bp.current_request
    ctx, _ = begin_write(r, None)
    return respond(minutes.put_text(ctx, meeting_id, r.raw_body or b"", r.headers.get("content-type", ""), _reason()), 201)


@bp.route("/v1/meetings/{meeting_id}/minutes", methods=["GET"])
def get_minutes(meeting_id: str) -> Response:
    """The latest revision with a short-lived download URL; 404 if there is none."""
    return respond(minutes.latest(_read(), meeting_id))


@bp.route("/v1/meetings/{meeting_id}/minutes/revisions", methods=["GET"])
def list_minutes_revisions(meeting_id: str) -> Response:
    """Every revision, oldest first, each downloadable."""
    return respond(minutes.list_revisions(_read(), meeting_id))


@bp.route("/v1/meetings/{meeting_id}/minutes/uploads", methods=["POST"])
def create_minutes_upload(meeting_id: str) -> Response:
    """Declare a minutes file (≤ 20 MB) and get a presigned PUT URL with the headers to send."""
    ctx, body = begin_write(bp.current_request, "minutes-upload")
    return respond(minutes.start_upload(ctx, meeting_id, body), 201)


@bp.route("/v1/meetings/{meeting_id}/minutes/uploads/{upload_id}/complete", methods=["POST"])
def complete_minutes_upload(meeting_id: str, upload_id: str) -> Response:
    """Verify the uploaded file's size and SHA-256 and link it as a revision (422 and deleted if they differ)."""
    ctx, _ = begin_write(bp.current_request, "complete-minutes-upload")
    return respond(minutes.complete_upload(ctx, meeting_id, upload_id, _reason()), 201)


@bp.route("/v1/meetings/{meeting_id}/minutes/revisions/{revision}/approve", methods=["POST"])
def approve_minutes_revision(meeting_id: str, revision: str) -> Response:
    """The committee secretary approves a revision; approved minutes are fixed."""
    ctx, body = begin_write(bp.current_request, "approve-minutes-revision", status=200)
    if not revision.isdigit():
        raise ValidationFailed(errors=[FieldError("/revision", Text("版本号应为正整数", "revision must be a positive integer"))])
    return respond(minutes.approve(ctx, meeting_id, int(revision), body))


@bp.route("/v1/meetings/{meeting_id}/decisions", methods=["POST"])
def create_decision(meeting_id: str) -> Response:
    """Record a decision; its actions are created with status `open`."""
    ctx, body = begin_write(bp.current_request, "decision")
    return respond(decisions.create_decision(ctx, meeting_id, body), 201)


@bp.route("/v1/meetings/{meeting_id}/decisions", methods=["GET"])
def list_decisions(meeting_id: str) -> Response:
    return respond(decisions.list_decisions(_read(), meeting_id, **paging(bp.current_request)))


@bp.route("/v1/actions", methods=["GET"])
def list_actions() -> Response:
    """Actions by `?status=` and/or `?assignee=` (lead), each one Query; `overdue` marked."""
    r = bp.current_request
    return respond(decisions.list_actions(_read(), status=query_param(r, "status"), assignee=query_param(r, "assignee"),
                                          **paging(r)))


@bp.route("/v1/actions/{action_id}", methods=["GET"])
def get_action(action_id: str) -> Response:
    return respond(decisions.get_action(_read(), action_id))


@bp.route("/v1/actions/{action_id}", methods=["PATCH"])
def update_action(action_id: str) -> Response:
    """Move an action forward (open → in_progress → done) with a note; a stale version is 409."""
    ctx, body = begin_write(bp.current_request, "update-action", status=200)
    return respond(decisions.update_action(ctx, action_id, body))


@bp.route("/v1/actions/{action_id}/parts/{part}/sign-off", methods=["POST"])
def sign_off_action_part(action_id: str, part: str) -> Response:
    """A lead or assisting department signs for its part (签收)."""
    ctx, body = begin_write(bp.current_request, "sign-off-action-part", status=200)
    return respond(decisions.sign_off_part(ctx, action_id, _index(part), body))


@bp.route("/v1/actions/{action_id}/parts/{part}/progress", methods=["POST"])
def report_action_progress(action_id: str, part: str) -> Response:
    """Report a part's progress, notes and evidence; the action's progress rolls up."""
    ctx, body = begin_write(bp.current_request, "report-action-progress", status=200)
    return respond(decisions.report_part_progress(ctx, action_id, _index(part), body))


@bp.route("/v1/actions/{action_id}/close", methods=["POST"])
def close_action(action_id: str) -> Response:
    """Verify a done action and close it (once)."""
    ctx, body = begin_write(bp.current_request, "close-action", status=200)
    return respond(decisions.close_action(ctx, action_id, body))


@bp.route("/v1/committees/{committee_id}/next-agenda", methods=["GET"])
def next_agenda(committee_id: str) -> Response:
    """Draft agenda of the committee's next joint meeting: overdue actions and unfinished decisions."""
    return respond(decisions.next_agenda(_read(), committee_id))


def _index(part: str) -> int:
    if not part.isdigit():
        raise ValidationFailed(errors=[FieldError("/part", Text("part 应为序号", "part must be an index"))])
    return int(part)

