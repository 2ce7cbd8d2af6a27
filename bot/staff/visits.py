"""Field visits (Namaa, policy channel 8: reaching the beneficiary through a field visit): staff schedule
the visit of a request whose service includes one, and the family is told the day on their channel.

    >>> schedule_visit(tx, "NMA-1234-56782", on=date(2026, 12, 1), at="10:00", note=None,   # doctest: +SKIP
    ...                actor="officer.families", now=utc_now())
    1
"""

from __future__ import annotations

import re
from datetime import date, datetime

from sqlmodel import Session, select

from bot.flows.base import Reply, Result
from bot.lang.calendar import both_calendars
from bot.staff.actions import StaffError
from bot.turn.notify import context_for, push
from storage.models import ServiceRequest, StatusChange
from storage.queries import audit, lock_contact

_TIME = re.compile(r"^([01]?[0-9]|2[0-3]):[0-5][0-9]$")


def schedule_visit(tx: Session, reference: str, *, on: date, at: str | None, note: str | None, actor: str,
                   now: datetime, researcher: str | None = None) -> int:
    """Record the visit in the request's history, tell the family, audit it; the number of messages queued."""
    req = tx.exec(select(ServiceRequest).where(ServiceRequest.reference == reference.strip().upper())).first()
    if req is None or req.id is None:
        raise StaffError(f"لا يوجد طلب بالرقم {reference}")
    if at is not None and not _TIME.match(at):
        raise StaffError("الوقت بصيغة ساعة:دقيقة، مثل 10:30")
    contact = lock_contact(tx, req.contact_id)
    ctx = context_for(tx, contact, now)
    service = next((s for s in ctx.org.services if s.id == req.service_id), None)
    if service is None or not service.field_visit:
        raise StaffError("لا تشمل دراسة هذه الخدمة زيارة ميدانية")
    if on < ctx.today:
        raise StaffError("موعد الزيارة في الماضي")
    day = both_calendars(on, ctx.lang)
    lines = [ctx.t("A field visit for your request {reference} is scheduled on {date}, at the address you gave.",
                   reference=req.reference, date=day)]
    if at:
        lines.append(ctx.t("Time: {time}.", time=at))
    if researcher:
        lines.append(ctx.t("The researcher who will visit you: {name}.", name=researcher))
    if note:
        lines.append(ctx.t("Note: {note}", note=note))
    lines.append(ctx.t("To change it, write: staff."))
    event = {"type": "visit_scheduled", "reference": req.reference, "date": on.isoformat(), "time": at,
             "researcher": researcher}
    rows = push(tx, contact, Result({}, (Reply("\n".join(lines)),), (), (event,)), now=now, set_state=False,
                meta={"template": "status_update"})
    history = (f"زيارة ميدانية: {both_calendars(on, 'ar')}" + (f" {at}" if at else "")
               + (f"، الباحث: {researcher}" if researcher else "") + (f" — {note}" if note else ""))
    tx.add(StatusChange(request_id=req.id, status=req.status, note=history, actor=actor, at=now))
    audit(tx, actor, "schedule_visit", req.reference, now, on=on.isoformat(), at=at, note=note, researcher=researcher)
    return len(rows)
