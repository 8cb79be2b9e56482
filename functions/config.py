"""Stage settings, read once from the environment.

Locally the stack scripts set these; in AWS the Chalice stage config does. Nothing else in
`functions/` reads `os.environ`, so one file says what a deployment can tune.
"""
from __future__ import annotations

import os
from pathlib import Path

STAGE: str = os.environ.get("GONGJIAN_STAGE", "local")
REGION: str = os.environ.get("AWS_REGION") or os.environ.get("AWS_DEFAULT_REGION") or "cn-north-1"
TABLE_PREFIX: str = os.environ.get("GONGJIAN_TABLE_PREFIX", f"gongjian-{STAGE}")
DYNAMODB_ENDPOINT: str | None = os.environ.get("GONGJIAN_DYNAMODB_ENDPOINT") or None
S3_ENDPOINT: str | None = os.environ.get("GONGJIAN_S3_ENDPOINT") or None
BUCKET: str = os.environ.get("GONGJIAN_BUCKET", f"gongjian-{STAGE}-data")

# Where local-only secrets live (issuer key, cursor key). Git-ignored; never used in AWS.
LOCAL_DIR: Path = Path(os.environ.get("GONGJIAN_LOCAL_DIR", Path(__file__).resolve().parent.parent / ".local"))

JWT_ISSUER: str = os.environ.get("GONGJIAN_JWT_ISSUER", "gongjian-local")
JWT_AUDIENCE: str = os.environ.get("GONGJIAN_JWT_AUDIENCE", "gongjian")
# In AWS: the Cognito user pool's JWKS URL. Locally: unset, and the local issuer's public key is used.
JWKS_URL: str | None = os.environ.get("GONGJIAN_JWKS_URL") or None

# In AWS: the Cognito user pool the user directory keeps in step (invitations, disabling). Unset
# locally, where the local issuer mints tokens from the same records (`make token SUB=<user>`);
# GONGJIAN_COGNITO_ENDPOINT points the calls at a local Cognito-compatible server in tests.
USER_POOL_ID: str | None = os.environ.get("GONGJIAN_USER_POOL_ID") or None
COGNITO_ENDPOINT: str | None = os.environ.get("GONGJIAN_COGNITO_ENDPOINT") or None

# In AWS: the role assumed per tenant (dynamodb:LeadingKeys on "<tenant>#"). Unset locally.
TENANT_ROLE_ARN: str | None = os.environ.get("GONGJIAN_TENANT_ROLE_ARN") or None

# Secret for signing list cursors. In AWS it comes from the stage's secrets; locally a file is made.
CURSOR_SECRET: str | None = os.environ.get("GONGJIAN_CURSOR_SECRET") or None

# Key for signing export manifests (HMAC-SHA256). In AWS from the stage's secrets; locally a file is made.
EXPORT_SIGNING_KEY: str | None = os.environ.get("GONGJIAN_EXPORT_SIGNING_KEY") or None

# How long a tenant profile (status, tier, time zone) is trusted in one Lambda container.
TENANT_CACHE_SECONDS: float = float(os.environ.get("GONGJIAN_TENANT_CACHE_SECONDS", "30"))

# The web client's origin for browser CORS (the stage config sets it); "*" locally.
CORS_ORIGIN: str = os.environ.get("GONGJIAN_CORS_ORIGIN", "*")

# The notification queue (SQS; a dead-letter queue after 3 receives). In AWS its URL comes from the
# stage; locally the queue is made by name on the local endpoint (the S3 server also serves SQS).
JOBS_QUEUE_URL: str | None = os.environ.get("GONGJIAN_JOBS_QUEUE_URL") or None
JOBS_QUEUE_NAME: str = f"{TABLE_PREFIX}-jobs"
NOTIFY_QUEUE_URL: str | None = os.environ.get("GONGJIAN_NOTIFY_QUEUE_URL") or None
NOTIFY_QUEUE_NAME: str = f"{TABLE_PREFIX}-notify"
SQS_ENDPOINT: str | None = os.environ.get("GONGJIAN_SQS_ENDPOINT") or None
# Seconds before a failed delivery is retried, doubled each time (tests set 0).
NOTIFY_RETRY_SECONDS: int = int(os.environ.get("GONGJIAN_NOTIFY_RETRY_SECONDS", "60"))
# KMS key that encrypts robot and webhook secrets in AWS; locally a key file under LOCAL_DIR.
SECRETS_KEY_ID: str | None = os.environ.get("GONGJIAN_SECRETS_KEY_ID") or None
# Audit digests: in AWS an asymmetric KMS key (ECC_NIST_P256) only the sealer may sign with, and an
# S3 Object Lock bucket; locally a key file under LOCAL_DIR and the stack's bucket.
AUDIT_SIGNING_KEY_ID: str | None = os.environ.get("GONGJIAN_AUDIT_SIGNING_KEY_ID") or None
# Chalice needs a stream ARN to declare the chainer; packaging swaps in the template's table stream.
AUDIT_STREAM_ARN: str = os.environ.get("GONGJIAN_AUDIT_STREAM_ARN",
                                       f"arn:aws:dynamodb:{REGION}:000000000000:table/{TABLE_PREFIX}-audit/stream/declared")
AUDIT_DIGEST_BUCKET: str | None = os.environ.get("GONGJIAN_AUDIT_DIGEST_BUCKET") or None
# SMS and email to people who chose them: Amazon SNS and SES in AWS when these are set; locally
# the sink's URLs (`make run` sets them), so a developer sees what would have been sent.
SMS_ENABLED: bool = os.environ.get("GONGJIAN_SMS_ENABLED") == "1"
EMAIL_FROM: str | None = os.environ.get("GONGJIAN_EMAIL_FROM") or None
SMS_SINK_URL: str | None = os.environ.get("GONGJIAN_SMS_SINK_URL") or None
EMAIL_SINK_URL: str | None = os.environ.get("GONGJIAN_EMAIL_SINK_URL") or None
# The console's address, for links in robot messages.
CONSOLE_URL: str = os.environ.get("GONGJIAN_CONSOLE_URL", "http://127.0.0.1:5173")

MAX_BODY_BYTES: int = 1024 * 1024
DEFAULT_TIMEZONE: str = "Asia/Shanghai"


def secret(configured: str | None, local_file: str) -> bytes:
    """A stage secret: the configured value in AWS; locally a random one kept in `.local/<file>`,
    made on first use (atomically, so parallel first runs agree)."""
    if configured:
        return configured.encode()
    import secrets

    path = LOCAL_DIR / local_file
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(f".{os.getpid()}.tmp")
        tmp.write_text(secrets.token_hex(32))
        tmp.replace(path)
    return path.read_text().strip().encode()
