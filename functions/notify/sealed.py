"""Secrets the API takes and never gives back (robot signing secrets, webhook secrets), stored
encrypted: with KMS in AWS (`SECRETS_KEY_ID`), locally with AES-GCM under a key file in `.local/`.
The tenant id is bound in as context, so a sealed secret copied to another tenant does not open."""
from __future__ import annotations

import base64
import os

from functions import config


def _local_key() -> bytes:
    return bytes.fromhex(config.secret(None, "secrets.key").decode())


def seal(tenant: str, plain: str) -> str:
    if config.SECRETS_KEY_ID:
        from functions import aws

        blob = aws.client("kms").encrypt(KeyId=config.SECRETS_KEY_ID, Plaintext=plain.encode(),
                                         EncryptionContext={"tenant": tenant})["CiphertextBlob"]
        return "kms:" + base64.b64encode(blob).decode()
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM

    nonce = os.urandom(12)
    return "local:" + base64.b64encode(nonce + AESGCM(_local_key()).encrypt(nonce, plain.encode(), tenant.encode())).decode()


def unseal(tenant: str, sealed: str) -> str:
    scheme, _, body = sealed.partition(":")
    blob = base64.b64decode(body)
    if scheme == "kms":
        from functions import aws

        return aws.client("kms").decrypt(CiphertextBlob=blob, EncryptionContext={"tenant": tenant})["Plaintext"].decode()
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM

    return AESGCM(_local_key()).decrypt(blob[:12], blob[12:], tenant.encode()).decode()
