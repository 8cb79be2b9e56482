"""The blob store (S3): every object key starts with `tenants/<tenant>/`, every object is encrypted.

The client is made on first use so that routes that never touch S3 do not pay for it.
"""
from __future__ import annotations

from functools import lru_cache
from typing import Any

from functions import config


@lru_cache(maxsize=1)
def client() -> Any:
    import boto3
    from botocore.config import Config

    return boto3.client("s3", region_name=config.REGION, endpoint_url=config.S3_ENDPOINT,
                        config=Config(signature_version="s3v4", s3={"addressing_style": "path"}))


def tenant_key(tenant: str, *parts: str) -> str:
    return "/".join(("tenants", tenant, *parts))


def ensure_bucket() -> None:
    """Create the bucket with default encryption if missing (local stack; CloudFormation in AWS)."""
    s3 = client()
    existing = {b["Name"] for b in s3.list_buckets().get("Buckets", [])}
    if config.BUCKET not in existing:
        kwargs: dict[str, Any] = {"Bucket": config.BUCKET}
        if config.REGION != "us-east-1":
            kwargs["CreateBucketConfiguration"] = {"LocationConstraint": config.REGION}
        s3.create_bucket(**kwargs)
    s3.put_bucket_encryption(Bucket=config.BUCKET, ServerSideEncryptionConfiguration={
        "Rules": [{"ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "AES256"}}]})
