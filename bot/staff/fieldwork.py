"""Field work: the outcome of a field visit (Namaa), and notices to every contact of one field site
(Al-Huda's pilgrims, who arrive through a site's Telegram or WhatsApp link: R15).

A contact's field site is the one its latest site link carried (`message_in.payload["field_site"]`, set by
the channel from `/start ORG-SITE`; a plain link clears it). A notice goes as free text to contacts whose
channel allows it: Telegram and SMS always, WhatsApp only inside the 24-hour window after the person's
last message. Outside that window WhatsApp allows only an approved template: staff name one of the
association's `whatsapp_templates` (its Twilio ContentSid, the notice as its variable {{1}}), or those
contacts are skipped and counted. Every notice is a `site_notice` row and an audit row.

    >>> send_site_notice(tx, "alhuda", "juhfa_miqat", "تحرك الحافلات الساعة 5 فجرًا", template=None,
    ...                  actor="officer.pilgrims", now=now)                   # doctest: +SKIP
    {'contacts': 40, 'sent': 31, 'template': 0, 'outside_window': 8, 'opted_out': 1}
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import String, cast
from sqlmodel import Session, col, select

from bot.flows.base import Reply, Result
from bot.staff.actions import StaffError
from bot.turn.notify import push
from bot.turn.profiles import current_profile
from storage.models import Contact, InboundRecord, ServiceRequest, SiteNotice, StatusChange, as_utc
from storage.queries import audit

WINDOW = timedelta(hours=24)
MAX_NOTICE = 1000


def site_contacts(tx: Session, org: str, site: str) -> list[Contact]:
    """The association's contacts whose latest site link was `site`."""
    rows = tx.exec(select(InboundRecord.contact_id, InboundRecord.payload).join(
        Contact, col(Contact.id) == col(InboundRecord.contact_id)).where(
        Contact.org_slug == org, cast(InboundRecord.payload, String).like('%"field_site"%'))
        .order_by(col(InboundRecord.id))).all()
    latest: dict[int, Any] = {}
    for contact_id, payload in rows:
        latest[contact_id] = (payload or {}).get("field_site")
    ids = [cid for cid, found in latest.items() if found == site]
    if not ids:
        return []
    return list(tx.exec(select(Contact).where(col(Contact.id).in_(ids)).order_by(col(Contact.id))).all())


def site_counts(tx: Session, org: str) -> dict[str, int]:
    """How many contacts each field site of the association has now."""
    sites = [s.id for s in current_profile(tx, org).field_sites]
    return {s: len(site_contacts(tx, org, s)) for s in sites}


def send_site_notice(tx: Session, org: str, site: str, text: str, *, template: str | None, actor: str,
                     now: datetime) -> dict[str, Any]:
    """Queue the notice to each contact of the site its channel allows; record and audit it; the counts."""
    profile = current_profile(tx, org)
    if site not in {s.id for s in profile.field_sites}:
        raise StaffError(f"لا يوجد موقع ميداني باسم {site} في هذه الجمعية")
    text = (text or "").strip()
    if not 2 <= len(text) <= MAX_NOTICE:
        raise StaffError(f"نص التعميم بين حرفين و{MAX_NOTICE} حرف")
    if template is not None and template not in profile.whatsapp_templates:
        raise StaffError(f"لا يوجد قالب واتساب معتمد باسم {template} لهذه الجمعية")
    counts: dict[str, Any] = {"contacts": 0, "sent": 0, "template": 0, "outside_window": 0, "opted_out": 0}
    event = {"type": "site_notice", "site": site}
    for contact in site_contacts(tx, org, site):
        counts["contacts"] += 1
        if contact.opted_out:
            counts["opted_out"] += 1
            continue
        inside = contact.last_inbound_at is not None and as_utc(now) - as_utc(contact.last_inbound_at) < WINDOW
        meta: dict[str, Any] = {"from": actor, "site_notice": site}
        if contact.channel == "whatsapp" and not inside:
            if template is None:
                counts["outside_window"] += 1
                continue
            meta.update(template=template, template_only=True, template_vars={"1": text})
            counts["template"] += 1
        else:
            if template is not None:
                meta["template"] = template  # should the window close before it is sent
            counts["sent"] += 1
        push(tx, contact, Result({}, (Reply(text),), (), (event,)), now=now, set_state=False, meta=meta)
    tx.add(SiteNotice(org_slug=org, site=site, text=text, template=template, actor=actor, counts=counts,
                      created_at=now))
    audit(tx, actor, "site_notice", f"{org}:{site}", now, org_slug=org, with_template=template, length=len(text),
          counts=counts)
    return counts


def notices(tx: Session, org: str, limit: int = 50) -> list[SiteNotice]:
    return list(tx.exec(select(SiteNotice).where(SiteNotice.org_slug == org)
                        .order_by(col(SiteNotice.id).desc()).limit(limit)).all())


def record_visit_outcome(tx: Session, reference: str, *, visited: bool, outcome: str, actor: str,
                         now: datetime) -> StatusChange:
    """The researcher's outcome of a field visit, in the request's history (the family is not messaged)."""
    req = tx.exec(select(ServiceRequest).where(ServiceRequest.reference == reference.strip().upper())).first()
    if req is None or req.id is None:
        raise StaffError(f"لا يوجد طلب بالرقم {reference}")
    service = next((s for s in current_profile(tx, req.org_slug).services if s.id == req.service_id), None)
    if service is None or not service.field_visit:
        raise StaffError("لا تشمل دراسة هذه الخدمة زيارة ميدانية")
    outcome = (outcome or "").strip()
    if len(outcome) < 2:
        raise StaffError("اكتب نتيجة الزيارة")
    note = ("نتيجة الزيارة الميدانية: " if visited else "تعذّرت الزيارة الميدانية: ") + outcome
    change = StatusChange(request_id=req.id, status=req.status, note=note, actor=actor, at=now)
    tx.add(change)
    audit(tx, actor, "visit_outcome", req.reference, now, org_slug=req.org_slug, visited=visited)
    return change
