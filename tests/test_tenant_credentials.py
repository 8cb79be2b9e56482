"""In AWS every tenant's data is reached with that tenant's scoped credentials (TenantDataRole,
tagged with the tenant): here STS is stubbed, DynamoDB Local and the S3 server are real, and we
check which credentials each call was signed with."""
from __future__ import annotations

from datetime import datetime, timedelta, UTC

import botocore.client
import pytest
from botocore.stub import ANY, Stubber

from conftest import make_structure, make_tenant, token
from functions import config, tenant_credentials

ROLE = "arn:aws:iam::123456789012:role/gongjian-prod-TenantDataRole"


@pytest.fixture
def scoped_role(monkeypatch):
    monkeypatch.setattr(config, "TENANT_ROLE_ARN", ROLE)
    tenant_credentials._cache.clear()
    yield
    tenant_credentials._cache.clear()


def credentials_for(tenant):
    return {"Credentials": {"AccessKeyId": f"ASIA{tenant.upper().replace('-', '')[:12]:X<16}",
                            "SecretAccessKey": "secret", "SessionToken": f"token-{tenant}",
                            "Expiration": datetime.now(UTC) + timedelta(hours=1)}}


def test_each_tenant_is_reached_with_its_own_tagged_credentials(api, platform_token, scoped_role, monkeypatch):
    a, b = make_tenant(api, platform_token), make_tenant(api, platform_token)
    signed_with: list[tuple[str, str]] = []
    original = botocore.client.BaseClient._make_api_call

    def spy(self, operation, params):
        if self.meta.service_model.service_name in ("dynamodb", "s3"):
            signed_with.append((operation, self._request_signer._credentials.access_key))
        return original(self, operation, params)

    sts = tenant_credentials._sts()
    with Stubber(sts) as stub:
        for tenant in (a, b):  # one AssumeRole per tenant, tagged with it; then cached
            stub.add_response("assume_role", credentials_for(tenant), {
                "RoleArn": ROLE, "RoleSessionName": f"gongjian-{tenant}", "DurationSeconds": 3600,
                "Tags": [{"Key": "tenant", "Value": tenant}]})
        monkeypatch.setattr(botocore.client.BaseClient, "_make_api_call", spy)
        make_structure(api, token("district_admin", a))
        a_calls = list(signed_with)
        signed_with.clear()
        assert api.get("/v1/streets", token("district_admin", b)).status == 200
        b_calls = list(signed_with)
        assert api.get("/v1/streets", token("district_admin", a)).status == 200  # cached: no third AssumeRole
        stub.assert_no_pending_responses()
    assert a_calls and {key for _, key in a_calls} == {credentials_for(a)["Credentials"]["AccessKeyId"]}
    assert any(op == "TransactWriteItems" for op, _ in a_calls)
    assert {key for _, key in b_calls} == {credentials_for(b)["Credentials"]["AccessKeyId"]}


def test_without_a_role_nothing_changes(api, admin):
    assert config.TENANT_ROLE_ARN is None
    assert tenant_credentials.current() is None
    assert api.get("/v1/streets", admin).status == 200


def test_scope_ends_with_the_request(api, admin, scoped_role):
    sts = tenant_credentials._sts()
    with Stubber(sts) as stub:
        stub.add_response("assume_role", credentials_for("x"), {"RoleArn": ROLE, "RoleSessionName": ANY,
                                                                "DurationSeconds": 3600, "Tags": ANY})
        assert api.get("/v1/streets", admin).status == 200
    assert tenant_credentials._scope.get() is None and tenant_credentials.current() is None
