"""Records a flow step asks for, and how the runtime writes them inside the turn's transaction.

Flows build these plain values; only `apply` touches the database, and only the runtime calls it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, Protocol

from sqlmodel import Session, col, select

from storage.models import (
    Acknowledgement,
    Complaint,
    Consent,
    Contact,
    Handoff,
    InboundRecord,
    Rating,
    ServiceRequest,
    StatusChange,
)


@dataclass(frozen=True)
class Turn:
    """What an effect may need to know about the turn it belongs to."""

    contact: Contact
    channel: str
    language: str
    now: datetime


class Applicable(Protocol):
    def apply(self, tx: Session, turn: Turn) -> None: ...


def _own_request(tx: Session, turn: Turn, reference: str | None) -> ServiceRequest | None:
    """One of this contact's own requests, by reference (None when there is none or it is not theirs)."""
    if not reference:
        return None
    return tx.exec(
        select(ServiceRequest).where(ServiceRequest.reference == reference, ServiceRequest.contact_id == turn.contact.id)
    ).first()


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


@dataclass(frozen=True)
class CreateRequest:
    reference: str
    service_id: str
    committees: tuple[str, ...]
    data: dict[str, Any]
    documents: tuple[dict[str, Any], ...]
    due_date: date
    acknowledgement: str
    on_behalf_of: str | None = None

    def apply(self, tx: Session, turn: Turn) -> None:
        assert turn.contact.id is not None
        req = ServiceRequest(
            reference=self.reference,
            org_slug=turn.contact.org_slug,
            contact_id=turn.contact.id,
            service_id=self.service_id,
            status="submitted",
            committees=list(self.committees),
            data=_with_field_site(tx, turn.contact.id, self.data),
            documents=list(self.documents),
            channel=turn.channel,
            language=turn.language,
            submitted_at=turn.now,
            due_date=self.due_date,
            on_behalf_of=self.on_behalf_of,
            updated_at=turn.now,
        )
        tx.add(req)
        tx.flush()  # the reference's uniqueness is checked here, by the database
        assert req.id is not None
        tx.add(StatusChange(request_id=req.id, status="submitted", actor="beneficiary", at=turn.now))
        tx.add(
            Acknowledgement(
                request_id=req.id,
                contact_id=turn.contact.id,
                text=self.acknowledgement,
                language=turn.language,
                channel=turn.channel,
                at=turn.now,
            )
        )


@dataclass(frozen=True)
class AddRequestInfo:
    """Information the beneficiary sent for their own request after staff asked for it (needs_info).

    The files join the request's documents; the message is kept in the status history (actor
    "beneficiary"), and a request that was waiting for it goes back to "under_study".
    """

    reference: str
    text: str | None
    documents: tuple[dict[str, Any], ...] = ()

    def apply(self, tx: Session, turn: Turn) -> None:
        req = _own_request(tx, turn, self.reference)
        if req is None or req.id is None:
            return  # never someone else's request
        added = [{**d, "added_by": "beneficiary", "added_at": turn.now.isoformat()} for d in self.documents]
        req.documents = [*req.documents, *added]  # a new list, so that the JSON column is written
        files = f"مرفقات: {len(added)}" if added else ""  # staff read Arabic
        note = " | ".join(part for part in (self.text, files) if part)
        if req.status == "needs_info":
            req.status = "under_study"
        req.updated_at = turn.now
        tx.add(req)
        tx.add(StatusChange(request_id=req.id, status=req.status, note=note, actor="beneficiary", at=turn.now))


@dataclass(frozen=True)
class RecordConsent:
    purpose: str
    granted: bool
    text: str

    def apply(self, tx: Session, turn: Turn) -> None:
        assert turn.contact.id is not None
        tx.add(
            Consent(
                contact_id=turn.contact.id,
                purpose=self.purpose,
                granted=self.granted,
                text=self.text,
                channel=turn.channel,
                at=turn.now,
            )
        )


@dataclass(frozen=True)
class SetLanguage:
    language: str
    locked: bool = True

    def apply(self, tx: Session, turn: Turn) -> None:
        turn.contact.language = self.language
        turn.contact.language_locked = self.locked
        tx.add(turn.contact)


@dataclass(frozen=True)
class Nothing:
    """A placeholder effect for tests and for flows that only reply."""

    note: str = field(default="")

    def apply(self, tx: Session, turn: Turn) -> None:
        return None


@dataclass(frozen=True)
class CreateComplaint:
    reference: str
    category: str
    details: str
    committee: str
    attachments: tuple[dict[str, Any], ...] = ()
    request_reference: str | None = None

    def apply(self, tx: Session, turn: Turn) -> None:
        assert turn.contact.id is not None
        tx.add(
            Complaint(
                reference=self.reference, org_slug=turn.contact.org_slug, contact_id=turn.contact.id,
                request_reference=self.request_reference, category=self.category, details=self.details,
                attachments=list(self.attachments), committee=self.committee, channel=turn.channel,
                created_at=turn.now, updated_at=turn.now,
            )
        )
        tx.flush()  # the complaint number's uniqueness is checked by the database


@dataclass(frozen=True)
class RecordRating:
    score: int | None  # None: the beneficiary declined
    comment: str | None = None
    request_reference: str | None = None
    survey_id: int | None = None

    def apply(self, tx: Session, turn: Turn) -> None:
        assert turn.contact.id is not None
        rated = _own_request(tx, turn, self.request_reference)
        tx.add(
            Rating(
                org_slug=turn.contact.org_slug, contact_id=turn.contact.id,
                request_id=rated.id if rated else None, survey_id=self.survey_id,
                score=self.score, comment=self.comment, channel=turn.channel, created_at=turn.now,
            )
        )


@dataclass(frozen=True)
class OpenHandoff:
    category: str
    officer: str
    reason: str

    def apply(self, tx: Session, turn: Turn) -> None:
        assert turn.contact.id is not None
        CloseHandoff("superseded").apply(tx, turn)  # at most one open handoff per contact
        tx.add(
            Handoff(
                org_slug=turn.contact.org_slug, contact_id=turn.contact.id, category=self.category,
                officer=self.officer, reason=self.reason, opened_at=turn.now, last_activity_at=turn.now,
            )
        )


@dataclass(frozen=True)
class CloseHandoff:
    by: str  # a staff username, "timeout" or "superseded"

    def apply(self, tx: Session, turn: Turn) -> None:
        query = select(Handoff).where(Handoff.contact_id == turn.contact.id, Handoff.status == "open")
        for handoff in tx.exec(query).all():
            handoff.status, handoff.closed_at, handoff.closed_by = "closed", turn.now, self.by
            tx.add(handoff)


@dataclass(frozen=True)
class SetOptOut:
    """The contact asked to receive no more surveys or other unsolicited messages."""

    opted_out: bool = True

    def apply(self, tx: Session, turn: Turn) -> None:
        turn.contact.opted_out = self.opted_out
        tx.add(turn.contact)
