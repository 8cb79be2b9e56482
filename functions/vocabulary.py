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
INCIDENT_LEVELS = ("grid", "community", "street", "district")

ACTION_NEXT_STATUS: dict[str, set[str]] = {"open": {"in_progress", "done"}, "in_progress": {"done"}, "done": set()}
ACTION_STATUSES = tuple(ACTION_NEXT_STATUS)

SERVICE_REQUEST_TRANSITIONS: dict[str, dict[str, str]] = {
    "submitted": {"accept": "accepted", "decline": "declined"},
    "accepted": {"start": "in_service", "decline": "declined"},
    "in_service": {"complete": "completed"}, "completed": {}, "declined": {},
}
SERVICE_REQUEST_STATUSES = tuple(SERVICE_REQUEST_TRANSITIONS)

PARTY_ORG_STATUSES = ("upgraded", "converted", "standardized", "none")
EXPORT_LANGUAGES = ("zh-CN", "en")
