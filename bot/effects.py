"""Records a flow step asks for, and how the runtime writes them inside the turn's transaction.

Flows build these plain values; only `apply` touches the database, and only the runtime calls it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, Protocol

from sqlmodel import Session

from storage.models import Acknowledgement, Consent, Contact, ServiceRequest, StatusChange


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
