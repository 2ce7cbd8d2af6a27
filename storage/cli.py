"""`tawasul db upgrade`: bring the database of DATABASE_URL to the current schema."""

from __future__ import annotations

import argparse

from storage.db import database_url
from storage.migrate import upgrade


def _redacted(url: str) -> str:
    # Never print a password that may sit in DATABASE_URL.
    if "@" in url and "://" in url:
        scheme, rest = url.split("://", 1)
        return f"{scheme}://***@{rest.split('@', 1)[1]}"
    return url


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="tawasul db")
    sub = parser.add_subparsers(dest="action", required=True)
    up = sub.add_parser("upgrade", help="apply migrations")
    up.add_argument("--revision", default="head")
    args = parser.parse_args(argv)
    if args.action == "upgrade":
        upgrade(revision=args.revision, verbose=True)
        print(f"database at {_redacted(database_url())} is at {args.revision}")
    return 0
