"""Directed pairings between member units: 一联一 (link), 一帮一 (help), 一带一 (lead), each with a
target contact cadence and a log of contacts with outcomes.

Keys: `<tenant>#pairing` / id; gsi2 `<tenant>#pairing-due` / `<next_due>#<id>`, so the pairings
that missed their cadence (`next_due` before today) are one Query. Contacts live under
`<tenant>#pairing#<pid>#contact` / id (and on gsi2 by month, for the assessment) and move the
pairing's `next_due` in the same transaction.
"""
from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from functions import authz, store
from functions.committees.units import require_units_in
from functions.errors import FieldError, Text, Unprocessable
from functions.ids import new_id, today_in
from functions.models import CommitteesTable
from functions.tasks import index as tasks
from functions.tenancy import TenantContext

KIND = "pairing"
CONTACT = "pairing_contact"
DUE_INDEX = "pairing-due"


def _due_keys(ctx: TenantContext, next_due: str, item_id: str) -> dict[str, Any]:
    return {"gsi2pk": ctx.key(DUE_INDEX), "gsi2sk": f"{next_due}#{item_id}"}


def _plus(day: str, days: int) -> str:
    return (date.fromisoformat(day) + timedelta(days=days)).isoformat()


def create_pairing(ctx: TenantContext, body: dict[str, Any], item_id: str | None = None) -> dict[str, Any]:
    if body["from_unit_id"] == body["to_unit_id"]:
        raise Unprocessable(errors=[FieldError("/to_unit_id", Text("不能与本单位结对", "A unit cannot pair with itself"))])
    units = require_units_in(ctx, [body["from_unit_id"], body["to_unit_id"]], ["/from_unit_id", "/to_unit_id"], None)
    authz.require(ctx, authz.MANAGE_COMMUNITY, community_id=units[body["from_unit_id"]]["community_id"])
    today = today_in(ctx.timezone)
    data = {"cadence_days": 30, **body, "started_on": body.get("started_on", today), "last_contact_on": None,
            "contacts": 0}
    data["next_due"] = _plus(data["started_on"], data["cadence_days"])
    item_id = item_id or new_id()
    community = units[body["from_unit_id"]]["community_id"]
    return _with_overdue(ctx, store.create(ctx, CommitteesTable, KIND, data, item_id=item_id,
                                           extra=tasks.moved(ctx, None, contact_task(data, item_id, community), tell=False),
                                           **_due_keys(ctx, data["next_due"], item_id)))


def contact_task(pairing: dict[str, Any], pairing_id: str, community_id: str) -> tasks.Task:
    """The next contact a pairing owes, for the staff of its first unit's community."""
    return tasks.Task(tasks.audience("community", community_id), "pairing_contact", pairing_id, {
        "title": f"定向联系（{pairing.get('kind', '')}）/ pairing contact",
        "reason": f"每 {pairing['cadence_days']} 天联系一次，下次应在 {pairing['next_due']} 前 / "
                  f"every {pairing['cadence_days']} days; next by {pairing['next_due']}",
        "due_at": f"{pairing['next_due']}T23:59:59+08:00", "stage_started_at": f"{pairing.get('last_contact_on') or pairing['started_on']}T00:00:00+08:00",
        "object": {"kind": KIND, "id": pairing_id}, "link": f"/v1/pairings/{pairing_id}"})


def _with_overdue(ctx: TenantContext, pairing: dict[str, Any]) -> dict[str, Any]:
    pairing["overdue"] = pairing["next_due"] < today_in(ctx.timezone)
    return pairing


def get_pairing(ctx: TenantContext, pairing_id: str) -> dict[str, Any]:
    return _with_overdue(ctx, store.get(CommitteesTable, ctx, KIND, pairing_id).public())


def list_pairings(ctx: TenantContext, *, overdue: bool, limit: int | None, cursor_text: str | None) -> dict[str, Any]:
    """All pairings, or (`overdue`) those whose next contact was due before today, most overdue first."""
    if overdue:
        today = today_in(ctx.timezone)
        body = store.page(CommitteesTable, ctx.key(DUE_INDEX), index="gsi2",
                          range_condition=CommitteesTable.gsi2sk < today, scope=f"{ctx.tenant}|pairing-overdue|{today}",
                          limit=limit, cursor_text=cursor_text).body()
    else:
        body = store.list_kind(CommitteesTable, ctx, KIND, limit=limit, cursor_text=cursor_text)
    body["items"] = [_with_overdue(ctx, p) for p in body["items"]]
    return body


def create_pairing_contact(ctx: TenantContext, pairing_id: str, body: dict[str, Any]) -> dict[str, Any]:
    """Log a contact; the pairing's next due date moves to the contact date plus its cadence."""
    item = store.get(CommitteesTable, ctx, KIND, pairing_id)
    pairing = item.fields()
    units = require_units_in(ctx, [pairing["from_unit_id"]], ["/from_unit_id"], None, already=[pairing["from_unit_id"]])
    authz.require(ctx, authz.MANAGE_COMMUNITY, community_id=units[pairing["from_unit_id"]]["community_id"])
    if body["date"] > today_in(ctx.timezone):
        raise Unprocessable(errors=[FieldError("/date", Text("联系日期不能晚于今天", "The contact date is in the future"))])
    contact_id = new_id()
    contact = store.new_item(CommitteesTable, ctx, CONTACT, contact_id,
                             {**body, "pairing_id": pairing_id, "recorded_by": ctx.actor,
                              "units": [pairing["from_unit_id"], pairing["to_unit_id"]]},
                             partition=ctx.key(KIND, pairing_id, "contact"),
                             gsi2pk=ctx.key("pairing-contact-month", body["date"][:7]), gsi2sk=contact_id)
    last = max(filter(None, [pairing.get("last_contact_on"), body["date"]]))
    data = {**pairing, "last_contact_on": last, "next_due": _plus(last, pairing["cadence_days"]),
            "contacts": int(pairing.get("contacts", 0)) + 1}
    updated = store.changed(item, data, **_due_keys(ctx, data["next_due"], pairing_id))
    result = contact.public()
    community = units[pairing["from_unit_id"]]["community_id"]
    due = tasks.moved(ctx, contact_task(pairing, pairing_id, community), contact_task(data, pairing_id, community))
    store.write(ctx, [store.Put(contact), store.Replace(updated, item.version), *due], action="pairing_contact.create",
                target=f"pairing/{pairing_id}/contact/{contact_id}", state=result, result=result)
    return result


def list_pairing_contacts(ctx: TenantContext, pairing_id: str, *, limit: int | None,
                          cursor_text: str | None) -> dict[str, Any]:
    store.get(CommitteesTable, ctx, KIND, pairing_id)  # 404 for another tenant's pairing
    key = ctx.key(KIND, pairing_id, "contact")
    return store.page(CommitteesTable, key, scope=f"{ctx.tenant}|{key}", limit=limit, cursor_text=cursor_text).body()


