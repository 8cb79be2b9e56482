"""The blob store (S3): every object key starts with `tenants/<tenant>/`, every object is encrypted.

The bucket is versioned. What the product guarantees does not rest on the S3 in front of it (the
local stand-in checks no presigned signature, expiry or checksum): uploads sign the declared
SHA-256 and length, records pin the `VersionId` they verified, and every read of a pinned object
recomputes its SHA-256 before the bytes or a URL to them leave the app (`verify`).

The client is made on first use so that routes that never touch S3 do not pay for it.
"""
from __future__ import annotations

import base64
import hashlib
from typing import Any, NamedTuple

from functions import config
from functions.errors import IntegrityError, Text


def client(s3_checksum: bool = True) -> Any:
    """The S3 client: the stack's own, or — while a tenant is in scope in AWS — the tenant's. Its reads
    check the checksum S3 stored with an object; `s3_checksum=False` gives one that does not (to
    measure a staged upload whose stored checksum is only the client's claim)."""
    from functions import aws, tenant_credentials

    return aws.client("s3" if s3_checksum else "s3-unchecked", tenant_credentials.current())


def tenant_key(tenant: str, *parts: str) -> str:
    return "/".join(("tenants", tenant, *parts))


def ensure_bucket() -> None:
    """Create the bucket, versioned and with default encryption, if missing (local stack; CloudFormation
    in AWS). Versioning is what lets a record pin the exact bytes it verified."""
    s3 = client()
    existing = {b["Name"] for b in s3.list_buckets().get("Buckets", [])}
    if config.BUCKET not in existing:
        kwargs: dict[str, Any] = {"Bucket": config.BUCKET}
        if config.REGION != "us-east-1":
            kwargs["CreateBucketConfiguration"] = {"LocationConstraint": config.REGION}
        s3.create_bucket(**kwargs)
    s3.put_bucket_encryption(Bucket=config.BUCKET, ServerSideEncryptionConfiguration={
        "Rules": [{"ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "AES256"}}]})
    s3.put_bucket_versioning(Bucket=config.BUCKET, VersioningConfiguration={"Status": "Enabled"})


SSE = "AES256"
DOWNLOAD_SECONDS = 300
UPLOAD_SECONDS = 900


class Measured(NamedTuple):
    """What was actually read from S3: size, SHA-256 (hex) and the version that held them."""

    size: int
    sha256: str
    version_id: str | None


def sha256_b64(hex_digest: str) -> str:
    """The base64 form of a hex SHA-256, as S3 takes it in `x-amz-checksum-sha256`."""
    return base64.b64encode(bytes.fromhex(hex_digest)).decode()


def put(key: str, body: bytes, content_type: str) -> str | None:
    """Store bytes, encrypted at rest, with their SHA-256 so S3 refuses bytes altered on the way.
    Returns the new VersionId. Raises on any S3 failure (callers write no record then)."""
    checksum = sha256_b64(hashlib.sha256(body).hexdigest())
    answer = client().put_object(Bucket=config.BUCKET, Key=key, Body=body, ContentType=content_type,
                                 ServerSideEncryption=SSE, ChecksumSHA256=checksum)
    return answer.get("VersionId")


def presigned_put(key: str, content_type: str, *, size: int, sha256: str) -> tuple[str, dict[str, str]]:
    """A short-lived URL the client PUTs exactly the declared bytes to, and the headers it must send.

    The declared SHA-256 (`x-amz-checksum-sha256`) and length (`content-length`) are signed headers:
    S3 refuses a body with other bytes or another length, and an edited header breaks the signature.
    HTTP clients set Content-Length themselves, so it is not among the headers returned."""
    checksum = sha256_b64(sha256)
    headers = {"Content-Type": content_type, "x-amz-server-side-encryption": SSE,
               "x-amz-checksum-sha256": checksum, "x-amz-sdk-checksum-algorithm": "SHA256"}
    url = client().generate_presigned_url("put_object", ExpiresIn=UPLOAD_SECONDS, HttpMethod="PUT", Params={
        "Bucket": config.BUCKET, "Key": key, "ContentType": content_type, "ServerSideEncryption": SSE,
        "ContentLength": size, "ChecksumAlgorithm": "SHA256", "ChecksumSHA256": checksum})
    return url, headers


def presigned_get(key: str, filename: str | None = None, version_id: str | None = None) -> str:
    """A short-lived download URL; with `version_id` it serves that version only, whatever is put later."""
    params: dict[str, Any] = {"Bucket": config.BUCKET, "Key": key}
    if version_id:
        params["VersionId"] = version_id
    if filename:
        from urllib.parse import quote

        params["ResponseContentDisposition"] = f"attachment; filename*=UTF-8''{quote(filename)}"
    return client().generate_presigned_url("get_object", ExpiresIn=DOWNLOAD_SECONDS, Params=params)


MISSING = ("NoSuchKey", "NoSuchVersion", "404")


def _error_code(exc: Exception) -> str:
    return getattr(exc, "response", {}).get("Error", {}).get("Code", "")


def _get(key: str, version_id: str | None, s3_checksum: bool = True) -> Any:
    """GetObject, by default with S3's own checksum check on (botocore raises if the bytes miss the
    checksum S3 stored with them)."""
    kwargs: dict[str, Any] = {"Bucket": config.BUCKET, "Key": key}
    if s3_checksum:
        kwargs["ChecksumMode"] = "ENABLED"
    if version_id:
        kwargs["VersionId"] = version_id
    return client(s3_checksum).get_object(**kwargs)


def size_and_sha256(key: str, version_id: str | None = None, *, s3_checksum: bool = True) -> Measured | None:
    """Size and SHA-256 of a stored object (that version, or the current one), read as a stream, with
    the version read; None if there is no such object. A body that fails S3's stored checksum is an
    IntegrityError: S3 itself no longer vouches for it. `s3_checksum=False` measures bytes whose
    stored checksum is only a client's claim (a staged upload, compared with its declaration)."""
    from botocore.exceptions import ClientError, FlexibleChecksumError

    try:
        obj = _get(key, version_id, s3_checksum)
        digest, size = hashlib.sha256(), 0
        for chunk in obj["Body"].iter_chunks(1024 * 1024):
            digest.update(chunk)
            size += len(chunk)
    except ClientError as exc:
        if _error_code(exc) in MISSING:
            return None
        raise
    except FlexibleChecksumError as exc:
        _tampered(key, version_id, "s3-checksum", None)
        raise IntegrityError() from exc
    return Measured(size, digest.hexdigest(), obj.get("VersionId"))


def verify(key: str, version_id: str | None, sha256: str, size: int | None = None) -> str | None:
    """Re-read the pinned version (the current one if the record predates pinning) and recompute its
    SHA-256: IntegrityError (409) and an error log line when it is missing or other bytes, so they
    are never served. Returns the version verified, to pin the URL or record to it."""
    measured = size_and_sha256(key, version_id)
    if measured is None:
        _tampered(key, version_id, "missing", None)
        raise IntegrityError(Text("记录所指的文件版本已不存在", "The recorded version of the file no longer exists"))
    if measured.sha256 != sha256 or (size is not None and measured.size != size):
        _tampered(key, version_id, "sha256-mismatch", measured)
        raise IntegrityError()
    return measured.version_id


def _tampered(key: str, version_id: str | None, reason: str, measured: Measured | None) -> None:
    """One error line for the operators (never the bytes)."""
    from functions.log import logger

    logger.error("stored object failed its integrity check", extra={
        "event": "object_integrity_failed", "reason": reason, "key": key, "version_id": version_id,
        "measured_sha256": measured.sha256 if measured else None, "measured_size": measured.size if measured else None})


def read(key: str, version_id: str | None = None, sha256: str | None = None) -> bytes:
    """The bytes of an object (that version); with `sha256`, only if they hash to it (else IntegrityError)."""
    from botocore.exceptions import FlexibleChecksumError

    try:
        body = _get(key, version_id)["Body"].read()
    except FlexibleChecksumError as exc:
        _tampered(key, version_id, "s3-checksum", None)
        raise IntegrityError() from exc
    measured = Measured(len(body), hashlib.sha256(body).hexdigest(), version_id)
    if sha256 is not None and measured.sha256 != sha256:
        _tampered(key, version_id, "sha256-mismatch", measured)
        raise IntegrityError()
    return body


def copy(source_key: str, target_key: str, source_version: str | None = None) -> str | None:
    """Copy exactly `source_version` (what was verified, not whatever was put since); S3 computes the
    copy's SHA-256 checksum. Returns the copy's VersionId."""
    source = {"Bucket": config.BUCKET, "Key": source_key, **({"VersionId": source_version} if source_version else {})}
    answer = client().copy_object(Bucket=config.BUCKET, Key=target_key, CopySource=source, ServerSideEncryption=SSE,
                                  MetadataDirective="COPY", ChecksumAlgorithm="SHA256")
    return answer.get("VersionId")


def delete(key: str, version_id: str | None = None) -> None:
    """Delete an object: that version for good, or (no version) hide it behind a delete marker."""
    client().delete_object(Bucket=config.BUCKET, Key=key, **({"VersionId": version_id} if version_id else {}))


def exists(key: str) -> bool:
    from botocore.exceptions import ClientError

    try:
        client().head_object(Bucket=config.BUCKET, Key=key)
        return True
    except ClientError as exc:
        if exc.response.get("Error", {}).get("Code") in ("404", "NoSuchKey", "NotFound"):
            return False
        raise
