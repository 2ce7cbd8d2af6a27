"""One association's month in figures, for the board and its managers: volume by channel and service,
requests answered within the policy's deadline, the satisfaction trend with the beneficiaries' comments,
and how long complaints took to resolve. Counted in the association's own time zone; no personal data
(rating comments are shown without who wrote them, as the ratings page does).

    >>> with transaction() as tx:                                           # doctest: +SKIP
    ...     monthly(tx, "esrar", 2026, 11, now)["deadline"]
    {'decided': 12, 'on_time': 10, 'late': 2, 'no_deadline': 0, 'rate': 83.3, 'open_overdue': 1}
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from datetime import UTC, date, datetime, timedelta
from statistics import median
from typing import Any
from zoneinfo import ZoneInfo

from babel.dates import format_date
from sqlmodel import Session, col, func, select

from bot.flows.complaint import CATEGORIES
from bot.lang.calendar import both_calendars, hijri, local_date
from bot.lang.i18n import translator
from bot.staff.reads import OPEN_REQUESTS, org_today, request_status_in, service_name
from orgs.loader import OrgNotFound, load_org
from storage.models import Complaint, Handoff, Rating, ServiceRequest, StatusChange, as_utc

DECIDED = ("accepted", "rejected", "delivered", "closed")  # a decision told to the beneficiary
TREND_MONTHS = 6
COMMENTS = 30
CHANNEL_AR = {"whatsapp": "واتساب", "sms": "رسائل نصية", "telegram": "تيليجرام", "console": "المحادثة التجريبية",
              "web": "الموقع"}
_MONTH = re.compile(r"^(\d{4})-(0[1-9]|1[0-2])$")


def parse_month(text: str) -> tuple[int, int]:
    """'2026-11' -> (2026, 11); ValueError otherwise."""
    found = _MONTH.match((text or "").strip())
    if not found:
        raise ValueError("الشهر بصيغة سنة-شهر، مثل 2026-11")
    return int(found.group(1)), int(found.group(2))


def _tz(org: str) -> ZoneInfo:
    try:
        return ZoneInfo(load_org(org).timezone)
    except OrgNotFound:
        return ZoneInfo("Asia/Riyadh")


def month_bounds(org: str, year: int, month: int) -> tuple[datetime, datetime]:
    """[start, end) of the month in the association's time zone, as UTC moments (naive-free)."""
    tz = _tz(org)
    start = datetime(year, month, 1, tzinfo=tz)
    end = datetime(year + month // 12, month % 12 + 1, 1, tzinfo=tz)
    return start.astimezone(UTC), end.astimezone(UTC)


def _shift(year: int, month: int, by: int) -> tuple[int, int]:
    total = year * 12 + month - 1 + by
    return total // 12, total % 12 + 1


def period_text(year: int, month: int) -> dict[str, str]:
    """The month in both calendars: its first and last day in Gregorian and Hijri (Umm al-Qura)."""
    first = date(year, month, 1)
    last = date(*_shift(year, month, 1), 1) - timedelta(days=1)
    return {"from": first.isoformat(), "to": last.isoformat(), "from_text": both_calendars(first),
            "to_text": both_calendars(last), "title": format_date(first, "MMMM y", locale="ar_SA"),
            "hijri": f"{hijri(first)} – {hijri(last)}"}


def category_ar(key: str) -> str:
    labels = dict(CATEGORIES)
    return translator("ar").t(labels[key]) if key in labels else key


def _volume(tx: Session, org: str, start: datetime, end: datetime) -> dict[str, Any]:
    in_month = (ServiceRequest.org_slug == org, col(ServiceRequest.submitted_at) >= start,
                col(ServiceRequest.submitted_at) < end)
    by_channel = dict(tx.exec(select(ServiceRequest.channel, func.count()).where(*in_month)
                              .group_by(col(ServiceRequest.channel))).all())
    by_service = dict(tx.exec(select(ServiceRequest.service_id, func.count()).where(*in_month)
                              .group_by(col(ServiceRequest.service_id))).all())
    complaints = dict(tx.exec(select(Complaint.channel, func.count()).where(
        Complaint.org_slug == org, col(Complaint.created_at) >= start, col(Complaint.created_at) < end)
        .group_by(col(Complaint.channel))).all())
    handoffs = tx.exec(select(func.count()).select_from(Handoff).where(
        Handoff.org_slug == org, col(Handoff.opened_at) >= start, col(Handoff.opened_at) < end)).one()
    channels = sorted(set(by_channel) | set(complaints))
    return {
        "by_channel": [{"channel": c, "label": CHANNEL_AR.get(c, c), "requests": int(by_channel.get(c, 0)),
                        "complaints": int(complaints.get(c, 0))} for c in channels],
        "by_service": sorted(({"service": s, "label": service_name(org, s), "requests": int(n)}
                              for s, n in by_service.items()), key=lambda row: -row["requests"]),
        "requests": int(sum(by_channel.values())), "complaints": int(sum(complaints.values())),
        "handoffs": int(handoffs),
    }


def _deadline(tx: Session, org: str, start: datetime, end: datetime, now: datetime) -> dict[str, Any]:
    """Requests first decided in the month, and whether each decision came by its due date."""
    first = (select(StatusChange.request_id, func.min(StatusChange.at).label("at"))
             .where(col(StatusChange.status).in_(DECIDED)).group_by(col(StatusChange.request_id)).subquery())
    rows = tx.exec(select(col(ServiceRequest.due_date), first.c.at).join(first, first.c.request_id == ServiceRequest.id)
                   .where(ServiceRequest.org_slug == org, first.c.at >= start, first.c.at < end)).all()
    tz = _tz(org).key
    on_time = late = undated = 0
    for due, at in rows:
        if due is None:
            undated += 1
        elif local_date(as_utc(at), tz) <= due:
            on_time += 1
        else:
            late += 1
    overdue = tx.exec(select(func.count()).select_from(ServiceRequest).where(
        ServiceRequest.org_slug == org, request_status_in(OPEN_REQUESTS),
        col(ServiceRequest.due_date) < min(org_today(org, now), local_date(end, tz)))).one()
    dated = on_time + late
    try:
        policy = load_org(org).deadline.text.get("ar")
    except OrgNotFound:
        policy = ""
    return {"decided": len(rows), "on_time": on_time, "late": late, "no_deadline": undated,
            "rate": round(100 * on_time / dated, 1) if dated else None, "open_overdue": int(overdue),
            "policy": policy}


def _satisfaction(tx: Session, org: str, year: int, month: int) -> dict[str, Any]:
    first = _shift(year, month, -(TREND_MONTHS - 1))
    start, _ = month_bounds(org, *first)
    m_start, end = month_bounds(org, year, month)
    rows = tx.exec(select(Rating.score, Rating.created_at).where(
        Rating.org_slug == org, col(Rating.created_at) >= start, col(Rating.created_at) < end)).all()
    tz = _tz(org).key
    scores: dict[str, list[int]] = defaultdict(list)
    declined: Counter[str] = Counter()
    for score, at in rows:
        key = local_date(as_utc(at), tz).strftime("%Y-%m")
        if score is None:
            declined[key] += 1
        else:
            scores[key].append(score)
    months = []
    for i in range(TREND_MONTHS):
        key = "{:04d}-{:02d}".format(*_shift(*first, i))
        given = scores.get(key, [])
        months.append({"month": key, "count": len(given), "declined": declined[key],
                       "average": round(sum(given) / len(given), 2) if given else None})
    comments = tx.exec(select(Rating, ServiceRequest.service_id).join(
        ServiceRequest, col(Rating.request_id) == col(ServiceRequest.id), isouter=True).where(
        Rating.org_slug == org, col(Rating.created_at) >= m_start, col(Rating.created_at) < end,
        col(Rating.comment).is_not(None)).order_by(col(Rating.created_at).desc()).limit(COMMENTS)).all()
    this = months[-1]
    return {"months": months, "count": this["count"], "average": this["average"],
            "comments": [{"score": r.score, "comment": r.comment, "at": as_utc(r.created_at).isoformat(),
                          "service": service_name(org, s) if s else ("استبانة" if r.survey_id else "عام")}
                         for r, s in comments if (r.comment or "").strip()]}


def _complaints(tx: Session, org: str, start: datetime, end: datetime) -> dict[str, Any]:
    """Complaints resolved in the month: days from filing to resolution, overall and by category."""
    rows = tx.exec(select(Complaint.category, Complaint.created_at, Complaint.updated_at).where(
        Complaint.org_slug == org, Complaint.status == "resolved", col(Complaint.updated_at) >= start,
        col(Complaint.updated_at) < end)).all()
    days = [(cat, (as_utc(done) - as_utc(filed)).total_seconds() / 86400) for cat, filed, done in rows]
    by_category: dict[str, list[float]] = defaultdict(list)
    for cat, d in days:
        by_category[cat].append(d)
    still_open = tx.exec(select(func.count()).select_from(Complaint).where(
        Complaint.org_slug == org, Complaint.status != "resolved", col(Complaint.created_at) < end)).one()
    every = [d for _, d in days]
    return {"resolved": len(days), "open": int(still_open),
            "average_days": round(sum(every) / len(every), 1) if every else None,
            "median_days": round(median(every), 1) if every else None,
            "by_category": [{"category": c, "label": category_ar(c), "count": len(v),
                             "average_days": round(sum(v) / len(v), 1)} for c, v in sorted(by_category.items())],
            "buckets": _buckets(every)}


def _buckets(days: list[float]) -> list[dict[str, Any]]:
    edges = ((0, 1, "أقل من يوم"), (1, 3, "1–3 أيام"), (3, 7, "3–7 أيام"), (7, 15, "7–15 يومًا"),
             (15, 10**6, "أكثر من 15 يومًا"))
    return [{"label": label, "count": sum(lo <= d < hi for d in days)} for lo, hi, label in edges]


def monthly(tx: Session, org: str, year: int, month: int, now: datetime) -> dict[str, Any]:
    """The month's report of one association (JSON-able; charts and the PDF are drawn from it)."""
    start, end = month_bounds(org, year, month)
    try:
        name = load_org(org).name.get("ar")
    except OrgNotFound:
        name = org
    return {
        "org": org, "org_name": name, "month": f"{year:04d}-{month:02d}", "period": period_text(year, month),
        "generated_at": as_utc(now).isoformat(), "generated_text": both_calendars(org_today(org, now)),
        "volume": _volume(tx, org, start, end), "deadline": _deadline(tx, org, start, end, now),
        "satisfaction": _satisfaction(tx, org, year, month), "complaints": _complaints(tx, org, start, end),
    }
