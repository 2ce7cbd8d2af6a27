"""Timers from each association's policy, and the daily digest of what is late for its manager.

A request's timer is its reply deadline in the association's working days (`due_date`, set from the
profile's `deadline:` when the request was complete); a handed-off conversation's timer is the staff's
first answer, due `handoff_first_response_minutes` after the handoff opened (the profile's target). The
digest is a row per association and day (`late_digest`, unique), written by `tawasul serve`'s periodic
loop (hourly; the first run of each day in the association's time zone writes it) and by `tawasul staff
digest`; managers read it in the console (/staff/timers), the API (GET /staff/api/digest) and the CLI.
It holds references, services and counts only, never personal data.

    >>> with transaction() as tx:                                            # doctest: +SKIP
    ...     late_work(tx, "esrar", now)["totals"]
    {'requests': 3, 'handoffs': 1, 'privacy': 0}
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from typing import Any

from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, func, select

from bot.staff.reads import (
    OPEN_REQUESTS,
    by_deadline,
    org_today,
    request_status_in,
    service_name,
    working_days_left,
)
from orgs.loader import OrgNotFound, all_orgs, load_org
from storage.db import transaction
from storage.models import AuditLog, Handoff, LateDigest, PrivacyRequest, ServiceRequest, as_utc
from storage.queries import audit

DIGEST_ACTOR = "digest"
LIST_CAP = 200  # rows of each list a digest keeps; its totals count them all
DEFAULT_RESPONSE_MINUTES = 120


def response_target(org_slug: str) -> int:
    """Minutes allowed for the first staff answer in a handoff (the profile's target)."""
    try:
        return load_org(org_slug).handoff_first_response_minutes
    except OrgNotFound:
        return DEFAULT_RESPONSE_MINUTES


def first_responses(tx: Session, handoffs: Sequence[Handoff]) -> dict[int, datetime]:
    """When staff first answered each handoff (its first `handoff_reply` audit row): one grouped query."""
    ids = {f"H{h.id}": h.id for h in handoffs if h.id is not None}
    if not ids:
        return {}
    rows = tx.exec(select(AuditLog.target, func.min(AuditLog.at))
                   .where(col(AuditLog.target).in_(list(ids)), AuditLog.action == "handoff_reply")
                   .group_by(col(AuditLog.target))).all()
    return {ids[target]: as_utc(at) for target, at in rows if target in ids and at is not None}


def handoff_timer(h: Handoff, answered: datetime | None, now: datetime) -> dict[str, Any]:
    """{target_minutes, first_response_at, response_minutes, minutes_left, late} of one handoff.

    Before the first answer, `minutes_left` counts down (negative once late); after it, `response_minutes`
    is how long the beneficiary waited, and `late` whether that passed the target.
    """
    target = response_target(h.org_slug)
    opened = as_utc(h.opened_at)
    if answered is not None:
        waited = int((answered - opened).total_seconds() // 60)
        return {"target_minutes": target, "first_response_at": answered.isoformat(), "response_minutes": waited,
                "minutes_left": None, "late": waited > target}
    if h.status != "open":
        return {"target_minutes": target, "first_response_at": None, "response_minutes": None,
                "minutes_left": None, "late": False}
    left = target - int((as_utc(now) - opened).total_seconds() // 60)
    return {"target_minutes": target, "first_response_at": None, "response_minutes": None,
            "minutes_left": left, "late": left < 0}


def open_handoff_timers(tx: Session, org: str | None, now: datetime, limit: int = LIST_CAP) -> list[dict[str, Any]]:
    """Open handoffs, oldest first, each with its first-response timer (no personal data)."""
    query = select(Handoff).where(Handoff.status == "open")
    if org:
        query = query.where(Handoff.org_slug == org)
    rows = tx.exec(query.order_by(col(Handoff.opened_at), col(Handoff.id)).limit(limit)).all()
    answered = first_responses(tx, rows)
    return [{"id": f"H{h.id}", "org": h.org_slug, "officer": h.officer, "reason": h.reason,
             "opened_at": as_utc(h.opened_at).isoformat(), **handoff_timer(h, answered.get(h.id or 0), now)}
            for h in rows]


def request_timers(tx: Session, org: str | None, now: datetime, *, late_only: bool = False,
                   limit: int = LIST_CAP) -> list[dict[str, Any]]:
    """Open requests, soonest deadline first, with working days left (negative: late)."""
    query = select(ServiceRequest).where(request_status_in(OPEN_REQUESTS))
    if org:
        query = query.where(ServiceRequest.org_slug == org)
    if late_only:
        query = query.where(col(ServiceRequest.due_date) < _earliest_today(org, now))
    out: list[dict[str, Any]] = []
    for r in by_deadline(tx, query, limit=limit):
        today = org_today(r.org_slug, now)
        if r.due_date is None:
            if late_only:
                continue
            out.append({"reference": r.reference, "org": r.org_slug, "service": r.service_id,
                        "service_name": service_name(r.org_slug, r.service_id), "status": r.status,
                        "due_date": None, "working_days_left": None, "late": False})
            continue
        left = working_days_left(r.org_slug, today, r.due_date)
        late = r.due_date < today
        if late_only and not late:
            continue
        out.append({"reference": r.reference, "org": r.org_slug, "service": r.service_id,
                        "service_name": service_name(r.org_slug, r.service_id), "status": r.status,
                    "due_date": r.due_date.isoformat(), "working_days_left": left, "late": late})
    return out


def _earliest_today(org: str | None, now: datetime) -> date:
    """The latest 'today' of any association (a request due before it may be late somewhere)."""
    if org:
        return org_today(org, now)
    return max(org_today(slug, now) for slug in all_orgs()) if all_orgs() else now.date()


def late_work(tx: Session, org: str, now: datetime) -> dict[str, Any]:
    """What is late in one association now: requests past their deadline, handoffs past the first-response
    target with no answer, personal-data requests past their 30 days; each list capped, the totals exact."""
    today = org_today(org, now)
    requests = request_timers(tx, org, now, late_only=True)
    late_requests = select(func.count()).select_from(ServiceRequest).where(
        ServiceRequest.org_slug == org, request_status_in(OPEN_REQUESTS), col(ServiceRequest.due_date) < today)
    handoffs = [h for h in open_handoff_timers(tx, org, now, limit=10 * LIST_CAP) if h["late"]]
    privacy = tx.exec(select(PrivacyRequest).where(PrivacyRequest.org_slug == org, PrivacyRequest.status == "open",
                                                   col(PrivacyRequest.due_date) < today)
                      .order_by(col(PrivacyRequest.due_date)).limit(LIST_CAP)).all()
    late_privacy = select(func.count()).select_from(PrivacyRequest).where(
        PrivacyRequest.org_slug == org, PrivacyRequest.status == "open", col(PrivacyRequest.due_date) < today)
    return {
        "org": org, "day": today.isoformat(), "requests": requests, "handoffs": handoffs[:LIST_CAP],
        "privacy": [{"reference": p.reference, "kind": p.kind, "due_date": p.due_date.isoformat(),
                     "days_late": (today - p.due_date).days} for p in privacy],
        "totals": {"requests": int(tx.exec(late_requests).one()), "handoffs": len(handoffs),
                   "privacy": int(tx.exec(late_privacy).one())},
    }


def write_digest(tx: Session, org: str, now: datetime) -> tuple[LateDigest, bool]:
    """Today's digest of `org` (in its own time zone): the stored one, or a new one (created=True)."""
    today = org_today(org, now)
    found = tx.exec(select(LateDigest).where(LateDigest.org_slug == org, LateDigest.day == today)).first()
    if found is not None:
        return found, False
    digest = LateDigest(org_slug=org, day=today, body=late_work(tx, org, now), created_at=now)
    try:
        with tx.begin_nested():  # another process may write the same day's digest first: keep theirs
            tx.add(digest)
    except IntegrityError:
        return tx.exec(select(LateDigest).where(LateDigest.org_slug == org, LateDigest.day == today)).one(), False
    audit(tx, DIGEST_ACTOR, "late_digest", org, now, org_slug=org, totals=digest.body["totals"])
    return digest, True


def write_digests(engine: Engine, now: datetime) -> list[str]:
    """Each association's digest for its today, if not yet written (the periodic job); the orgs written."""
    written = []
    for slug in sorted(all_orgs()):
        with transaction(engine) as tx:
            if write_digest(tx, slug, now)[1]:
                written.append(slug)
    return written


def latest_digest(tx: Session, org: str, day: date | None = None) -> LateDigest | None:
    query = select(LateDigest).where(LateDigest.org_slug == org)
    if day is not None:
        query = query.where(LateDigest.day == day)
    return tx.exec(query.order_by(col(LateDigest.day).desc())).first()


def minutes_text(minutes: int) -> str:
    """'45 دقيقة', '3 ساعات و10 دقائق' (Arabic, for staff)."""
    minutes = abs(minutes)
    hours, rest = divmod(minutes, 60)
    if not hours:
        return f"{rest} دقيقة"
    h = "ساعة" if hours == 1 else "ساعتان" if hours == 2 else f"{hours} ساعات" if hours <= 10 else f"{hours} ساعة"
    return h + (f" و{rest} دقيقة" if rest else "")


def digest_text(body: dict[str, Any]) -> str:
    """The digest as staff read it on the command line (Arabic)."""
    totals = body.get("totals", {})
    lines = [(f"ملخص المتأخرات لجمعية {body.get('org')} ليوم {body.get('day')}: طلبات {totals.get('requests', 0)}، "
             f"محادثات بلا رد أول {totals.get('handoffs', 0)}، طلبات بيانات شخصية {totals.get('privacy', 0)}")]
    lines += [f"  طلب {r['reference']} ({r['service']}) موعده {r['due_date']}، متأخر {abs(r['working_days_left'])} يوم عمل"
              for r in body.get("requests", [])]
    lines += [f"  محادثة {h['id']} بلا رد منذ {minutes_text(h['target_minutes'] - h['minutes_left'])}"
              for h in body.get("handoffs", [])]
    lines += [f"  طلب بيانات {p['reference']} متأخر {p['days_late']} يوم" for p in body.get("privacy", [])]
    return "\n".join(lines)
