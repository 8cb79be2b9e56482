"""Scoring: plain data in, plain data out, no I/O — the same inputs and rules always give the same
results, so an auditor can recompute any result from the inputs it records.

Per unit:
- each of the five dimensions: raw = Σ participants × hours of its activities (person-hours);
  sub-score = 100 × √(raw ÷ the district's reference), capped at 100 (the rules' `scale`; `linear`
  drops the root). The reference is the 90th percentile (nearest rank) of the units that did any,
  so one outlier does not flatten everyone else; 0 when nobody did any. The root gives diminishing
  returns: a unit doing a quarter of the reference in a dimension scores 50 there, so steady work
  in a few dimensions passes and only absence fails;
- meeting attendance and on-time action completion: 100 × the rate; pairing activity: 100 × the
  share of expected contacts made (capped at 1); volunteer hours scaled like a dimension. A factor with no data for a unit (never invited, no actions due, no pairings, no
  in-service members) is left out and that unit's weights are rescaled to sum to 1;
- total = Σ weight × sub-score (0–100), grade from the bands, rank in the community and the district
  (ties broken by unit id, so ranks are deterministic).
"""
from __future__ import annotations

import hashlib
import json
from math import ceil, sqrt
from typing import Any

DIMENSIONS = ("public_welfare", "sanitation", "security", "vulnerable_support", "development_planning")
FACTORS = ("meeting_attendance", "action_completion", "pairing_activity", "volunteer_hours")


def reference(values: list[float]) -> float:
    """The 90th percentile (nearest rank) of the positive values; 0 if there are none."""
    positive = sorted(v for v in values if v > 0)
    if not positive:
        return 0.0
    return positive[max(0, ceil(0.9 * len(positive)) - 1)]


SCALES = ("sqrt", "linear")


def normalise(raw: dict[str, float], scale: str = "linear") -> dict[str, float]:
    """100 × (value ÷ the district's reference), or its square root with `scale="sqrt"`, capped at
    100; all zeros stay zero."""
    top = reference(list(raw.values()))
    if top <= 0:
        return {k: 0.0 for k in raw}
    shape = sqrt if scale == "sqrt" else float
    return {k: round(min(100.0, 100 * shape(v / top)), 4) for k, v in raw.items()}


def grade(total: float, bands: list[dict[str, Any]]) -> dict[str, Any]:
    for band in bands:
        if total >= band["min"]:
            return band
    return bands[-1]


def inputs_hash(unit_inputs: dict[str, Any], rule_version: int) -> str:
    canonical = json.dumps({"inputs": unit_inputs, "rule_version": rule_version}, sort_keys=True, ensure_ascii=False,
                           separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()


def score(units: dict[str, dict[str, Any]], inputs: dict[str, dict[str, Any]], rules: dict[str, Any]) -> list[dict[str, Any]]:
    """Results for every unit in `units` ({id: {name, community_id}}), ranked.

    `inputs[unit_id]` holds `dimensions` {dimension: person-hours} and `factors` {factor: value or None}
    (rates 0–1 for attendance, completion and pairing; hours for volunteering)."""
    ids = sorted(units)
    weights = rules["weights"]
    scale = rules.get("scale", "linear")  # versions stored before the scale existed were linear
    dimension_scores = {d: normalise({u: float(inputs[u]["dimensions"].get(d, 0)) for u in ids}, scale) for d in DIMENSIONS}
    volunteer = normalise({u: float(inputs[u]["factors"].get("volunteer_hours") or 0) for u in ids}, scale)
    results = []
    for u in ids:
        factors = inputs[u]["factors"]
        parts: dict[str, tuple[float, float]] = {d: (weights["dimensions"][d], dimension_scores[d][u]) for d in DIMENSIONS}
        for f in FACTORS:
            value = factors.get(f)
            if value is None:
                continue
            sub = volunteer[u] if f == "volunteer_hours" else round(100 * min(1.0, float(value)), 4)
            parts[f] = (weights["factors"][f], sub)
        weight_sum = sum(w for w, _ in parts.values())
        used = {k: (w / weight_sum if weight_sum else 0.0) for k, (w, _) in parts.items()}
        total = round(sum(used[k] * s for k, (_, s) in parts.items()), 2)
        band = grade(total, rules["grade_bands"])
        results.append({
            "unit_id": u, "name": units[u]["name"], "community_id": units[u]["community_id"],
            "score": total, "grade": band["grade"], "grade_en": band.get("grade_en"),
            "dimensions": {d: round(dimension_scores[d][u], 2) for d in DIMENSIONS},
            "factors": {f: (round(parts[f][1], 2) if f in parts else None) for f in FACTORS},
            "weights_used": {k: round(v, 6) for k, v in used.items()},
            "inputs": inputs[u], "rule_version": rules["version"], "rule_scale": scale,
            "inputs_sha256": inputs_hash(inputs[u], rules["version"]),
        })
    ranked = sorted(results, key=lambda r: (-r["score"], r["unit_id"]))
    per_community: dict[str, int] = {}
    for position, r in enumerate(ranked, start=1):
        r["rank"] = position
        per_community[r["community_id"]] = per_community.get(r["community_id"], 0) + 1
        r["rank_in_community"] = per_community[r["community_id"]]
    return ranked
