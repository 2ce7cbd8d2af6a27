"""Erasing one person's data (PDPL deletion): every record of the contact loses its personal content,
media files are deleted, and the contact itself becomes an anonymous row.

What a legal hold keeps is kept and named, so the beneficiary can be told:
- "complaint_investigation": a complaint a committee is investigating keeps its text until it is resolved;
- "financial_record": a delivered request keeps its reference, service and dates (never its form data),
  the record of aid the association must keep.
The one message that tells the person it was done is delivered first, then loses its address and text.

    >>> with transaction() as tx:                                          # doctest: +SKIP
    ...     done = erase_person(tx, contact_id=7)
    ...     done.holds, done.counts["messages_in"]
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlmodel import Session, col, select

from storage.models import (
    Acknowledgement,
    Complaint,
    Contact,
    Conversation,
    InboundRecord,
    Investigation,
    OutboundRecord,
    PrivacyRequest,
    Rating,
    ServiceRequest,
    StaffNote,
    StatusChange,
    UrgentAlert,
    Volunteer,
)

ERASED_ADDRESS = "erased:{id}"
UNSENT = ("queued", "sending")


@dataclass
class Erasure:
    counts: dict[str, int] = field(default_factory=dict)
    holds: list[str] = field(default_factory=list)  # "complaint_investigation", "financial_record"
    files: int = 0

    def add(self, what: str, n: int = 1) -> None:
        self.counts[what] = self.counts.get(what, 0) + n


def _paths(items: Iterable[dict[str, Any]]) -> list[str]:
    return [str(i["path"]) for i in items if isinstance(i, dict) and i.get("path")]


def legal_holds(tx: Session, contact_id: int) -> list[str]:
    """What an erasure of this contact keeps, and why (the codes of this module's docstring)."""
    delivered = tx.exec(select(ServiceRequest.id).where(ServiceRequest.contact_id == contact_id,
                                                        ServiceRequest.status == "delivered")).first()
    return [hold for hold, found in (("financial_record", delivered),
                                     ("complaint_investigation", _investigated(tx, contact_id)))
            if found is not None]


def _investigated(tx: Session, contact_id: int) -> int | None:
    """A complaint of this contact that a committee is investigating (not yet resolved)."""
    return tx.exec(
        select(Complaint.id).join(Investigation, col(Investigation.complaint_id) == col(Complaint.id))
        .where(Complaint.contact_id == contact_id, Complaint.status != "resolved")
    ).first()


def erase_person(tx: Session, contact_id: int, *, keep_unsent: Iterable[int] = ()) -> Erasure:
    """Erase the personal content of every record of `contact_id`; `keep_unsent` are outbox ids still to be
    delivered (the confirmation), which keep their text and address until they are sent."""
    contact = tx.get(Contact, contact_id)
    if contact is None:
        return Erasure()
    done, files = Erasure(holds=legal_holds(tx, contact_id)), []
    requests = tx.exec(select(ServiceRequest).where(ServiceRequest.contact_id == contact_id)).all()
    for req in requests:
        files += _paths(req.documents)
        req.data, req.documents, req.on_behalf_of = {}, [], None
        tx.add(req)
        done.add("requests")
    ids = [r.id for r in requests]
    if ids:
        for change in tx.exec(select(StatusChange).where(col(StatusChange.request_id).in_(ids))).all():
            change.note = None
            tx.add(change)
    for ack in tx.exec(select(Acknowledgement).where(Acknowledgement.contact_id == contact_id)).all():
        ack.text = ""  # the summary the person acknowledged quoted their data; the fact and time remain
        tx.add(ack)
    for msg in tx.exec(select(InboundRecord).where(InboundRecord.contact_id == contact_id)).all():
        files += _paths((msg.payload or {}).get("media", []))
        msg.text, msg.payload = "", {}
        tx.add(msg)
        done.add("messages_in")
    keep = set(keep_unsent)
    for out in tx.exec(select(OutboundRecord).where(OutboundRecord.contact_id == contact_id)).all():
        if out.id in keep and out.status in UNSENT:
            out.meta = {**out.meta, "erase_after_send": True}
        else:
            out.text, out.buttons, out.session = "", [], {}
            out.to_address = ERASED_ADDRESS.format(id=contact_id)
            done.add("messages_out")
        tx.add(out)
    for note in tx.exec(select(StaffNote).where(StaffNote.contact_id == contact_id)).all():
        note.text = ""  # staff notes quote the person; the fact that one was written remains
        tx.add(note)
        done.add("staff_notes")
    conversation = tx.get(Conversation, contact_id)
    if conversation is not None:
        tx.delete(conversation)
    for rating in tx.exec(select(Rating).where(Rating.contact_id == contact_id)).all():
        rating.comment = None
        tx.add(rating)
    for complaint in tx.exec(select(Complaint).where(Complaint.contact_id == contact_id)).all():
        investigated = tx.exec(select(Investigation.id).where(Investigation.complaint_id == complaint.id)).first()
        if complaint.status != "resolved" and investigated is not None:
            continue  # a legal hold: the committee's investigation needs it
        files += _paths(complaint.attachments)
        complaint.details, complaint.attachments = "", []
        tx.add(complaint)
        done.add("complaints")
    for alert in tx.exec(select(UrgentAlert).where(UrgentAlert.contact_id == contact_id)).all():
        alert.text, alert.latitude, alert.longitude = None, None, None
        tx.add(alert)
    for volunteer in tx.exec(select(Volunteer).where(Volunteer.contact_id == contact_id)).all():
        volunteer.data = {}
        tx.add(volunteer)
    exports = Path(os.environ.get("TAWASUL_DATA_DIR", "data")) / "exports"
    for privacy in tx.exec(select(PrivacyRequest).where(PrivacyRequest.contact_id == contact_id)).all():
        privacy.details = None
        tx.add(privacy)
        files.append(str(exports / f"{privacy.reference}.txt"))  # a copy made for an access request
    contact.address = ERASED_ADDRESS.format(id=contact_id)
    contact.phone, contact.opted_out = None, True
    tx.add(contact)
    for path in files:
        with contextlib.suppress(FileNotFoundError, IsADirectoryError):
            os.remove(path)
            done.files += 1
    return done


def forget_delivered(row: OutboundRecord) -> None:
    """After the confirmation of an erasure is delivered: its text and the address go too."""
    if row.meta.get("erase_after_send"):
        row.text, row.buttons, row.session = "", [], {}
        row.to_address = ERASED_ADDRESS.format(id=row.contact_id)
