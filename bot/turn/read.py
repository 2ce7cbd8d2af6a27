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

from sqlmodel import Session

from bot.flows.base import ComplaintView, ContactView, Context, Input, RequestView
from bot.lang.courtesy import in_kind, unsupported_script
from bot.lang.keywords import keyword_intent
from bot.messages import Location, Media
from bot.turn.profiles import current_profile
from nlu.entities import extract
from orgs import load_org
from storage import turnrows
from storage.models import Contact, as_utc
from storage.turnrows import PendingMessage

_REFERENCE = re.compile(r"(?<![A-Za-z])[A-Za-z]{3}[ \-–_.]{0,3}[\d٠-٩]")
LANGUAGES = ("ar", "en", "ur", "id")


def handoff_silence() -> timedelta:
    """How long staff may stay silent before the bot takes the conversation back (read at each use)."""
    return timedelta(hours=float(os.environ.get("TAWASUL_HANDOFF_SILENCE_HOURS", "24")))


class Understander(Protocol):
    def parse(self, text: str) -> Any: ...


def build_input(pending: PendingMessage, nlu: Understander | None, *, in_form: bool = False) -> Input:
    """The stored message as a flow input (`nlu` None: the NLU is down or not used).

    `in_form`: a flow waits for an answer. The NLU's intent is still read (an emergency, a complaint or a
    question typed at a form's question: bot/turn/detour.py), but not its language: a name or a place in
    Latin letters is an answer, not a wish to change the conversation's language."""
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
        language=None if in_form else parsed.language,
        refused=refused,
        urgent_confident=getattr(parsed, "urgent_confident", None),
    )


def choose_language(contact: Contact, inp: Input) -> str:
    """The reply language: the contact's, changed only on evidence, never once they chose one.

    The first real message sets it (one the bot understood, or a sentence). After that a message changes
    it only when it is a sentence in the other language: at least three words written in that language's
    script (Latin for en/id, Arabizi and Roman Urdu; Arabic letters for ar/ur), two when it asks for
    something the bot understood, four when it is a greeting, thanks, yes or no. One word ("ok", "thanks", a country given as a nationality) or an Arabic sentence with a
    Latin name in it does not switch the conversation.
    """
    # An intent (or an explicit keyword when the NLU is down) means a real sentence, not a name or a digit;
    # a reference number alone ("ESR 1234 56782") is Latin letters in every language.
    if unsupported_script(inp.text) and not contact.language_locked:
        # None of our languages: English, the most widely read of them, with an offer of a person (router).
        contact.language = contact.language or "en"
        return contact.language
    said = inp.intent or keyword_intent(inp.text)
    words = _WORD.findall(_REFERENCE.sub(" ", inp.text))
    if contact.language_locked or inp.language not in LANGUAGES or not words or contact.language == inp.language:
        return contact.language or "ar"
    if (contact.language is None and said) or _sentence_in(inp, words, said):
        contact.language = inp.language
    return contact.language or "ar"


# Intents that a word or two of courtesy carry: not evidence of the language a person wants to be served in.
_COURTESY_INTENTS = frozenset({"greet", "thanks", "goodbye", "affirm", "deny"})
_WORD = re.compile(r"[^\W\d_][^\W\d_'\u200c]*")


def _sentence_in(inp: Input, words: list[str], said: str | None) -> bool:
    """Enough words of the detected language's script to be a sentence in it (see choose_language):
    three, or two that ask for something the bot understood."""
    latin = inp.language in ("en", "id") or (inp.language in ("ar", "ur") and _mostly_latin(words))
    own = [w for w in words if w.isascii() == latin]
    # A greeting of peace or thanks is said the same way in every language of our beneficiaries
    # ("Assalamu alaikum brother" in an English conversation): it needs a longer sentence to count.
    courtesy = said in _COURTESY_INTENTS or in_kind(inp.text) is not None
    needed = 4 if courtesy else 2 if said else 3
    return len(own) >= needed and len(own) * 2 > len(words)


def _mostly_latin(words: list[str]) -> bool:
    return sum(w.isascii() for w in words) * 2 > len(words)


def load_context(
    tx: Session,
    contact: Contact,
    now: datetime,
    lang: str,
    new_reference: Callable[[str], str],
    *,
    nlu_available: bool,
    locked: turnrows.Locked | None = None,
) -> Context:
    """What a flow step may know: the org, the clock, and this contact's own records only.

    `locked`: what a turn's first statement already read (turnrows.lock_turn): the open alert, and whether
    there are requests, complaints or a profile edit to read at all."""
    assert contact.id is not None
    if locked is not None:
        alert_at = locked.alert_at
        requests = turnrows.requests_of(tx, contact.id) if locked.requests else []
        complaints = turnrows.complaints_of(tx, contact.id) if locked.complaints else []
        org = current_profile(tx, contact.org_slug) if locked.profile_edited else load_org(contact.org_slug)
    else:
        alert_at = turnrows.open_alert_at(tx, contact.id)
        requests = turnrows.requests_of(tx, contact.id)
        complaints = turnrows.complaints_of(tx, contact.id)
        org = current_profile(tx, contact.org_slug)
    return Context(
        org=org,
        now=now,
        lang=lang,
        contact=ContactView(contact.id, contact.channel, contact.phone, contact.language),
        requests=tuple(RequestView(r.reference, r.service_id, r.status, r.submitted_at, r.due_date, r.committees,
                                   r.last_note) for r in requests),
        complaints=tuple(ComplaintView(c.reference, c.status, c.committee, c.created_at, c.outcome)
                         for c in complaints),
        new_reference=new_reference,
        nlu_available=nlu_available,
        open_alert_at=as_utc(alert_at) if alert_at else None,
        handoff_silence=handoff_silence(),
    )
