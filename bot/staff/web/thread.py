"""The whole conversation with one beneficiary, as staff read it: what they wrote, what the bot and staff
answered, internal notes, attachments and locations, with their requests and complaints beside it.

Opening it is a read of personal data: the first opening of a day asks for a reason, stored once per
staff member, conversation and day (`thread_access`, unique in the database) and audited; each later
opening that day is audited too, under the same reason. A health answer (a diagnosis, a health service's
details) is withheld from roles that may not read health data (R12).

    >>> with transaction() as tx:                                          # doctest: +SKIP
    ...     thread(tx, who, "H12", "متابعة طلب المستفيد", now).entries[0].text
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlmodel import Session, col, select

from bot.staff.auth import Principal
from bot.staff.inbox_schemas import Attachment, NoteOut, ReadyReplyFor, ThreadEntry, ThreadOut
from bot.staff.labels import intent_label
from bot.staff.reads import org_today, summary
from bot.staff.web.errors import BadInput, NotFound
from bot.staff.web.ownership import first_name, held_by
from bot.staff.web.requests import check_reason
from bot.staff.web.work import _complaints_out
from bot.turn.profiles import current_profile
from orgs.schema import HEALTH_FIELDS, HEALTH_TEXT_FIELDS
from storage.db import is_sqlite
from storage.models import (
    Complaint,
    Contact,
    Handoff,
    InboundRecord,
    OutboundRecord,
    ServiceRequest,
    StaffNote,
    ThreadAccess,
    UrgentAlert,
)
from storage.queries import audit

LIMIT = 500  # the latest messages each way; older ones stay in the audit-free archive of retention
WITHHELD = "— إجابة صحية محجوبة عن هذا الدور —"


def conversation_of(tx: Session, who: Principal, key: str) -> Contact:
    """The contact a key names: "C7", a handoff "H12", an alert "A3", or a request's or complaint's reference."""
    k = key.strip().upper()
    contact_id: int | None = None
    if k[:1] in "CHA" and k[1:].isdigit():
        model: Any = {"C": Contact, "H": Handoff, "A": UrgentAlert}[k[0]]
        row = tx.get(model, int(k[1:]))
        contact_id = (row.id if k[0] == "C" else row.contact_id) if row is not None else None
    else:
        for model in (ServiceRequest, Complaint):
            row = tx.exec(select(model).where(model.reference == k)).first()
            if row is not None:
                contact_id = row.contact_id
                break
    contact = tx.get(Contact, contact_id) if contact_id is not None else None
    if contact is None or not who.may_see(contact.org_slug):
        raise NotFound(f"لا توجد محادثة بالرقم {key}")  # another association's is not told apart
    return contact


def reason_of_day(tx: Session, who: Principal, contact: Contact, now: datetime) -> str | None:
    day = org_today(contact.org_slug, now)
    found = tx.exec(select(ThreadAccess).where(ThreadAccess.staff == who.username,
                                               ThreadAccess.contact_id == contact.id, ThreadAccess.day == day)).first()
    return found.reason if found else None


def open_with(tx: Session, who: Principal, contact: Contact, reason: str | None, now: datetime) -> str:
    """The day's reason: `reason` stored when given (a second one the same day keeps the first), else the
    one already given today; BadInput("reason_required") when there is none."""
    if reason is not None and reason.strip():
        reason = check_reason(reason)
        insert = sqlite_insert if is_sqlite(tx.get_bind()) else pg_insert  # type: ignore[arg-type]
        tx.execute(insert(ThreadAccess).values(staff=who.username, contact_id=contact.id, reason=reason, at=now,
                                               day=org_today(contact.org_slug, now))
                   .on_conflict_do_nothing(index_elements=["staff", "contact_id", "day"]))
    given = reason_of_day(tx, who, contact, now)
    if given is None:
        raise BadInput("اذكر سبب فتح هذه المحادثة مرة واحدة اليوم (يُسجَّل في سجل التدقيق)", "reason_required")
    return given


def _attachments(contact: Contact, msg: InboundRecord) -> list[Attachment]:
    out = []
    for i, media in enumerate((msg.payload or {}).get("media", [])):
        url = f"/staff/api/threads/C{contact.id}/media/{msg.id}/{i}" if media.get("path") else None
        out.append(Attachment(name=str(media.get("name") or f"ملف {i + 1}"), content_type=media.get("content_type"),
                              size=media.get("size"), url=url))
    return out


def _entries(tx: Session, who: Principal, contact: Contact) -> list[ThreadEntry]:
    inbound = tx.exec(select(InboundRecord).where(InboundRecord.contact_id == contact.id)
                      .order_by(col(InboundRecord.id).desc()).limit(LIMIT)).all()
    outbound = tx.exec(select(OutboundRecord).where(OutboundRecord.contact_id == contact.id)
                       .order_by(col(OutboundRecord.id).desc()).limit(LIMIT)).all()
    notes = tx.exec(select(StaffNote).where(StaffNote.contact_id == contact.id)
                    .order_by(col(StaffNote.id).desc()).limit(LIMIT)).all()
    names = held_by(tx, {str(o.meta.get("from")) for o in outbound if o.meta.get("from")} | {n.author for n in notes})
    timeline: list[tuple[datetime, int, Any]] = [(m.received_at, 0, m) for m in inbound]
    timeline += [(o.created_at, 1, o) for o in outbound] + [(n.created_at, 2, n) for n in notes]
    timeline.sort(key=lambda t: (t[0].replace(tzinfo=None), t[1], t[2].id or 0))
    entries: list[ThreadEntry] = []
    expects: str | None = None  # what the bot last asked for: the next message answers it
    health = HEALTH_FIELDS | HEALTH_TEXT_FIELDS
    for at, kind, row in timeline:
        if kind == 1:
            expects = (row.session or {}).get("expects")
            staff = row.meta.get("from")
            entries.append(ThreadEntry(kind="out", author=staff or "bot", at=at, text=row.text, language=row.language,
                                       author_name=names.get(staff, staff) if staff else "المساعد الآلي"))
        elif kind == 2:
            entries.append(ThreadEntry(kind="note", author=row.author, author_name=names.get(row.author, row.author),
                                       at=at, text=row.text))
        else:
            payload = row.payload or {}
            understood = payload.get("understood") or {}
            lang = understood.get("language") or contact.language
            gloss = intent_label(understood.get("intent")) if lang and lang != "ar" else None
            loc = payload.get("location")
            hidden = not who.sees_health and expects in health
            entries.append(ThreadEntry(
                kind="in", author="beneficiary", author_name="المستفيد", at=at, language=lang,
                text=WITHHELD if hidden else row.text, withheld=hidden, gloss_ar=gloss,
                attachments=[] if hidden else _attachments(contact, row),
                location={"lat": float(loc["lat"]), "lon": float(loc["lon"])} if loc else None,
                map_url=f"https://maps.google.com/?q={loc['lat']},{loc['lon']}" if loc else None))
            expects = None
    return entries


def thread(tx: Session, who: Principal, key: str, reason: str | None, now: datetime, via: str) -> ThreadOut:
    contact = conversation_of(tx, who, key)
    given = open_with(tx, who, contact, reason, now)
    target = f"C{contact.id}"
    first = reason is not None and reason.strip() != ""
    audit(tx, who.username, "show_personal_data" if first else "view_thread", target, now, reason=given,
          org_slug=contact.org_slug, via=via, same_day=not first)
    handoff = tx.exec(select(Handoff).where(Handoff.contact_id == contact.id)
                      .order_by(col(Handoff.status) == "open", col(Handoff.id))).all()
    latest = handoff[-1] if handoff else None
    requests = tx.exec(select(ServiceRequest).where(ServiceRequest.contact_id == contact.id)
                       .order_by(col(ServiceRequest.id).desc())).all()
    complaints = tx.exec(select(Complaint).where(Complaint.contact_id == contact.id)
                         .order_by(col(Complaint.id).desc())).all()
    alert = tx.exec(select(UrgentAlert.id).where(UrgentAlert.contact_id == contact.id, UrgentAlert.status == "open")
                    .order_by(col(UrgentAlert.id).desc())).first()
    return ThreadOut(
        conversation=target, org=contact.org_slug, contact_address=contact.address, channel=contact.channel,
        language=contact.language, handoff=f"H{latest.id}" if latest else None,
        handoff_status=latest.status if latest else None, assignee=latest.assignee if latest else None,
        assignee_name=first_name(tx, latest.assignee) if latest else None,
        category=latest.category if latest else None, reason_of_day=given, entries=_entries(tx, who, contact),
        open_alert=f"A{alert}" if alert else None,
        requests=[summary(r, now) for r in requests], complaints=_complaints_out(tx, complaints))


def add_note(tx: Session, who: Principal, key: str, text: str, now: datetime) -> NoteOut:
    """An internal note: stored for staff, never queued to the beneficiary."""
    text = text.strip()
    if not text:
        raise BadInput("نص الملاحظة فارغ")
    contact = conversation_of(tx, who, key)
    assert contact.id is not None
    open_one = tx.exec(select(Handoff).where(Handoff.contact_id == contact.id, Handoff.status == "open")).first()
    note = StaffNote(org_slug=contact.org_slug, contact_id=contact.id, handoff_id=open_one.id if open_one else None,
                     author=who.username, text=text, created_at=now)
    tx.add(note)
    tx.flush()
    audit(tx, who.username, "note_add", f"C{contact.id}", now, org_slug=contact.org_slug, length=len(text))
    return NoteOut(id=note.id or 0, conversation=f"C{contact.id}", author=who.username,
                   author_name=first_name(tx, who.username) or who.username, text=text, at=now)


def media_file(tx: Session, who: Principal, key: str, message_id: int, index: int, now: datetime) -> Path:
    """An attachment's stored file, for a conversation opened today with a reason (audited)."""
    contact = conversation_of(tx, who, key)
    if reason_of_day(tx, who, contact, now) is None:
        raise BadInput("افتح المحادثة بذكر السبب أولًا", "reason_required")
    msg = tx.get(InboundRecord, message_id)
    media = (msg.payload or {}).get("media", []) if msg is not None and msg.contact_id == contact.id else []
    if not 0 <= index < len(media) or not media[index].get("path") or not Path(media[index]["path"]).is_file():
        raise NotFound("لا يوجد هذا المرفق")
    audit(tx, who.username, "view_attachment", f"C{contact.id}", now, org_slug=contact.org_slug, message=message_id)
    return Path(media[index]["path"])


def ready_for(tx: Session, who: Principal, key: str) -> list[ReadyReplyFor]:
    """The association's ready replies in the beneficiary's language (Arabic where one lacks it)."""
    contact = conversation_of(tx, who, key)
    lang = contact.language or "ar"
    return [ReadyReplyFor(id=r.id, title_ar=r.title.get("ar"), language=lang if dict.get(r.text, lang) else "ar",
                          text=r.text.get(lang)) for r in current_profile(tx, contact.org_slug).ready_replies]
