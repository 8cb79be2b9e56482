"""Departments (职能部门: 环保、工商、市政 …) that take on the parts of joint-enforcement actions.

Actions name a department by id, never by name. A department's presence in a community (its
联络组 or 所) is a resident unit there naming it (`department_id` of `/v1/units`): that unit is
credited in assessments with the department's action parts in the community.

Keys (committees table): `<tenant>#department` / id.
"""
from __future__ import annotations

from typing import Any

from functions import archiving, authz, store
from functions.errors import FieldError, Text, Unprocessable
from functions.ids import new_id
from functions.models import CommitteesTable
from functions.tenancy import TenantContext

KIND = "department"


NAMES = ("职能部门", "department")


def must_exist(ctx: TenantContext, department_id: str, path: str = "/department_id") -> store.Require:
    """A transaction check that the tenant's department exists and is not archived, failing as a 422 naming `path`."""
    error = Unprocessable(errors=[FieldError(path, Text("职能部门不存在或已归档", "No such department, or archived"))])
    return store.Require(CommitteesTable, ctx.key(KIND), department_id, error,
                         condition=archiving.not_archived(CommitteesTable))


def create_department(ctx: TenantContext, body: dict[str, Any], item_id: str | None = None) -> dict[str, Any]:
    authz.require(ctx, authz.MANAGE_DISTRICT)
    return store.create(ctx, CommitteesTable, KIND, {"contacts": [], **body}, item_id=item_id or new_id())


def get_department(ctx: TenantContext, department_id: str) -> dict[str, Any]:
    return store.get(CommitteesTable, ctx, KIND, department_id).public()


def update_department(ctx: TenantContext, department_id: str, body: dict[str, Any]) -> dict[str, Any]:
    authz.require(ctx, authz.MANAGE_DISTRICT)
    item = store.get(CommitteesTable, ctx, KIND, department_id)
    data = {**item.fields(), **{k: v for k, v in body.items() if k != "version"}}
    return store.update(ctx, item, data, body["version"])


def list_departments(ctx: TenantContext, *, limit: int | None, cursor_text: str | None,
                     archived: bool | None = None) -> dict[str, Any]:
    return store.list_kind(CommitteesTable, ctx, KIND, limit=limit, cursor_text=cursor_text,
                           filter_condition=archiving.listed(CommitteesTable, archived))


def _ids(model: Any, hash_key: str, condition: Any, index: str | None = None) -> list[str]:
    source = getattr(model, index) if index else model
    return [i.sk for i in source.query(hash_key, filter_condition=condition, limit=5, page_size=100)]


def _pointing(found: dict[str, list[str]]) -> list[dict[str, Any]]:
    return [{"kind": k, "ids": v} for k, v in found.items() if v]


def live_work(ctx: TenantContext, department_id: str) -> list[dict[str, Any]]:
    """What still needs the department: actions not yet done with a part of it, and its users."""
    from functions.models import MeetingsTable, PlatformTable

    mine = MeetingsTable.data["departments"].contains(department_id)
    return _pointing({
        "open_action": [*_ids(MeetingsTable, ctx.key("action-status", "open"), mine, "gsi1"),
                        *_ids(MeetingsTable, ctx.key("action-status", "in_progress"), mine, "gsi1")][:5],
        "user": _ids(PlatformTable, ctx.key("user"), PlatformTable.data["departments"].contains(department_id))})


def references(ctx: TenantContext, department_id: str) -> list[dict[str, Any]]:
    """Everything that names the department: actions (any status), units that are its offices, users."""
    from functions.models import MeetingsTable, PlatformTable

    return _pointing({
        "action": _ids(MeetingsTable, ctx.key("action"), MeetingsTable.data["departments"].contains(department_id)),
        "unit": _ids(CommitteesTable, ctx.key("unit"), CommitteesTable.data["department_id"] == department_id),
        "user": _ids(PlatformTable, ctx.key("user"), PlatformTable.data["departments"].contains(department_id))})


def archive_department(ctx: TenantContext, department_id: str, body: dict[str, Any]) -> dict[str, Any]:
    """No new action parts or users for it; its actions, offices and history keep naming it."""
    authz.require(ctx, authz.MANAGE_DISTRICT)
    item = store.get(CommitteesTable, ctx, KIND, department_id)
    return archiving.archive(ctx, item, body, live_work(ctx, department_id), NAMES)


def restore_department(ctx: TenantContext, department_id: str, body: dict[str, Any]) -> dict[str, Any]:
    authz.require(ctx, authz.MANAGE_DISTRICT)
    return archiving.restore(ctx, store.get(CommitteesTable, ctx, KIND, department_id), body)


def delete_department(ctx: TenantContext, department_id: str, expected_version: int | None) -> None:
    """Delete a department made by mistake: 409 listing what names it otherwise (archive it then)."""
    authz.require(ctx, authz.MANAGE_DISTRICT)
    item = store.get(CommitteesTable, ctx, KIND, department_id)
    archiving.delete_unreferenced(ctx, item, references(ctx, department_id), NAMES, expected_version)


def names(ctx: TenantContext, department_ids: list[str]) -> dict[str, dict[str, Any]]:
    """The tenant's departments with these ids as {id: fields} (one BatchGet); missing ones are absent."""
    return store.get_many(CommitteesTable, ctx, KIND, department_ids)
