"""Decisions (议定事项) of a meeting and the joint enforcement actions they create.

An action has a lead department and assisting ones ("parts", each naming a department of
`/v1/departments` by id), each with its own deadline, sign-off (签收), progress notes and evidence
objects; the action's progress is the mean of its parts'. A department's users see the actions
with a part of theirs, sign their parts off and report their progress; community staff do the rest.
Actions move open → in_progress → done, and are then verified and closed once.

Keys: decisions `<tenant>#decision` / id, gsi1 `<tenant>#committee#<cid>#decision` / id.
Actions `<tenant>#action` / id; gsi1 `<tenant>#action-status#<status>` / `<due>#<id>`;
gsi2 `<tenant>#action-assignee#<lead department>` / `<status>#<due>#<id>` — each `GET /v1/actions`
filter is one Query (a department's users: filtered to actions listing their department in `departments`).
"""
from __future__ import annotations

from typing import Any

from functions import authz, storage, store
from functions.accounts import departments
from functions.errors import Conflict, FieldError, Forbidden, StaleVersion, Text, Unprocessable
from functions.ids import new_id, now_iso, today_in
from functions.meetings.meetings import load as load_meeting
from functions.models import CommitteesTable, MeetingsTable
from functions.tasks import index as tasks
from functions.vocabulary import ACTION_NEXT_STATUS
from functions.tenancy import DISTRICT_ADMIN, TenantContext

DECISION, ACTION = "decision", "action"
NEXT_STATUS = ACTION_NEXT_STATUS
MAX_ACTIONS = 20
MAX_PARTS = 60


def _action_keys(ctx: TenantContext, data: dict[str, Any], item_id: str) -> dict[str, Any]:
    return {"gsi1pk": ctx.key("action-status", data["status"]), "gsi1sk": f"{data['due_date']}#{item_id}",
            "gsi2pk": ctx.key("action-assignee", data["assignee"]),
            "gsi2sk": f"{data['status']}#{data['due_date']}#{item_id}"}


def _complete(part: dict[str, Any]) -> bool:
    """A part is complete when its department signed it off and reported it at 100 %."""
    return bool(part.get("signed_off_at")) and part.get("progress", 0) >= 100


def with_overdue(ctx: TenantContext, action: dict[str, Any]) -> dict[str, Any]:
    """Each part is overdue past its own due date until complete; the action past its own, or while any
    of its parts is."""
    today = today_in(ctx.timezone)
    for part in action.get("parts", []):
        part["overdue"] = action["status"] != "done" and not _complete(part) and part["due_date"] < today
    action["overdue"] = action["status"] != "done" and (
        action["due_date"] < today or any(p["overdue"] for p in action.get("parts", [])))
    return action


def decision_status(actions: list[dict[str, Any]]) -> str:
    """A decision follows its actions: closed when all are verified and closed, done when all are done,
    in progress once any has started, open before."""
    if actions and all(a.get("closed") for a in actions):
        return "closed"
    if actions and all(a["status"] == "done" for a in actions):
        return "done"
    return "in_progress" if any(a["status"] != "open" for a in actions) else "open"


def tasks_of(ctx: TenantContext, data: dict[str, Any], action_id: str) -> list[tasks.Task]:
    """The open tasks an action makes: each department's part until it is signed off at 100 %; then,
    for the community's staff, marking the action done, and verifying and closing it once done."""
    link = {"object": {"kind": ACTION, "id": action_id}, "link": f"/v1/actions/{action_id}"}
    if data.get("closed"):
        return []
    community = tasks.audience("community", data["community_id"])
    if data["status"] == "done":
        return [tasks.Task(community, "action_verify", action_id, {
            "title": data["description"], "reason": "决议事项已办结，待核验关闭 / done: to verify and close",
            "due_at": None, **link})]
    pending = [(i, p) for i, p in enumerate(data["parts"]) if not _complete(p)]
    if not pending:
        return [tasks.Task(community, "action_finish", action_id, {
            "title": data["description"], "reason": "各分项均已签收完成，待办结 / every part done: to mark done",
            "due_at": tasks.end_of_day(ctx, data["due_date"]), **link})]
    return [tasks.Task(tasks.audience("department", p["assignee"]), "action_part", f"{action_id}.{i}", {
        "title": data["description"],
        "reason": f"本部门{'牵头' if p['role'] == 'lead' else '协办'}的决议事项分项（第 {i + 1} 项）/ your department's "
                  f"{'lead' if p['role'] == 'lead' else 'assisting'} part (part {i + 1})",
        "due_at": tasks.end_of_day(ctx, p["due_date"]), "part": i, **link}) for i, p in pending]


def _any_task(data: dict[str, Any], action_id: str) -> list[tasks.Task]:
    """Every task the action could have open (dropping one that is not there is harmless), so a save
    need not know which state it came from."""
    community = tasks.audience("community", data["community_id"])
    return [tasks.Task(community, "action_verify", action_id, {}), tasks.Task(community, "action_finish", action_id, {}),
            *[tasks.Task(tasks.audience("department", p["assignee"]), "action_part", f"{action_id}.{i}", {})
              for i, p in enumerate(data["parts"])]]


def _departments(ctx: TenantContext, specs: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """The departments the actions name (one BatchGet); 422 naming each assignee that is not one."""
    named = [(f"/actions/{i}/assignee", spec["assignee"]) for i, spec in enumerate(specs)]
    named += [(f"/actions/{i}/assisting/{j}/assignee", a["assignee"]) for i, spec in enumerate(specs)
              for j, a in enumerate(spec.get("assisting", []))]
    found = departments.names(ctx, [d for _, d in named])
    missing = [FieldError(path, Text("职能部门不存在（见 /v1/departments）", "No such department (see /v1/departments)"))
               for path, d in named if d not in found]
    missing += [FieldError(path, Text("职能部门已归档", "The department is archived"))
                for path, d in named if d in found and found[d].get("archived")]
    if missing:
        raise Unprocessable(errors=missing)
    return found


def create_decision(ctx: TenantContext, meeting_id: str, body: dict[str, Any]) -> dict[str, Any]:
    """Record a decision and create its actions (status `open`) in one transaction."""
    meeting = load_meeting(ctx, meeting_id).fields()
    authz.require(ctx, authz.MANAGE_COMMUNITY, community_id=meeting["community_id"])
    if len(body.get("actions", [])) > MAX_ACTIONS:
        raise Unprocessable(errors=[FieldError("/actions", Text(f"一项决定至多 {MAX_ACTIONS} 个任务", f"At most {MAX_ACTIONS} actions"))])
    part_count = sum(1 + len(a.get("assisting", [])) for a in body.get("actions", []))
    if part_count > MAX_PARTS:  # each part is a task written in the same transaction, which holds 100 items
        raise Unprocessable(errors=[FieldError("/actions", Text(f"一项决定的任务分项（牵头加协办）至多 {MAX_PARTS} 个",
                                                                f"At most {MAX_PARTS} parts (lead and assisting) in one decision"))])
    found = _departments(ctx, body.get("actions", []))
    decision_id = new_id()
    base = {"decision_id": decision_id, "meeting_id": meeting_id, "committee_id": meeting["committee_id"],
            "community_id": meeting["community_id"], "decision_title": body["title"]}
    actions, action_ids = [], []
    for spec in body.get("actions", []):
        parts = [{"role": "lead", "assignee": spec["assignee"], "due_date": spec["due_date"]}] + \
                [{"role": "assist", **a} for a in spec.get("assisting", [])]
        data = {**base, "description": spec["description"], "assignee": spec["assignee"],
                "assignee_name": found[spec["assignee"]]["name"], "due_date": spec["due_date"],
                "status": "open", "progress": 0, "closed": False, "notes": [],
                "departments": sorted({p["assignee"] for p in parts}),
                "parts": [{**p, "assignee_name": found[p["assignee"]]["name"], "signed_off_at": None, "progress": 0,
                           "notes": [], "evidence": []} for p in parts]}
        action_id = new_id()
        action_ids.append(action_id)
        actions.append(store.new_item(MeetingsTable, ctx, ACTION, action_id, data, **_action_keys(ctx, data, action_id)))
    decision = store.new_item(MeetingsTable, ctx, DECISION, decision_id,
                              {**{k: v for k, v in body.items() if k != "actions"}, "meeting_id": meeting_id,
                               "committee_id": meeting["committee_id"], "action_ids": action_ids, "status": "open"},
                              **store.parent_keys(ctx, "committee", meeting["committee_id"], DECISION, decision_id),
                              gsi2pk=ctx.key("meeting", meeting_id, DECISION), gsi2sk=decision_id)
    result = {**decision.public(), "actions": [with_overdue(ctx, a.public()) for a in actions]}
    made = [t for a in actions for t in tasks_of(ctx, a.fields(), a.sk)]
    store.write(ctx, [store.Put(decision), *[store.Put(a) for a in actions], *tasks.moved(ctx, None, made)],
                action="decision.create",
                target=f"decision/{decision_id}", state=result, result=result)
    return result


def list_decisions(ctx: TenantContext, meeting_id: str, *, limit: int | None, cursor_text: str | None) -> dict[str, Any]:
    load_meeting(ctx, meeting_id)
    key = ctx.key("meeting", meeting_id, DECISION)
    return store.page(MeetingsTable, key, index="gsi2", scope=f"{ctx.tenant}|{key}", limit=limit,
                      cursor_text=cursor_text).body()


def load_action(ctx: TenantContext, action_id: str) -> MeetingsTable:
    return store.get(MeetingsTable, ctx, ACTION, action_id)


def _readable(ctx: TenantContext, data: dict[str, Any]) -> None:
    authz.require(ctx, authz.READ_ACTION, hide=ACTION, departments=set(data.get("departments", [])))


def get_action(ctx: TenantContext, action_id: str) -> dict[str, Any]:
    item = load_action(ctx, action_id)
    _readable(ctx, item.fields())
    return with_overdue(ctx, item.public())


def list_actions(ctx: TenantContext, *, status: str | None, assignee: str | None, limit: int | None,
                 cursor_text: str | None) -> dict[str, Any]:
    """Actions by status (earliest due first), by lead department (optionally with status), or all;
    a department's users get those with a part of their department."""
    scope = f"{ctx.tenant}|action|{status or ''}|{assignee or ''}"
    only = authz.list_filter(ctx, authz.READ_ACTION, MeetingsTable, owner_field="created_by")
    if assignee:
        condition = MeetingsTable.gsi2sk.startswith(f"{status}#") if status else None
        page = store.page(MeetingsTable, ctx.key("action-assignee", assignee), index="gsi2", range_condition=condition,
                          scope=scope, limit=limit, cursor_text=cursor_text, filter_condition=only)
    elif status:
        page = store.page(MeetingsTable, ctx.key("action-status", status), index="gsi1", scope=scope, limit=limit,
                          cursor_text=cursor_text, filter_condition=only)
    else:
        page = store.page(MeetingsTable, ctx.key(ACTION), scope=scope, limit=limit, cursor_text=cursor_text,
                          filter_condition=only)
    body = page.body()
    body["items"] = [with_overdue(ctx, a) for a in body["items"]]
    return body


def _save(ctx: TenantContext, item: MeetingsTable, data: dict[str, Any], expected: int, verb: str) -> dict[str, Any]:
    """Save the action and, in the same transaction, its decision's status when the action moves it."""
    parts = data["parts"]
    data["progress"] = round(sum(p["progress"] for p in parts) / len(parts)) if parts else data.get("progress", 0)
    new = store.changed(item, data, **_action_keys(ctx, data, item.sk))
    result = with_overdue(ctx, new.public())
    ops: list[store.Operation] = [store.Replace(new, expected),
                                  *tasks.moved(ctx, _any_task(data, item.sk), tasks_of(ctx, data, item.sk))]
    decision = store.get(MeetingsTable, ctx, DECISION, data["decision_id"])
    facts = decision.fields()
    siblings = store.get_many(MeetingsTable, ctx, ACTION, [a for a in facts["action_ids"] if a != item.sk])
    status = decision_status([data, *siblings.values()])
    if status != facts["status"]:
        ops.append(store.Replace(store.changed(decision, {**facts, "status": status}), decision.version))
    store.write(ctx, ops, action=f"action.{verb}", target=f"action/{item.sk}", state=result, result=result)
    return result


def _editable(ctx: TenantContext, item: MeetingsTable) -> dict[str, Any]:
    data = item.fields()
    authz.require(ctx, authz.MANAGE_COMMUNITY, community_id=data["community_id"])
    if data.get("closed"):
        raise Conflict(Text("任务已核验关闭，不能再修改", "The action is verified and closed"))
    return data


def update_action(ctx: TenantContext, action_id: str, body: dict[str, Any], at: str | None = None) -> dict[str, Any]:
    """Move the status forward (open → in_progress → done) and/or add a note, at the version read
    (`at`: when it was done, for records of the past such as the demo's)."""
    item = load_action(ctx, action_id)
    data = _editable(ctx, item)
    status = body.get("status", data["status"])
    if status != data["status"] and status not in NEXT_STATUS[data["status"]]:
        raise Conflict(Text(f"任务不能从 {data['status']} 改为 {status}", f"An action cannot go from {data['status']} to {status}"),
                       extra={"allowed": sorted(NEXT_STATUS[data["status"]])})
    if status == "done" and data["status"] != "done":
        if body["version"] != item.version:
            raise StaleVersion()  # what the caller saw is not what they would be finishing
        _may_be_done(ctx, data, body)
    data["status"] = status
    if body.get("note"):
        data["notes"] = data["notes"] + [{"at": now_iso(), "by": ctx.actor, "text": body["note"]}]
    if status == "done":
        data["done_at"] = data.get("done_at") or at or now_iso()
    return _save(ctx, item, data, body["version"], "update")


def _may_be_done(ctx: TenantContext, data: dict[str, Any], body: dict[str, Any]) -> None:
    """An action is done when every part is signed off by its department and at 100 %; before that only
    a district admin may mark it done, stating why (kept on the action and in its audit entry)."""
    incomplete = [i for i, p in enumerate(data["parts"]) if not _complete(p)]
    if not incomplete:
        return
    if body.get("reason") and ctx.principal.has(DISTRICT_ADMIN):
        data["done_despite"] = {"parts": incomplete, "reason": body["reason"], "by": ctx.actor, "at": now_iso()}
        return
    names = "、".join(data["parts"][i].get("assignee_name", data["parts"][i]["assignee"]) for i in incomplete)
    raise Conflict(Text(f"以下分项尚未签收或未完成：{names}（区管理员可说明理由后办结）",
                        f"Parts not yet signed off or not at 100 %: {names} (a district admin may mark it done, giving a reason)"),
                   extra={"incomplete_parts": incomplete})


def _part(ctx: TenantContext, item: MeetingsTable, index: int) -> tuple[dict[str, Any], dict[str, Any]]:
    """The action and its part `index`, if the caller works that part: its department's users, or the
    community's staff (404 for an action the caller cannot see, 403 for another department's part)."""
    data = item.fields()
    _readable(ctx, data)
    if not 0 <= index < len(data["parts"]):
        raise store.not_found("part")
    part = data["parts"][index]
    if not authz.allows(ctx, authz.WORK_ACTION_PART, community_id=data["community_id"], departments={part["assignee"]}):
        raise Forbidden(Text("只能处理本部门承担的分项", "You may work only your own department's parts"))
    if data.get("closed"):
        raise Conflict(Text("任务已核验关闭，不能再修改", "The action is verified and closed"))
    return data, part


def sign_off_part(ctx: TenantContext, action_id: str, index: int, body: dict[str, Any]) -> dict[str, Any]:
    """A lead or assisting department signs for its part (签收), once."""
    item = load_action(ctx, action_id)
    data, part = _part(ctx, item, index)
    if part["signed_off_at"]:
        raise Conflict(Text("该部分已签收", "This part is signed off already"))
    part.update(signed_off_at=now_iso(), signed_off_by=ctx.actor, sign_off_note=body.get("note"))
    if data["status"] == "open":
        data["status"] = "in_progress"
    return _save(ctx, item, data, body["version"], "sign_off")


def report_part_progress(ctx: TenantContext, action_id: str, index: int, body: dict[str, Any]) -> dict[str, Any]:
    """Progress (0–100), a note and evidence object keys for one part; the action's progress rolls up."""
    item = load_action(ctx, action_id)
    data, part = _part(ctx, item, index)
    require_evidence(ctx, body.get("evidence", []))
    part["progress"] = body["progress"]
    if body.get("note"):
        part["notes"] = part["notes"] + [{"at": now_iso(), "by": ctx.actor, "text": body["note"]}]
    part["evidence"] = part["evidence"] + body.get("evidence", [])
    if data["status"] == "open":
        data["status"] = "in_progress"
    return _save(ctx, item, data, body["version"], "progress")


NOT_OURS = Text("证据文件须在本区的存储空间内", "Evidence must be an object of this tenant")
NO_SUCH_OBJECT = Text("证据文件不存在，请先上传", "No such evidence object: upload it first")


def require_evidence(ctx: TenantContext, evidence: list[dict[str, Any]]) -> None:
    """422 naming each evidence key that is outside this tenant's prefix or not an existing object.

    Checked (one HEAD per key) before the action points at it, so a record never links to a file
    that was never uploaded, was uploaded elsewhere, or has since gone.
    """
    prefix = storage.tenant_key(ctx.tenant, "")
    errors = []
    for i, e in enumerate(evidence):
        if not e["key"].startswith(prefix):
            errors.append(FieldError(f"/evidence/{i}/key", NOT_OURS))
        elif not storage.exists(e["key"]):
            errors.append(FieldError(f"/evidence/{i}/key", NO_SUCH_OBJECT))
    if errors:
        raise Unprocessable(errors=errors)


def close_action(ctx: TenantContext, action_id: str, body: dict[str, Any]) -> dict[str, Any]:
    """Verify a done action and close it, once; closing the last action closes its decision's open flag."""
    item = load_action(ctx, action_id)
    data = _editable(ctx, item)
    if data["status"] != "done":
        raise Conflict(Text("任务完成后才能核验关闭", "Only a done action can be verified and closed"))
    data.update(closed=True, verified_by=ctx.actor, verified_at=now_iso(), verification_note=body.get("note"))
    return _save(ctx, item, data, body["version"], "close")


def next_agenda(ctx: TenantContext, committee_id: str) -> dict[str, Any]:
    """Draft agenda for the committee's next joint meeting: every decision with unfinished actions,
    and every overdue action first. One Query for decisions, one BatchGet for their actions."""
    store.get(CommitteesTable, ctx, "committee", committee_id)
    decisions = [d for d in store.query_all(MeetingsTable, ctx.key("committee", committee_id, DECISION), index="gsi1")]
    action_ids = [a for d in decisions for a in d.fields().get("action_ids", [])]
    actions = store.get_many(MeetingsTable, ctx, ACTION, action_ids)
    overdue, open_decisions = [], []
    for d in decisions:
        mine = [with_overdue(ctx, {"id": a, **actions[a]}) for a in d.fields().get("action_ids", []) if a in actions]
        unfinished = [a for a in mine if not a.get("closed")]
        if unfinished or not mine:
            open_decisions.append({"decision_id": d.sk, "title": d.data["title"], "unfinished_actions": len(unfinished)})
        overdue += [a for a in unfinished if a["overdue"]]
    overdue.sort(key=lambda a: a["due_date"])
    agenda = [f"督办逾期任务：{a['description']}（牵头：{a.get('assignee_name', a['assignee'])}，期限 {a['due_date']}）"
              for a in overdue]
    agenda += [f"审议未办结事项：{d['title']}（未办结任务 {d['unfinished_actions']} 项）" for d in open_decisions]
    return {"committee_id": committee_id, "agenda": agenda, "overdue_actions": overdue, "open_decisions": open_decisions}
