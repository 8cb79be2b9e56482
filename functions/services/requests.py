"""Service requests (上门式 door-to-door / 一站式 one-stop): employment, education, household,
elderly and childcare needs, in a closed loop like incidents:

    submitted → accepted → in_service → completed (then rated 1–5), or declined

The requester's contact is kept to a name and a phone number, and the phone is shown masked to
everyone but district admins and the staff of the request's community.

Keys: `<tenant>#service-request` / id; gsi1 `<tenant>#service-request-status#<status>` / id.
"""
from __future__ import annotations

from typing import Any


from functions import authz, store
from functions.errors import Conflict, Text, step_not_allowed
from functions.ids import new_id, now_iso
from functions.models import ServicesTable
from functions.structure.service import community_must_exist
from functions.vocabulary import SERVICE_REQUEST_ACTION_NAMES, SERVICE_REQUEST_STATUS_NAMES, SERVICE_REQUEST_TRANSITIONS
from functions.tenancy import TenantContext

KIND = "service_request"
TRANSITIONS = SERVICE_REQUEST_TRANSITIONS


def _keys(ctx: TenantContext, status: str, item_id: str) -> dict[str, Any]:
    return {"gsi1pk": ctx.key("service-request-status", status), "gsi1sk": item_id}


def _shown(ctx: TenantContext, request: dict[str, Any]) -> dict[str, Any]:
    if authz.allows(ctx, authz.SEE_CONTACT, community_id=request["community_id"]):
        return request
    contact = dict(request.get("contact") or {})
    if contact.get("phone"):
        contact["phone"] = contact["phone"][:3] + "****" + contact["phone"][-4:]
    return {**request, "contact": contact}


def create_service_request(ctx: TenantContext, body: dict[str, Any], item_id: str | None = None) -> dict[str, Any]:
    data = {**body, "status": "submitted", "submitted_by": ctx.actor, "rating": None,
            "history": [{"action": "submit", "to": "submitted", "by": ctx.actor, "at": now_iso()}]}
    item_id = item_id or new_id()
    return _shown(ctx, store.create(ctx, ServicesTable, KIND, data, item_id=item_id,
                                    extra=[community_must_exist(ctx, body["community_id"])],
                                    **_keys(ctx, "submitted", item_id)))


def _readable(ctx: TenantContext, data: dict[str, Any]) -> None:
    """The service request read rule of `functions.authz`; others get 404, as for a missing one."""
    authz.require(ctx, authz.READ_SERVICE_REQUEST, hide=KIND, community_id=data["community_id"],
                  owner=data.get("submitted_by"))


def get_service_request(ctx: TenantContext, request_id: str) -> dict[str, Any]:
    item = store.get(ServicesTable, ctx, KIND, request_id)
    _readable(ctx, item.fields())
    return _shown(ctx, item.public())


def list_service_requests(ctx: TenantContext, *, status: str | None, limit: int | None,
                          cursor_text: str | None) -> dict[str, Any]:
    """Requests, all or by status (one Query each), filtered to those the caller may open."""
    hash_key, index = (ctx.key("service-request-status", status), "gsi1") if status else (ctx.key(KIND), None)
    body = store.page(ServicesTable, hash_key, index=index, scope=f"{ctx.tenant}|service-request|{status}", limit=limit,
                      cursor_text=cursor_text,
                      filter_condition=authz.list_filter(ctx, authz.READ_SERVICE_REQUEST, ServicesTable,
                                                         owner_field="submitted_by")).body()
    body["items"] = [_shown(ctx, r) for r in body["items"]]
    return body


def transition(ctx: TenantContext, request_id: str, body: dict[str, Any]) -> dict[str, Any]:
    item = store.get(ServicesTable, ctx, KIND, request_id)
    data = item.fields()
    authz.require(ctx, authz.MANAGE_COMMUNITY, community_id=data["community_id"])
    allowed = TRANSITIONS[data["status"]]
    if body["action"] not in allowed:
        raise step_not_allowed(SERVICE_REQUEST_STATUS_NAMES[data["status"]], SERVICE_REQUEST_ACTION_NAMES[body["action"]],
                               {a: SERVICE_REQUEST_ACTION_NAMES[a] for a in allowed})
    data["status"] = allowed[body["action"]]
    if body.get("handler"):
        data["handler"] = body["handler"]
    data["history"] = data["history"] + [{"action": body["action"], "to": data["status"], "by": ctx.actor,
                                          "at": now_iso(), "note": body.get("note")}]
    return _shown(ctx, store.update(ctx, item, data, item.version, **_keys(ctx, data["status"], request_id)))


def rate(ctx: TenantContext, request_id: str, body: dict[str, Any]) -> dict[str, Any]:
    """Satisfaction 1–5, once, after completion, by the requester or staff recording a call-back."""
    item = store.get(ServicesTable, ctx, KIND, request_id)
    data = item.fields()
    if data["submitted_by"] != ctx.actor:
        authz.require(ctx, authz.MANAGE_COMMUNITY, community_id=data["community_id"])
    if data["status"] != "completed":
        raise Conflict(Text("服务完成后才能评价", "Only a completed request can be rated"))
    if data.get("rating") is not None:
        raise Conflict(Text("已评价过", "Already rated"))
    data.update(rating=body["rating"], rating_comment=body.get("comment"), rated_at=now_iso())
    return _shown(ctx, store.update(ctx, item, data, item.version, **_keys(ctx, data["status"], request_id)))
