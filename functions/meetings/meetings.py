"""Joint (联席会议) and expanded (扩大会议) meetings of a big Party committee: schedule, agenda,
attendees from the committee's community units with presence, and attendance rates.

Keys: `<tenant>#meeting` / id; gsi1 `<tenant>#committee#<cid>#meeting` / `<scheduled UTC>#<id>`
(a committee's meetings in a period: one Query); gsi2 `<tenant>#meeting-time` / same (all the
tenant's meetings in a period).
"""
from __future__ import annotations

from collections import defaultdict
from datetime import datetime, timedelta, UTC
from typing import Any

from functions import authz, periods, store
from functions.committees.units import require_units_in
from functions.errors import FieldError, Text, Unprocessable, ValidationFailed
from functions.ids import new_id
from functions.tasks import index as tasks
from functions.models import CommitteesTable, MeetingsTable
from functions.tenancy import TenantContext

KIND = "meeting"
BY_TIME = "meeting-time"
REMINDER_AFTER = timedelta(days=7)


def utc(moment: str) -> str:
    """An ISO-8601 time with offset, as a sortable UTC string."""
    return datetime.fromisoformat(moment).astimezone(UTC).isoformat(timespec="seconds")


def period_bounds(ctx: TenantContext, date_from: str | None, date_to: str | None) -> tuple[str, str]:
    """UTC bounds of [from, to] given as dates in the tenant's time zone (to inclusive)."""
    return periods.utc_bounds(ctx.timezone, date_from, date_to)


def _committee(ctx: TenantContext, committee_id: str) -> dict[str, Any]:
    try:
        return CommitteesTable.get(ctx.key("committee"), committee_id).fields()
    except CommitteesTable.DoesNotExist as exc:
        raise Unprocessable(errors=[FieldError("/committee_id", Text("大党委不存在", "No such committee"))]) from exc


def _attendance(attendees: list[dict[str, Any]]) -> dict[str, Any]:
    present = sum(1 for a in attendees if a.get("present"))
    return {"present": present, "invited": len(attendees), "rate": round(present / len(attendees), 4) if attendees else None}


def _keys(ctx: TenantContext, data: dict[str, Any], item_id: str) -> dict[str, Any]:
    sort = f"{data['scheduled_utc']}#{item_id}"
    return {"gsi1pk": ctx.key("committee", data["committee_id"], KIND), "gsi1sk": sort,
            "gsi2pk": ctx.key(BY_TIME), "gsi2sk": sort}


def _checked(ctx: TenantContext, data: dict[str, Any], old: dict[str, Any] | None = None) -> dict[str, Any]:
    attendees = data.get("attendees", [])
    require_units_in(ctx, [a["unit_id"] for a in attendees],
                     [f"/attendees/{i}/unit_id" for i in range(len(attendees))], data["community_id"],
                     already={a["unit_id"] for a in (old or {}).get("attendees", [])})
    return {**data, "scheduled_utc": utc(data["scheduled_at"]), "attendance": _attendance(attendees)}


def attend_tasks(data: dict[str, Any], meeting_id: str) -> list[tasks.Task]:
    """Each invited unit's task to attend a meeting still to come (its employer users see it)."""
    if datetime.fromisoformat(data["scheduled_utc"]) <= datetime.now(UTC):
        return []
    when = data["scheduled_at"][:16].replace("T", " ")
    return [tasks.Task(tasks.audience("unit", unit_id), "meeting_attend", meeting_id, {
        "title": f"{when} 大党委{'联席' if data.get('kind') == 'joint' else ''}会议 / committee meeting",
        "reason": f"本单位受邀参会，地点：{data.get('location') or '待定'} / your unit is invited",
        "due_at": data["scheduled_at"], "object": {"kind": KIND, "id": meeting_id}, "link": f"/v1/meetings/{meeting_id}"})
        for unit_id in _units(data)]


def _units(data: dict[str, Any]) -> list[str]:
    """The invited units, each once (a unit may send several people)."""
    return sorted({a["unit_id"] for a in data.get("attendees", [])})


def remind_and_close(ctx: TenantContext, now: datetime | None = None) -> dict[str, int]:
    """The hourly sweep's part for meetings: tell the community and the invited units, once, of a
    meeting in the next 24 hours; take the attend tasks of meetings held in the last two days off the lists."""
    from functions.errors import Conflict
    from functions.models import TasksTable
    from functions.notify import outbox

    now = now or datetime.now(UTC)
    told = closed = 0
    soon = MeetingsTable.gsi2sk.between(now.isoformat(timespec="seconds"), (now + timedelta(days=1)).isoformat(timespec="seconds"))
    for item in store.query_all(MeetingsTable, ctx.key(BY_TIME), index="gsi2", range_condition=soon):
        data = item.fields()
        fields = {"title": f"{data['scheduled_at'][:16].replace('T', ' ')} 大党委会议 / committee meeting",
                  "reason": f"地点：{data.get('location') or '待定'} / at {data.get('location') or 'to be set'}",
                  "due_at": data["scheduled_at"], "object": {"kind": KIND, "id": item.sk}, "link": f"/v1/meetings/{item.sk}"}
        audiences = [tasks.audience("community", data["community_id"])] + [tasks.audience("unit", u) for u in _units(data)]
        events = [outbox.event(ctx, "meeting.tomorrow", a, fields) for a in audiences]
        once = store.Put(TasksTable(ctx.key("told"), f"meeting-tomorrow#{item.sk}", kind="marker", data={}))
        try:  # the marker goes with the first events, so a second sweep tells nobody again
            store.write(ctx, [once, *events[:40]], action="meeting.remind", target=f"meeting/{item.sk}")
        except Conflict:
            continue  # told already
        for start in range(40, len(events), 40):  # a transaction holds 100 items
            store.write(ctx, events[start:start + 40], action="meeting.remind", target=f"meeting/{item.sk}")
        told += 1
    held = MeetingsTable.gsi2sk.between((now - timedelta(days=2)).isoformat(timespec="seconds"), now.isoformat(timespec="seconds"))
    for item in store.query_all(MeetingsTable, ctx.key(BY_TIME), index="gsi2", range_condition=held):
        done = [tasks.Task(tasks.audience("unit", u), "meeting_attend", item.sk, {}) for u in _units(item.fields())]
        if done:
            with TasksTable.batch_write() as batch:  # derived items only: the meeting itself is unchanged
                for op in tasks.moved(ctx, done, None):
                    if isinstance(op, store.Drop):
                        batch.delete(TasksTable(op.pk, op.sk))
            closed += 1
    return {"told": told, "closed": closed}


def create_meeting(ctx: TenantContext, body: dict[str, Any], item_id: str | None = None) -> dict[str, Any]:
    committee = _committee(ctx, body["committee_id"])
    authz.require(ctx, authz.MANAGE_COMMUNITY, community_id=committee["community_id"])
    data = _checked(ctx, {"agenda": [], "attendees": [], **body, "community_id": committee["community_id"],
                          "approved_revision": None})
    item_id = item_id or new_id()
    # no event per unit here: the reminder the day before tells them (and keeps the write small)
    return with_flags(store.create(ctx, MeetingsTable, KIND, data, item_id=item_id, **_keys(ctx, data, item_id),
                                   extra=tasks.moved(ctx, None, attend_tasks(data, item_id), tell=False)))


def with_flags(meeting: dict[str, Any], revisions: int | None = None) -> dict[str, Any]:
    """Add `minutes_reminder`: the meeting took place over 7 days ago and has no approved minutes."""
    due = datetime.fromisoformat(meeting["scheduled_utc"]) + REMINDER_AFTER
    meeting["minutes_reminder"] = meeting.get("approved_revision") is None and datetime.now(UTC) > due
    if revisions is not None:
        meeting["minutes_revisions"] = revisions
    return meeting


def load(ctx: TenantContext, meeting_id: str) -> MeetingsTable:
    return store.get(MeetingsTable, ctx, KIND, meeting_id)


def get_meeting(ctx: TenantContext, meeting_id: str) -> dict[str, Any]:
    item = load(ctx, meeting_id)
    return with_flags(item.public(), int(item.child_count))


def update_meeting(ctx: TenantContext, meeting_id: str, body: dict[str, Any]) -> dict[str, Any]:
    item = load(ctx, meeting_id)
    old = item.fields()
    authz.require(ctx, authz.MANAGE_COMMUNITY, community_id=old["community_id"])
    if body.get("committee_id", old["committee_id"]) != old["committee_id"]:
        raise Unprocessable(errors=[FieldError("/committee_id", Text("会议不能改到其他大党委", "A meeting cannot move to another committee"))])
    data = _checked(ctx, {**old, **{k: v for k, v in body.items() if k != "version"}}, old)
    invited = tasks.moved(ctx, [tasks.Task(tasks.audience("unit", u), "meeting_attend", meeting_id, {}) for u in _units(old)],
                          attend_tasks(data, meeting_id), tell=False)
    return with_flags(store.update(ctx, item, data, body["version"], extra=invited, **_keys(ctx, data, meeting_id)))


def list_meetings(ctx: TenantContext, *, committee_id: str | None, date_from: str | None, date_to: str | None,
                  limit: int | None, cursor_text: str | None) -> dict[str, Any]:
    """Meetings in time order, of one committee or all, optionally within [from, to] (tenant dates)."""
    low, high = period_bounds(ctx, date_from, date_to)
    if committee_id:
        hash_key, index, sort = ctx.key("committee", committee_id, KIND), "gsi1", MeetingsTable.gsi1sk
    else:
        hash_key, index, sort = ctx.key(BY_TIME), "gsi2", MeetingsTable.gsi2sk
    body = store.page(MeetingsTable, hash_key, index=index, range_condition=sort.between(low, high),
                      scope=f"{ctx.tenant}|{hash_key}|{low}|{high}", limit=limit, cursor_text=cursor_text).body()
    body["items"] = [with_flags(m) for m in body["items"]]
    return body


def attendance(ctx: TenantContext, committee_id: str, date_from: str | None, date_to: str | None) -> dict[str, Any]:
    """Attendance per unit over a period: meetings invited to, attended, and the rate."""
    if not committee_id:
        raise ValidationFailed(errors=[FieldError("/committee_id", Text("需要 committee_id", "committee_id is required"))])
    low, high = period_bounds(ctx, date_from, date_to)
    invited: dict[str, int] = defaultdict(int)
    present: dict[str, int] = defaultdict(int)
    names: dict[str, str] = {}
    meetings = 0
    for item in store.query_all(MeetingsTable, ctx.key("committee", committee_id, KIND), index="gsi1",
                                range_condition=MeetingsTable.gsi1sk.between(low, high)):
        meetings += 1
        for a in item.fields().get("attendees", []):
            invited[a["unit_id"]] += 1
            present[a["unit_id"]] += bool(a.get("present"))
            names[a["unit_id"]] = a.get("name", "")
    units = [{"unit_id": u, "name": names[u], "invited": invited[u], "attended": present[u],
              "rate": round(present[u] / invited[u], 4)} for u in invited]
    return {"committee_id": committee_id, "from": date_from, "to": date_to, "meetings": meetings,
            "units": sorted(units, key=lambda x: (-x["rate"], x["unit_id"]))}
