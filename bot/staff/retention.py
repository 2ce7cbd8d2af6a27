"""`tawasul privacy retention [--dry-run] [--org SLUG] [--json]`: apply each association's retention
policy (its profile's `retention:`, as staff last left it). `tawasul serve` runs the same once a day.

Every record whose content is cleared gets an audit row (actor "retention"): a request or complaint
by its reference, messages per contact with their count; never the cleared data. `--dry-run` prints
what would be cleared and changes nothing.

    $ tawasul privacy retention --dry-run
    esrar: messages_in 120, messages_out 130, requests 2 (ESR-1234-56782, ...), complaints 0
"""

from __future__ import annotations

import argparse
import json
import sys
from datetime import UTC, datetime
from typing import Any

from sqlalchemy.engine import Engine

from bot.turn.profiles import current_profile
from orgs.loader import all_orgs
from storage.db import get_engine, transaction
from storage.queries import audit
from storage.retention import Expired, expire

ACTOR = "retention"


def years_ago(now: datetime, years: int) -> datetime:
    try:
        return now.replace(year=now.year - years)
    except ValueError:  # 29 February
        return now.replace(year=now.year - years, day=28)


def months_ago(now: datetime, months: int) -> datetime:
    total = now.year * 12 + now.month - 1 - months
    year, month = divmod(total, 12)
    for day in (now.day, 30, 29, 28):
        try:
            return now.replace(year=year, month=month + 1, day=day)
        except ValueError:
            continue
    raise AssertionError(now)


def apply_retention(engine: Engine, now: datetime, *, dry_run: bool = False,
                    org: str | None = None) -> dict[str, Expired]:
    """Each association in its own transaction; what expired, per association."""
    report: dict[str, Expired] = {}
    for slug in sorted(all_orgs()) if org is None else [org]:
        with transaction(engine) as tx:
            policy = current_profile(tx, slug).retention
            done = expire(tx, slug, messages_before=months_ago(now, policy.messages_months),
                          requests_before=years_ago(now, policy.closed_requests_years),
                          complaints_before=years_ago(now, policy.resolved_complaints_years), dry_run=dry_run)
            if not dry_run:
                _audit(tx, slug, done, now, policy.model_dump())
        report[slug] = done
    return report


def _audit(tx: Any, slug: str, done: Expired, now: datetime, policy: dict[str, int]) -> None:
    for reference in done.requests:
        audit(tx, ACTOR, "retention_erase", reference, now, org_slug=slug, kind="request", policy=policy)
    for reference in done.complaints:
        audit(tx, ACTOR, "retention_erase", reference, now, org_slug=slug, kind="complaint", policy=policy)
    for contact_id, n in sorted(done.contacts.items()):
        audit(tx, ACTOR, "retention_erase", f"contact:{contact_id}", now, org_slug=slug, kind="messages",
              count=n, policy=policy)
    others = {k: v for k, v in done.counts.items() if k in ("conversations", "alerts")}
    if others:
        audit(tx, ACTOR, "retention_erase", slug, now, org_slug=slug, kind="other", counts=others, policy=policy)


def _text(report: dict[str, Expired], dry_run: bool) -> str:
    head = "سيُحذف (تجربة دون تنفيذ):" if dry_run else "حُذف بموجب سياسة الاحتفاظ:"
    lines = [head]
    for slug, done in report.items():
        counts = "، ".join(f"{k} {v}" for k, v in sorted(done.counts.items())) or "لا شيء"
        refs = " ".join(done.requests + done.complaints)
        lines.append(f"  {slug}: {counts}" + (f" ({refs})" if refs else "") + (f"، ملفات {done.files}" if done.files
                                                                              else ""))
    return "\n".join(lines)


def main(argv: list[str], now: datetime | None = None) -> int:
    parser = argparse.ArgumentParser(prog="tawasul privacy")
    sub = parser.add_subparsers(dest="action", required=True)
    run = sub.add_parser("retention", help="clear the personal data each association's retention policy expired")
    run.add_argument("--dry-run", action="store_true", help="print what would be cleared; change nothing")
    run.add_argument("--org")
    run.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)
    from orgs.loader import OrgNotFound
    from storage.migrate import upgrade

    upgrade()
    try:
        report = apply_retention(get_engine(), now or datetime.now(UTC), dry_run=args.dry_run, org=args.org)
    except OrgNotFound:
        print(f"خطأ: لا توجد جمعية بالرمز {args.org}", file=sys.stderr)
        return 1
    if args.json:
        print(json.dumps({slug: {"counts": d.counts, "requests": d.requests, "complaints": d.complaints,
                                 "files": d.files, "dry_run": args.dry_run} for slug, d in report.items()},
                         ensure_ascii=False))
    else:
        print(_text(report, args.dry_run))
    return 0
