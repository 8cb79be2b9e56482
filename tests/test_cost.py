"""The cost model is measured, not typed in: a few steps of the month's mix through the app."""
from __future__ import annotations

import json

import pytest

from conftest import make_tenant
from infra import cost

STEPS = ("GET /v1/incidents/{id}", "POST /v1/incidents", "POST /v1/incidents/{id}/transitions", "GET /v1/patrols",
         "GET /v1/meetings/{id}/minutes (+ download)", "GET /v1/audit-log")
SMALL_MIX = [step for step in cost.MIX if step.name in STEPS]


@pytest.fixture(scope="module")
def district(api, platform_token) -> str:
    return make_tenant(api, platform_token)


@pytest.fixture(scope="module")
def measured(api, district) -> cost.Measured:
    return cost.measure(api.client, district, mix=SMALL_MIX, repeats=2, jobs=False)


def step(m: cost.Measured, name: str) -> dict[str, float]:
    return cost._mean([u.figures() for u in m.steps[name]])


def test_every_step_is_measured_from_the_calls_it_made(measured):
    assert set(measured.steps) == set(STEPS) and all(len(s) == 2 for s in measured.steps.values())
    read = step(measured, "GET /v1/incidents/{id}")
    assert read["dynamodb_calls"] == 2 and read["read_units"] == 1.0  # the tenant profile and the item, ½ unit each
    assert read["write_units"] == read["transact_write_units"] == 0
    minutes = step(measured, "GET /v1/meetings/{id}/minutes (+ download)")
    assert minutes["s3_get_class"] >= 2  # the integrity check of the object, and the client's download
    assert all(u.log_bytes > 0 and u.seconds > 0 for s in measured.steps.values() for u in s)


def test_an_audited_create_writes_item_audit_entry_chain_head_and_its_idempotency_record(measured):
    """The request's own transaction (item, pending audit entry, idempotency record) and the
    chainer's that links the entry (chain link, pending entry deleted, head moved) are both billed."""
    report = measured.steps["POST /v1/incidents"][0]
    assert report.dynamodb_calls["TransactWriteItems"] == 2
    assert set(report.write_parts) >= {"item", "audit entry", "chain link", "delete", "chain head", "idempotency record"}
    assert report.transact_write_units == sum(v for k, v in report.write_parts.items() if k != "condition check")
    assert report.new_bytes > report.new_table_bytes > 0  # the incident is listed in indexes too


def test_no_idempotency_record_without_a_key(api, district):
    m = cost.measure(api.client, district, mix=[s for s in SMALL_MIX if s.name == "POST /v1/incidents"], repeats=1,
                     jobs=False, sent_keys=False)
    assert "idempotency record" not in m.steps["POST /v1/incidents"][0].write_parts


def test_one_more_read_in_a_request_raises_the_figure(api, district, measured, monkeypatch):
    from functions import store

    original = store.get

    def twice(*args, **kwargs):
        original(*args, **kwargs)
        return original(*args, **kwargs)

    monkeypatch.setattr(store, "get", twice)
    name = "GET /v1/incidents/{id}"
    patched = cost.measure(api.client, district, mix=SMALL_MIX, repeats=2, jobs=False)
    assert step(patched, name)["dynamodb_calls"] == step(measured, name)["dynamodb_calls"] + 1
    assert step(patched, name)["read_units"] == step(measured, name)["read_units"] + 0.5
    prices = json.loads(cost.PRICES.read_text())
    before = cost.monthly(measured, 100_000, prices)
    after = cost.monthly(patched, 100_000, prices)
    assert after["dynamodb_reads"] > before["dynamodb_reads"]


def test_the_month_is_priced_from_the_measured_figures(measured):
    prices = json.loads(cost.PRICES.read_text())
    small, large = cost.monthly(measured, 100_000, prices), cost.monthly(measured, 1_000_000, prices)
    r = measured.per_request()
    assert small["api_gateway"] == pytest.approx(0.425)
    assert small["dynamodb_transactions"] == pytest.approx(
        (r["transact_write_units"] + 2 * r["condition_checks"]) * 0.1 * prices["dynamodb_write_request_units_per_million"])
    assert small["lambda"] == pytest.approx(0.1 * prices["lambda_requests_per_million"] + r["billed_ms"] * 100
                                            * cost.memory_mb() / 1024 * prices["lambda_gb_second"])
    assert small["total"] == pytest.approx(sum(v for k, v in small.items() if k != "total"))
    for key in ("api_gateway", "lambda", "dynamodb_reads", "dynamodb_transactions", "logs"):
        assert large[key] == pytest.approx(10 * small[key])
    rendered = cost.render(cost.report(measured, [100_000, 1_000_000]))
    assert "| **total** |" in rendered and "read units" in rendered
