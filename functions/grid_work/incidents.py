"""Incidents (民情 and events) in a closed loop with time limits and escalation.

    reported → accepted → dispatched → in_progress → resolved → verified → closed
    reported → rejected;  escalate (grid → community → street → district) before resolution

Each incident has a `due_at` for its current stage (accept, then resolve) counted on the tenant's
working-day calendar, `due_soon` (将到期) in the last fifth of the window and `overdue` after it.
The hourly sweep gives each breach one card — yellow first, then red — and raises the level once.

Keys (grids table): `<tenant>#incident` / ULID (time-ordered: a month is one range Query);
gsi1 `<tenant>#incident-status#<status>`; gsi2 `<tenant>#incident-open` / `<due UTC>#<id>` while
a limit runs (overdue = one Query); gsi3 `<tenant>#grid#<gid>#incident` / `<status>#<id>`;
gsi4 `<tenant>#incident-category#<code>` / `<status>#<id>`.
"""
from __future__ import annotations

from datetime import datetime, timedelta, UTC
from collections.abc import Iterator
from typing import Any

from pynamodb.expressions.condition import Condition

from functions import authz, storage, store
from functions.notify import outbox
from functions.tasks import index as tasks
from functions.errors import Conflict, FieldError, Forbidden, NotFound, Text, Unprocessable, step_not_allowed
from functions.grid_work import categories, uploads
from functions.grid_work.calendar import DEFAULT_LIMITS, Calendar, missing_year_warning
from functions.ids import new_id
from functions.models import GridsTable
from functions.structure import service as structure
from functions.vocabulary import INCIDENT_ACTION_NAMES, INCIDENT_LEVELS, INCIDENT_STATUS_NAMES, INCIDENT_TRANSITIONS
from functions.ids import now_iso
from functions.tenancy import COMMUNITY_STAFF, DISTRICT_ADMIN, GRID_WORKER, MEMBER, RESIDENT, STREET_STAFF, TenantContext

KIND = "incident"
LEVELS = INCIDENT_LEVELS
OPEN_STATES = ("reported", "accepted", "dispatched", "in_progress")
TRANSITIONS = INCIDENT_TRANSITIONS
STAFF_ACTIONS = {"accept", "reject", "dispatch", "verify", "close"}


def limits(ctx: TenantContext, priority: str) -> dict[str, list[Any]]:
    return (ctx.settings.get("incident_limits") or {}).get(priority) or DEFAULT_LIMITS[priority]


def _keys(ctx: TenantContext, data: dict[str, Any], item_id: str) -> dict[str, Any]:
    status = data["status"]
    due = data.get("due_at")
    return {
        "gsi1pk": ctx.key("incident-status", status), "gsi1sk": item_id,
        "gsi2pk": ctx.key("incident-open") if due else None,
        "gsi2sk": f"{_utc(due)}#{item_id}" if due else None,
        "gsi3pk": ctx.key("grid", data["grid_id"], KIND), "gsi3sk": f"{status}#{item_id}",
        "gsi4pk": ctx.key("incident-category", data["category"]), "gsi4sk": f"{status}#{item_id}",
    }


def _utc(moment: str) -> str:
    return datetime.fromisoformat(moment).astimezone(UTC).isoformat(timespec="seconds")


def _start_stage(ctx: TenantContext, data: dict[str, Any], stage: str | None, at: datetime) -> None:
    """Start the clock of `stage` (accept or resolve), or stop it (None)."""
    data["stage"] = stage
    if stage is None:
        data["due_at"] = data["stage_started_at"] = None
        return
    unit, amount = limits(ctx, data["priority"])[stage]
    calendar = Calendar(ctx)
    data["stage_started_at"] = at.astimezone(calendar.tz).isoformat(timespec="seconds")
    data["due_at"] = calendar.add(at, unit, amount).isoformat(timespec="seconds")
    data["calendar_warning"] = "；".join(missing_year_warning(y) for y in sorted(calendar.missing_years)) or None


def _owner(data: dict[str, Any]) -> dict[str, Any]:
    """Who answers for the incident at its level: its grid, community or street, or the district."""
    level = data["level"]
    scope = {"grid": data["grid_id"], "community": data["community_id"], "street": data.get("street_id")}.get(level)
    return {"level": level, "id": scope}


# What the incident waits for in each status, and the task's words (zh / en).
WAITING_FOR = {"reported": ("accept", "待受理", "to accept"), "accepted": ("dispatch", "待派遣", "to dispatch"),
               "dispatched": ("handle", "待处置", "to handle"), "in_progress": ("handle", "处置中", "being handled"),
               "resolved": ("verify", "待核查", "to verify"), "verified": ("close", "待结案", "to close")}


def task_of(data: dict[str, Any], incident_id: str) -> tasks.Task | None:
    """The one open task an incident makes, by status: its level's staff accept, dispatch, verify and
    close (a grid-level incident is its community's); whoever it is dispatched to handles it, and the
    staff do while nobody is (after an escalation). None once closed or rejected."""
    waiting = WAITING_FOR.get(data["status"])
    if waiting is None:
        return None
    step, zh, en = waiting
    level = data["level"]
    staff = {"grid": ("community", data["community_id"]), "community": ("community", data["community_id"]),
             "street": ("street", data.get("street_id")), "district": (tasks.DISTRICT, None)}[level]
    who = tasks.audience("user", data["assignee"]) if step == "handle" and data.get("assignee") else tasks.audience(*staff)
    escalated = level in ("street", "district") or any(h.get("action") == "escalate" for h in data.get("history", []))
    reason = (f"事件{zh}" + ("（已上报至本级）" if escalated and not who.startswith("user#") else "")
              + f" / incident {en}" + (" (escalated to your level)" if escalated and not who.startswith("user#") else ""))
    return tasks.Task(who, f"incident_{step}", incident_id, {
        "title": f"{data['category_name']}：{data['description'][:40]}", "reason": reason,
        # what leaves the platform (group robots, webhooks, SMS): never the reporter's own words
        "public_title": f"{data['category_name']}（事件 {incident_id[-6:]}）",
        "due_at": data.get("due_at"), "stage_started_at": data.get("stage_started_at"),
        "cards": [c["card"] for c in data.get("cards", [])], "level": level, "escalated": escalated,
        "object": {"kind": KIND, "id": incident_id}, "link": f"/v1/incidents/{incident_id}",
        # where the incident is, so a list can leave out one its holder may no longer open
        "place": {"street_id": data.get("street_id"), "community_id": data["community_id"], "grid_id": data["grid_id"],
                  "reporter": data.get("reporter")}})


def with_flags(incident: dict[str, Any], now: datetime | None = None) -> dict[str, Any]:
    now = now or datetime.now(UTC)
    due = incident.get("due_at")
    if not due:
        incident["overdue"] = incident["due_soon"] = False
        return incident
    due_at = datetime.fromisoformat(due)
    window = due_at - datetime.fromisoformat(incident["stage_started_at"])
    incident["overdue"] = now > due_at
    incident["due_soon"] = not incident["overdue"] and now > due_at - window / 5
    return incident


def _can_act_in_grid(ctx: TenantContext, grid: dict[str, Any], grid_id: str) -> bool:
    p = ctx.principal
    return p.has(DISTRICT_ADMIN) or (p.has(COMMUNITY_STAFF) and grid["community_id"] in p.communities) or \
        (p.has(GRID_WORKER) and grid_id in p.grids)


def report(ctx: TenantContext, body: dict[str, Any], item_id: str | None = None,
           reported_at: datetime | None = None) -> dict[str, Any]:
    """Report an incident in a grid given or found from `location`. Grid workers report in their
    grids; staff in their communities; residents and Party members anywhere in the district."""
    if "grid_id" in body:
        try:
            grid = GridsTable.get(ctx.key("grid"), body["grid_id"]).fields()
        except GridsTable.DoesNotExist as exc:
            raise Unprocessable(errors=[FieldError("/grid_id", Text("网格不存在", "No such grid"))]) from exc
        if grid.get("archived"):
            raise Unprocessable(errors=[FieldError("/grid_id", Text("网格已归档，请报到现在管辖该处的网格",
                                                                    "The grid is archived: report to the grid now covering the place"))])
        grid_id = body["grid_id"]
    elif "location" in body:
        try:
            found = structure.locate(ctx, body["location"]["lon"], body["location"]["lat"])
        except NotFound as exc:  # only "no grid here"; a fault of DynamoDB stays a fault (503 or 500)
            raise Unprocessable(errors=[FieldError("/location", Text("该位置不在任何网格内", "The location is in no grid"))]) from exc
        grid, grid_id = found, found["id"]
    else:
        raise Unprocessable(errors=[FieldError("/grid_id", Text("需要 grid_id 或 location", "grid_id or location is required"))])
    if not (_can_act_in_grid(ctx, grid, grid_id) or ctx.principal.has(MEMBER, RESIDENT)):
        raise Forbidden(Text("只能在自己负责的网格上报", "You may report only in your own grids"))
    category = categories.require(ctx, body["category"], body.get("details", {}))
    uploads.require_objects(ctx, [p["key"] for p in body.get("photos", [])], "/photos")
    at = reported_at or datetime.now(UTC)
    data: dict[str, Any] = {
        "priority": "normal", "source": "grid_patrol" if ctx.principal.has(GRID_WORKER) else "resident_report",
        "photos": [], "details": {}, **body, "category_name": category["name"], "grid_id": grid_id,
        "community_id": grid["community_id"], "street_id": structure.get(ctx, "community", grid["community_id"])["street_id"],
        "reporter": ctx.actor, "status": "reported", "level": "grid",
        "assignee": None, "cards": [], "reported_at": at.isoformat(timespec="seconds"),
        "history": [{"action": "report", "to": "reported", "by": ctx.actor, "at": at.isoformat(timespec="seconds"),
                     "note": None}]}
    _start_stage(ctx, data, "accept", at)
    item_id = item_id or new_id(at)
    return with_flags(store.create(ctx, GridsTable, KIND, data, item_id=item_id, **_keys(ctx, data, item_id),
                                   extra=tasks.moved(ctx, None, task_of(data, item_id))))


def _readable(ctx: TenantContext, data: dict[str, Any]) -> None:
    """The incident read rule of `functions.authz`; others get 404, as for a missing one."""
    authz.require(ctx, authz.READ_INCIDENT, hide=KIND, street_id=data.get("street_id"), community_id=data["community_id"],
                  grid_id=data["grid_id"], owner=data.get("reporter"))


def get_incident(ctx: TenantContext, incident_id: str) -> dict[str, Any]:
    """One incident, its photos (the report's and each step's) with time-limited links to view them."""
    item = store.get(GridsTable, ctx, KIND, incident_id)
    _readable(ctx, item.fields())
    incident = with_flags(item.public())

    def viewable(photos: list[dict[str, Any]]) -> list[dict[str, Any]]:
        return [{**p, "url": storage.presigned_get(p["key"], p.get("name"))} for p in photos]

    incident["photos"] = viewable(incident.get("photos", []))
    incident["history"] = [{**h, "photos": viewable(h["photos"])} if h.get("photos") else h for h in incident["history"]]
    return incident


def _authorise_action(ctx: TenantContext, data: dict[str, Any], action: str) -> None:
    p = ctx.principal
    if p.has(DISTRICT_ADMIN):
        return
    high = data["level"] in ("street", "district")
    # staff act at their own level: a community's below the street, a street office's once escalated to it
    staff = (p.has(COMMUNITY_STAFF) and data["community_id"] in p.communities and not high) or \
        (p.has(STREET_STAFF) and data.get("street_id") in p.streets and data["level"] == "street")
    # a grid's workers act while it is the grid's; once it went up a level, only its assignee
    worker = p.has(GRID_WORKER) and data["grid_id"] in p.grids and data["level"] == "grid"
    assignee = data.get("assignee") == p.sub
    allowed = staff if action in STAFF_ACTIONS else (staff or worker or (assignee and action in ("start", "resolve")))
    if not allowed:
        raise Forbidden(Text("无权对该事件执行此操作", "Not allowed to do this to this incident"))


def transition(ctx: TenantContext, incident_id: str, body: dict[str, Any], at: datetime | None = None) -> dict[str, Any]:
    """Apply one action of the closed loop; an action not allowed now is 409 naming the allowed ones."""
    item = store.get(GridsTable, ctx, KIND, incident_id)
    data = item.fields()
    _readable(ctx, data)
    task_before = task_of(data, incident_id)
    action = body["action"]
    allowed = TRANSITIONS[data["status"]]
    if action == "escalate" and data["level"] == LEVELS[-1]:
        allowed = {k: v for k, v in allowed.items() if k != "escalate"}
    if action not in allowed:
        raise step_not_allowed(INCIDENT_STATUS_NAMES[data["status"]], INCIDENT_ACTION_NAMES[action],
                               {a: INCIDENT_ACTION_NAMES[a] for a in allowed})
    _authorise_action(ctx, data, action)
    if action == "escalate" and not body.get("note"):
        raise Unprocessable(errors=[FieldError("/note", Text("上报上级须说明原因", "Say why the incident goes up a level"))])
    now = at or datetime.now(UTC)
    stamp = now.isoformat(timespec="seconds")
    if action == "dispatch":
        if not body.get("assignee"):
            raise Unprocessable(errors=[FieldError("/assignee", Text("派遣须指定承办人", "Dispatch needs an assignee"))])
        data["assignee"] = body["assignee"]
    if action == "close" and "satisfaction" in body:
        data["satisfaction"] = body["satisfaction"]
    entry = {"action": action, "from": data["status"], "to": allowed[action], "by": ctx.actor, "at": stamp,
             "note": body.get("note")}
    if body.get("photos"):
        uploads.require_objects(ctx, [p["key"] for p in body["photos"]], "/photos")
        entry["photos"] = body["photos"]
    if action == "escalate":
        # the next level takes it over: its own owner, nobody dispatched yet, a fresh clock for the stage
        entry["level"] = data["level"] = LEVELS[LEVELS.index(data["level"]) + 1]
        data["owner"] = _owner(data)
        entry["assignee_before"], data["assignee"] = data.get("assignee"), None
    data["status"] = allowed[action]
    data[f"{data['status']}_at"] = stamp
    if action == "escalate":
        _start_stage(ctx, data, data["stage"] or "accept", now)
    elif action == "accept":
        _start_stage(ctx, data, "resolve", now)
    elif action in ("resolve", "reject"):
        _start_stage(ctx, data, None, now)
    data["history"] = data["history"] + [entry]
    new = store.changed(item, data, **_keys(ctx, data, incident_id))
    result = with_flags(new.public(), now)
    store.write(ctx, [store.Replace(new, item.version), *tasks.moved(ctx, task_before, task_of(data, incident_id))],
                action=f"incident.{action}", target=f"incident/{incident_id}", state=result, result=result)
    return result


RATEABLE = ("resolved", "verified", "closed")


def rate(ctx: TenantContext, incident_id: str, body: dict[str, Any]) -> dict[str, Any]:
    """The reporter's satisfaction (1–5) with how their report was handled, once, after it is resolved."""
    item = store.get(GridsTable, ctx, KIND, incident_id)
    data = item.fields()
    _readable(ctx, data)
    if data.get("reporter") != ctx.actor:
        raise Forbidden(Text("只有上报人可以评价", "Only the reporter may rate an incident"))
    if data["status"] not in RATEABLE:
        raise Conflict(Text("事件办结后才能评价", "An incident can be rated once it is resolved"),
                       extra={"allowed": list(RATEABLE)})
    if data.get("rating") is not None:
        raise Conflict(Text("已评价过", "Already rated"))
    data.update(rating=body["rating"], rating_comment=body.get("comment"), rated_at=now_iso())
    new = store.changed(item, data, **_keys(ctx, data, incident_id))
    result = with_flags(new.public())
    store.write(ctx, [store.Replace(new, item.version)], action="incident.rate", target=f"incident/{incident_id}",
                state=result, result=result)
    return result


def list_incidents(ctx: TenantContext, *, status: str | None, grid_id: str | None, category: str | None,
                   overdue: bool, limit: int | None, cursor_text: str | None) -> dict[str, Any]:
    """Each filter is one Query on the index designed for it, filtered to what the caller may open
    (a page may then hold fewer than `limit` items; `next_cursor` still leads on)."""
    scope = f"{ctx.tenant}|incident|{status}|{grid_id}|{category}|{overdue}"
    starts = GridsTable.gsi3sk.startswith(f"{status}#") if status else None
    scoped = authz.list_filter(ctx, authz.READ_INCIDENT, GridsTable, owner_field="reporter")
    # The index serves the first filter; the others (and, for overdue, all) filter its pages, so
    # combined filters never widen the list.
    for name, value in (("grid_id", grid_id), ("category", category), ("status", status)):
        if value:
            match = GridsTable.data[name] == value
            scoped = match if scoped is None else scoped & match
    args: tuple[str, str | None, Condition | None]
    if overdue:
        now = datetime.now(UTC).isoformat(timespec="seconds")
        args = (ctx.key("incident-open"), "gsi2", GridsTable.gsi2sk < now)
    elif grid_id:
        args = (ctx.key("grid", grid_id, KIND), "gsi3", starts)
    elif category:
        args = (ctx.key("incident-category", category), "gsi4",
                GridsTable.gsi4sk.startswith(f"{status}#") if status else None)
    elif status:
        args = (ctx.key("incident-status", status), "gsi1", None)
    else:
        args = (ctx.key(KIND), None, None)
    body = store.page(GridsTable, args[0], index=args[1], range_condition=args[2], scope=scope, limit=limit,
                      cursor_text=cursor_text, newest_first=not overdue, filter_condition=scoped).body()
    body["items"] = [with_flags(i) for i in body["items"]]
    return body


def sweep_overdue(ctx: TenantContext, now: datetime | None = None) -> list[dict[str, Any]]:
    """Card and escalate each overdue incident once per breach (stage + due time): yellow, then red.
    Running it twice changes nothing the second time."""
    now = now or datetime.now(UTC)
    carded = []
    overdue = store.query_all(GridsTable, ctx.key("incident-open"), index="gsi2",
                              range_condition=GridsTable.gsi2sk < now.isoformat(timespec="seconds"))
    for listed in overdue:
        breach = f"{listed.data['stage']}@{listed.data['due_at']}"
        if any(card["breach"] == breach for card in listed.data["cards"]):
            continue
        item = store.get(GridsTable, ctx, KIND, listed.sk)  # the index copy has no history to add to
        data = item.fields()
        task_before = task_of(data, item.sk)
        if f"{data['stage']}@{data['due_at']}" != breach:
            continue  # changed meanwhile: the next sweep looks again
        card = "yellow" if not data["cards"] else "red"
        data["cards"] = data["cards"] + [{"breach": breach, "card": card, "at": now.isoformat(timespec="seconds")}]
        entry = {"action": "card", "card": card, "by": "system", "at": now.isoformat(timespec="seconds"),
                 "from": data["status"], "to": data["status"], "note": f"{data['stage']} 超时 / overdue"}
        if data["level"] != LEVELS[-1]:
            entry["level"] = data["level"] = LEVELS[LEVELS.index(data["level"]) + 1]
        data["history"] = data["history"] + [entry]
        new = store.changed(item, data, **_keys(ctx, data, item.sk))
        try:
            task_after = task_of(data, item.sk)
            told = [outbox.event(ctx, "incident.overdue", task_after.audience, {
                "title": task_after.fields["title"], "public_title": task_after.fields["public_title"], "link": task_after.fields["link"], "object": task_after.fields["object"],
                "due_at": listed.data["due_at"], "card": card,
                "reason": f"{'黄牌' if card == 'yellow' else '红牌'}：{data['stage']} 超时 / {card} card: {data['stage']} overdue"},
                urgent=card == "red")] if task_after else []
            store.write(ctx, [store.Replace(new, item.version), *tasks.moved(ctx, task_before, task_after), *told],
                        action=f"incident.{card}_card", target=f"incident/{item.sk}", state=new.public())
        except Conflict:
            continue  # changed meanwhile: the next sweep looks again
        carded.append({"id": item.sk, "card": card, "level": data["level"]})
    return carded


def remind_due_soon(ctx: TenantContext, now: datetime | None = None) -> int:
    """Tell whoever holds an incident's task, once per stage and due time, when it enters the last
    fifth of its window (将到期). One Query on the open-limit index, for limits ending within a day."""
    from functions.models import TasksTable

    now = now or datetime.now(UTC)
    told = 0
    window = GridsTable.gsi2sk.between(now.isoformat(timespec="seconds"), (now + timedelta(days=1)).isoformat(timespec="seconds"))
    for listed in store.query_all(GridsTable, ctx.key("incident-open"), index="gsi2", range_condition=window):
        data = listed.fields()
        if not with_flags({**data}, now)["due_soon"]:
            continue
        task = task_of(data, listed.sk)
        if task is None:
            continue
        once = store.Put(TasksTable(ctx.key("told"), f"due-soon#{listed.sk}#{data['stage']}@{data['due_at']}", kind="marker", data={}))
        event = outbox.event(ctx, "incident.due_soon", task.audience, {
            "title": task.fields["title"], "public_title": task.fields["public_title"], "link": task.fields["link"], "object": task.fields["object"], "due_at": data["due_at"],
            "reason": f"{data['stage']} 时限将到 / the {data['stage']} limit is near"})
        try:
            store.write(ctx, [once, event], action="incident.due_soon", target=f"incident/{listed.sk}")
            told += 1
        except Conflict:
            continue  # told already
    return told


def reported_between(ctx: TenantContext, low: datetime, high: datetime) -> Iterator[GridsTable]:
    """Every incident reported in [low, high): one range Query on the time-ordered ids."""
    from ulid import ULID

    start = str(ULID.from_timestamp(low.timestamp()))[:10] + "0" * 16
    end = str(ULID.from_timestamp(high.timestamp()))[:10] + "0" * 16
    return store.query_all(GridsTable, ctx.key(KIND), range_condition=GridsTable.sk.between(start, end))

