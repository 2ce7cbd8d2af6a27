"""Records of the care flows (volunteering, urgent help, privacy requests), written inside the turn's
transaction like every effect (see bot/effects.py).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlmodel import Session, col, select

from bot.effects import Turn
from storage.models import PrivacyRequest, UrgentAlert, Volunteer


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
