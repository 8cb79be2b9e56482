"""A month's result per community, read from its units' published results: the mean of their scores,
the grade that mean earns under the same rule, and what a secretary reads out at the meeting —
each figure in words with the records it came from (list routes a client can open).

Plain data in, plain data out apart from the one Query that reads the run: the same published
results always give the same community results.
"""
from __future__ import annotations

from collections import defaultdict
from typing import Any

from functions import store
from functions.assessments import engine, rules
from functions.assessments.runs import published
from functions.models import AssessmentsTable, GridsTable
from functions.periods import month_dates
from functions.tenancy import TenantContext


def _sum(results: list[dict[str, Any]], count: str) -> float:
    return sum(float(r["inputs"].get("counts", {}).get(count, 0) or 0) for r in results)


def explain(name: str, period: str, results: list[dict[str, Any]], score: float, band: dict[str, Any],
            rule_set: dict[str, Any]) -> str:
    """The month in a few sentences a secretary can read out."""
    invited, present = _sum(results, "meetings_invited"), _sum(results, "meetings_present")
    due, on_time = _sum(results, "actions_due"), _sum(results, "actions_on_time")
    expected, made = _sum(results, "pairing_contacts_expected"), _sum(results, "pairing_contacts")
    activities = sum(int(r["inputs"].get("activities", 0)) for r in results)
    person_hours = sum(sum(r["inputs"]["dimensions"].values()) for r in results)
    below = [r["name"] for r in results if r["grade"] == rule_set["grade_bands"][-1]["grade"]]
    parts = [f"{name}{period[:4]}年{int(period[5:])}月共建考核：{len(results)} 家驻社区单位平均 {score:.1f} 分，评为{band['grade']}。"]
    parts.append(f"联席会议应到 {invited:.0f} 家次、实到 {present:.0f} 家次" + (f"（出勤率 {100 * present / invited:.0f}%）。" if invited else "。"))
    parts.append(f"本月到期的决议事项分项 {due:.0f} 个，按期完成 {on_time:.0f} 个。" if due else "本月没有到期的决议事项。")
    if expected:
        parts.append(f"定向联系应联系 {expected:.1f} 次，实际 {made:.0f} 次。")
    parts.append(f"共建活动 {activities} 次，合计 {person_hours:.0f} 人·小时。")
    if below:
        parts.append(f"未达合格的单位 {len(below)} 家：{'、'.join(below[:5])}{'等' if len(below) > 5 else ''}。")
    parts.append(f"（按第 {rule_set['version']} 版考核规则：{rule_words(rule_set, band)}。）")
    return "".join(parts)


def rule_words(rule_set: dict[str, Any], band: dict[str, Any]) -> str:
    """The band in words: `平均分 ≥ 30 为合格`, or for the lowest one `平均分低于 30 为不合格`."""
    higher = [b for b in rule_set["grade_bands"] if b["min"] > band["min"]]
    if band["min"] == 0 and higher:
        return f"平均分低于 {higher[-1]['min']} 为{band['grade']}"
    return f"平均分 ≥ {band['min']} 为{band['grade']}"


def community_results(ctx: TenantContext, period: str) -> dict[str, Any]:
    """Every community's result for the published month, best first."""
    current = published(ctx, period)
    rule_set = rules.version(ctx, current["rule_version"])
    by_community: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for item in store.query_all(AssessmentsTable, ctx.key("assessment-run", current["run_id"])):
        result = item.fields()
        by_community[result["community_id"]].append(result)
    names = store.get_many(GridsTable, ctx, "community", list(by_community))
    first, last = month_dates(period)
    items = []
    for community_id, results in by_community.items():
        score = round(sum(r["score"] for r in results) / len(results), 2)
        band = engine.grade(score, rule_set["grade_bands"])
        name = names.get(community_id, {}).get("name", community_id)
        committee = f"/v1/committees?community_id={community_id}"
        items.append({
            "community_id": community_id, "name": name, "score": score, "grade": band["grade"],
            "grade_en": band.get("grade_en"), "units": len(results),
            "grades": {g: sum(1 for r in results if r["grade"] == g) for g in (b["grade"] for b in rule_set["grade_bands"])},
            "rule": {"version": current["rule_version"], "grade": band["grade"], "min": band["min"],
                     "text": f"{rule_words(rule_set, band)}（平均分为各驻社区单位得分的平均数）/ graded on the mean of its units' scores"},
            "explanation": explain(name, period, results, score, band, rule_set),
            "sources": {"units": f"/v1/assessments?period={period}", "meetings": f"/v1/meetings?from={first}&to={last}",
                        "committee": committee, "actions": "/v1/actions",
                        "activities": f"/v1/cobuilding/activities?period={period}",
                        "unit_results": [f"/v1/assessments/{period}/units/{r['unit_id']}" for r in results]},
        })
    items.sort(key=lambda c: (-c["score"], c["community_id"]))
    for rank, c in enumerate(items, start=1):
        c["rank"] = rank
    return {"period": period, "status": current["status"], "rule_version": current["rule_version"], "items": items}
