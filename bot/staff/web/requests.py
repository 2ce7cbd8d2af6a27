"""Service requests as staff see them: scoped to their associations, deadlines in working days, and
personal data only with a stated reason (audited), health fields only for the roles allowed (R12).

    >>> with transaction() as tx:                                               # doctest: +SKIP
    ...     personal_data(tx, who, "ESR-1234-56782", "متابعة اتصال المستفيد", now)
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, TypeVar

from sqlalchemy import false, or_
from sqlalchemy.orm import load_only
from sqlmodel import Session, col, func, select

from bot.staff import actions as staffops
from bot.staff import visits
from bot.staff.actions import StaffError
from bot.staff.auth import Principal
from bot.staff.reads import (
    OPEN_REQUESTS,
    by_deadline,
    past_due,
    reason_ok,
    request_status_in,
    summary,
    withhold_health,
)
from bot.staff.schemas import (
    HistoryItem,
    PersonalData,
    RequestDetail,
    RequestSummary,
    StatusOut,
    VisitOut,
)
from bot.staff.web.errors import BadInput, Forbidden, NotFound
from storage.models import Contact, ServiceRequest, StatusChange
from storage.queries import audit

SUMMARY_COLUMNS = load_only(*(getattr(ServiceRequest, name) for name in (
    "id", "reference", "org_slug", "service_id", "status", "channel", "submitted_at", "due_date")))

Referenced = TypeVar("Referenced")


def scope_org(who: Principal, org: str | None) -> str | None:
    """The org filter a caller may use: their own, or any when they serve every association."""
    if org and not who.may_see(org):
        raise Forbidden("لا تملك صلاحية على هذه الجمعية", "other_org")
    return org or who.org


def in_org(query: Any, model: Any, org: str | None) -> Any:
    """`query` limited to one association's rows of `model`, or unchanged when `org` is None (all)."""
    return query.where(model.org_slug == org) if org else query


def requests_query(tx: Session, now: datetime, *, org: str | None, status: str | None,
                   overdue: bool | None) -> Any:
    """The requests a list shows, filtered in SQL: open ones (or one status) of `org` (or all), and only the
    overdue (or only the not overdue) ones when asked; a deadline counts in its association's own today."""
    query = in_org(select(ServiceRequest), ServiceRequest, org)
    statuses = (status,) if status else OPEN_REQUESTS
    query = query.where(request_status_in(statuses))
    if overdue is None:
        return query
    if not all(s in OPEN_REQUESTS for s in statuses):  # a closed request is never overdue
        return query.where(false()) if overdue else query
    due = col(ServiceRequest.due_date)
    if overdue:
        return query.where(due.is_not(None), past_due(col(ServiceRequest.org_slug), due, org, now))
    return query.where(or_(due.is_(None), past_due(col(ServiceRequest.org_slug), due, org, now, late=False)))


def open_counts(tx: Session, now: datetime, org: str | None) -> tuple[int, int]:
    """(open requests, of them overdue) of `org` (or all). Counted as late + on time + undated: each part is a
    range of the open requests' deadline index, where one count of them all would read a wider index whole
    (SQLite at 100k: 2.8 ms against 6.8 for the total and the overdue apart)."""
    open_ = requests_query(tx, now, org=org, status=None, overdue=None)
    due = col(ServiceRequest.due_date)
    late = count_rows(tx, requests_query(tx, now, org=org, status=None, overdue=True))
    on_time = count_rows(tx, open_.where(past_due(col(ServiceRequest.org_slug), due, org, now, late=False)))
    undated = count_rows(tx, open_.where(due.is_(None)))
    return late + on_time + undated, late


def count_rows(tx: Session, query: Any) -> int:
    """How many rows `query` selects, counted by the database."""
    return int(tx.exec(select(func.count()).select_from(query.subquery())).one())


def list_requests(tx: Session, who: Principal, now: datetime, *, org: str | None = None,
                  status: str | None = None, overdue: bool | None = None, limit: int = 200,
                  offset: int = 0, log: bool = True) -> list[RequestSummary]:
    """Open requests (or those of one status), soonest deadline first; no personal data.

    Sorted and cut in SQL; the computed columns (working days left, both calendars) only for the rows shown.
    """
    org = scope_org(who, org)
    query = requests_query(tx, now, org=org, status=status, overdue=overdue)
    # Only what a summary shows: never the request's sealed data or its documents, for hundreds of rows.
    rows = by_deadline(tx, query.options(SUMMARY_COLUMNS), offset=offset, limit=limit)
    if log:
        audit(tx, who.username, "list_requests", org, now, org_slug=org, status=status, overdue=overdue,
              count=count_rows(tx, query))
    return [summary(r, now) for r in rows]


def find_owned(tx: Session, who: Principal, model: type[Referenced], reference: str, missing: str) -> Referenced:
    """The record with this reference if the caller may see its association; else NotFound(missing).

    Another association's record is 'not found' too, so a reference reveals nothing across orgs.
    """
    column = model.reference  # type: ignore[attr-defined]
    found = tx.exec(select(model).where(column == reference.strip().upper())).first()
    if found is None or not who.may_see(found.org_slug):  # type: ignore[attr-defined]
        raise NotFound(missing)
    return found


def find_request(tx: Session, who: Principal, reference: str) -> ServiceRequest:
    return find_owned(tx, who, ServiceRequest, reference, f"لا يوجد طلب بالرقم {reference}")


def detail(tx: Session, who: Principal, reference: str, now: datetime) -> RequestDetail:
    req = find_request(tx, who, reference)
    history = tx.exec(select(StatusChange).where(StatusChange.request_id == req.id)
                      .order_by(col(StatusChange.id))).all()
    audit(tx, who.username, "view_request", req.reference, now)
    return RequestDetail(
        **summary(req, now).model_dump(), committees=list(req.committees),
        history=[HistoryItem(status=h.status, note=h.note, actor=h.actor, at=h.at) for h in history],
    )


def check_reason(reason: str | None) -> str:
    reason = (reason or "").strip()
    if not reason_ok(reason):
        raise BadInput("عرض البيانات الشخصية يتطلب ذكر السبب بكلمتين على الأقل (مثل: اتصال المستفيد)",
                       "reason_required")
    return reason


def personal_data(tx: Session, who: Principal, reference: str, reason: str | None, now: datetime) -> PersonalData:
    """The beneficiary's data on one request; the reason and what was withheld go to the audit log."""
    reason = check_reason(reason)
    req = find_request(tx, who, reference)
    contact = tx.get(Contact, req.contact_id)
    data, documents, withheld = withhold_health(who, req)
    audit(tx, who.username, "show_personal_data", req.reference, now, reason=reason, withheld=withheld,
          via="staff_api")
    return PersonalData(
        reference=req.reference, contact_address=contact.address if contact else "",
        contact_phone=contact.phone if contact else None, language=req.language,
        on_behalf_of=req.on_behalf_of, data=data, documents=documents, withheld=withheld,
    )


def set_status(tx: Session, who: Principal, reference: str, status: str, note: str | None,
               now: datetime) -> StatusOut:
    """Change the status; staffops records it, audits it and tells the beneficiary on their channel."""
    req = find_request(tx, who, reference)
    try:
        queued = staffops.set_status(tx, req.reference, status, (note or "").strip() or None, who.username, now)
    except StaffError as exc:
        raise BadInput(str(exc)) from exc
    return StatusOut(reference=req.reference, status=status, queued_messages=queued)


def schedule_visit(tx: Session, who: Principal, reference: str, on: date, at: str | None, note: str | None,
                   now: datetime, researcher: str | None = None) -> VisitOut:
    """The field visit of a request whose service includes one; the family is told on their channel."""
    req = find_request(tx, who, reference)
    try:
        queued = visits.schedule_visit(tx, req.reference, on=on, at=at, note=(note or "").strip() or None,
                                       actor=who.username, now=now, researcher=(researcher or "").strip() or None)
    except StaffError as exc:
        raise BadInput(str(exc)) from exc
    return VisitOut(reference=req.reference, date=on, time=at, queued_messages=queued)
