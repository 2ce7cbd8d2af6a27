"""Find a beneficiary's conversation by phone, name, ID number or reference, without opening anything
sealed: a phone is matched on the contact's address and phone (stored plain), a name and an ID number
through their keyed hashes (storage/sealed.py), a reference directly. Results are masked as lists are,
and the search is audited (what kind of key and how many found, never the key itself).

    >>> with transaction() as tx:                                  # doctest: +SKIP
    ...     search(tx, who, now, phone="0501234567")  # -> [SearchHit(conversation="C7", ...)]
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any

from sqlalchemy import or_
from sqlmodel import Session, col, select

from bot.staff.auth import Principal
from bot.staff.inbox_schemas import SearchHit
from bot.staff.masking import mask_address
from bot.staff.web.errors import BadInput
from storage.models import Complaint, Contact, Handoff, PrivacyRequest, ServiceRequest
from storage.queries import audit, requests_by_national_id
from storage.sealed import name_hashes

LIMIT = 50


def phone_forms(phone: str) -> list[str]:
    """The ways a Saudi number is stored: +9665XXXXXXXX, whatsapp:+966..., 9665..., 05...."""
    digits = re.sub(r"\D", "", phone)
    digits = digits.removeprefix("00")
    if digits.startswith("05") and len(digits) == 10:
        digits = "966" + digits[1:]
    if digits.startswith("5") and len(digits) == 9:
        digits = "966" + digits
    if len(digits) < 7:
        raise BadInput("رقم الجوال غير مكتمل", "bad_phone")
    return [f"+{digits}", digits, f"whatsapp:+{digits}"]


def _contacts_of(tx: Session, who: Principal, ids: set[int]) -> list[Contact]:
    if not ids:
        return []
    rows = tx.exec(select(Contact).where(col(Contact.id).in_(ids)).order_by(col(Contact.id))).all()
    return [c for c in rows if who.may_see(c.org_slug)]


def search(tx: Session, who: Principal, now: datetime, *, phone: str | None = None, name: str | None = None,
           id_number: str | None = None, reference: str | None = None) -> list[SearchHit]:
    given = {k: v.strip() for k, v in (("phone", phone), ("name", name), ("id_number", id_number),
                                       ("reference", reference)) if v and v.strip()}
    if len(given) != 1:
        raise BadInput("ابحث بواحد فقط: الجوال أو الاسم أو رقم الهوية أو الرقم المرجعي", "one_key")
    (kind, value), = given.items()
    ids: set[int] = set()
    org = who.org
    if kind == "phone":
        forms = phone_forms(value)
        query = select(Contact.id).where(or_(col(Contact.address).in_(forms), col(Contact.phone).in_(forms)))
        ids = {i for i in tx.exec(query).all() if i is not None}
    elif kind == "name":
        if len(value) < 2:
            raise BadInput("الاسم قصير جدًا", "bad_name")
        query = select(ServiceRequest.contact_id).where(col(ServiceRequest.name_hash).in_(name_hashes(value)))
        ids = set(tx.exec(query).all())
    elif kind == "id_number":
        ids = {r.contact_id for r in requests_by_national_id(tx, value, org_slug=org)}
    else:
        key = value.upper()
        for model in (ServiceRequest, Complaint, PrivacyRequest):
            ids |= set(tx.exec(select(model.contact_id).where(model.reference == key)).all())
        if key[:1] == "H" and key[1:].isdigit():
            found = tx.get(Handoff, int(key[1:]))
            ids |= {found.contact_id} if found else set()
    contacts = _contacts_of(tx, who, ids)[:LIMIT]
    hits = [_hit(tx, c, kind) for c in contacts]
    audit(tx, who.username, "search", None, now, org_slug=org, key=kind, count=len(hits))
    return hits


def _refs(tx: Session, model: Any, contact_id: int) -> list[str]:
    return list(tx.exec(select(model.reference).where(model.contact_id == contact_id).order_by(col(model.id))).all())


def _hit(tx: Session, contact: Contact, kind: str) -> SearchHit:
    assert contact.id is not None
    open_one = tx.exec(select(Handoff.id).where(Handoff.contact_id == contact.id, Handoff.status == "open")).first()
    return SearchHit(conversation=f"C{contact.id}", org=contact.org_slug, contact_address=mask_address(contact.address),
                     channel=contact.channel, language=contact.language, matched=kind,
                     requests=_refs(tx, ServiceRequest, contact.id), complaints=_refs(tx, Complaint, contact.id),
                     open_handoff=f"H{open_one}" if open_one else None)
