"""Command line for local work and auditors.

    python -m functions.cli token --tenant gangbei --sub <user id or name>  (make token SUB=…: from the directory)
    python -m functions.cli token --tenant gangbei --role district_admin   (make token ROLE=…: claims as given)
    python -m functions.cli verify-export FOLDER [--key-file K]            (make verify-export)

`token` prints the token alone on the last line of stdout; `verify-export` exits 1 if anything differs.
"""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from functions import local_issuer
from functions.tenancy import ROLES


def _list(value: str | None) -> list[str]:
    return [v for v in (value or "").split(",") if v]


def verify_export(folder: Path, key_file: Path | None) -> int:
    from functions.exports import verify
    from functions.exports.jobs import signing_key

    key = key_file.read_text().strip().encode() if key_file else signing_key()
    problems = verify.check(folder, key)
    for problem in problems:
        print(f"FAIL {problem}")
    if not problems:
        print(f"OK {folder}: every file matches manifest.json, and its signature is valid")
    return 1 if problems else 0


def directory_token(tenant: str, who: str, ttl: int) -> int:
    """A token of a user of the tenant's directory, its claims built from the record as the pre-token
    trigger builds them in AWS (and their first token makes an invited user active, as there)."""
    from functions.accounts import users

    user = users.record(tenant, who) or users.find_by_name(tenant, who)
    if user is None:
        print(f"no user {who!r} in tenant {tenant!r} (give an id or an exact name; see GET /v1/users)", file=sys.stderr)
        return 1
    if user["status"] == "disabled":
        print(f"user {user['name']} is disabled", file=sys.stderr)
        return 1
    users.signed_in(tenant, user["id"])
    claims = users.claims(tenant, user)
    print(f"{user['name']} ({user['id']}): {', '.join(user['roles'])}", file=sys.stderr)
    print(local_issuer.mint(user["id"], claims.pop("roles"), tenant=claims.pop("tenant"), ttl_seconds=ttl,
                            **{k: v for k, v in claims.items() if k != "uid"}))
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="functions.cli")
    commands = parser.add_subparsers(dest="command", required=True)
    token = commands.add_parser("token", help="mint a local token")
    token.add_argument("--role", choices=ROLES, help="claims as given; without it, --sub names a user of the directory")
    token.add_argument("--tenant", default="")
    token.add_argument("--sub", default="")
    token.add_argument("--communities", default="")
    token.add_argument("--grids", default="")
    token.add_argument("--audit-tenants", default="")
    token.add_argument("--ttl", type=int, default=12 * 3600, help="seconds")
    check = commands.add_parser("verify-export", help="check a downloaded export against its signed manifest")
    check.add_argument("folder", type=Path)
    check.add_argument("--key-file", type=Path, help="file holding the signing key (default: the stage's key)")
    document = commands.add_parser("openapi", help="write /v1/openapi.json to a file")
    document.add_argument("target", type=Path)
    args = parser.parse_args(argv)
    if args.command == "verify-export":
        return verify_export(args.folder, args.key_file)
    if args.command == "openapi":
        from functions import openapi

        args.target.write_text(json.dumps(openapi.document(), ensure_ascii=False, indent=1), encoding="utf-8")
        return 0
    if not args.role:
        if not (args.tenant and args.sub):
            parser.error("give --tenant and --sub (a user's id or name), or --role")
        return directory_token(args.tenant, args.sub, args.ttl)
    if args.role not in ("platform_admin", "auditor") and not args.tenant:
        parser.error(f"--tenant is required for role {args.role}")
    sub = args.sub or f"{args.role}@{args.tenant or 'platform'}"
    print(local_issuer.mint(sub, [args.role], tenant=args.tenant or None, ttl_seconds=args.ttl,
                            communities=_list(args.communities), grids=_list(args.grids),
                            audit_tenants=_list(args.audit_tenants)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
