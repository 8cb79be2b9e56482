"""The fixed value sets of the domain, in one light module: the services enforce them and the route
declarations offer them as filters (importing this costs a route nothing at cold start)."""
from __future__ import annotations

INCIDENT_TRANSITIONS: dict[str, dict[str, str]] = {
    "reported": {"accept": "accepted", "reject": "rejected", "escalate": "reported"},
    "accepted": {"dispatch": "dispatched", "escalate": "accepted"},
    "dispatched": {"start": "in_progress", "escalate": "dispatched"},
    "in_progress": {"resolve": "resolved", "escalate": "in_progress"},
    "resolved": {"verify": "verified"},
    "verified": {"close": "closed"},
    "closed": {}, "rejected": {},
}
INCIDENT_STATUSES = tuple(INCIDENT_TRANSITIONS)
# names for messages a person reads (a 409 says "处置中", not "in_progress"): (zh-CN, en)
INCIDENT_STATUS_NAMES: dict[str, tuple[str, str]] = {
    "reported": ("已上报", "reported"), "accepted": ("已受理", "accepted"), "dispatched": ("已派遣", "dispatched"),
    "in_progress": ("处置中", "in progress"), "resolved": ("已办结", "resolved"), "verified": ("已核查", "verified"),
    "closed": ("已结案", "closed"), "rejected": ("不予受理", "rejected"),
}
INCIDENT_ACTION_NAMES: dict[str, tuple[str, str]] = {
    "accept": ("受理", "accept"), "reject": ("不予受理", "reject"), "escalate": ("上报上级", "escalate"),
    "dispatch": ("派遣", "dispatch"), "start": ("开始处置", "start"), "resolve": ("办结", "resolve"),
    "verify": ("核查", "verify"), "close": ("结案", "close"),
}
INCIDENT_LEVELS = ("grid", "community", "street", "district")

ACTION_NEXT_STATUS: dict[str, set[str]] = {"open": {"in_progress", "done"}, "in_progress": {"done"}, "done": set()}
ACTION_STATUSES = tuple(ACTION_NEXT_STATUS)

SERVICE_REQUEST_TRANSITIONS: dict[str, dict[str, str]] = {
    "submitted": {"accept": "accepted", "decline": "declined"},
    "accepted": {"start": "in_service", "decline": "declined"},
    "in_service": {"complete": "completed"}, "completed": {}, "declined": {},
}
SERVICE_REQUEST_STATUSES = tuple(SERVICE_REQUEST_TRANSITIONS)
SERVICE_REQUEST_STATUS_NAMES: dict[str, tuple[str, str]] = {
    "submitted": ("已提交", "submitted"), "accepted": ("已受理", "accepted"), "in_service": ("服务中", "in service"),
    "completed": ("已完成", "completed"), "declined": ("已婉拒", "declined"),
}
SERVICE_REQUEST_ACTION_NAMES: dict[str, tuple[str, str]] = {
    "accept": ("受理", "accept"), "start": ("开始服务", "start"), "complete": ("完成服务", "complete"),
    "decline": ("婉拒", "decline"),
}

PARTY_ORG_STATUSES = ("upgraded", "converted", "standardized", "none")
EXPORT_LANGUAGES = ("zh-CN", "en")
