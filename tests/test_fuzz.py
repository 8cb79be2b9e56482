"""Fuzzing every operation of `/v1/openapi.json` on the local HTTP server with a valid token:
no answer may be a 5xx, and every 4xx must be problem+json. Bounded: a few examples per operation."""
from __future__ import annotations

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings

from conftest import make_tenant
from functions import local_issuer

EXAMPLES_PER_OPERATION = 4


@pytest.fixture(scope="module")
def fuzz_token(api, platform_token):
    tenant = make_tenant(api, platform_token)
    return local_issuer.mint("fuzzer", ["district_admin", "grid_worker"], tenant=tenant)


def test_no_server_errors_and_problem_details(base_url, fuzz_token):
    """Every operation, a few generated requests each (schemathesis strategies driven by hypothesis)."""
    schema = schemathesis.openapi.from_url(f"{base_url}/v1/openapi.json")
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) > 100
    for operation in operations:

        @settings(max_examples=EXAMPLES_PER_OPERATION, phases=[Phase.explicit, Phase.generate], deadline=None,
                  suppress_health_check=list(HealthCheck), database=None)
        @given(operation.as_strategy())
        def check(case):
            response = case.call(base_url=base_url, headers={"Authorization": f"Bearer {fuzz_token}"})
            assert response.status_code < 500, (case.method, case.path, response.status_code, response.text[:300])
            if response.status_code >= 400:
                content_type = (response.headers.get("content-type") or [""])[0]
                assert content_type.startswith("application/problem+json"), \
                    (case.method, case.path, response.status_code, response.text[:300])
                body = response.json()
                assert body["status"] == response.status_code and body["title"] and body["type"]

        check()
