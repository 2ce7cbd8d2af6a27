"""What staff read, one model for the command line, the API and the console: a request's or a privacy
request's summary with its deadline in the association's time zone, the work board, and one record in
full (personal data: audited, with a reason).

    >>> with transaction() as tx:                                       # doctest: +SKIP
    ...     board(tx, "esrar", actor="officer.general", now=utc_now())["requests"][0]["due_date"]
    '2026-12-13'
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import and_, bindparam, or_
from sqlmodel import Session, col, func, select

from bot.lang.calendar import both_calendars, is_working_day, local_date
from bot.staff.actions import StaffError
from bot.staff.auth import Principal
from bot.staff.masking import coarse, mask_address
from bot.staff.schemas import PrivacyOut, RequestSummary
from orgs.loader import OrgNotFound, all_orgs, load_org
from orgs.schema import HEALTH_FIELDS, HEALTH_TEXT_FIELDS
from storage.models import (
    OPEN_STATUSES,
    Complaint,
    Contact,
    Handoff,
    InboundRecord,
    Investigation,
    OutboundRecord,
    PrivacyRequest,
    ServiceRequest,
    StatusChange,
    UrgentAlert,
)
from storage.queries import audit, handoff_transcript

OPEN_REQUESTS = OPEN_STATUSES


def request_status_in(statuses: tuple[str, ...]) -> Any:
    """`status IN (...)` with the values written into the SQL: for the open statuses, exactly the condition
    of the partial indexes that keep open requests in deadline order (storage/models.py)."""
    return col(ServiceRequest.status).in_(bindparam("statuses", list(statuses), expanding=True,
                                                    literal_execute=True))


def by_deadline(tx: Session, query: Any, *, offset: int = 0, limit: int | None = None) -> list[ServiceRequest]:
    """The requests of `query`, soonest deadline first, those without a deadline last (by id).

    Two index-ordered reads instead of one sort of every match: the dated rows in (due_date, id) order,
    then, if the page is not full, the undated ones.
    """
    dated = query.where(col(ServiceRequest.due_date).is_not(None)).order_by(col(ServiceRequest.due_date),
                                                                             col(ServiceRequest.id))
    rows = list(tx.exec(dated.offset(offset).limit(limit)).all())
    if limit is not None and len(rows) >= limit:
        return rows
    skip = 0
    if offset and not rows:  # the page starts past the dated rows: skip as many undated ones as remain
        skip = offset - int(tx.exec(select(func.count()).select_from(dated.order_by(None).subquery())).one())
    undated = query.where(col(ServiceRequest.due_date).is_(None)).order_by(col(ServiceRequest.id)).offset(max(0, skip))
    if limit is not None:
        undated = undated.limit(limit - len(rows))
    return rows + list(tx.exec(undated).all())
MIN_REASON = 8  # letters, in at least two different words


def reason_ok(reason: str | None) -> bool:
    """A reason a person wrote ("اتصال المستفيد", "studying the request"), not "aaaaa" or "12345"."""
    words = [w for w in (reason or "").split() if any(c.isalpha() for c in w)]
    letters = sum(c.isalpha() for w in words for c in w)
    return len(set(words)) >= 2 and letters >= MIN_REASON and len({c for w in words for c in w}) >= 4


_DAYS_LEFT: dict[tuple[int, date, date], tuple[object, int]] = {}


def working_days_left(org_slug: str, today: date, due: date) -> int:
    """Working days from today to the due date (0 on the day itself); negative once it has passed.
    Remembered per (profile, today, due): a staff list asks it of hundreds of rows that share a few dates."""
    profile: object = None
    try:
        org = load_org(org_slug)
        profile, working = org, org.is_working_day
    except OrgNotFound:
        working = is_working_day  # the Saudi weekend, no holidays
    key = (id(profile), today, due)
    hit = _DAYS_LEFT.get(key)
    if hit is not None and hit[0] is profile:
        return hit[1]
    lo, hi, sign = (today, due, 1) if due >= today else (due, today, -1)
    count, day = 0, lo
    while day < hi:
        day += timedelta(days=1)
        count += working(day)
    if len(_DAYS_LEFT) > 8192:
        _DAYS_LEFT.clear()
    _DAYS_LEFT[key] = (profile, sign * count)
    return sign * count


def is_health_service(org_slug: str, service_id: str) -> bool:
    try:
        return load_org(org_slug).service(service_id).health_data
    except (OrgNotFound, KeyError):
        return True  # unknown service: treat as health data rather than leak it


def withhold_health(who: Principal, req: ServiceRequest) -> tuple[dict[str, Any], list[Any], list[str]]:
    """(data, documents, names withheld): a request's personal data as `who` may read it (R12)."""
    data = dict(req.data or {})
    documents = list(req.documents or [])
    withheld: list[str] = []
    if not who.sees_health:
        health = is_health_service(req.org_slug, req.service_id)
        withheld = sorted((HEALTH_FIELDS | (HEALTH_TEXT_FIELDS if health else frozenset())).intersection(data))
        for name in withheld:
            data.pop(name)
        if documents and health:
            # A health service's documents include the medical report; which one is not recorded.
            withheld.append(f"documents ({len(documents)})")
            documents = []
    return data, documents, withheld


def service_name(org_slug: str, service_id: str) -> str:
    try:
        return load_org(org_slug).service(service_id).name.get("ar")
    except (OrgNotFound, KeyError):
        return service_id


def org_today(org_slug: str, now: datetime) -> date:
    """Today in the association's own time zone (the one calendar every staff list counts deadlines in)."""
    try:
        return local_date(now, load_org(org_slug).timezone)
    except OrgNotFound:
        return local_date(now)


def past_due(org_column: Any, due_column: Any, org: str | None, now: datetime, *, late: bool = True) -> Any:
    """`due_column` before its association's own today (`late=False`: today or after): for one org, or for
    every org without asking the database which orgs it holds (a DISTINCT over every request). Orgs whose today
    is the same date share one condition; an org without a profile counts in the default time zone. With every
    association on the same date (one time zone, the usual case) it is `due < today`, which an index on the
    date serves alone. Neither matches a row without a date."""
    def compare(day: date) -> Any:
        return due_column < day if late else due_column >= day

    if org:
        return and_(org_column == org, compare(org_today(org, now)))
    default = local_date(now)
    on: dict[date, list[str]] = {}
    for slug in sorted(all_orgs()):
        on.setdefault(org_today(slug, now), []).append(slug)
    elsewhere = [slug for day, slugs in on.items() if day != default for slug in slugs]
    usual = compare(default) if not elsewhere else and_(org_column.not_in(elsewhere), compare(default))
    return or_(usual, *(and_(org_column.in_(slugs), compare(day)) for day, slugs in on.items() if day != default))


def summary(req: ServiceRequest, now: datetime) -> RequestSummary:
    today = org_today(req.org_slug, now)
    due = req.due_date
    open_ = req.status in OPEN_REQUESTS
    return RequestSummary(
        reference=req.reference, org=req.org_slug, service=req.service_id,
        service_name=service_name(req.org_slug, req.service_id), status=req.status, channel=req.channel,
        submitted_at=req.submitted_at, due_date=due, due_date_text=both_calendars(due, "ar") if due else None,
        working_days_left=working_days_left(req.org_slug, today, due) if due and open_ else None,
        overdue=bool(due and open_ and due < today),
    )


def privacy_out(p: PrivacyRequest, now: datetime) -> PrivacyOut:
    today = org_today(p.org_slug, now)
    open_ = p.status == "open"
    return PrivacyOut(reference=p.reference, org=p.org_slug, kind=p.kind, status=p.status, filed_at=p.created_at,
                      due_date=p.due_date, due_date_text=both_calendars(p.due_date, "ar"),
                      days_left=(p.due_date - today).days if open_ else None,
                      overdue=open_ and p.due_date < today)


UNDELIVERED_WINDOW = timedelta(days=7)


def board(tx: Session, org: str | None, actor: str, now: datetime,
          limit: int | None = None) -> dict[str, Any]:
    """Open work, soonest deadline first; no personal data (names, IDs, texts) in it.

    Each list is sorted and cut in SQL (`limit` rows each, None: all), its contacts and waiting counts
    fetched in one query for all rows; "totals" gives each list's full size, counted in SQL.
    """
    def scoped(query: Any, model: Any) -> Any:
        return query.where(model.org_slug == org) if org else query

    def cut(query: Any) -> Any:
        return query.limit(limit) if limit is not None else query

    queries = {
        "urgent": scoped(select(UrgentAlert), UrgentAlert).where(UrgentAlert.status == "open"),
        "handoffs": scoped(select(Handoff), Handoff).where(Handoff.status == "open"),
        "requests": scoped(select(ServiceRequest), ServiceRequest).where(request_status_in(OPEN_REQUESTS)),
        "complaints": scoped(select(Complaint), Complaint).where(Complaint.status != "resolved"),
        "privacy": scoped(select(PrivacyRequest), PrivacyRequest).where(PrivacyRequest.status == "open"),
        # Replies the outbox gave up on (or the provider reported undelivered) in the last week.
        "undelivered": scoped(select(OutboundRecord, Contact.address, Contact.org_slug), Contact)
        .join(Contact, col(Contact.id) == OutboundRecord.contact_id)
        .where(col(OutboundRecord.status).in_(("failed", "undelivered")),
               OutboundRecord.created_at >= now - UNDELIVERED_WINDOW),
    }
    alerts = tx.exec(cut(queries["urgent"].order_by(col(UrgentAlert.id).desc()))).all()
    handoffs = tx.exec(cut(queries["handoffs"].order_by(col(Handoff.id)))).all()
    requests = by_deadline(tx, queries["requests"], limit=limit)
    complaints = tx.exec(cut(queries["complaints"].order_by(col(Complaint.id)))).all()
    privacy = tx.exec(cut(queries["privacy"].order_by(col(PrivacyRequest.due_date), col(PrivacyRequest.id)))).all()
    undelivered = tx.exec(cut(queries["undelivered"].order_by(col(OutboundRecord.id).desc()))).all()
    addresses = _addresses(tx, {a.contact_id for a in alerts} | {h.contact_id for h in handoffs})
    waiting = _waiting(tx, [h.id for h in handoffs if h.id is not None])
    result: dict[str, Any] = {
        # Masked as in every list (the whole with `show alert:ID --reason`, audited).
        "urgent": [{"id": a.id, "org": a.org_slug, "contact": mask_address(addresses.get(a.contact_id, str(a.contact_id))),
                    "lat": coarse(a.latitude), "lon": coarse(a.longitude), "at": a.created_at.isoformat()}
                   for a in alerts],
        "handoffs": [{"id": f"H{h.id}", "org": h.org_slug,
                      "contact": mask_address(addresses.get(h.contact_id, str(h.contact_id))),
                      "officer": h.officer, "reason": h.reason, "opened_at": h.opened_at.isoformat(),
                      "waiting_messages": waiting.get(h.id or 0, 0)} for h in handoffs],
        "requests": [{"reference": r.reference, "org": r.org_slug, "service": r.service_id, "status": r.status,
                      "due_date": r.due_date.isoformat() if r.due_date else None,
                      "overdue": bool(r.due_date and r.due_date < org_today(r.org_slug, now))} for r in requests],
        "complaints": [{"reference": c.reference, "org": c.org_slug, "category": c.category, "status": c.status,
                        "committee": c.committee, "request": c.request_reference,
                        "filed": c.created_at.isoformat()} for c in complaints],
        "privacy": [{"reference": p.reference, "org": p.org_slug, "kind": p.kind, "due_date": p.due_date.isoformat(),
                     "overdue": p.due_date < org_today(p.org_slug, now)} for p in privacy],
        "undelivered": [{"id": o.id, "org": org_slug, "contact": mask_address(address), "channel": o.channel,
                         "status": o.status, "error": o.last_error, "written": o.created_at.isoformat()}
                        for o, address, org_slug in undelivered],
    }
    counts = {k: len(v) for k, v in result.items()}
    totals = counts if limit is None else {k: _count(tx, q) for k, q in queries.items()}
    result["totals"] = totals
    audit(tx, actor, "list", org, now, org_slug=org, counts=counts)
    return result


def _count(tx: Session, query: Any) -> int:
    return int(tx.exec(select(func.count()).select_from(query.subquery())).one())


def _addresses(tx: Session, ids: set[int]) -> dict[int, str]:
    if not ids:
        return {}
    rows = tx.exec(select(Contact.id, Contact.address).where(col(Contact.id).in_(ids))).all()
    return {cid: address for cid, address in rows if cid is not None}


def _waiting(tx: Session, handoff_ids: list[int]) -> dict[int, int]:
    """Per handoff, the messages the beneficiary sent since staff last acted: one grouped query."""
    if not handoff_ids:
        return {}
    rows = tx.exec(select(Handoff.id, func.count(col(InboundRecord.id)))
                   .join(InboundRecord, and_(col(InboundRecord.contact_id) == col(Handoff.contact_id),
                                             col(InboundRecord.received_at) > col(Handoff.last_activity_at)))
                   .where(col(Handoff.id).in_(handoff_ids)).group_by(col(Handoff.id))).all()
    return {hid: int(n) for hid, n in rows if hid is not None}


def _address(tx: Session, contact_id: int) -> str:
    contact = tx.get(Contact, contact_id)
    return contact.address if contact else str(contact_id)


def _since(tx: Session, contact_id: int, moment: datetime) -> int:
    count = tx.exec(select(func.count()).select_from(InboundRecord)
                    .where(InboundRecord.contact_id == contact_id, col(InboundRecord.received_at) > moment)).one()
    return int(count)


def show(tx: Session, reference: str, reason: str, who: Principal, now: datetime) -> dict[str, Any]:
    """A request, complaint or handoff in full, with personal data as `who` may read it (their associations
    only; health data only for the roles allowed); the reason is stored in the audit log."""
    if not reason_ok(reason):
        raise StaffError("عرض البيانات الشخصية يتطلب ذكر السبب (--reason)")
    key = reference.strip().upper()
    missing = StaffError(f"لا يوجد سجل بالرقم {key}")  # another association's record is not told apart
    withheld: list[str] = []
    req = tx.exec(select(ServiceRequest).where(ServiceRequest.reference == key)).first()
    if req is not None:
        if not who.may_see(req.org_slug):
            raise missing
        history = tx.exec(select(StatusChange).where(StatusChange.request_id == req.id)
                          .order_by(col(StatusChange.id))).all()
        data, documents, withheld = withhold_health(who, req)
        record: dict[str, Any] = {
            "kind": "request", "reference": req.reference, "org": req.org_slug, "service": req.service_id,
            "status": req.status, "data": data, "documents": documents, "channel": req.channel,
            "on_behalf_of": req.on_behalf_of, "withheld": withheld,
            "submitted_at": req.submitted_at.isoformat(), "due_date": req.due_date.isoformat() if req.due_date else None,
            "history": [{"status": h.status, "note": h.note, "actor": h.actor, "at": h.at.isoformat()} for h in history],
        }
    else:
        record = _complaint_or_handoff(tx, key, who, missing)
        withheld = record.get("withheld", [])
    target = f"alert:{key[6:]}" if key.startswith("ALERT:") else key
    audit(tx, who.username, "show_personal_data", target, now, reason=reason.strip(), withheld=withheld, via="cli")
    return record


def _complaint_or_handoff(tx: Session, key: str, who: Principal, missing: StaffError) -> dict[str, Any]:
    complaint = tx.exec(select(Complaint).where(Complaint.reference == key)).first()
    if complaint is not None:
        if not who.may_see(complaint.org_slug):
            raise missing
        records = tx.exec(select(Investigation).where(Investigation.complaint_id == complaint.id)).all()
        about = tx.exec(select(ServiceRequest).where(ServiceRequest.reference == complaint.request_reference)
                        ).first() if complaint.request_reference else None
        # A complaint about a health service's request may tell of the illness (R12), as in the API.
        hide = not who.sees_health and about is not None and is_health_service(about.org_slug, about.service_id)
        return {
            "kind": "complaint", "reference": complaint.reference, "category": complaint.category,
            "details": "" if hide else complaint.details, "attachments": [] if hide else complaint.attachments,
            "withheld": ["details", "attachments"] if hide else [], "status": complaint.status,
            "outcome": complaint.outcome, "committee": complaint.committee, "request": complaint.request_reference,
            "contact": _address(tx, complaint.contact_id),
            "investigations": [{"held_on": r.held_on.isoformat(), "committee": r.committee, "harm_found": r.harm_found,
                                "harm_size": r.harm_size, "causes": r.causes,
                                "compensation": r.compensation_decision} for r in records],
        }
    if key.startswith("ALERT:") and key[6:].isdigit():
        alert = tx.get(UrgentAlert, int(key[6:]))
        if alert is not None and who.may_see(alert.org_slug):
            return {"kind": "alert", "id": alert.id, "org": alert.org_slug, "contact": _address(tx, alert.contact_id),
                    "lat": alert.latitude, "lon": alert.longitude, "text": alert.text, "status": alert.status,
                    "at": alert.created_at.isoformat()}
    if key.lstrip("H").isdigit():
        found = tx.get(Handoff, int(key.lstrip("H")))
        if found is not None and who.may_see(found.org_slug):
            messages = handoff_transcript(tx, found)
            return {"kind": "handoff", "id": f"H{found.id}", "contact": _address(tx, found.contact_id),
                    "status": found.status, "officer": found.officer, "reason": found.reason,
                    "messages": [{"at": m.received_at.isoformat(), "text": m.text} for m in messages]}
    raise missing
