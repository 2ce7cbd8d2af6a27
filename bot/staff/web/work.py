"""Handoffs, complaints and urgent alerts for staff: scoped to their associations, every action
through bot/staffops (so the beneficiary is told on their channel) and every read audited."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import and_
from sqlalchemy.orm import defer
from sqlmodel import Session, col, func, select

from bot.staff import actions as staffops
from bot.staff.actions import StaffError
from bot.staff.auth import Principal
from bot.staff.masking import coarse, mask_address
from bot.staff.reads import is_health_service
from bot.staff.schemas import (
    AlertOut,
    ComplaintDetails,
    ComplaintOut,
    HandoffActionOut,
    HandoffMessage,
    HandoffOut,
    InvestigationIn,
    InvestigationOut,
)
from bot.staff.web.errors import BadInput, NotFound
from bot.staff.web.requests import check_reason, count_rows, find_owned, in_org, scope_org
from storage.models import (
    Complaint,
    Contact,
    Handoff,
    InboundRecord,
    Investigation,
    ServiceRequest,
    UrgentAlert,
)
from storage.queries import audit, handoff_transcript


def _contact(tx: Session, contact_id: int) -> Contact:
    contact = tx.get(Contact, contact_id)
    assert contact is not None  # a foreign key
    return contact


# ---- handoffs -------------------------------------------------------------------------------------

def _handoff_out(tx: Session, h: Handoff, full: bool = False) -> HandoffOut:
    """The handoff as staff see it; the address masked unless `full` (read with a reason, audited)."""
    return _handoffs_out(tx, [h], full)[0]


def _handoffs_out(tx: Session, rows: Sequence[Handoff], full: bool = False) -> list[HandoffOut]:
    """The handoffs as staff see them, with two queries for all of them (not two per handoff); addresses
    masked unless `full`."""
    contacts = _contacts(tx, {h.contact_id for h in rows})
    waiting: dict[int, int] = {}
    if rows:
        since = (select(Handoff.id, func.count(col(InboundRecord.id)))
                 .join(InboundRecord, and_(col(InboundRecord.contact_id) == col(Handoff.contact_id),
                                           col(InboundRecord.received_at) > col(Handoff.last_activity_at)))
                 .where(col(Handoff.id).in_([h.id for h in rows])).group_by(col(Handoff.id)))
        waiting = {hid: int(n) for hid, n in tx.exec(since).all() if hid is not None}

    def address(h: Handoff) -> str:
        found = contacts[h.contact_id].address
        return found if full else mask_address(found)

    return [HandoffOut(id=f"H{h.id}", org=h.org_slug, contact_address=address(h),
                       channel=contacts[h.contact_id].channel, officer=h.officer, category=h.category,
                       reason=h.reason, status=h.status, opened_at=h.opened_at,
                       waiting_messages=waiting.get(h.id or 0, 0)) for h in rows]


def _contacts(tx: Session, ids: set[int]) -> dict[int, Contact]:
    found = {c.id: c for c in tx.exec(select(Contact).where(col(Contact.id).in_(ids))).all()} if ids else {}
    assert set(found) >= ids  # foreign keys
    return {i: c for i, c in found.items() if i is not None}


def open_handoffs_query(org: str | None) -> Any:
    return in_org(select(Handoff), Handoff, org).where(Handoff.status == "open")


def list_handoffs(tx: Session, who: Principal, now: datetime, org: str | None = None,
                  log: bool = True, limit: int = 200, offset: int = 0) -> list[HandoffOut]:
    org = scope_org(who, org)
    query = open_handoffs_query(org)
    rows = tx.exec(query.order_by(col(Handoff.opened_at), col(Handoff.id)).offset(offset).limit(limit)).all()
    out = _handoffs_out(tx, rows)
    if log:
        audit(tx, who.username, "list_handoffs", org, now, org_slug=org, count=count_rows(tx, query))
    return out


def handoff(tx: Session, who: Principal, handoff_id: str, now: datetime, full: bool = False) -> HandoffOut:
    """One handoff; `full` (the address unmasked) only after `handoff_messages` audited the reason."""
    found = find_handoff(tx, who, handoff_id)
    audit(tx, who.username, "view_handoff", f"H{found.id}", now)
    return _handoff_out(tx, found, full)


def find_handoff(tx: Session, who: Principal, handoff_id: str) -> Handoff:
    key = handoff_id.strip().upper().removeprefix("H")
    found = tx.get(Handoff, int(key)) if key.isdigit() else None
    if found is None or not who.may_see(found.org_slug):
        raise NotFound(f"لا توجد محادثة محالة بالرقم {handoff_id}")
    return found


def handoff_messages(tx: Session, who: Principal, handoff_id: str, reason: str | None,
                     now: datetime) -> list[HandoffMessage]:
    """What the beneficiary wrote while the handoff was open: personal data, so a reason is required."""
    reason = check_reason(reason)
    found = find_handoff(tx, who, handoff_id)
    rows = handoff_transcript(tx, found)
    audit(tx, who.username, "show_personal_data", f"H{found.id}", now, reason=reason, via="staff_api",
          messages=len(rows))
    return [HandoffMessage(at=m.received_at, text=m.text) for m in rows]


def _open(found: Handoff) -> None:
    if found.status != "open":
        raise BadInput(f"المحادثة H{found.id} مغلقة", "handoff_closed")


def reply(tx: Session, who: Principal, handoff_id: str, text: str, now: datetime) -> HandoffActionOut:
    found = find_handoff(tx, who, handoff_id)
    _open(found)
    try:
        staffops.reply(tx, f"H{found.id}", text, who.username, now)
    except StaffError as exc:
        raise BadInput(str(exc)) from exc
    return HandoffActionOut(id=f"H{found.id}", status=found.status)


def release(tx: Session, who: Principal, handoff_id: str, now: datetime) -> HandoffActionOut:
    found = find_handoff(tx, who, handoff_id)
    _open(found)
    staffops.release(tx, f"H{found.id}", who.username, now)
    tx.refresh(found)
    return HandoffActionOut(id=f"H{found.id}", status=found.status)


# ---- complaints -----------------------------------------------------------------------------------

def _complaint_out(tx: Session, c: Complaint) -> ComplaintOut:
    return _complaints_out(tx, [c])[0]


def _complaints_out(tx: Session, rows: Sequence[Complaint]) -> list[ComplaintOut]:
    """The complaints with their investigations, one query for all of them."""
    records: dict[int, list[Investigation]] = {}
    ids = [c.id for c in rows]
    if ids:
        for r in tx.exec(select(Investigation).where(col(Investigation.complaint_id).in_(ids))
                         .order_by(col(Investigation.id))).all():
            records.setdefault(r.complaint_id, []).append(r)
    return [ComplaintOut(
        reference=c.reference, org=c.org_slug, category=c.category, committee=c.committee, status=c.status,
        request_reference=c.request_reference, outcome=c.outcome, channel=c.channel, filed_at=c.created_at,
        investigations=[InvestigationOut(id=r.id or 0, held_on=r.held_on, committee=r.committee,
                                         harm_found=r.harm_found, harm_size=r.harm_size, causes=r.causes,
                                         compensation_decision=r.compensation_decision,
                                         recorded_by=r.recorded_by) for r in records.get(c.id or 0, [])],
    ) for c in rows]


_COMPLAINT_TEXTS = ("details", "attachments")  # what a list of complaints never shows


def complaints_query(org: str | None, status: str | None) -> Any:
    query = in_org(select(Complaint), Complaint, org)
    return query.where(Complaint.status == status) if status else query.where(Complaint.status != "resolved")


def list_complaints(tx: Session, who: Principal, now: datetime, org: str | None = None,
                    status: str | None = None, log: bool = True, limit: int = 200,
                    offset: int = 0) -> list[ComplaintOut]:
    """Complaints without their text (R9: management sees every one of its associations)."""
    org = scope_org(who, org)
    query = complaints_query(org, status)
    shown = query.options(*(defer(getattr(Complaint, name)) for name in _COMPLAINT_TEXTS))  # never their texts here
    rows = tx.exec(shown.order_by(col(Complaint.created_at), col(Complaint.id)).offset(offset).limit(limit)).all()
    out = _complaints_out(tx, rows)
    if log:
        audit(tx, who.username, "list_complaints", org, now, org_slug=org, status=status, count=count_rows(tx, query))
    return out


def find_complaint(tx: Session, who: Principal, reference: str) -> Complaint:
    return find_owned(tx, who, Complaint, reference, f"لا توجد شكوى بالرقم {reference}")


def complaint(tx: Session, who: Principal, reference: str, now: datetime) -> ComplaintOut:
    found = find_complaint(tx, who, reference)
    audit(tx, who.username, "view_complaint", found.reference, now)
    return _complaint_out(tx, found)


def complaint_details(tx: Session, who: Principal, reference: str, reason: str | None,
                      now: datetime) -> ComplaintDetails:
    reason = check_reason(reason)
    found = find_complaint(tx, who, reference)
    details, attachments = found.details, list(found.attachments or [])
    about = tx.exec(select(ServiceRequest).where(ServiceRequest.reference == found.request_reference)).first() \
        if found.request_reference else None
    withheld = not who.sees_health and about is not None and is_health_service(about.org_slug, about.service_id)
    if withheld:  # a complaint about a health service's request may tell of the illness (R12)
        details, attachments = "", []
    audit(tx, who.username, "show_personal_data", found.reference, now, reason=reason, via="staff_api",
          withheld=["details", "attachments"] if withheld else [])
    return ComplaintDetails(reference=found.reference, contact_address=_contact(tx, found.contact_id).address,
                            details=details, attachments=attachments)


def resolve(tx: Session, who: Principal, reference: str, outcome: str, now: datetime) -> ComplaintOut:
    found = find_complaint(tx, who, reference)
    if found.status == "resolved":
        raise BadInput(f"الشكوى {found.reference} مغلقة من قبل", "already_resolved")
    staffops.resolve_complaint(tx, found.reference, outcome, who.username, now)
    return _complaint_out(tx, found)


def investigate(tx: Session, who: Principal, reference: str, body: InvestigationIn, now: datetime) -> ComplaintOut:
    found = find_complaint(tx, who, reference)
    staffops.investigate(tx, found.reference, held_on=body.held_on, committee=body.committee,
                         harm_found=body.harm_found, harm_size=body.harm_size, causes=body.causes,
                         compensation=body.compensation_decision, actor=who.username, now=now,
                         notify=body.notify)
    return _complaint_out(tx, found)


# ---- urgent alerts --------------------------------------------------------------------------------

def alert_out(tx: Session, a: UrgentAlert, full: bool = False) -> AlertOut:
    """An alert as a list shows it (address masked, location coarse, text withheld), or in `full`."""
    return _alerts_out(tx, [a], full)[0]


def _alerts_out(tx: Session, rows: Sequence[UrgentAlert], full: bool = False) -> list[AlertOut]:
    contacts = _contacts(tx, {a.contact_id for a in rows})
    if full:
        return [AlertOut(id=a.id or 0, org=a.org_slug, contact_address=contacts[a.contact_id].address,
                         channel=contacts[a.contact_id].channel, latitude=a.latitude, longitude=a.longitude,
                         text=a.text, status=a.status, created_at=a.created_at) for a in rows]
    return [AlertOut(id=a.id or 0, org=a.org_slug, contact_address=mask_address(contacts[a.contact_id].address),
                     channel=contacts[a.contact_id].channel, latitude=coarse(a.latitude),
                     longitude=coarse(a.longitude), text=None, status=a.status, created_at=a.created_at,
                     masked=True) for a in rows]


def alerts_query(org: str | None, status: str) -> Any:
    return in_org(select(UrgentAlert), UrgentAlert, org).where(UrgentAlert.status == status)


def list_alerts(tx: Session, who: Principal, now: datetime, org: str | None = None,
                status: str = "open", log: bool = True, limit: int = 200, offset: int = 0) -> list[AlertOut]:
    """Pilgrims in distress, newest first: the area and the channel at once; who and exactly where in the
    alert's own view, with a reason (audited)."""
    org = scope_org(who, org)
    query = alerts_query(org, status)
    rows = tx.exec(query.order_by(col(UrgentAlert.id).desc()).offset(offset).limit(limit)).all()
    if log:
        audit(tx, who.username, "list_alerts", org, now, org_slug=org, status=status, count=count_rows(tx, query))
    return _alerts_out(tx, rows)


def find_alert(tx: Session, who: Principal, alert_id: int) -> UrgentAlert:
    found = tx.get(UrgentAlert, alert_id)
    if found is None or not who.may_see(found.org_slug):
        raise NotFound(f"لا يوجد بلاغ عاجل بالرقم {alert_id}")
    return found


def reply_to_alert(tx: Session, who: Principal, alert_id: int, text: str, now: datetime) -> HandoffActionOut:
    """Write to the person who raised an urgent alert: their conversation is handed to staff (a handoff opened
    if none is), the person told who is with them, then the message delivered on their channel."""
    found = staffops.handoff_for_alert(tx, find_alert(tx, who, alert_id), who.username, now)
    return reply(tx, who, f"H{found.id}", text, now)


def alert_detail(tx: Session, who: Principal, alert_id: int, reason: str | None, now: datetime) -> AlertOut:
    """The whole alert (address, exact location, text): personal data, so a reason is required."""
    reason = check_reason(reason)
    found = find_alert(tx, who, alert_id)
    audit(tx, who.username, "show_personal_data", f"alert:{alert_id}", now, reason=reason, via="staff_api")
    return alert_out(tx, found, full=True)


def acknowledge_alert(tx: Session, who: Principal, alert_id: int, now: datetime) -> AlertOut:
    found = find_alert(tx, who, alert_id)
    if found.status != "open":
        raise BadInput(f"البلاغ {alert_id} تم استلامه من قبل", "already_acknowledged")
    found.status = "acknowledged"
    tx.add(found)
    staffops.tell_alert_taken(tx, found.contact_id, alert_id, now)
    audit(tx, who.username, "alert_acknowledge", f"alert:{alert_id}", now)
    return alert_out(tx, found)
