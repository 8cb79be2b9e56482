"""Signed digests of each tenant's audit-chain head, kept outside the audit table.

Every five minutes (`audit-seal` in app.py) the chain's head, if it moved, is sealed into a digest:

    audit-digests/<tenant>/<seq:012d>.json      the exact bytes that were signed
    audit-digests/<tenant>/<seq:012d>.json.sig  ECDSA P-256 over SHA-256 of those bytes (DER)
    audit-digests/<tenant>/latest.json          a copy of the newest, its signature in the object's
                                                metadata (`signature`, base64), for verify and the sealer

A digest names the previous one by its SHA-256, so digests form a chain of their own. The chain is
cumulative: the newest digest matching the chain at its `seq` vouches for every entry before it. The key is
one the app's writers cannot use: in AWS an asymmetric KMS key only the sealer's role may sign with
(`GONGJIAN_AUDIT_SIGNING_KEY_ID`), and the digests go to a bucket with S3 Object Lock in compliance
mode (`GONGJIAN_AUDIT_DIGEST_BUCKET`); locally a key file `.local/audit-signing.pem` and the stack's
bucket. An outside auditor checks a digest with the public key alone:

    openssl dgst -sha256 -verify audit-public.pem -signature 000000000042.json.sig 000000000042.json
"""
from __future__ import annotations

import base64
import hashlib
import json
import os
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec

from functions import aws, config
from functions.audit import chain
from functions.ids import now_iso

FORMAT = "gongjian-audit-digest/1"
ALGORITHM = "ECDSA_P256_SHA256"


@dataclass(frozen=True)
class Digest:
    body: dict[str, Any]
    raw: bytes
    signature: bytes

    @property
    def seq(self) -> int:
        return int(self.body["seq"])


def prefix(tenant: str) -> str:
    """`audit-digests/<tenant>/`. A district id that has digests is never given to a new district
    (`in_use`), so these are always this district's."""
    return f"audit-digests/{tenant}/"


def in_use(tenant: str) -> bool:
    """Whether digests were ever sealed for this district id (an offboarded district's stay locked)."""
    return latest(tenant) is not None


def _bucket() -> str:
    return config.AUDIT_DIGEST_BUCKET or config.BUCKET


# --- the key ----------------------------------------------------------------------------------

@lru_cache(maxsize=1)
def _local_key() -> ec.EllipticCurvePrivateKey:
    path = config.LOCAL_DIR / "audit-signing.pem"
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        key = ec.generate_private_key(ec.SECP256R1())
        tmp = path.with_suffix(f".{os.getpid()}.tmp")
        tmp.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                          serialization.NoEncryption()))
        tmp.replace(path)
    loaded = serialization.load_pem_private_key(path.read_bytes(), password=None)
    assert isinstance(loaded, ec.EllipticCurvePrivateKey)
    return loaded


def _sign(message: bytes) -> bytes:
    if config.AUDIT_SIGNING_KEY_ID:
        answer = aws.client("kms").sign(KeyId=config.AUDIT_SIGNING_KEY_ID, Message=hashlib.sha256(message).digest(),
                                        MessageType="DIGEST", SigningAlgorithm="ECDSA_SHA_256")
        return bytes(answer["Signature"])
    return _local_key().sign(message, ec.ECDSA(hashes.SHA256()))


@lru_cache(maxsize=1)
def public_key_pem() -> str:
    """The public half of the signing key, PEM (SubjectPublicKeyInfo)."""
    if config.AUDIT_SIGNING_KEY_ID:
        der = aws.client("kms").get_public_key(KeyId=config.AUDIT_SIGNING_KEY_ID)["PublicKey"]
        key = serialization.load_der_public_key(bytes(der))
    else:
        key = _local_key().public_key()
    return key.public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo).decode()


def public_key() -> dict[str, Any]:
    pem = public_key_pem()
    return {"algorithm": ALGORITHM, "public_key_pem": pem,
            "public_key_sha256": hashlib.sha256(pem.encode()).hexdigest(), "format": FORMAT}


def signature_holds(digest: Digest, pem: str) -> bool:
    key = serialization.load_pem_public_key(pem.encode())
    assert isinstance(key, ec.EllipticCurvePublicKey)
    try:
        key.verify(digest.signature, digest.raw, ec.ECDSA(hashes.SHA256()))
    except InvalidSignature:
        return False
    return True


# --- sealing ----------------------------------------------------------------------------------

def seal(tenant: str) -> dict[str, Any] | None:
    """Sign and store a digest of the tenant's head if it moved since the latest one; returns its body.

    The latest digest is read from the bucket itself (`latest.json`), so nothing a writer of the
    tables can change decides what is sealed or what the next one names. Before signing, the chain
    must still hold the latest digest's hash at its `seq` and link from there to the head: a chain
    rewritten since is refused (`ChainBroken`, which fails the scheduled run and raises the alarm)
    rather than sealed. Two overlapping runs may both seal; each digest is valid on its own."""
    head = chain.read_head(tenant)
    if head.seq == 0:
        return None
    last = latest(tenant)
    if last is not None and last.seq >= head.seq:
        return None
    _require_continuity(tenant, last, head)
    digest = signed(tenant, head, {"seq": last.seq, "sha256": hashlib.sha256(last.raw).hexdigest()} if last else None)
    s3 = aws.client("s3")
    where = f"{prefix(tenant)}{head.seq:012d}.json"
    s3.put_object(Bucket=_bucket(), Key=where + ".sig", Body=digest.signature, ContentType="application/octet-stream")
    s3.put_object(Bucket=_bucket(), Key=where, Body=digest.raw, ContentType="application/json")
    # the newest, body and signature in one object, so a reader never pairs one with the other's
    s3.put_object(Bucket=_bucket(), Key=f"{prefix(tenant)}latest.json", Body=digest.raw, ContentType="application/json",
                  Metadata={"signature": base64.b64encode(digest.signature).decode()})
    return digest.body


class ChainBroken(Exception):
    """The chain no longer holds what the latest digest sealed: it will not be sealed again."""


def _require_continuity(tenant: str, last: Digest | None, head: chain.Head) -> None:
    """The entries from the latest digest's `seq` to the head still hash and link as sealed."""
    start = last.seq if last is not None else 1
    expected = last.body.get("hash") if last is not None else None
    previous = chain.GENESIS
    for entry in chain.entries(tenant, start_seq=start):
        seq = int(entry.get("seq", 0))
        if seq > head.seq:
            break
        if expected is not None and seq == start:
            if entry.get("hash") != expected:
                raise ChainBroken(f"{tenant}: entry {seq} no longer has the hash digest {seq} sealed")
        elif entry.get("prev_hash") != previous:
            raise ChainBroken(f"{tenant}: entry {seq} does not link to entry {seq - 1}")
        if chain.entry_hash(entry) != entry.get("hash"):
            raise ChainBroken(f"{tenant}: entry {seq} does not match its hash")
        previous = entry["hash"]
        if seq == head.seq:
            if previous != head.hash:
                raise ChainBroken(f"{tenant}: the head disagrees with entry {seq}")
            return
    raise ChainBroken(f"{tenant}: entries up to the head ({head.seq}) are missing")


def signed(tenant: str, head: chain.Head, previous: dict[str, Any] | None) -> Digest:
    """A digest of `head`, naming the `previous` digest (`seq` and SHA-256 of its bytes), signed."""
    body = {"format": FORMAT, "tenant": tenant, "seq": head.seq, "hash": head.hash, "sealed_at": now_iso(),
            "previous": previous, "public_key_sha256": hashlib.sha256(public_key_pem().encode()).hexdigest()}
    raw = (chain.canonical(body) + "\n").encode()
    return Digest(body, raw, _sign(raw))


def latest(tenant: str) -> Digest | None:
    """The tenant's newest digest, body and signature from one object (one GET), or None."""
    s3 = aws.client("s3")
    try:
        answer = s3.get_object(Bucket=_bucket(), Key=f"{prefix(tenant)}latest.json")
    except s3.exceptions.NoSuchKey:
        return None
    raw = answer["Body"].read()
    return Digest(json.loads(raw), raw, base64.b64decode(answer.get("Metadata", {}).get("signature", "")))
