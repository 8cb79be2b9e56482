"""Meeting minutes: immutable, content-addressed revisions in S3, approved by the committee secretary.

Two ways in: a UTF-8 text body (`PUT …/minutes`), or a file of up to 20 MB uploaded straight to S3
through a presigned PUT and then `…/complete`, which re-reads the stored object and refuses (422)
and deletes it when its size or SHA-256 differ from what the client declared.

A revision record is written only after its object is stored and verified, so a meeting never
points at an object that is not there. Revisions live under `<tenant>#meeting#<mid>#minutes` /
`<000001>` (oldest first); the meeting's `child_count` numbers them, moved in the same transaction.
Objects live at `tenants/<tenant>/minutes/<meeting>/<sha256>`, encrypted.

A revision is pinned by the S3 `VersionId` of the verified object and its SHA-256: every download
URL names that version, and the version is re-read and re-hashed before a URL to it is handed out
or it is approved; other bytes are a 409 `integrity-error`, never served (see `storage.verify`).
"""
from __future__ import annotations

import hashlib
from typing import Any

from functions import authz, storage, store
from functions.audit.log import record_read
from functions.errors import (Conflict, FieldError, Forbidden, IntegrityError, PayloadTooLarge, ServiceUnavailable,
                              Text, Unprocessable, UnsupportedMediaType, ValidationFailed)
from functions.ids import new_id, now_iso
from functions.meetings.meetings import load
from functions.models import CommitteesTable, MeetingsTable
from functions.tasks import index as tasks
from functions.tenancy import DISTRICT_ADMIN, TenantContext

REVISION = "minutes_revision"
UPLOAD = "minutes_upload"
TEXT_TYPES = ("text/markdown", "text/plain")
ALLOWED_TYPES = TEXT_TYPES + (
    "application/pdf", "application/msword",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "image/jpeg", "image/png", "image/tiff")
MAX_TEXT_BYTES = 1024 * 1024
MAX_UPLOAD_BYTES = 20 * 1024 * 1024


def _revisions_key(ctx: TenantContext, meeting_id: str) -> str:
    return ctx.key("meeting", meeting_id, "minutes")


def _verified(revision: dict[str, Any]) -> str | None:
    """The revision's object re-read and re-hashed: its version, or IntegrityError naming the revision."""
    try:
        return _s3_or_503(lambda: storage.verify(revision["key"], revision.get("version_id"), revision["sha256"],
                                                 revision["size"]), READ_FAILED)
    except IntegrityError as exc:
        exc.extra.setdefault("revision", int(revision["revision"]))
        raise


def _with_url(revision: dict[str, Any], verified: str | None = None) -> dict[str, Any]:
    """The revision with a download URL for exactly its version, re-verified unless `verified` is the
    version this request has just re-hashed."""
    version = verified or _verified(revision)
    return {**revision, "version_id": version,
            "download_url": storage.presigned_get(revision["key"], revision.get("filename"), version)}


def _authorise(ctx: TenantContext, meeting: MeetingsTable) -> dict[str, Any]:
    data = meeting.fields()
    authz.require(ctx, authz.MANAGE_COMMUNITY, community_id=data["community_id"])
    return data


def approval_task(ctx: TenantContext, meeting: dict[str, Any], meeting_id: str, revision: int,
                  secretary: str | None = None) -> tasks.Task:
    """The committee secretary's task to approve the newest revision (the district's, when the
    committee has no secretary user: district admins approve then). `secretary`: who it is now, when
    the caller has just read the committee."""
    if secretary is None:
        secretary = CommitteesTable.get(ctx.key("committee"), meeting["committee_id"]).fields().get("secretary_user_id")
    who = tasks.audience("user", secretary) if secretary else tasks.DISTRICT
    return tasks.Task(who, "minutes_approval", meeting_id, {
        "title": f"{meeting.get('scheduled_at', '')[:10]} 会议纪要第 {revision} 稿 / minutes, revision {revision}",
        "reason": "大党委书记审定会议纪要 / the committee secretary approves the minutes", "due_at": None,
        "revision": revision, "object": {"kind": "meeting", "id": meeting_id},
        "link": f"/v1/meetings/{meeting_id}/minutes"})


def pending_approvals(ctx: TenantContext, committee_id: str, secretary_before: str | None,
                      secretary_after: str | None) -> list[store.Operation]:
    """When a committee's secretary changes, the approvals waiting for the old one move to the new
    one (in the transaction that changes the committee)."""
    if secretary_before == secretary_after:
        return []
    ops: list[store.Operation] = []
    for meeting in store.query_all(MeetingsTable, ctx.key("committee", committee_id, "meeting"), index="gsi1"):
        data, newest = meeting.fields(), int(meeting.child_count)
        if newest and (data.get("approved_revision") or 0) < newest:
            ops += tasks.moved(ctx, approval_task(ctx, data, meeting.sk, newest, secretary_before),
                               approval_task(ctx, data, meeting.sk, newest, secretary_after))
    return ops


def _add_revision(ctx: TenantContext, meeting: MeetingsTable, *, sha256: str, size: int, content_type: str,
                  key: str, version_id: str | None, filename: str | None, reason: str | None,
                  extra: list[store.Operation] | None = None) -> dict[str, Any]:
    data = meeting.fields()
    if data.get("approved_revision") and not reason:
        raise Unprocessable(Text("纪要已审定，更正须说明理由", "Minutes were approved: a correction needs a reason"),
                            errors=[FieldError("/reason", Text("需要更正理由", "A reason is required"))])
    number = int(meeting.child_count) + 1
    revision = store.new_item(MeetingsTable, ctx, REVISION, f"{number:06d}", {
        "revision": number, "meeting_id": meeting.sk, "sha256": sha256, "size": size, "content_type": content_type,
        "key": key, "version_id": version_id, "filename": filename, "status": "draft", "reason": reason, "created_by": ctx.actor},
        partition=_revisions_key(ctx, meeting.sk))
    raced = Conflict(Text("同时有另一份纪要提交，请重试", "Another revision was added at the same time, retry"))
    bump = store.Require(MeetingsTable, meeting.pk, meeting.sk, raced, child_delta=+1,
                         condition=MeetingsTable.child_count == number - 1)
    result = revision.public()
    waiting = tasks.moved(ctx, None, approval_task(ctx, data, meeting.sk, number))  # one per meeting: the newest
    store.write(ctx, [store.Put(revision, raced), bump, *waiting, *(extra or [])], action="minutes.revise",
                target=f"meeting/{meeting.sk}/minutes/{number}", state=result, result=result)
    return _with_url(result)


def put_text(ctx: TenantContext, meeting_id: str, raw: bytes, content_type: str, reason: str | None) -> dict[str, Any]:
    """Store a text revision. The bytes go to S3 first; the record only if that succeeded."""
    meeting = load(ctx, meeting_id)
    _authorise(ctx, meeting)
    base_type = content_type.split(";")[0].strip().lower()
    if base_type not in TEXT_TYPES:
        raise UnsupportedMediaType(Text("纪要正文须为 text/markdown 或 text/plain", "Minutes text must be text/markdown or text/plain"))
    if not raw:
        raise ValidationFailed(errors=[FieldError("/", Text("纪要内容为空", "The minutes are empty"))])
    if len(raw) > MAX_TEXT_BYTES:
        raise PayloadTooLarge()
    try:
        raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ValidationFailed(errors=[FieldError("/", Text("纪要须为 UTF-8 文本", "Minutes must be UTF-8 text"))]) from exc
    sha256 = hashlib.sha256(raw).hexdigest()
    key = storage.tenant_key(ctx.tenant, "minutes", meeting_id, sha256)
    version = _store_or_503(lambda: storage.put(key, raw, f"{base_type}; charset=utf-8"))
    return _add_revision(ctx, meeting, sha256=sha256, size=len(raw), content_type=base_type, key=key, version_id=version,
                         filename=f"minutes-{meeting_id}.{'md' if base_type == 'text/markdown' else 'txt'}", reason=reason)


SAVE_FAILED = Text("文件存储暂不可用，纪要未保存", "File storage unavailable; the minutes were not saved")
READ_FAILED = Text("文件存储暂不可用，请稍后重试", "File storage unavailable; retry later")


def _s3_or_503(action: Any, detail: Text) -> Any:
    """Run an S3 call; its failure is a 503 with Retry-After (an integrity failure stays a 409)."""
    from botocore.exceptions import BotoCoreError, ClientError

    try:
        return action()
    except (BotoCoreError, ClientError) as exc:
        raise ServiceUnavailable(detail, headers={"Retry-After": "5"}) from exc


def _store_or_503(action: Any) -> Any:
    return _s3_or_503(action, SAVE_FAILED)


def start_upload(ctx: TenantContext, meeting_id: str, body: dict[str, Any]) -> dict[str, Any]:
    """Declare a file (name, type, size, SHA-256) and get a presigned PUT for it."""
    meeting = load(ctx, meeting_id)
    _authorise(ctx, meeting)
    if body["content_type"] not in ALLOWED_TYPES:
        raise UnsupportedMediaType(Text(f"不支持的纪要文件类型：{body['content_type']}", f"Unsupported minutes file type: {body['content_type']}"),
                                   extra={"allowed": list(ALLOWED_TYPES)})
    if body["size"] > MAX_UPLOAD_BYTES:
        raise PayloadTooLarge(Text("纪要文件不能超过 20 MB", "Minutes files are limited to 20 MB"))
    upload_id = new_id()
    staging = storage.tenant_key(ctx.tenant, "uploads", upload_id)
    store.create(ctx, MeetingsTable, UPLOAD, {**body, "meeting_id": meeting_id, "staging_key": staging,
                                              "status": "pending"},
                 item_id=upload_id, partition=ctx.key("meeting", meeting_id, "upload"))
    url, headers = _store_or_503(lambda: storage.presigned_put(staging, body["content_type"], size=body["size"],
                                                               sha256=body["sha256"]))
    return {"upload_id": upload_id, "url": url, "headers": headers, "expires_in": storage.UPLOAD_SECONDS}


def complete_upload(ctx: TenantContext, meeting_id: str, upload_id: str, reason: str | None) -> dict[str, Any]:
    """Verify the uploaded object against the declaration; link it as a revision, or refuse and delete it."""
    meeting = load(ctx, meeting_id)
    _authorise(ctx, meeting)
    try:
        upload = MeetingsTable.get(ctx.key("meeting", meeting_id, "upload"), upload_id)
    except MeetingsTable.DoesNotExist as exc:
        raise store.not_found("upload") from exc
    declared = upload.fields()
    if declared["status"] != "pending":
        raise Conflict(Text(f"该上传已{ '完成' if declared['status'] == 'completed' else '作废' }",
                            f"This upload is already {declared['status']}"))
    measured = _store_or_503(lambda: storage.size_and_sha256(declared["staging_key"], s3_checksum=False))
    if measured is None:
        raise Unprocessable(Text("尚未收到上传的文件", "The file has not been uploaded yet"))
    size, sha256, staged_version = measured
    errors = []
    if size != declared["size"]:
        errors.append(FieldError("/size", Text(f"实际大小 {size} 与声明 {declared['size']} 不符",
                                               f"Stored size {size} differs from the declared {declared['size']}")))
    if sha256 != declared["sha256"]:
        errors.append(FieldError("/sha256", Text("实际 SHA-256 与声明不符", "Stored SHA-256 differs from the declared one")))
    if errors:
        _store_or_503(lambda: storage.delete(declared["staging_key"], staged_version))
        store.update(ctx, upload, {**declared, "status": "rejected", "measured": {"size": size, "sha256": sha256}},
                     upload.version)
        raise Unprocessable(Text("文件与声明不符，已删除", "The file does not match its declaration and was deleted"),
                            errors=errors)
    key = storage.tenant_key(ctx.tenant, "minutes", meeting_id, sha256)
    # Copy the version that was measured: a second PUT to the staging URL since then is not linked.
    version = _store_or_503(lambda: storage.copy(declared["staging_key"], key, staged_version))
    done = store.changed(upload, {**declared, "status": "completed", "completed_at": now_iso()})
    revision = _add_revision(ctx, meeting, sha256=sha256, size=size, content_type=declared["content_type"], key=key,
                             version_id=version, filename=declared["filename"], reason=reason,
                             extra=[store.Replace(done, upload.version)])
    _store_or_503(lambda: storage.delete(declared["staging_key"], staged_version))
    return revision


def list_revisions(ctx: TenantContext, meeting_id: str) -> dict[str, Any]:
    """Every revision, oldest first, each with a short-lived download URL."""
    load(ctx, meeting_id)
    record_read(ctx, "minutes.read", f"meeting/{meeting_id}/minutes")
    items = [_with_url(item.public()) for item in store.query_all(MeetingsTable, _revisions_key(ctx, meeting_id))]
    return {"items": items, "next_cursor": None}


def latest(ctx: TenantContext, meeting_id: str) -> dict[str, Any]:
    meeting = load(ctx, meeting_id)
    if not meeting.child_count:
        raise store.not_found("minutes")
    item = MeetingsTable.get(_revisions_key(ctx, meeting_id), f"{int(meeting.child_count):06d}")
    record_read(ctx, "minutes.read", f"meeting/{meeting_id}/minutes/{int(meeting.child_count)}")
    return {**_with_url(item.public()), "approved_revision": meeting.fields().get("approved_revision")}


def approve(ctx: TenantContext, meeting_id: str, revision: int, body: dict[str, Any]) -> dict[str, Any]:
    """The committee secretary approves a revision; it is then fixed. Approving a later correction
    supersedes (never deletes) the earlier approved one."""
    meeting = load(ctx, meeting_id)
    data = _authorise(ctx, meeting)
    committee = CommitteesTable.get(ctx.key("committee"), data["committee_id"]).fields()
    secretary = committee.get("secretary_user_id")
    if not (ctx.actor == secretary or (secretary is None and ctx.principal.has(DISTRICT_ADMIN))):
        raise Forbidden(Text("只有大党委书记可以审定纪要", "Only the committee secretary approves minutes"))
    try:
        item = MeetingsTable.get(_revisions_key(ctx, meeting_id), f"{revision:06d}")
    except MeetingsTable.DoesNotExist as exc:
        raise store.not_found("revision") from exc
    current = data.get("approved_revision")
    if current is not None and revision <= current:
        raise Conflict(Text("该版本已审定或早于已审定版本", "This revision is approved already or older than the approved one"))
    fields = item.fields()
    version = _verified(fields)  # approve only bytes that still hash to the record; pin them
    at = now_iso()
    approved = store.changed(item, {**fields, "version_id": version, "status": "approved", "approved_by": ctx.actor,
                                    "approved_at": at, "approval_note": body.get("note")})
    ops: list[store.Operation] = [store.Replace(approved, item.version),
                                  store.Replace(store.changed(meeting, {**data, "approved_revision": revision}), meeting.version)]
    if current is not None:
        old = MeetingsTable.get(_revisions_key(ctx, meeting_id), f"{current:06d}")
        ops.append(store.Replace(store.changed(old, {**old.fields(), "status": "superseded",
                                                     "superseded_by": revision}), old.version))
    result = approved.public()
    if revision == int(meeting.child_count):  # a newer draft still waits for its approval
        ops += tasks.moved(ctx, approval_task(ctx, data, meeting_id, revision, secretary), None)
    store.write(ctx, ops, action="minutes.approve", target=f"meeting/{meeting_id}/minutes/{revision}", state=result,
                result=result)
    return _with_url(result, verified=version)



def restore(ctx: TenantContext, meeting_id: str, raw: bytes, content_type: str) -> int:
    """Put a text revision's bytes back when the version its records pin is gone (the local S3 keeps
    objects in memory only) and pin those records to the new version. Only records whose SHA-256 is
    that of `raw` are touched, so no revision's content can change. Returns how many were re-pinned."""
    sha256 = hashlib.sha256(raw).hexdigest()
    key = storage.tenant_key(ctx.tenant, "minutes", meeting_id, sha256)
    lost = [item for item in store.query_all(MeetingsTable, _revisions_key(ctx, meeting_id))
            if item.data["sha256"] == sha256 and storage.size_and_sha256(key, item.fields().get("version_id")) is None]
    if not lost:
        return 0
    version = storage.put(key, raw, f"{content_type}; charset=utf-8")
    for item in lost:
        repinned = store.changed(item, {**item.fields(), "version_id": version})
        result = repinned.public()
        store.write(ctx, [store.Replace(repinned, item.version)], action="minutes.restore",
                    target=f"meeting/{meeting_id}/minutes/{int(item.data['revision'])}", state=result, result=result)
    return len(lost)
