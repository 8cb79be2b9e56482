"""Command line for local work: `python -m functions.cli token --tenant gangbei --role district_admin`.

Prints the token alone on the last line of stdout (what `make token` shows).
"""
from __future__ import annotations

import argparse

from functions import local_issuer
from functions.tenancy import ROLES


def _list(value: str | None) -> list[str]:
    return [v for v in (value or "").split(",") if v]


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="functions.cli")
    commands = parser.add_subparsers(dest="command", required=True)
    token = commands.add_parser("token", help="mint a local token")
    token.add_argument("--role", required=True, choices=ROLES)
    token.add_argument("--tenant", default="")
    token.add_argument("--sub", default="")
    token.add_argument("--communities", default="")
    token.add_argument("--grids", default="")
    token.add_argument("--audit-tenants", default="")
    token.add_argument("--ttl", type=int, default=12 * 3600, help="seconds")
    args = parser.parse_args(argv)
    if args.role not in ("platform_admin", "auditor") and not args.tenant:
        parser.error(f"--tenant is required for role {args.role}")
    sub = args.sub or f"{args.role}@{args.tenant or 'platform'}"
    print(local_issuer.mint(sub, [args.role], tenant=args.tenant or None, ttl_seconds=args.ttl,
                            communities=_list(args.communities), grids=_list(args.grids),
                            audit_tenants=_list(args.audit_tenants)))


if __name__ == "__main__":
    main()
