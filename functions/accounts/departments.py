"""Departments (职能部门: 环保、工商、市政 …) that take on the parts of joint-enforcement actions.

Actions name a department by id, never by name; a department may sit on the big Party committees as a
member unit (`unit_id`), which is how an action's completion counts for that unit in assessments.

Keys (committees table): `<tenant>#department` / id.
"""
from __future__ import annotations

from typing import Any

from functions import authz, store
from functions.errors import FieldError, Text, Unprocessable
from functions.ids import new_id
from functions.models import CommitteesTable
from functions.tenancy import TenantContext

KIND = "department"


def _unit_must_exist(ctx: TenantContext, unit_id: str) -> store.Require:
    error = Unprocessable(errors=[FieldError("/unit_id", Text("单位不存在", "No such unit"))])
    return store.Require(CommitteesTable, ctx.key("unit"), unit_id, error)


def create_department(ctx: TenantContext, body: dict[str, Any], item_id: str | None = None) -> dict[str, Any]:
    authz.require(ctx, authz.MANAGE_DISTRICT)
    data = {"contacts": [], **body}
    extra = [_unit_must_exist(ctx, data["unit_id"])] if data.get("unit_id") else []
    return store.create(ctx, CommitteesTable, KIND, data, item_id=item_id or new_id(), extra=extra)


def get_department(ctx: TenantContext, department_id: str) -> dict[str, Any]:
    return store.get(CommitteesTable, ctx, KIND, department_id).public()


def update_department(ctx: TenantContext, department_id: str, body: dict[str, Any]) -> dict[str, Any]:
    authz.require(ctx, authz.MANAGE_DISTRICT)
    item = store.get(CommitteesTable, ctx, KIND, department_id)
    old = item.fields()
    data = {**old, **{k: v for k, v in body.items() if k != "version"}}
    extra = [_unit_must_exist(ctx, data["unit_id"])] if data.get("unit_id") and data.get("unit_id") != old.get("unit_id") else []
    return store.update(ctx, item, data, body["version"], extra=extra)


def list_departments(ctx: TenantContext, *, limit: int | None, cursor_text: str | None) -> dict[str, Any]:
    return store.list_kind(CommitteesTable, ctx, KIND, limit=limit, cursor_text=cursor_text)


def names(ctx: TenantContext, department_ids: list[str]) -> dict[str, dict[str, Any]]:
    """The tenant's departments with these ids as {id: fields} (one BatchGet); missing ones are absent."""
    return store.get_many(CommitteesTable, ctx, KIND, department_ids)
