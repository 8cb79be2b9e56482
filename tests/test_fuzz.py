"""Schemathesis over every operation of `/v1/openapi.json`, on the local HTTP server with a valid token,
with every check it has but one: no 5xx, status codes, content types, headers and bodies as documented
(response schema conformance), invalid input refused (negative data rejection), and the rest. Left
out: "positive data acceptance", which takes any string as a valid `cursor` or id while ours are
signed or must exist, so a 400 or 404 there is the right answer.

`make test` runs a few derandomized examples per operation and mode, so a fresh clone is never red at
random; `make fuzz` runs many random ones (FUZZ_EXAMPLES, FUZZ_RANDOM=1) and the stateful phase, which
follows the documented links from each create to its read, update and delete.
"""
from __future__ import annotations

import os

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis.generation import GenerationMode
from schemathesis.specs.openapi.checks import positive_data_acceptance

from conftest import make_tenant
from functions import local_issuer

EXAMPLES_PER_OPERATION = int(os.environ.get("FUZZ_EXAMPLES", "3"))
RANDOM = os.environ.get("FUZZ_RANDOM") == "1"


@pytest.fixture(scope="module")
def fuzz_token(api, platform_token):
    tenant = make_tenant(api, platform_token)
    return local_issuer.mint("fuzzer", ["district_admin", "grid_worker"], tenant=tenant)


@pytest.fixture(scope="module")
def schema(base_url):
    return schemathesis.openapi.from_url(f"{base_url}/v1/openapi.json")


@pytest.mark.parametrize("mode", [GenerationMode.POSITIVE, GenerationMode.NEGATIVE], ids=["positive", "negative"])
def test_every_operation_passes_every_check(schema, base_url, fuzz_token, mode):
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) > 100
    failures: list[str] = []
    for operation in operations:

        @settings(max_examples=EXAMPLES_PER_OPERATION, phases=[Phase.explicit, Phase.generate], deadline=None,
                  suppress_health_check=list(HealthCheck), database=None, derandomize=not RANDOM)
        @given(operation.as_strategy(generation_mode=mode))
        def check(case):
            # the token goes in unless the case made its own Authorization header or left it out on purpose
            own = "Authorization" in (case.headers or {}) or case.operation.schema.is_security_param_negated(case)
            case.call_and_validate(base_url=base_url, headers={} if own else {"Authorization": f"Bearer {fuzz_token}"},
                                   excluded_checks=[positive_data_acceptance])

        try:
            check()
        except Unsatisfiable:  # nothing of this operation can be made invalid (no parameters, no body)
            assert mode == GenerationMode.NEGATIVE, operation.path
        except (Exception, BaseExceptionGroup) as error:  # collect every operation's failure, then report them together
            failures.append(f"{operation.method.upper()} {operation.path}: {str(error)[:600]}")
    assert not failures, f"{len(failures)} operations failed:\n" + "\n\n".join(failures)


@pytest.mark.skipif(not RANDOM, reason="the stateful phase runs in make fuzz")
def test_stateful_links(schema, base_url, fuzz_token):
    machine = schema.as_state_machine()

    class Gongjian(machine):  # type: ignore[misc, valid-type]
        def get_call_kwargs(self, case):
            return {"base_url": base_url, "headers": {"Authorization": f"Bearer {fuzz_token}"}}

        def validate_response(self, response, case, additional_checks=None, **kwargs):
            case.validate_response(response, additional_checks=additional_checks, excluded_checks=[positive_data_acceptance],
                                   transport_kwargs=kwargs or None, recorder=getattr(self, "recorder", None))

    Gongjian.run(settings=settings(max_examples=EXAMPLES_PER_OPERATION, deadline=None, database=None,
                                   suppress_health_check=list(HealthCheck), stateful_step_count=8))
