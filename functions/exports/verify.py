"""Check a downloaded export folder: every file against the manifest, and the manifest's signature.

    python -m functions.exports.verify path/to/folder [--key-file K]   (or: make verify-export DIR=…)

The folder holds the files, `manifest.json` and `manifest.json.sig`. The key is the stage's export
signing key (`GONGJIAN_EXPORT_SIGNING_KEY`, or locally `.local/export-signing.key`). Exits 0 when
everything matches, 1 otherwise, printing what differs.
"""
from __future__ import annotations

import argparse
import hashlib
import hmac
import json
import sys
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


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="functions.exports.verify", description=__doc__.splitlines()[0])
    parser.add_argument("folder", type=Path)
    parser.add_argument("--key-file", type=Path, help="file holding the signing key (default: the stage's key)")
    args = parser.parse_args(argv)
    if args.key_file:
        key = args.key_file.read_text().strip().encode()
    else:
        from functions.exports.jobs import signing_key

        key = signing_key()
    problems = check(args.folder, key)
    for problem in problems:
        print(f"FAIL {problem}")
    if not problems:
        print(f"OK {args.folder}: every file matches manifest.json, and its signature is valid")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
