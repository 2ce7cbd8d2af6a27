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
    PrivacyRequest,
    Rating,
    ServiceRequest,
    StatusChange,
    UrgentAlert,
    Volunteer,
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
            data=self.data,
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


def _request_id(tx: Session, turn: Turn, reference: str | None) -> int | None:
    """The id of one of this contact's own requests, by reference (None when not theirs)."""
    if not reference:
        return None
    return tx.exec(
        select(ServiceRequest.id).where(
            ServiceRequest.reference == reference, ServiceRequest.contact_id == turn.contact.id
        )
    ).first()


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
        tx.add(
            Rating(
                org_slug=turn.contact.org_slug, contact_id=turn.contact.id,
                request_id=_request_id(tx, turn, self.request_reference), survey_id=self.survey_id,
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
class RegisterVolunteer:
    data: dict[str, Any]

    def apply(self, tx: Session, turn: Turn) -> None:
        assert turn.contact.id is not None
        tx.add(Volunteer(org_slug=turn.contact.org_slug, contact_id=turn.contact.id, data=dict(self.data),
                         created_at=turn.now))


@dataclass(frozen=True)
class RaiseUrgentAlert:
    text: str | None = None
    latitude: float | None = None
    longitude: float | None = None

    def apply(self, tx: Session, turn: Turn) -> None:
        assert turn.contact.id is not None
        tx.add(
            UrgentAlert(
                org_slug=turn.contact.org_slug, contact_id=turn.contact.id, latitude=self.latitude,
                longitude=self.longitude, text=self.text, created_at=turn.now,
            )
        )


@dataclass(frozen=True)
class LocateUrgentAlert:
    """Adds the location (a map pin or a description) to the contact's latest open alert."""

    latitude: float | None = None
    longitude: float | None = None
    description: str | None = None

    def apply(self, tx: Session, turn: Turn) -> None:
        alert = tx.exec(
            select(UrgentAlert)
            .where(UrgentAlert.contact_id == turn.contact.id, UrgentAlert.status == "open")
            .order_by(col(UrgentAlert.id).desc())
        ).first()
        if alert is None:
            RaiseUrgentAlert(self.description, self.latitude, self.longitude).apply(tx, turn)
            return
        if self.latitude is not None:
            alert.latitude, alert.longitude = self.latitude, self.longitude
        if self.description:
            alert.text = "\n".join(t for t in (alert.text, self.description) if t)
        tx.add(alert)


@dataclass(frozen=True)
class CreatePrivacyRequest:
    reference: str
    kind: str  # access | correction | deletion
    due_date: date
    details: str | None = None

    def apply(self, tx: Session, turn: Turn) -> None:
        assert turn.contact.id is not None
        tx.add(
            PrivacyRequest(
                reference=self.reference, org_slug=turn.contact.org_slug, contact_id=turn.contact.id,
                kind=self.kind, details=self.details, due_date=self.due_date, created_at=turn.now,
            )
        )
        tx.flush()


@dataclass(frozen=True)
class SetOptOut:
    """The contact asked to receive no more surveys or other unsolicited messages."""

    opted_out: bool = True

    def apply(self, tx: Session, turn: Turn) -> None:
        turn.contact.opted_out = self.opted_out
        tx.add(turn.contact)
