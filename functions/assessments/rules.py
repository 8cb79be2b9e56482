"""Assessment rules per tenant, versioned: weights of the five dimensions and of the other factors
(joint-meeting attendance, on-time completion of assigned actions, pairing activity, in-service
members' volunteer hours), and the grade bands. Every PUT makes a new version; results record the
version they used. A weight set that does not sum to 1 is a 400.

Keys: `<tenant>#assessment-rules` / `v<000001>`; the newest is one Query (descending, limit 1).
"""
from __future__ import annotations

from typing import Any

from functions import authz, store
from functions.errors import FieldError, Text, ValidationFailed
from functions.models import AssessmentsTable
from functions.tenancy import TenantContext

KIND = "assessment_rules"
DEFAULT_RULES: dict[str, Any] = {
    "version": 0,
    "weights": {
        "dimensions": {"public_welfare": 0.14, "sanitation": 0.14, "security": 0.14, "vulnerable_support": 0.14,
                       "development_planning": 0.14},
        "factors": {"meeting_attendance": 0.1, "action_completion": 0.1, "pairing_activity": 0.05,
                    "volunteer_hours": 0.05},
    },
    # Sub-scores are √ of the share of the district's 90th percentile: a quarter of it scores 50. On the
    # demo's October (linear scale: 50 of 136 units failed) this gives 优秀 13, 良好 52, 合格 40, 不合格 31,
    # and the 31 are the units with at most one activity or absent from the joint meeting.
    "scale": "sqrt",
    "grade_bands": [{"grade": "优秀", "grade_en": "excellent", "min": 75}, {"grade": "良好", "grade_en": "good", "min": 50},
                    {"grade": "合格", "grade_en": "pass", "min": 30}, {"grade": "不合格", "grade_en": "fail", "min": 0}],
    "source": "default",
}


def current(ctx: TenantContext) -> dict[str, Any]:
    """The newest rule version, or the defaults (version 0)."""
    for item in AssessmentsTable.query(ctx.key(KIND), AssessmentsTable.sk.startswith("v"), scan_index_forward=False,
                                       limit=1):
        return {**item.fields(), "version": int(item.sk[1:]), "created_at": item.created_at}
    return dict(DEFAULT_RULES)


def version(ctx: TenantContext, number: int) -> dict[str, Any]:
    if number == 0:
        return dict(DEFAULT_RULES)
    item = AssessmentsTable.get(ctx.key(KIND), f"v{number:06d}")
    return {**item.fields(), "version": number}


def put_rules(ctx: TenantContext, body: dict[str, Any]) -> dict[str, Any]:
    """Store a new version (district admins). Weights must sum to 1; bands must descend to 0."""
    authz.require(ctx, authz.MANAGE_DISTRICT)
    weights = body["weights"]
    total = sum(weights["dimensions"].values()) + sum(weights["factors"].values())
    errors = []
    if abs(total - 1) > 1e-9:
        errors.append(FieldError("/weights", Text(f"权重之和为 {total:g}，应为 1", f"Weights sum to {total:g}, not 1")))
    mins = [band["min"] for band in body["grade_bands"]]
    if mins != sorted(mins, reverse=True) or mins[-1] != 0 or len(set(mins)) != len(mins):
        errors.append(FieldError("/grade_bands", Text("等级下限须从高到低排列且最后为 0", "Band minimums must descend and end at 0")))
    if errors:
        raise ValidationFailed(errors=errors)
    number = current(ctx)["version"] + 1
    data = {"weights": weights, "grade_bands": body["grade_bands"], "scale": body.get("scale", "sqrt"), "source": "tenant"}
    result = store.create(ctx, AssessmentsTable, KIND, data, item_id=f"v{number:06d}")
    return {**result, "version": number}
