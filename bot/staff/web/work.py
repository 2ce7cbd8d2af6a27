"""Handoffs, complaints and urgent alerts for staff: scoped to their associations, every action
through bot/staffops (so the beneficiary is told on their channel) and every read audited."""

from __future__ import annotations

from datetime import datetime

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
from bot.staff.web.requests import check_reason, find_owned, in_org, scope_org
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
    contact = _contact(tx, h.contact_id)
    waiting = tx.exec(select(func.count()).select_from(InboundRecord).where(
        InboundRecord.contact_id == h.contact_id, col(InboundRecord.received_at) > h.last_activity_at)).one()
    address = contact.address if full else mask_address(contact.address)
    return HandoffOut(id=f"H{h.id}", org=h.org_slug, contact_address=address, channel=contact.channel,
                      officer=h.officer, category=h.category, reason=h.reason, status=h.status,
                      opened_at=h.opened_at, waiting_messages=int(waiting))


def list_handoffs(tx: Session, who: Principal, now: datetime, org: str | None = None,
                  log: bool = True) -> list[HandoffOut]:
    org = scope_org(who, org)
    rows = tx.exec(in_org(select(Handoff), Handoff, org).where(Handoff.status == "open")
                   .order_by(col(Handoff.opened_at))).all()
    out = [_handoff_out(tx, h) for h in rows]
    if log:
        audit(tx, who.username, "list_handoffs", org, now, org_slug=org, count=len(out))
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
    records = tx.exec(select(Investigation).where(Investigation.complaint_id == c.id)
                      .order_by(col(Investigation.id))).all()
    return ComplaintOut(
        reference=c.reference, org=c.org_slug, category=c.category, committee=c.committee, status=c.status,
        request_reference=c.request_reference, outcome=c.outcome, channel=c.channel, filed_at=c.created_at,
        investigations=[InvestigationOut(id=r.id or 0, held_on=r.held_on, committee=r.committee,
                                         harm_found=r.harm_found, harm_size=r.harm_size, causes=r.causes,
                                         compensation_decision=r.compensation_decision,
                                         recorded_by=r.recorded_by) for r in records],
    )


def list_complaints(tx: Session, who: Principal, now: datetime, org: str | None = None,
                    status: str | None = None, log: bool = True) -> list[ComplaintOut]:
    """Complaints without their text (R9: management sees every one of its associations)."""
    org = scope_org(who, org)
    query = in_org(select(Complaint), Complaint, org)
    query = query.where(Complaint.status == status) if status else query.where(Complaint.status != "resolved")
    out = [_complaint_out(tx, c) for c in tx.exec(query.order_by(col(Complaint.created_at))).all()]
    if log:
        audit(tx, who.username, "list_complaints", org, now, org_slug=org, status=status, count=len(out))
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
    contact = _contact(tx, a.contact_id)
    if full:
        return AlertOut(id=a.id or 0, org=a.org_slug, contact_address=contact.address, channel=contact.channel,
                        latitude=a.latitude, longitude=a.longitude, text=a.text, status=a.status,
                        created_at=a.created_at)
    return AlertOut(id=a.id or 0, org=a.org_slug, contact_address=mask_address(contact.address),
                    channel=contact.channel, latitude=coarse(a.latitude), longitude=coarse(a.longitude),
                    text=None, status=a.status, created_at=a.created_at, masked=True)


def list_alerts(tx: Session, who: Principal, now: datetime, org: str | None = None,
                status: str = "open", log: bool = True) -> list[AlertOut]:
    """Pilgrims in distress, newest first: the area and the channel at once; who and exactly where in the
    alert's own view, with a reason (audited)."""
    org = scope_org(who, org)
    rows = tx.exec(in_org(select(UrgentAlert), UrgentAlert, org).where(UrgentAlert.status == status)
                   .order_by(col(UrgentAlert.id).desc())).all()
    if log:
        audit(tx, who.username, "list_alerts", org, now, org_slug=org, status=status, count=len(rows))
    return [alert_out(tx, a) for a in rows]


def find_alert(tx: Session, who: Principal, alert_id: int) -> UrgentAlert:
    found = tx.get(UrgentAlert, alert_id)
    if found is None or not who.may_see(found.org_slug):
        raise NotFound(f"لا يوجد بلاغ عاجل بالرقم {alert_id}")
    return found


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
    audit(tx, who.username, "alert_acknowledge", f"alert:{alert_id}", now)
    return alert_out(tx, found)
