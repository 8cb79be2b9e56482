"""Check a downloaded export folder: every file against the manifest, and the manifest's signature.

    python -m functions.cli verify-export path/to/folder [--key-file K]   (or: make verify-export DIR=…)

The folder holds the files, `manifest.json` and `manifest.json.sig`. The key is the stage's export
signing key (`GONGJIAN_EXPORT_SIGNING_KEY`, or locally `.local/export-signing.key`). Exits 0 when
everything matches, 1 otherwise, printing what differs (the command lives in functions.cli).
"""
from __future__ import annotations

import hashlib
import hmac
import json
from pathlib import Path


def check(folder: Path, key: bytes) -> list[str]:
    """Problems found (empty when the export is intact and signed with `key`)."""
    problems = []
    manifest_bytes = (folder / "manifest.json").read_bytes()
    signature = (folder / "manifest.json.sig").read_text().strip()
    if not hmac.compare_digest(hmac.new(key, manifest_bytes, hashlib.sha256).hexdigest(), signature):
        problems.append("manifest.json: signature does not match")
    for entry in json.loads(manifest_bytes)["files"]:
        path = folder / entry["name"]
        if not path.exists():
            problems.append(f"{entry['name']}: missing")
            continue
        data = path.read_bytes()
        if len(data) != entry["bytes"]:
            problems.append(f"{entry['name']}: {len(data)} bytes, manifest says {entry['bytes']}")
        if hashlib.sha256(data).hexdigest() != entry["sha256"]:
            problems.append(f"{entry['name']}: SHA-256 differs from the manifest")
    return problems
