"""The live inbox: open handoffs, urgent alerts and new complaints in one list, with unread counts and
waiting time, in the views "mine", "unassigned", "all" and "closed", filtered by channel, service,
language and field site. Addresses masked as in every list; each listing audited.

`version` is a cheap fingerprint of everything the inbox shows (a few index-only aggregates): the events
stream (bot/staff/web/inbox_api.py) polls it and tells the page to refresh when it changes, so a change
made by any `serve` process reaches every open console.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import and_
from sqlmodel import Session, col, func, select

from bot.staff.auth import Principal
from bot.staff.inbox_schemas import InboxCounts, InboxItem, InboxOut, View
from bot.staff.labels import (
    CHANNEL_AR,
    LANGUAGE_AR,
    category_label,
    field_site_label,
    officer_label,
    service_label,
)
from bot.staff.masking import mask_address
from bot.staff.web.html import status_ar
from bot.staff.web.ownership import held_by
from bot.staff.web.requests import count_rows, in_org, scope_org
from storage.models import Complaint, Contact, Handoff, InboundRecord, ServiceRequest, UrgentAlert, as_utc
from storage.queries import audit

CLOSED_LIMIT = 100


def _filters(query: Any, channel: str | None, language: str | None) -> Any:
    if channel:
        query = query.where(Contact.channel == channel)
    if language:
        query = query.where(Contact.language == language)
    return query


def _profile_facts(tx: Session, contact_ids: set[int]) -> dict[int, tuple[str | None, str | None]]:
    """contact -> (service of the latest request, field site): from the request's form, else from the
    contact's latest message (a field representative's deep link)."""
    facts: dict[int, tuple[str | None, str | None]] = {}
    if not contact_ids:
        return facts
    latest = (select(func.max(ServiceRequest.id)).where(col(ServiceRequest.contact_id).in_(contact_ids))
              .group_by(col(ServiceRequest.contact_id)))
    for req in tx.exec(select(ServiceRequest).where(col(ServiceRequest.id).in_(latest))).all():
        site = (req.data or {}).get("field_site")
        facts[req.contact_id] = (req.service_id, str(site) if site else None)
    last_in = (select(func.max(InboundRecord.id)).where(col(InboundRecord.contact_id).in_(contact_ids))
               .group_by(col(InboundRecord.contact_id)))
    for msg in tx.exec(select(InboundRecord).where(col(InboundRecord.id).in_(last_in))).all():
        service, site = facts.get(msg.contact_id, (None, None))
        facts[msg.contact_id] = (service, site or (msg.payload or {}).get("field_site"))
    return facts


def _unread(tx: Session, handoffs: Sequence[Handoff]) -> dict[int, tuple[int, datetime | None]]:
    """handoff -> (messages since staff last acted, the oldest of them), one grouped query."""
    ids = [h.id for h in handoffs if h.id is not None]
    if not ids:
        return {}
    rows = tx.exec(select(Handoff.id, func.count(col(InboundRecord.id)), func.min(InboundRecord.received_at))
                   .join(InboundRecord, and_(col(InboundRecord.contact_id) == col(Handoff.contact_id),
                                             col(InboundRecord.received_at) > col(Handoff.last_activity_at)))
                   .where(col(Handoff.id).in_(ids)).group_by(col(Handoff.id))).all()
    return {hid: (int(n), oldest) for hid, n, oldest in rows if hid is not None}


def _seconds(now: datetime, since: datetime | None) -> int:
    return max(0, int((as_utc(now) - as_utc(since)).total_seconds())) if since else 0


def _item(kind: str, key: str, contact: Contact, facts: tuple[str | None, str | None], *, status: str,
          opened: datetime, waiting_since: datetime | None, now: datetime, unread: int = 0,
          category: str | None = None, category_ar: str | None = None, officer: str | None = None,
          assignee: str | None = None, names: dict[str, str] | None = None) -> InboxItem:
    org = contact.org_slug
    service, site = facts
    return InboxItem(
        kind=kind, id=key, conversation=f"C{contact.id}", org=org, contact_address=mask_address(contact.address),  # type: ignore[arg-type]
        channel=contact.channel, channel_ar=CHANNEL_AR.get(contact.channel, contact.channel),
        language=contact.language, language_ar=LANGUAGE_AR.get(contact.language or "", contact.language),
        service=service, service_ar=service_label(org, service) if service else None,
        field_site=site, field_site_ar=field_site_label(org, site) if site else None,
        category=category, category_ar=category_ar, officer=officer,
        officer_ar=officer_label(org, officer) if officer else None,
        assignee=assignee, assignee_name=(names or {}).get(assignee or ""), status=status,
        status_ar=status_ar(status), opened_at=opened, waiting_seconds=_seconds(now, waiting_since),
        unread=unread, urgent=kind == "alert")


def inbox(tx: Session, who: Principal, now: datetime, *, view: View = "all", org: str | None = None,
          channel: str | None = None, service: str | None = None, language: str | None = None,
          field_site: str | None = None, limit: int = 200, log: bool = True) -> InboxOut:
    org = scope_org(who, org)
    closed = view == "closed"
    handoffs_q = _filters(in_org(select(Handoff, Contact), Handoff, org)
                          .join(Contact, col(Contact.id) == col(Handoff.contact_id)), channel, language)
    if closed:
        handoffs_q = handoffs_q.where(Handoff.status == "closed").order_by(col(Handoff.closed_at).desc())
    else:
        handoffs_q = handoffs_q.where(Handoff.status == "open").order_by(col(Handoff.opened_at), col(Handoff.id))
        if view == "mine":
            handoffs_q = handoffs_q.where(Handoff.assignee == who.username)
        elif view == "unassigned":
            handoffs_q = handoffs_q.where(col(Handoff.assignee).is_(None))
    handoffs = list(tx.exec(handoffs_q.limit(CLOSED_LIMIT if closed else limit)).all())
    alerts: list[Any] = []
    complaints: list[Any] = []
    if view != "mine":
        alerts_q = _filters(in_org(select(UrgentAlert, Contact), UrgentAlert, org)
                            .join(Contact, col(Contact.id) == col(UrgentAlert.contact_id)), channel, language)
        alerts_q = alerts_q.where(UrgentAlert.status == ("acknowledged" if closed else "open"))
        alerts = list(tx.exec(alerts_q.order_by(col(UrgentAlert.id).desc()).limit(limit)).all())
        complaints_q = _filters(in_org(select(Complaint, Contact), Complaint, org)
                                .join(Contact, col(Contact.id) == col(Complaint.contact_id)), channel, language)
        complaints_q = complaints_q.where(Complaint.status == ("resolved" if closed else "open"))
        complaints = list(tx.exec(complaints_q.order_by(col(Complaint.id).desc()).limit(limit)).all())
    ids = {c.id for _, c in (*handoffs, *alerts, *complaints) if c.id is not None}
    facts = _profile_facts(tx, ids)
    unread = _unread(tx, [h for h, _ in handoffs if h.status == "open"])
    names = held_by(tx, {h.assignee for h, _ in handoffs if h.assignee})
    items = [_item("alert", f"A{a.id}", c, facts.get(c.id, (None, None)), status=a.status, opened=a.created_at,
                   waiting_since=None if closed else a.created_at, now=now) for a, c in alerts]
    for h, c in handoffs:
        n, oldest = unread.get(h.id or 0, (0, None))
        items.append(_item("handoff", f"H{h.id}", c, facts.get(c.id, (None, None)), status=h.status,
                           opened=h.opened_at, waiting_since=None if closed else (oldest or h.opened_at), now=now,
                           unread=n, category=h.category, category_ar=officer_label(h.org_slug, h.category),
                           officer=h.officer, assignee=h.assignee, names=names))
    items += [_item("complaint", p.reference, c, facts.get(c.id, (None, None)), status=p.status,
                    opened=p.created_at, waiting_since=None if closed else p.created_at, now=now,
                    category=p.category, category_ar=category_label(p.category)) for p, c in complaints]
    if service:
        items = [i for i in items if i.service == service]
    if field_site:
        items = [i for i in items if i.field_site == field_site]
    out = InboxOut(view=view, items=items, counts=counts(tx, who, org), version=version(tx, org))
    if log:
        audit(tx, who.username, "list_inbox", org, now, org_slug=org, view=view, count=len(items))
    return out


def counts(tx: Session, who: Principal, org: str | None) -> InboxCounts:
    open_ = in_org(select(Handoff), Handoff, org).where(Handoff.status == "open")
    waiting = (select(func.count(col(InboundRecord.id))).select_from(Handoff)
               .join(InboundRecord, and_(col(InboundRecord.contact_id) == col(Handoff.contact_id),
                                         col(InboundRecord.received_at) > col(Handoff.last_activity_at)))
               .where(Handoff.status == "open"))
    if org:
        waiting = waiting.where(Handoff.org_slug == org)
    return InboxCounts(
        mine=count_rows(tx, open_.where(Handoff.assignee == who.username)),
        unassigned=count_rows(tx, open_.where(col(Handoff.assignee).is_(None))),
        all=count_rows(tx, open_),
        urgent=count_rows(tx, in_org(select(UrgentAlert), UrgentAlert, org).where(UrgentAlert.status == "open")),
        unread=int(tx.exec(waiting).one()),
    )


def version(tx: Session, org: str | None) -> str:
    """A fingerprint of the inbox of `org` (None: every association): it changes when a handoff opens,
    closes, changes hands or sees staff act, an alert or complaint arrives or is handled, or a message
    comes in."""
    def scoped(query: Any, model: Any) -> Any:
        return query.where(model.org_slug == org) if org else query

    parts = (
        tx.exec(scoped(select(func.max(Handoff.id), func.max(Handoff.last_activity_at), func.max(Handoff.assigned_at),
                              func.max(Handoff.closed_at)), Handoff)).one(),
        tx.exec(scoped(select(func.max(UrgentAlert.id), func.count()).where(UrgentAlert.status == "open"),
                       UrgentAlert)).one(),
        tx.exec(scoped(select(func.max(Complaint.id), func.max(Complaint.updated_at)), Complaint)).one(),
        tx.exec(select(func.max(InboundRecord.id))).one(),
    )
    return hashlib.sha256(repr(parts).encode()).hexdigest()[:16]
