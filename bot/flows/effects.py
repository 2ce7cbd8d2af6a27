"""Records a flow step asks for: plain frozen values, with no database code.

A step returns them in `Result.effects`; the runtime writes each one inside the turn's transaction
(bot/turn/apply.py), so that a turn's records, state and replies commit together or not at all.

    >>> OpenHandoff("orphans", "amal", "asked for a person").officer
    'amal'
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any


@dataclass(frozen=True)
class CreateRequest:
    reference: str
    service_id: str
    committees: tuple[str, ...]
    data: dict[str, Any]
    documents: tuple[dict[str, Any], ...]
    due_date: date | None  # None when the policy sets no deadline (a minimum period, or none)
    acknowledgement: str
    on_behalf_of: str | None = None


@dataclass(frozen=True)
class AddRequestInfo:
    """Information the beneficiary sent for their own request after staff asked for it (needs_info).

    The files join the request's documents; the message is kept in the status history (actor
    "beneficiary"), and a request that was waiting for it goes back to "under_study".
    """

    reference: str
    text: str | None
    documents: tuple[dict[str, Any], ...] = ()


@dataclass(frozen=True)
class RecordConsent:
    purpose: str
    granted: bool
    text: str


@dataclass(frozen=True)
class SetLanguage:
    language: str
    locked: bool = True


@dataclass(frozen=True)
class Nothing:
    """A placeholder effect for tests and for flows that only reply."""

    note: str = field(default="")


@dataclass(frozen=True)
class CreateComplaint:
    reference: str
    category: str
    details: str
    committee: str
    attachments: tuple[dict[str, Any], ...] = ()
    request_reference: str | None = None


@dataclass(frozen=True)
class RecordRating:
    score: int | None  # None: the beneficiary declined
    comment: str | None = None
    request_reference: str | None = None
    survey_id: int | None = None


@dataclass(frozen=True)
class OpenHandoff:
    category: str
    officer: str
    reason: str


@dataclass(frozen=True)
class CloseHandoff:
    by: str  # a staff username, "timeout" or "superseded"


@dataclass(frozen=True)
class SetOptOut:
    """The contact asked to receive no more surveys or other unsolicited messages."""

    opted_out: bool = True


@dataclass(frozen=True)
class RegisterVolunteer:
    data: dict[str, Any]


@dataclass(frozen=True)
class RaiseUrgentAlert:
    text: str | None = None
    latitude: float | None = None
    longitude: float | None = None


@dataclass(frozen=True)
class DescribeUrgentAlert:
    """What the person writes to staff after an alert (a lost companion's description, a pin) is added to
    their open alert; nothing when it is closed (never a new alert)."""

    description: str | None = None
    latitude: float | None = None
    longitude: float | None = None


@dataclass(frozen=True)
class LocateUrgentAlert:
    """Adds the location (a map pin or a description) to the contact's latest open alert."""

    latitude: float | None = None
    longitude: float | None = None
    description: str | None = None


@dataclass(frozen=True)
class CreatePrivacyRequest:
    reference: str
    kind: str  # access | correction | deletion
    due_date: date
    details: str | None = None


Effect = (
    CreateRequest | AddRequestInfo | RecordConsent | SetLanguage | Nothing | CreateComplaint | RecordRating
    | OpenHandoff | CloseHandoff | SetOptOut | RegisterVolunteer | RaiseUrgentAlert | LocateUrgentAlert
    | CreatePrivacyRequest
)
