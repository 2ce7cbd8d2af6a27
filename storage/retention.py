"""Retention (PDPL: personal data kept no longer than needed): what an association's policy says has
expired loses its personal content; the records themselves stay (a reference, a service, dates, a
status), so the association's counts and its financial records remain.

- messages in and out, conversation state and urgent alerts older than the messages limit: the text,
  media, buttons, location go (a message still waiting to be sent is never touched);
- requests closed (delivered, rejected, closed) longer than the requests limit: the form data, documents
  and status notes go; the acknowledgement keeps its time, not the summary it quoted;
- complaints resolved longer than the complaints limit: the text and attachments go.

`expire(..., dry_run=True)` finds the same and changes nothing. The caller audits the result (which
records, how many), never the data itself.

    >>> with transaction() as tx:                                           # doctest: +SKIP
    ...     expire(tx, "esrar", messages_before=..., requests_before=..., complaints_before=...).counts
    {'messages_in': 120, 'messages_out': 130, 'requests': 2, ...}
"""

from __future__ import annotations

import contextlib
import os
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlmodel import Session, col, select

from storage.models import (
    Acknowledgement,
    Complaint,
    Contact,
    Conversation,
    InboundRecord,
    OutboundRecord,
    ServiceRequest,
    StaffNote,
    StatusChange,
    UrgentAlert,
)

CLOSED = ("delivered", "rejected", "closed")
UNSENT = ("queued", "sending")


@dataclass
class Expired:
    counts: dict[str, int] = field(default_factory=dict)
    requests: list[str] = field(default_factory=list)  # references whose data expired
    complaints: list[str] = field(default_factory=list)
    contacts: dict[int, int] = field(default_factory=dict)  # contact id -> messages expired
    files: int = 0

    def add(self, what: str, n: int = 1) -> None:
        self.counts[what] = self.counts.get(what, 0) + n


def _media(payload: dict[str, Any] | None) -> list[str]:
    return [str(m["path"]) for m in (payload or {}).get("media", []) if isinstance(m, dict) and m.get("path")]


def _paths(items: list[dict[str, Any]] | None) -> list[str]:
    return [str(i["path"]) for i in items or [] if isinstance(i, dict) and i.get("path")]


def expire(tx: Session, org_slug: str, *, messages_before: datetime, requests_before: datetime,
           complaints_before: datetime, dry_run: bool = False) -> Expired:
    """Clear what expired for one association; with `dry_run`, only find it."""
    done, files = Expired(), []
    contacts = select(Contact.id).where(Contact.org_slug == org_slug)

    def touch(row: Any, what: str, contact_id: int | None = None) -> None:
        done.add(what)
        if contact_id is not None:
            done.contacts[contact_id] = done.contacts.get(contact_id, 0) + 1
        if not dry_run:
            tx.add(row)

    for msg in tx.exec(select(InboundRecord).where(col(InboundRecord.contact_id).in_(contacts),
                                                   col(InboundRecord.received_at) < messages_before)).all():
        if msg.text or _media(msg.payload):
            files += _media(msg.payload)
            if not dry_run:
                msg.text, msg.payload = "", {}
            touch(msg, "messages_in", msg.contact_id)
    for out in tx.exec(select(OutboundRecord).where(col(OutboundRecord.contact_id).in_(contacts),
                                                    col(OutboundRecord.created_at) < messages_before,
                                                    col(OutboundRecord.status).not_in(UNSENT),
                                                    OutboundRecord.text != "")).all():
        if not dry_run:
            out.text, out.buttons, out.session = "", [], {}
        touch(out, "messages_out", out.contact_id)
    for note in tx.exec(select(StaffNote).where(StaffNote.org_slug == org_slug, StaffNote.text != "",
                                                col(StaffNote.created_at) < messages_before)).all():
        if not dry_run:  # staff notes quote the person: kept as long as the messages they are about
            note.text = ""
        touch(note, "staff_notes")
    for conversation in tx.exec(select(Conversation).where(col(Conversation.contact_id).in_(contacts),
                                                           col(Conversation.updated_at) < messages_before)).all():
        done.add("conversations")
        if not dry_run:
            tx.delete(conversation)
    for alert in tx.exec(select(UrgentAlert).where(UrgentAlert.org_slug == org_slug,
                                                   col(UrgentAlert.created_at) < messages_before)).all():
        if alert.text is not None or alert.latitude is not None:
            if not dry_run:
                alert.text, alert.latitude, alert.longitude = None, None, None
            touch(alert, "alerts")
    for req in tx.exec(select(ServiceRequest).where(ServiceRequest.org_slug == org_slug,
                                                    col(ServiceRequest.status).in_(CLOSED),
                                                    col(ServiceRequest.updated_at) < requests_before)).all():
        if not (req.data or req.documents or req.on_behalf_of):
            continue
        files += _paths(req.documents)
        done.requests.append(req.reference)
        if not dry_run:
            req.data, req.documents, req.on_behalf_of = {}, [], None
            for change in tx.exec(select(StatusChange).where(StatusChange.request_id == req.id)).all():
                change.note = None
                tx.add(change)
            for ack in tx.exec(select(Acknowledgement).where(Acknowledgement.request_id == req.id)).all():
                ack.text = ""
                tx.add(ack)
        touch(req, "requests")
    for complaint in tx.exec(select(Complaint).where(Complaint.org_slug == org_slug, Complaint.status == "resolved",
                                                     col(Complaint.updated_at) < complaints_before)).all():
        if not (complaint.details or complaint.attachments):
            continue
        files += _paths(complaint.attachments)
        done.complaints.append(complaint.reference)
        if not dry_run:
            complaint.details, complaint.attachments = "", []
        touch(complaint, "complaints")
    done.files = len(files)
    if not dry_run:
        tx.flush()
        for path in files:
            with contextlib.suppress(FileNotFoundError, IsADirectoryError):
                os.remove(path)
    return done
