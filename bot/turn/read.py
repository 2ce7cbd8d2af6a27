"""The read side of a turn: what the inbound message means and what a flow may see.

A flow sees only the contact's own requests, complaints and open alert: ownership is decided
here, by the query, not by each flow.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any, Protocol

from sqlmodel import Session, col, select

from bot.flows.base import ComplaintView, ContactView, Context, Input, RequestView
from bot.lang.keywords import keyword_intent
from bot.messages import Location, Media
from bot.turn.profiles import current_profile
from nlu.entities import extract
from storage.models import (
    Complaint,
    Contact,
    InboundRecord,
    ServiceRequest,
    StatusChange,
    UrgentAlert,
    as_utc,
)

_REFERENCE = re.compile(r"(?<![A-Za-z])[A-Za-z]{3}[ \-–_.]{0,3}[\d٠-٩]")
LANGUAGES = ("ar", "en", "ur", "id")


def handoff_silence() -> timedelta:
    """How long staff may stay silent before the bot takes the conversation back (read at each use)."""
    return timedelta(hours=float(os.environ.get("TAWASUL_HANDOFF_SILENCE_HOURS", "24")))


class Understander(Protocol):
    def parse(self, text: str) -> Any: ...


def build_input(pending: InboundRecord, nlu: Understander | None) -> Input:
    """The stored message as a flow input; `nlu` None when a flow waits for a field (no NLU then)."""
    payload = pending.payload or {}
    media = tuple(Media(**m) for m in payload.get("media", []))
    location = None
    if "location" in payload:
        location = Location(payload["location"]["lat"], payload["location"]["lon"])
    text = pending.text
    refused = tuple(payload.get("refused_media") or ())
    if nlu is None or not text.strip():
        return Input(text=text, button=payload.get("button"), media=media, location=location, refused=refused)
    if not any(ch.isalpha() for ch in text):
        # No words, no intent: emojis, punctuation or a bare number ("💔💔", "👍", "5") never start an action
        # by themselves, so the NLU server is not asked; the entities (computed locally, as the client does)
        # still count: a reference typed without its prefix asks for its status.
        return Input(text=text, entities=tuple(extract(text)), button=payload.get("button"), media=media,
                     location=location, refused=refused)
    parsed = nlu.parse(text)
    return Input(
        text=text,
        intent=parsed.intent,
        confidence=parsed.confidence,
        ranking=tuple(parsed.ranking),
        entities=tuple(parsed.entities),
        button=payload.get("button"),
        media=media,
        location=location,
        language=parsed.language,
        refused=refused,
        urgent_confident=getattr(parsed, "urgent_confident", None),
    )


def choose_language(contact: Contact, inp: Input) -> str:
    """The reply language: the contact's, updated from a real sentence unless they chose one."""
    # An intent (or an explicit keyword when the NLU is down) means a real sentence, not a name or a digit;
    # a reference number alone ("ESR 1234 56782") is Latin letters in every language.
    said = inp.intent or keyword_intent(inp.text)
    words = any(c.isalpha() for c in _REFERENCE.sub(" ", inp.text))
    if not contact.language_locked and inp.language in LANGUAGES and said and words:
        contact.language = inp.language
    return contact.language or "ar"


def _request_views(tx: Session, contact_id: int) -> tuple[RequestView, ...]:
    requests = tx.exec(
        select(ServiceRequest)
        .where(ServiceRequest.contact_id == contact_id)
        .order_by(col(ServiceRequest.submitted_at).desc(), col(ServiceRequest.id).desc())
    ).all()
    ids = [r.id for r in requests]
    latest: dict[int, StatusChange] = {}
    if ids:
        # One query for every request's history; the newest change of each wins.
        for change in tx.exec(
            select(StatusChange).where(col(StatusChange.request_id).in_(ids)).order_by(col(StatusChange.id))
        ).all():
            latest[change.request_id] = change
    views = []
    for req in requests:
        assert req.id is not None
        last = latest.get(req.id)
        # The beneficiary's own reply (needs_info answered) is not a note to read back to them.
        note = last.note if last is not None and last.actor != "beneficiary" else None
        views.append(
            RequestView(req.reference, req.service_id, req.status, req.submitted_at, req.due_date,
                        tuple(req.committees), note)
        )
    return tuple(views)


def load_context(
    tx: Session,
    contact: Contact,
    now: datetime,
    lang: str,
    new_reference: Callable[[str], str],
    *,
    nlu_available: bool,
) -> Context:
    """What a flow step may know: the org, the clock, and this contact's own records only."""
    assert contact.id is not None
    alert_at = tx.exec(
        select(UrgentAlert.created_at)
        .where(UrgentAlert.contact_id == contact.id, UrgentAlert.status == "open")
        .order_by(col(UrgentAlert.id).desc())
    ).first()
    complaints = tx.exec(
        select(Complaint).where(Complaint.contact_id == contact.id).order_by(col(Complaint.id).desc())
    ).all()
    return Context(
        org=current_profile(tx, contact.org_slug),
        now=now,
        lang=lang,
        contact=ContactView(contact.id, contact.channel, contact.phone, contact.language),
        requests=_request_views(tx, contact.id),
        complaints=tuple(ComplaintView(c.reference, c.status, c.committee, c.created_at, c.outcome)
                         for c in complaints),
        new_reference=new_reference,
        nlu_available=nlu_available,
        open_alert_at=as_utc(alert_at) if alert_at else None,
        handoff_silence=handoff_silence(),
    )
