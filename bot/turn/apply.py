"""Effects -> rows: how the runtime writes the records a flow step asked for (bot/flows/effects.py).

Only the turn's writer (bot/turn/write.py) calls `apply`, inside the turn's transaction.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from functools import singledispatch
from typing import Any

from sqlmodel import Session, col, select

from bot.flows.effects import (
    AddRequestInfo,
    CloseHandoff,
    CreateComplaint,
    CreatePrivacyRequest,
    CreateRequest,
    DescribeUrgentAlert,
    LocateUrgentAlert,
    Nothing,
    OpenHandoff,
    RaiseUrgentAlert,
    RecordConsent,
    RecordRating,
    RegisterVolunteer,
    SetLanguage,
    SetOptOut,
)
from storage.models import (
    Acknowledgement,
    Complaint,
    Consent,
    Contact,
    Handoff,
    InboundRecord,
    PrivacyRequest,
    Rating,
    ServiceRequest,
    StatusChange,
    UrgentAlert,
    Volunteer,
)
from storage.queries import latest_open_alert, open_handoffs, own_request


@dataclass(frozen=True)
class Turn:
    """What writing an effect may need to know about the turn it belongs to."""

    contact: Contact
    channel: str
    language: str
    now: datetime

    @property
    def contact_id(self) -> int:
        assert self.contact.id is not None
        return self.contact.id


@singledispatch
def apply(effect: Any, tx: Session, turn: Turn) -> None:
    raise TypeError(f"no writer for effect {type(effect).__name__}")


def _with_field_site(tx: Session, contact_id: int, data: dict[str, Any]) -> dict[str, Any]:
    """The form data, plus the field site of the contact's latest deep link if it named one (R15).

    The link is a Telegram `/start alhuda-SITE`; the runtime keeps its site in the inbound payload. Such
    messages have no text, so only those are read, newest first.
    """
    starts = tx.exec(
        select(InboundRecord)
        .where(InboundRecord.contact_id == contact_id, InboundRecord.text == "")
        .order_by(col(InboundRecord.id).desc())
    )
    for record in starts:
        if "field_site" in (record.payload or {}):
            site = record.payload["field_site"]
            return {**data, "field_site": site} if site else data
    return data


@apply.register
def _(effect: CreateRequest, tx: Session, turn: Turn) -> None:
    req = ServiceRequest(
        reference=effect.reference,
        org_slug=turn.contact.org_slug,
        contact_id=turn.contact_id,
        service_id=effect.service_id,
        status="submitted",
        committees=list(effect.committees),
        data=_with_field_site(tx, turn.contact_id, effect.data),
        documents=list(effect.documents),
        channel=turn.channel,
        language=turn.language,
        submitted_at=turn.now,
        due_date=effect.due_date,
        on_behalf_of=effect.on_behalf_of,
        updated_at=turn.now,
    )
    tx.add(req)
    tx.flush()  # the reference's uniqueness is checked here, by the database
    assert req.id is not None
    tx.add(StatusChange(request_id=req.id, status="submitted", actor="beneficiary", at=turn.now))
    tx.add(
        Acknowledgement(
            request_id=req.id,
            contact_id=turn.contact_id,
            text=effect.acknowledgement,
            language=turn.language,
            channel=turn.channel,
            at=turn.now,
        )
    )


@apply.register
def _(effect: AddRequestInfo, tx: Session, turn: Turn) -> None:
    req = own_request(tx, turn.contact_id, effect.reference)
    if req is None or req.id is None:
        return  # never someone else's request
    added = [{**d, "added_by": "beneficiary", "added_at": turn.now.isoformat()} for d in effect.documents]
    req.documents = [*req.documents, *added]  # a new list, so that the JSON column is written
    files = f"مرفقات: {len(added)}" if added else ""  # staff read Arabic
    note = " | ".join(part for part in (effect.text, files) if part)
    if req.status == "needs_info":
        req.status = "under_study"
    req.updated_at = turn.now
    tx.add(req)
    tx.add(StatusChange(request_id=req.id, status=req.status, note=note, actor="beneficiary", at=turn.now))


@apply.register
def _(effect: RecordConsent, tx: Session, turn: Turn) -> None:
    tx.add(Consent(contact_id=turn.contact_id, purpose=effect.purpose, granted=effect.granted, text=effect.text,
                   channel=turn.channel, at=turn.now))


@apply.register
def _(effect: SetLanguage, tx: Session, turn: Turn) -> None:
    turn.contact.language = effect.language
    turn.contact.language_locked = effect.locked
    tx.add(turn.contact)


@apply.register
def _(effect: Nothing, tx: Session, turn: Turn) -> None:
    return None


@apply.register
def _(effect: CreateComplaint, tx: Session, turn: Turn) -> None:
    tx.add(
        Complaint(
            reference=effect.reference, org_slug=turn.contact.org_slug, contact_id=turn.contact_id,
            request_reference=effect.request_reference, category=effect.category, details=effect.details,
            attachments=list(effect.attachments), committee=effect.committee, channel=turn.channel,
            created_at=turn.now, updated_at=turn.now,
        )
    )
    tx.flush()  # the complaint number's uniqueness is checked by the database


@apply.register
def _(effect: RecordRating, tx: Session, turn: Turn) -> None:
    rated = own_request(tx, turn.contact_id, effect.request_reference)
    tx.add(
        Rating(
            org_slug=turn.contact.org_slug, contact_id=turn.contact_id,
            request_id=rated.id if rated else None, survey_id=effect.survey_id,
            score=effect.score, comment=effect.comment, channel=turn.channel, created_at=turn.now,
        )
    )


@apply.register
def _(effect: OpenHandoff, tx: Session, turn: Turn) -> None:
    apply(CloseHandoff("superseded"), tx, turn)  # at most one open handoff per contact
    tx.add(
        Handoff(
            org_slug=turn.contact.org_slug, contact_id=turn.contact_id, category=effect.category,
            officer=effect.officer, reason=effect.reason, opened_at=turn.now, last_activity_at=turn.now,
        )
    )


@apply.register
def _(effect: CloseHandoff, tx: Session, turn: Turn) -> None:
    for handoff in open_handoffs(tx, turn.contact_id):
        handoff.status, handoff.closed_at, handoff.closed_by = "closed", turn.now, effect.by
        tx.add(handoff)


@apply.register
def _(effect: SetOptOut, tx: Session, turn: Turn) -> None:
    turn.contact.opted_out = effect.opted_out
    tx.add(turn.contact)


@apply.register
def _(effect: RegisterVolunteer, tx: Session, turn: Turn) -> None:
    tx.add(Volunteer(org_slug=turn.contact.org_slug, contact_id=turn.contact_id, data=dict(effect.data),
                     created_at=turn.now))


@apply.register
def _(effect: RaiseUrgentAlert, tx: Session, turn: Turn) -> None:
    tx.add(
        UrgentAlert(
            org_slug=turn.contact.org_slug, contact_id=turn.contact_id, latitude=effect.latitude,
            longitude=effect.longitude, text=effect.text, created_at=turn.now,
        )
    )


@apply.register
def _(effect: LocateUrgentAlert, tx: Session, turn: Turn) -> None:
    alert = latest_open_alert(tx, turn.contact_id)
    if alert is None:
        apply(RaiseUrgentAlert(effect.description, effect.latitude, effect.longitude), tx, turn)
        return
    if effect.latitude is not None:
        alert.latitude, alert.longitude = effect.latitude, effect.longitude
    if effect.description:
        alert.text = "\n".join(t for t in (alert.text, effect.description) if t)
    tx.add(alert)


@apply.register
def _(effect: DescribeUrgentAlert, tx: Session, turn: Turn) -> None:
    alert = latest_open_alert(tx, turn.contact_id)
    if alert is None:
        return
    if effect.latitude is not None:
        alert.latitude, alert.longitude = effect.latitude, effect.longitude
    if effect.description:
        alert.text = "\n".join(t for t in (alert.text, effect.description) if t)[:4000]
    tx.add(alert)


@apply.register
def _(effect: CreatePrivacyRequest, tx: Session, turn: Turn) -> None:
    tx.add(
        PrivacyRequest(
            reference=effect.reference, org_slug=turn.contact.org_slug, contact_id=turn.contact_id,
            kind=effect.kind, details=effect.details, due_date=effect.due_date, created_at=turn.now,
        )
    )
    tx.flush()
