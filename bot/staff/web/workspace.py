"""The staff workspace's scoped actions, shared by the API, the console and `tawasul staff`: timers and
the late digest, the monthly report (managers), field visits' outcomes and field-site notices.

Each checks the caller's association and role as the rest of the staff side does (another association's
record is "not found", another association's filter is refused) and writes its audit row.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlmodel import Session

from bot.staff import fieldwork, timers
from bot.staff.actions import StaffError
from bot.staff.auth import Principal
from bot.staff.report_schemas import (
    DigestOut,
    HandoffTimer,
    RequestTimer,
    SiteNoticeOut,
    SiteOut,
    TimersOut,
    VisitOutcomeOut,
)
from bot.staff.reports import monthly, parse_month
from bot.staff.web.errors import BadInput, Forbidden, NotFound
from bot.staff.web.requests import find_request, scope_org
from bot.turn.profiles import current_profile
from orgs.loader import all_orgs
from storage.models import SiteNotice, as_utc
from storage.queries import audit


def require_manager(who: Principal) -> None:
    if not who.is_manager:
        raise Forbidden("هذه الصفحة للإدارة فقط", "managers_only")


def one_org(who: Principal, org: str | None) -> str:
    """The one association a report or notice is about: the caller's own, or the one named."""
    org = scope_org(who, org)
    if not org:
        raise BadInput("حدد الجمعية (org)", "org_required")
    if org not in all_orgs():
        raise NotFound(f"لا توجد جمعية باسم {org}")
    return org


def timers_of(tx: Session, who: Principal, now: datetime, org: str | None = None) -> TimersOut:
    org = scope_org(who, org)
    out = TimersOut(requests=[RequestTimer(**r) for r in timers.request_timers(tx, org, now)],
                    handoffs=[HandoffTimer(**h) for h in timers.open_handoff_timers(tx, org, now)])
    audit(tx, who.username, "list_timers", org, now, org_slug=org, requests=len(out.requests),
          handoffs=len(out.handoffs))
    return out


def digest_of(tx: Session, who: Principal, now: datetime, org: str | None = None, day: date | None = None,
              write: bool = False) -> DigestOut:
    """The stored digest of one association (a day's, else the latest); `write`: today's, made if missing."""
    require_manager(who)
    org = one_org(who, org)
    found = timers.write_digest(tx, org, now)[0] if write else timers.latest_digest(tx, org, day)
    if found is None:
        raise NotFound("لا يوجد ملخص متأخرات لهذا اليوم بعد")
    audit(tx, who.username, "read_late_digest", org, now, org_slug=org, day=found.day.isoformat())
    return DigestOut(org=found.org_slug, day=found.day, created_at=as_utc(found.created_at), body=found.body)


def monthly_report(tx: Session, who: Principal, now: datetime, org: str | None, month: str | None) -> dict[str, Any]:
    """The month's report of one association (managers); the current month by default."""
    require_manager(who)
    org = one_org(who, org)
    try:
        year, number = parse_month(month) if month else (now.year, now.month)
    except ValueError as exc:
        raise BadInput(str(exc), "bad_month") from exc
    report = monthly(tx, org, year, number, now)
    audit(tx, who.username, "monthly_report", org, now, org_slug=org, month=report["month"])
    return report


def visit_outcome(tx: Session, who: Principal, reference: str, visited: bool, outcome: str,
                  now: datetime) -> VisitOutcomeOut:
    req = find_request(tx, who, reference)
    try:
        change = fieldwork.record_visit_outcome(tx, req.reference, visited=visited, outcome=outcome,
                                                actor=who.username, now=now)
    except StaffError as exc:
        raise BadInput(str(exc)) from exc
    return VisitOutcomeOut(reference=req.reference, visited=visited, at=as_utc(change.at))


def sites_of(tx: Session, who: Principal, now: datetime, org: str | None = None) -> list[SiteOut]:
    org = one_org(who, org)
    counts = fieldwork.site_counts(tx, org)
    names = {s.id: s.name.get("ar") for s in current_profile(tx, org).field_sites}
    return [SiteOut(site=s, name=names[s], contacts=n) for s, n in counts.items()]


def notice_out(n: SiteNotice) -> SiteNoticeOut:
    return SiteNoticeOut(id=n.id or 0, org=n.org_slug, site=n.site, text=n.text, template=n.template, actor=n.actor,
                         counts={k: int(v) for k, v in n.counts.items()}, created_at=as_utc(n.created_at))


def site_notice(tx: Session, who: Principal, site: str, text: str, template: str | None, now: datetime,
                org: str | None = None) -> SiteNoticeOut:
    org = one_org(who, org)
    try:
        fieldwork.send_site_notice(tx, org, site, text, template=(template or "").strip() or None,
                                   actor=who.username, now=now)
    except StaffError as exc:
        raise BadInput(str(exc)) from exc
    return notice_out(fieldwork.notices(tx, org, limit=1)[0])


def site_notices(tx: Session, who: Principal, now: datetime, org: str | None = None) -> list[SiteNoticeOut]:
    org = one_org(who, org)
    return [notice_out(n) for n in fieldwork.notices(tx, org)]
