"""A copy of one person's data as a file in their language (PDPL right of access): what the association
holds about them (contact details, requests with their form data, complaints, messages they wrote),
made when staff complete an access request and downloadable by staff (reason required, audited):
`GET /staff/api/privacy/{reference}/export`, `tawasul staff export PRV-... --reason ...`.

    >>> with transaction() as tx:                                        # doctest: +SKIP
    ...     text = person_copy(tx, contact_id=7, now=utc_now())           # UTF-8 text, Arabic right to left
"""

from __future__ import annotations

import os
from datetime import datetime
from pathlib import Path

from sqlmodel import Session, col, select

from bot.flows.status import STATUS_LABELS
from bot.flows.validators import FIELD_LABELS
from bot.lang.calendar import both_calendars
from bot.lang.i18n import N_
from bot.turn.notify import context_for
from storage.models import Complaint, Contact, InboundRecord, ServiceRequest

TITLE = N_("A copy of your personal data held by {org}, made on {date}")
CONTACT = N_("Your contact details")
REQUESTS = N_("Your requests")
COMPLAINTS = N_("Your complaints")
MESSAGES = N_("Your messages to us")
NOTHING = N_("Nothing held.")


def person_copy(tx: Session, contact_id: int, now: datetime) -> str:
    """The person's data as text, in their language (headings, field names, statuses, dates)."""
    contact = tx.get(Contact, contact_id)
    if contact is None:
        raise ValueError(f"no contact {contact_id}")
    ctx = context_for(tx, contact, now)
    lines = [ctx.t(TITLE, org=ctx.local(ctx.org.name), date=both_calendars(now.date(), ctx.lang)), ""]
    lines += [f"== {ctx.t(CONTACT)}", f"{contact.channel}: {contact.address}"]
    if contact.phone:
        lines.append(f"{ctx.t(FIELD_LABELS['phone'])}: {contact.phone}")
    requests = tx.exec(select(ServiceRequest).where(ServiceRequest.contact_id == contact_id)
                       .order_by(col(ServiceRequest.id))).all()
    lines += ["", f"== {ctx.t(REQUESTS)}"] + ([] if requests else [ctx.t(NOTHING)])
    for req in requests:
        try:
            service = ctx.local(ctx.org.service(req.service_id).name)
        except KeyError:
            service = req.service_id
        status = ctx.t(STATUS_LABELS.get(req.status, req.status))
        lines.append(f"- {req.reference}: {service} ({status}, {both_calendars(req.submitted_at.date(), ctx.lang)})")
        lines += [f"    {ctx.t(FIELD_LABELS.get(name, name))}: {value}" for name, value in (req.data or {}).items()]
    complaints = tx.exec(select(Complaint).where(Complaint.contact_id == contact_id).order_by(col(Complaint.id))).all()
    lines += ["", f"== {ctx.t(COMPLAINTS)}"] + ([] if complaints else [ctx.t(NOTHING)])
    lines += [f"- {c.reference} ({both_calendars(c.created_at.date(), ctx.lang)}): {c.details}" for c in complaints]
    messages = tx.exec(select(InboundRecord).where(InboundRecord.contact_id == contact_id)
                       .order_by(col(InboundRecord.id))).all()
    written = [m for m in messages if m.text]
    lines += ["", f"== {ctx.t(MESSAGES)}"] + ([] if written else [ctx.t(NOTHING)])
    lines += [f"- {m.received_at:%Y-%m-%d %H:%M}: {m.text}" for m in written]
    return "\n".join(lines) + "\n"


def write_copy(directory: Path, reference: str, text: str) -> Path:
    """The copy as a file only its owner (the service) can read: `<directory>/<reference>.txt`."""
    directory.mkdir(parents=True, exist_ok=True, mode=0o700)
    path = directory / f"{reference}.txt"
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as out:
        out.write(text)
    return path
