"""The blob store (S3): every object key starts with `tenants/<tenant>/`, every object is encrypted.

The client is made on first use so that routes that never touch S3 do not pay for it.
"""
from __future__ import annotations

from functools import lru_cache
from typing import Any

from functions import config


def client() -> Any:
    """The S3 client: the stack's own, or — while a tenant is in scope in AWS — the tenant's."""
    from functions import tenant_credentials

    return _client_for(tenant_credentials.current())


@lru_cache(maxsize=64)
def _client_for(scoped: Any) -> Any:
    import boto3
    from botocore.config import Config

    from functions import tenant_credentials

    return boto3.client("s3", region_name=config.REGION, endpoint_url=config.S3_ENDPOINT,
                        config=Config(signature_version="s3v4", s3={"addressing_style": "path"}),
                        **tenant_credentials.boto_kwargs(scoped))


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


SSE = "AES256"
DOWNLOAD_SECONDS = 300
UPLOAD_SECONDS = 900


def put(key: str, body: bytes, content_type: str) -> None:
    """Store bytes, encrypted at rest. Raises on any S3 failure (callers write no record then)."""
    client().put_object(Bucket=config.BUCKET, Key=key, Body=body, ContentType=content_type, ServerSideEncryption=SSE)


def presigned_put(key: str, content_type: str) -> tuple[str, dict[str, str]]:
    """A short-lived URL the client PUTs the bytes to, and the headers it must send with them."""
    headers = {"Content-Type": content_type, "x-amz-server-side-encryption": SSE}
    url = client().generate_presigned_url("put_object", ExpiresIn=UPLOAD_SECONDS, HttpMethod="PUT", Params={
        "Bucket": config.BUCKET, "Key": key, "ContentType": content_type, "ServerSideEncryption": SSE})
    return url, headers


def presigned_get(key: str, filename: str | None = None) -> str:
    params: dict[str, Any] = {"Bucket": config.BUCKET, "Key": key}
    if filename:
        from urllib.parse import quote

        params["ResponseContentDisposition"] = f"attachment; filename*=UTF-8''{quote(filename)}"
    return client().generate_presigned_url("get_object", ExpiresIn=DOWNLOAD_SECONDS, Params=params)


def size_and_sha256(key: str) -> tuple[int, str] | None:
    """Size and SHA-256 of a stored object, read as a stream; None if there is no such object."""
    import hashlib

    from botocore.exceptions import ClientError

    try:
        obj = client().get_object(Bucket=config.BUCKET, Key=key)
    except ClientError as exc:
        if exc.response.get("Error", {}).get("Code") in ("NoSuchKey", "404"):
            return None
        raise
    digest, size = hashlib.sha256(), 0
    for chunk in obj["Body"].iter_chunks(1024 * 1024):
        digest.update(chunk)
        size += len(chunk)
    return size, digest.hexdigest()


def copy(source_key: str, target_key: str) -> None:
    client().copy_object(Bucket=config.BUCKET, Key=target_key, CopySource={"Bucket": config.BUCKET, "Key": source_key},
                         ServerSideEncryption=SSE, MetadataDirective="COPY")


def delete(key: str) -> None:
    client().delete_object(Bucket=config.BUCKET, Key=key)


def read(key: str) -> bytes:
    return client().get_object(Bucket=config.BUCKET, Key=key)["Body"].read()


def exists(key: str) -> bool:
    from botocore.exceptions import ClientError

    try:
        client().head_object(Bucket=config.BUCKET, Key=key)
        return True
    except ClientError as exc:
        if exc.response.get("Error", {}).get("Code") in ("404", "NoSuchKey", "NotFound"):
            return False
        raise
