"""One botocore session per container, and one client per service and set of credentials, shared by
every PynamoDB model, the transaction path, the tenant-profile read and S3.

Creating a botocore client costs tens of milliseconds (it loads the service model); PynamoDB would
make one per model class and boto3 one more per session, so a cold request paid for several.
"""
from __future__ import annotations

from functools import lru_cache
from typing import Any

from functions import config

# PynamoDB's defaults for the client it would have made itself (retries as `max_retry_attempts=3`).
DYNAMODB_CONFIG = {"parameter_validation": False, "connect_timeout": 15, "read_timeout": 30, "max_pool_connections": 10,
                   "retries": {"total_max_attempts": 4, "mode": "standard"}}


@lru_cache(maxsize=1)
def session() -> Any:
    """The container's botocore session (credentials, endpoints and service models loaded once)."""
    from botocore.session import get_session

    return get_session()


@lru_cache(maxsize=64)
def client(service: str, scoped: Any = None) -> Any:
    """The shared client for `service` ("dynamodb", "s3", "s3-unchecked", "sts", "cognito-idp"): with the stack's own credentials, or a tenant's scoped ones
    (`functions.tenant_credentials`; a new set after each refresh makes a new client)."""
    from botocore.config import Config

    from functions import tenant_credentials

    options: dict[str, Any] = {"region_name": config.REGION, **tenant_credentials.boto_kwargs(scoped)}
    if service == "dynamodb":
        options.update(endpoint_url=config.DYNAMODB_ENDPOINT, config=Config(**DYNAMODB_CONFIG))
    elif service == "dynamodbstreams":  # only the local stack reads a stream itself (Lambda does in AWS)
        options.update(endpoint_url=config.DYNAMODB_ENDPOINT)
    elif service in ("s3", "s3-unchecked"):  # "s3-unchecked": reads that skip S3's stored checksum
        validation = "when_required" if service == "s3-unchecked" else "when_supported"
        options.update(endpoint_url=config.S3_ENDPOINT, config=Config(
            signature_version="s3v4", s3={"addressing_style": "path"}, response_checksum_validation=validation))
        service = "s3"
    elif service == "sqs":
        options.update(endpoint_url=config.SQS_ENDPOINT)
    elif service == "cognito-idp":  # a pool id is "<region>_<id>": the pool's region, not the stage's
        options.update(endpoint_url=config.COGNITO_ENDPOINT, region_name=(config.USER_POOL_ID or config.REGION).split("_")[0])
    return session().create_client(service, **options)
