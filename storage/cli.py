"""`tawasul db upgrade`: bring the database of DATABASE_URL to the current schema.
`tawasul db new-key`: print a new data key (put it first in TAWASUL_DATA_KEY, keep the old ones after it).
`tawasul db rotate-key`: rewrite every sealed value and ID hash under the newest data key; afterwards the
older keys may be dropped from TAWASUL_DATA_KEY."""

from __future__ import annotations

import argparse

from storage.db import database_url, get_engine
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
    sub.add_parser("new-key", help="print a new data key for TAWASUL_DATA_KEY")
    sub.add_parser("rotate-key", help="re-seal every sealed value under the newest key of TAWASUL_DATA_KEY")
    args = parser.parse_args(argv)
    if args.action == "upgrade":
        upgrade(revision=args.revision, verbose=True)
        print(f"database at {_redacted(database_url())} is at {args.revision}")
    elif args.action == "new-key":
        from cryptography.fernet import Fernet

        print(Fernet.generate_key().decode())
    elif args.action == "rotate-key":
        from storage.reseal import reseal_all
        from storage.sealed import keys

        upgrade()
        with get_engine().begin() as conn:
            counts = reseal_all(conn)
        rows = ", ".join(f"{name} {n}" for name, n in counts.items())
        print(f"re-sealed under the newest of {len(keys())} key(s): {rows} row(s) rewritten")
    return 0
