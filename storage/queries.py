"""Data functions: the queries more than one part of the product asks, written once.

Each takes the caller's session (the caller owns the transaction) and returns model rows.

    >>> with transaction() as tx:                              # doctest: +SKIP
    ...     contact = contact_by_address(tx, "whatsapp", "+966501234567", org_slug="esrar")
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlmodel import Session, col, select

from storage.db import is_sqlite
from storage.models import (
    AuditLog,
    Complaint,
    Contact,
    Handoff,
    InboundRecord,
    PrivacyRequest,
    ServiceRequest,
    Staff,
    Survey,
    UrgentAlert,
)
from storage.sealed import id_hashes


def contact_by_address(tx: Session, channel: str, address: str, *, org_slug: str | None = None) -> Contact | None:
    """The contact that writes from `address` on `channel` (of `org_slug`, or the newest of any org)."""
    query = select(Contact).where(Contact.channel == channel, Contact.address == address)
    if org_slug is not None:
        query = query.where(Contact.org_slug == org_slug)
    return tx.exec(query.order_by(col(Contact.id).desc())).first()


def lock_contact(tx: Session, contact_id: int) -> Contact:
    """The contact row, locked against a turn running for it at the same time (FOR UPDATE on PostgreSQL;
    SQLite serialises writers with BEGIN IMMEDIATE)."""
    query = select(Contact).where(Contact.id == contact_id)
    if not is_sqlite(tx.get_bind()):  # type: ignore[arg-type]
        query = query.with_for_update()
    return tx.exec(query).one()


def oldest_pending(tx: Session, contact_id: int) -> InboundRecord | None:
    """The contact's oldest accepted message not yet processed: per-contact order is kept."""
    return tx.exec(
        select(InboundRecord)
        .where(InboundRecord.contact_id == contact_id, col(InboundRecord.processed_at).is_(None))
        .order_by(col(InboundRecord.id))
    ).first()


def own_request(tx: Session, contact_id: int, reference: str | None) -> ServiceRequest | None:
    """One of this contact's own requests, by reference (None when there is none or it is not theirs)."""
    if not reference:
        return None
    return tx.exec(
        select(ServiceRequest).where(ServiceRequest.reference == reference, ServiceRequest.contact_id == contact_id)
    ).first()


def open_handoffs(tx: Session, contact_id: int) -> list[Handoff]:
    return list(tx.exec(select(Handoff).where(Handoff.contact_id == contact_id, Handoff.status == "open")).all())


def latest_open_alert(tx: Session, contact_id: int) -> UrgentAlert | None:
    return tx.exec(
        select(UrgentAlert)
        .where(UrgentAlert.contact_id == contact_id, UrgentAlert.status == "open")
        .order_by(col(UrgentAlert.id).desc())
    ).first()


def audit(tx: Session, actor: str, action: str, target: str | None, now: datetime, reason: str | None = None,
          *, org_slug: str | None = None, **details: Any) -> None:
    """One audit log row: who did or read what, when, why, and about which association's data.

    `org_slug` is the association the row is about; when not given it is found from the target
    (see `org_of_target`), so every row about an association's data carries it.
    """
    org = org_slug if org_slug is not None else org_of_target(tx, target)
    tx.add(AuditLog(actor=actor, action=action, target=target, org_slug=org, reason=reason, details=details,
                    at=now))


_NUMBERED: dict[str, Any] = {"H": Handoff, "alert:": UrgentAlert, "survey:": Survey}
_REFERENCED: tuple[Any, ...] = (ServiceRequest, Complaint, PrivacyRequest)


def org_of_target(tx: Session, target: str | None) -> str | None:
    """The association an audit target belongs to: a reference (request, complaint, privacy request),
    a handoff ("H12"), an alert ("alert:3"), a survey ("survey:2") or a staff username; None otherwise."""
    if not target:
        return None
    for prefix, model in _NUMBERED.items():
        number = target[len(prefix):]
        if target.startswith(prefix) and number.isdigit():
            row = tx.get(model, int(number))
            return row.org_slug if row is not None else None
    for model in _REFERENCED:
        found = tx.exec(select(model.org_slug).where(model.reference == target)).first()
        if found is not None:
            return str(found)
    staff = tx.exec(select(Staff).where(Staff.username == target)).first()
    return staff.org_slug if staff is not None else None


def handoff_transcript(tx: Session, handoff: Handoff) -> list[InboundRecord]:
    """What the beneficiary wrote while this handoff was open: from its opening to its closing (or now).

    Never what came after: a later form (an ID number, a diagnosis) is not part of the conversation staff
    were given.
    """
    query = select(InboundRecord).where(InboundRecord.contact_id == handoff.contact_id,
                                        col(InboundRecord.received_at) >= handoff.opened_at)
    if handoff.closed_at is not None:
        query = query.where(col(InboundRecord.received_at) <= handoff.closed_at)
    return list(tx.exec(query.order_by(col(InboundRecord.id))).all())


def requests_by_national_id(tx: Session, id_number: str, *, org_slug: str | None = None) -> list[ServiceRequest]:
    """Requests whose ID number (or passport number) is this one, found by its keyed hash: the number
    itself is sealed at rest (storage/sealed.py). Rows not yet rotated to the newest key are found too."""
    query = select(ServiceRequest).where(col(ServiceRequest.national_id_hash).in_(id_hashes(id_number)))
    if org_slug is not None:
        query = query.where(ServiceRequest.org_slug == org_slug)
    return list(tx.exec(query.order_by(col(ServiceRequest.id))).all())
