"""Staff actions, shared by `tawasul staff` and the web console: each one audited (who, what, when, why).

Every function takes the caller's transaction, the acting staff username and the time; it raises
StaffError (shown to staff in Arabic) for a wrong reference or a forbidden move.

    >>> with transaction() as tx:                                      # doctest: +SKIP
    ...     set_status(tx, "ESR-1234-56782", "delivered", note=None, actor="officer.general", now=utc_now())
"""

from __future__ import annotations

import os
from datetime import UTC, date, datetime, time
from pathlib import Path

from sqlmodel import Session, col, select

from bot.flows import handoff, rating
from bot.flows.base import Reply, Result
from bot.lang.calendar import both_calendars
from bot.lang.i18n import N_
from bot.staff.export import person_copy, write_copy
from bot.turn.notify import context_for, is_idle, notify_status, push
from bot.turn.write import conversation_of
from storage.erase import erase_person, legal_holds
from storage.models import (
    Complaint,
    Contact,
    Handoff,
    Investigation,
    PrivacyRequest,
    ServiceRequest,
    StatusChange,
    Survey,
    UrgentAlert,
)
from storage.queries import audit, lock_contact

STATUSES = ("draft", "submitted", "under_study", "needs_info", "accepted", "rejected", "delivered", "closed")


class StaffError(ValueError):
    """A staff command that cannot be carried out; the message is Arabic, for staff."""


def _request(tx: Session, reference: str) -> ServiceRequest:
    req = tx.exec(select(ServiceRequest).where(ServiceRequest.reference == reference.strip().upper())).first()
    if req is None:
        raise StaffError(f"لا يوجد طلب بالرقم {reference}")
    return req


def _complaint(tx: Session, reference: str) -> Complaint:
    found = tx.exec(select(Complaint).where(Complaint.reference == reference.strip().upper())).first()
    if found is None:
        raise StaffError(f"لا توجد شكوى بالرقم {reference}")
    return found


def set_status(tx: Session, reference: str, status: str, note: str | None, actor: str, now: datetime) -> int:
    """Change a request's status and tell the beneficiary on their channel; the number of messages queued."""
    if status not in STATUSES:
        raise StaffError(f"حالة غير معروفة: {status}. الحالات: {', '.join(STATUSES)}")
    req = _request(tx, reference)
    assert req.id is not None
    previous = req.status
    req.status, req.updated_at = status, now
    tx.add(req)
    tx.add(StatusChange(request_id=req.id, status=status, note=note, actor=actor, at=now))
    tx.flush()
    audit(tx, actor, "set_status", req.reference, now, previous=previous, status=status, note=note)
    return notify_status(tx, req, status, note, now)


def find_handoff(tx: Session, target: str, org: str | None = None) -> Handoff:
    """An open handoff by its id ("H12") or by the contact's address (a phone, a Telegram chat id, "12")."""
    key = target.strip()
    query = select(Handoff).where(Handoff.status == "open")
    found = None
    if key[:1] in "Hh" and key[1:].isdigit():
        found = tx.exec(query.where(Handoff.id == int(key[1:]))).first()
    else:
        contacts = select(Contact.id).where(Contact.address == key)
        if org:
            contacts = contacts.where(Contact.org_slug == org)
        found = tx.exec(query.where(col(Handoff.contact_id).in_(contacts)).order_by(col(Handoff.id).desc())).first()
        if found is None and key.isdigit():
            found = tx.exec(query.where(Handoff.id == int(key))).first()
    if found is None:
        raise StaffError(f"لا توجد محادثة محالة مفتوحة لـ {target}")
    return found


def alert_number(target: str) -> int | None:
    """The alert a staff target names ("A12", "alert:12"), or None."""
    key = target.strip().lower().removeprefix("alert:").removeprefix("a")
    return int(key) if key.isdigit() and target.strip()[:1] in "Aa" else None


def handoff_for_alert(tx: Session, alert: UrgentAlert, actor: str, now: datetime) -> Handoff:
    """The conversation of the person who raised `alert`, handed to staff so that they can write to them:
    their open handoff, or a new one (the person is told who is with them; the bot then stays quiet)."""
    contact = lock_contact(tx, alert.contact_id)
    open_one = tx.exec(select(Handoff).where(Handoff.contact_id == contact.id, Handoff.status == "open")
                       .order_by(col(Handoff.id).desc())).first()
    if open_one is not None:
        return open_one
    ctx = context_for(tx, contact, now)
    state = dict(conversation_of(tx, contact).state or {})
    push(tx, contact, handoff.open_handoff(ctx, "urgent_alert", resume=state), now=now)
    tx.flush()
    opened = tx.exec(select(Handoff).where(Handoff.contact_id == contact.id, Handoff.status == "open")
                     .order_by(col(Handoff.id).desc())).first()
    assert opened is not None  # OpenHandoff was just applied
    audit(tx, actor, "handoff_open_for_alert", f"alert:{alert.id}", now, org_slug=alert.org_slug,
          handoff=opened.id)
    return opened


def reply(tx: Session, target: str, text: str, actor: str, now: datetime, org: str | None = None) -> Handoff:
    """A staff answer in a handed-off conversation, delivered on the beneficiary's channel."""
    text = text.strip()
    if not text:
        raise StaffError("نص الرد فارغ")
    found = find_handoff(tx, target, org)
    contact = lock_contact(tx, found.contact_id)
    ctx = context_for(tx, contact, now)
    officer = ctx.local(ctx.org.officer_for(found.category).title)
    found.last_activity_at = now
    tx.add(found)
    conversation = conversation_of(tx, contact)
    state = dict(conversation.state or {})
    if handoff.is_quiet(state):
        state["data"] = {**state.get("data", {}), "last_staff": now.isoformat()}
    event = {"type": "staff_reply", "handoff": found.id}
    push(tx, contact, Result(state, (Reply(f"{officer}: {text}"),), (), (event,)), now=now, meta={"from": actor})
    audit(tx, actor, "handoff_reply", f"H{found.id}", now, length=len(text))
    return found


def release(tx: Session, target: str, actor: str, now: datetime, org: str | None = None) -> Handoff:
    """End a handoff: the bot resumes where the conversation was, and says so."""
    found = find_handoff(tx, target, org)
    contact = lock_contact(tx, found.contact_id)
    ctx = context_for(tx, contact, now)
    state = dict(conversation_of(tx, contact).state or {})
    if not handoff.is_quiet(state):
        state = {"flow": handoff.NAME, "step": handoff.WITH_STAFF, "data": {}}
    push(tx, contact, handoff.release(state, ctx, by=actor), now=now)
    audit(tx, actor, "handoff_release", f"H{found.id}", now)
    return found


def tell_alert_taken(tx: Session, contact_id: int, alert_id: int, now: datetime) -> None:
    """The person who raised an urgent alert is told, in their language, that a staff member has it."""
    contact = lock_contact(tx, contact_id)
    ctx = context_for(tx, contact, now)
    text = ctx.t("A member of our team has taken your alert and is following it now. Write here anything that "
                 "helps them reach you; in danger, call the emergency numbers.")
    event = {"type": "urgent_taken", "alert": alert_id}
    state = dict(conversation_of(tx, contact).state or {})
    push(tx, contact, Result(state, (Reply(text),), (), (event,)), now=now, set_state=False,
         meta={"template": "urgent_update"})


def resolve_complaint(tx: Session, reference: str, outcome: str, actor: str, now: datetime) -> Complaint:
    """Close a complaint with its outcome, told to the beneficiary (R9)."""
    found = _complaint(tx, reference)
    found.status, found.outcome, found.updated_at = "resolved", outcome.strip(), now
    tx.add(found)
    contact = lock_contact(tx, found.contact_id)
    ctx = context_for(tx, contact, now)
    text = ctx.t("Outcome of your complaint {reference}: {outcome}", reference=found.reference, outcome=found.outcome)
    text += "\n" + ctx.t("Thank you for helping us improve. If you are not satisfied, you can reply here.")
    event = {"type": "complaint_resolved", "reference": found.reference}
    state = dict(conversation_of(tx, contact).state or {})
    push(tx, contact, Result(state, (Reply(text),), (), (event,)), now=now, set_state=False,
         meta={"template": "complaint_update"})
    audit(tx, actor, "complaint_resolve", found.reference, now, outcome=found.outcome)
    return found


def complete_privacy(tx: Session, reference: str, note: str | None, actor: str, now: datetime) -> int:
    """Mark a privacy request (PDPL) done and tell the beneficiary on their channel; the messages queued."""
    found = tx.exec(select(PrivacyRequest).where(PrivacyRequest.reference == reference.strip().upper())).first()
    if found is None:
        raise StaffError(f"لا يوجد طلب بيانات شخصية بالرقم {reference}")
    if found.status == "done":
        raise StaffError(f"طلب البيانات الشخصية {found.reference} منجز من قبل")
    previous = found.status
    found.status = "done"
    tx.add(found)
    contact = lock_contact(tx, found.contact_id)
    ctx = context_for(tx, contact, now)
    assert contact.id is not None
    holds = legal_holds(tx, contact.id) if found.kind == "deletion" else []
    lines = [ctx.t("Your personal data request {reference} has been handled.", reference=found.reference)]
    if found.kind == "deletion":
        lines.append(ctx.t("Your personal data has been deleted, as you asked."))
        lines += [ctx.t(HOLD_TEXTS[hold]) for hold in holds]
    copy = None
    if found.kind == "access":  # the copy, in their language, ready for staff to hand over
        copy = write_copy(Path(os.environ.get("TAWASUL_DATA_DIR", "data")) / "exports", found.reference,
                          person_copy(tx, contact.id, now))
        lines.append(ctx.t("A copy of your data has been prepared as a file in your language; the association "
                           "will hand it to you."))
    if note:
        lines.append(ctx.t("Note: {note}", note=note))
    event = {"type": "privacy_completed", "reference": found.reference, "kind": found.kind}
    state = dict(conversation_of(tx, contact).state or {})
    rows = push(tx, contact, Result(state, (Reply("\n".join(lines)),), (), (event,)), now=now, set_state=False,
                meta={"template": "privacy_update"})
    audit(tx, actor, "privacy_complete", found.reference, now, org_slug=found.org_slug, previous=previous,
          kind=found.kind, note=note, copy=copy.name if copy else None)
    if found.kind == "deletion":
        assert contact.id is not None
        erased = erase_person(tx, contact.id, keep_unsent=[r.id for r in rows if r.id is not None])
        # What was erased, counted; never the erased data itself.
        audit(tx, actor, "privacy_erase", found.reference, now, org_slug=found.org_slug, counts=erased.counts,
              holds=erased.holds, files=erased.files)
    return len(rows)


HOLD_TEXTS = {
    "financial_record": N_("We keep the record of the aid you received (its number, service and dates only), "
                           "as the association is required to."),
    "complaint_investigation": N_("Your complaint under investigation is kept until the investigation is "
                                  "closed."),
}



def investigate(
    tx: Session, reference: str, *, held_on: date, committee: str, harm_found: bool, harm_size: str | None,
    causes: str | None, compensation: str | None, actor: str, now: datetime, notify: bool = True,
) -> Investigation:
    """R10: the dated committee record of an escalated complaint (harm, size, causes, compensation)."""
    found = _complaint(tx, reference)
    assert found.id is not None
    record = Investigation(complaint_id=found.id, held_on=held_on, committee=committee, harm_found=harm_found,
                           harm_size=harm_size, causes=causes, compensation_decision=compensation,
                           recorded_by=actor, created_at=now)
    tx.add(record)
    found.status, found.updated_at = "investigating", now
    tx.add(found)
    tx.flush()
    if notify:
        contact = lock_contact(tx, found.contact_id)
        ctx = context_for(tx, contact, now)
        name = ctx.local(ctx.org.committees[committee]) if committee in ctx.org.committees else committee
        lines = [ctx.t("Your complaint {reference} was reviewed by the {committee} on {date}.",
                       reference=found.reference, committee=name, date=both_calendars(held_on, ctx.lang))]
        if compensation:
            lines.append(ctx.t("Decision: {decision}", decision=compensation))
        state = dict(conversation_of(tx, contact).state or {})
        event = {"type": "complaint_investigated", "reference": found.reference}
        push(tx, contact, Result(state, (Reply("\n".join(lines)),), (), (event,)), now=now, set_state=False)
    audit(tx, actor, "investigation_record", found.reference, now, committee=committee, harm_found=harm_found,
          harm_size=harm_size, causes=causes, compensation=compensation, held_on=held_on.isoformat())
    return record


def send_survey(tx: Session, org: str, start: date, end: date, question: str, actor: str,
                now: datetime) -> dict[str, int]:
    """Queue a survey question to the beneficiaries served (a request delivered) in [start, end]."""
    survey = Survey(org_slug=org, period_start=start, period_end=end, question=question.strip(),
                    created_by=actor, created_at=now)
    tx.add(survey)
    tx.flush()
    assert survey.id is not None
    lo = datetime.combine(start, time.min, tzinfo=UTC)
    hi = datetime.combine(end, time.max, tzinfo=UTC)
    served = tx.exec(
        select(ServiceRequest.contact_id).distinct()
        .join(StatusChange, col(StatusChange.request_id) == col(ServiceRequest.id))
        .where(ServiceRequest.org_slug == org, StatusChange.status == "delivered",
               col(StatusChange.at) >= lo, col(StatusChange.at) <= hi)
    ).all()
    counts = {"served": len(served), "sent": 0, "opted_out": 0, "busy": 0}
    for contact_id in sorted(served):
        contact = lock_contact(tx, contact_id)
        if contact.opted_out:
            counts["opted_out"] += 1
            continue
        if not is_idle(dict(conversation_of(tx, contact).state or {})):
            counts["busy"] += 1  # never interrupt a conversation in progress
            continue
        ctx = context_for(tx, contact, now)
        push(tx, contact, rating.survey(ctx, survey.id, survey.question), now=now, meta={"template": "survey"})
        counts["sent"] += 1
    audit(tx, actor, "survey_send", f"survey:{survey.id}", now, org=org, start=start.isoformat(),
          end=end.isoformat(), counts=counts)
    return counts
