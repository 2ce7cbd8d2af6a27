"""One turn: accept (dedupe) -> serialise per contact -> load session -> decide -> persist in ONE commit.

`accept` stores the inbound message (the unique (channel, provider_id) key drops a provider's
retry) and is all a webhook waits for. `process_contact` runs that contact's pending messages in
order; each turn's session, records, outbox rows and the inbound's processed mark commit together,
so a crash mid-turn leaves the message pending and nothing half-written.
"""

from __future__ import annotations

import logging
import os
import random
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session

from bot.errors import InputError
from bot.flows.base import Reply, Result, State
from bot.lang.i18n import translator
from bot.lang.keywords import keyword_intent
from bot.messages import InboundMessage
from bot.turn import detour, router
from bot.turn.read import Understander, build_input, choose_language, load_context
from bot.turn.references import new_reference
from bot.turn.write import write_result
from orgs import load_org
from storage import turnrows
from storage.db import get_engine, is_transient, read_once, transaction
from storage.models import Contact, OutboundRecord, as_utc
from storage.queries import oldest_pending

log = logging.getLogger("tawasul.runtime")
MAX_TEXT_CHARS = 4096
MAX_PROVIDER_ID = 128  # Twilio SIDs are 34 characters, Telegram ids a few digits
# NUL and other control characters (PostgreSQL refuses NUL in text), and the bidi overrides and isolates
# that could make a transcript read differently from what was written; new lines and tabs are kept.
_UNSAFE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\u202a-\u202e\u2066-\u2069]")


def clean_text(text: str) -> str:
    """A message's text as it is stored: bounded, without control characters or bidi overrides."""
    return _UNSAFE.sub("", text or "")[:MAX_TEXT_CHARS]
REFERENCE_RETRIES = 3
SESSION_RETRIES = 5  # a session changed by someone else between the NLU call and the commit: read again


class StaleSession(RuntimeError):
    """The session kept changing while the NLU was asked: the message stays pending (not a poisoned one)."""


def passing(exc: BaseException) -> bool:
    """A failure that is not the message's: a passing database error or a session that kept moving. The
    message stays pending, uncounted, and its contact is tried again soon."""
    return is_transient(exc) or isinstance(exc, StaleSession)


class _Parsed:
    """The NLU's answer for one stored message, asked before the transaction and handed to `build_input`."""

    def __init__(self, text: str, result: Any) -> None:
        self._text, self._result = text, result

    @classmethod
    def of(cls, pending: turnrows.PendingMessage, nlu: Understander) -> _Parsed:
        text = pending.text
        asked = bool(text.strip()) and any(ch.isalpha() for ch in text)  # as build_input decides
        return cls(text, nlu.parse(text) if asked else None)

    def parse(self, text: str) -> Any:
        assert text == self._text, "a stored message's text never changes"
        return self._result


def _asks_nlu(nlu: Understander | None, state: State, text: str) -> bool:
    """The NLU reads a message unless a flow waits for a value it accepts or for free text (personal data
    stays out of the NLU; see bot/turn/detour.py)."""
    in_form = bool(state.get("flow") and state.get("expects"))
    return nlu is not None and (not in_form or detour.wants_nlu(state, text))


@dataclass(frozen=True)
class _Seen:
    """What a turn read before asking the NLU: it commits only if these are still true."""

    message: turnrows.PendingMessage
    session: turnrows.SessionRow  # its version None: no session yet
    asks_nlu: bool
    parsed: _Parsed | None
MAX_TURN_ATTEMPTS = 3  # a message whose turn fails this often is set aside, with an apology


def utc_now() -> datetime:
    return datetime.now(UTC)


@dataclass
class Runtime:
    """The channel-neutral runtime every connector shares."""

    engine: Engine = field(default_factory=get_engine)
    nlu: Understander | None = None
    clock: Callable[[], datetime] = utc_now
    rng: random.Random | None = None  # seeded in tests; `secrets` otherwise
    default_org: str = field(default_factory=lambda: os.environ.get("TAWASUL_ORG", "esrar"))
    session_ttl: timedelta = field(
        default_factory=lambda: timedelta(hours=float(os.environ.get("TAWASUL_SESSION_TTL_HOURS", "168")))
    )
    # Called after the flow step, before commit; lets tests prove a failing turn leaves nothing.
    before_commit: Callable[[Session], None] | None = None
    # Called before routing: a Result replaces the turn (e.g. an SMS "STOP"), None lets it run.
    intercept: Callable[[Contact, turnrows.PendingMessage, State], Result | None] | None = None
    # Called when the NLU has answered, before the turn's transaction: webhooks being answered go first
    # (bot/turn/priority.py); None in tests and the console.
    step_aside: Callable[[], None] | None = None

    def __post_init__(self) -> None:
        if self.nlu is None:
            # No server: deterministic entities and the language are still computed bot-side.
            from nlu.client import NLUClient

            self.nlu = NLUClient(None)

    # ---- accept -------------------------------------------------------------------------------
    def accept(self, msg: InboundMessage) -> tuple[int, int] | None:
        """Store an inbound message; (inbound id, contact id), or None for a duplicate."""
        text = clean_text(msg.text)
        if not msg.provider_id or len(msg.provider_id) > MAX_PROVIDER_ID or _UNSAFE.search(msg.provider_id):
            raise InputError("the provider's message id is missing, too long or not printable")
        org_slug = msg.org_slug or self.default_org
        load_org(org_slug)  # an unknown org is a configuration error, raised before anything is stored
        payload: dict[str, Any] = {}
        if msg.location:
            payload["location"] = {"lat": msg.location.lat, "lon": msg.location.lon}
        if msg.media:
            payload["media"] = [m.as_dict() for m in msg.media]
        if msg.button:
            payload["button"] = msg.button
        if msg.raw.get("refused_media"):
            payload["refused_media"] = list(msg.raw["refused_media"])  # the connector refused these files
        if "field_site" in msg.raw:
            payload["field_site"] = msg.raw["field_site"]  # a deep link from a field site (R15), or None
        now = as_utc(self.clock())
        with transaction(self.engine, first=True) as tx:  # a webhook waits on this: ahead of queued turns
            contact_id = turnrows.contact_for(tx, org_slug=org_slug, channel=msg.channel, address=msg.address,
                                              phone=msg.phone, now=now)
            record_id = turnrows.store_inbound(tx, contact_id=contact_id, channel=msg.channel,
                                               provider_id=msg.provider_id, text=text, payload=payload,
                                               phone=msg.phone, now=now)
            if record_id is None:
                return None  # a provider's retry: already stored
            return record_id, contact_id

    # ---- process ------------------------------------------------------------------------------
    def handle(self, msg: InboundMessage) -> list[OutboundRecord]:
        """Accept and process at once (console, tests); a duplicate yields no messages."""
        accepted = self.accept(msg)
        if accepted is None:
            return []
        return self.process_contact(accepted[1])

    def process_contact(self, contact_id: int) -> list[OutboundRecord]:
        """Run every pending inbound of this contact, oldest first; the queued replies."""
        produced: list[OutboundRecord] = []
        while True:
            try:
                turn = self._turn_with_retries(contact_id)
            except Exception as exc:
                if passing(exc):
                    # The database failed, not the message (refused, reset, deadlock, a timeout): it stays
                    # pending, uncounted, and the runner retries the contact with backoff.
                    raise
                # The turn rolled back; count the failure so a message that always fails
                # cannot block this contact's later messages for ever.
                set_aside = self._record_failure(contact_id, exc)
                if not set_aside:
                    raise
                produced.extend(set_aside)
                continue
            if turn is None:
                return produced
            outbound, more = turn
            produced.extend(outbound)
            if not more:
                # The turn saw no later message: no second, empty transaction to find that out. One
                # that arrives from now on is submitted again by its webhook (or found by the sweeper).
                return produced

    def _turn_with_retries(self, contact_id: int) -> tuple[list[OutboundRecord], bool] | None:
        for attempt in range(REFERENCE_RETRIES):
            try:
                return self._one_turn(contact_id)
            except IntegrityError:
                # A generated reference collided (or a concurrent worker took this turn):
                # the whole turn rolled back, so it is safe to run it again.
                if attempt == REFERENCE_RETRIES - 1:
                    raise
        return None

    def _record_failure(self, contact_id: int, exc: BaseException) -> list[OutboundRecord]:
        """Count a failed turn; at MAX_TURN_ATTEMPTS set the message aside with an apology."""
        with transaction(self.engine) as tx:
            pending = oldest_pending(tx, contact_id)
            if pending is None:
                return []
            pending.attempts += 1
            pending.error = type(exc).__name__  # never the message: it may quote personal data
            tx.add(pending)
            log.error("turn failed on inbound %s (attempt %d): %s", pending.id, pending.attempts, pending.error)
            if pending.attempts < MAX_TURN_ATTEMPTS:
                return []
            pending.processed_at = as_utc(self.clock())
            contact = tx.get(Contact, contact_id)
            assert contact is not None and contact.id is not None
            lang = contact.language or "ar"
            apology = OutboundRecord(
                contact_id=contact.id,
                channel=contact.channel,
                to_address=contact.address,
                text=translator(lang).t(
                    "Sorry, something went wrong with your last message. Please send it again, "
                    "or write: staff."
                ),
                language=lang,
                in_reply_to=pending.id,
                meta={"set_aside": True},
            )
            tx.add(apology)
            tx.flush()
            return [apology]

    def _one_turn(self, contact_id: int) -> tuple[list[OutboundRecord], bool] | None:
        """The replies of the contact's oldest pending message, and whether another one waits after it.

        The NLU is asked BEFORE the write transaction, with no lock held (a slow NLU then never holds up a
        webhook, `/healthz` or another contact's turn): the message and the session are read, the NLU
        parses, then the transaction locks the contact and commits the turn only if the session and the
        message are still those that were read; otherwise it reads again (SESSION_RETRIES times).
        """
        for _ in range(SESSION_RETRIES):
            seen = self._understand(contact_id)
            if seen is None:
                return None
            if self.step_aside is not None:
                self.step_aside()  # the NLU answered; a webhook being answered meanwhile goes first
            try:
                done = self._commit_turn(contact_id, seen)
            except turnrows.SessionMoved:
                continue  # written outside the contact's lock meanwhile: rolled back, read again
            if done is not None:
                return done
        raise StaleSession(f"contact {contact_id}'s session kept changing during its turn")

    def _understand(self, contact_id: int) -> _Seen | None:
        """Outside any transaction: the oldest pending message, the session version, and the NLU's parse."""
        with read_once(self.engine) as tx:  # one statement: the message and the session together
            found = turnrows.oldest_pending(tx, contact_id)
        if found is None:
            return None
        pending, stored = found
        state, _ = self._expire(dict(stored.state), stored, self.clock())
        asks_nlu = _asks_nlu(self.nlu, state, pending.text)
        parsed = _Parsed.of(pending, self.nlu) if asks_nlu and self.nlu is not None else None
        return _Seen(pending, stored, asks_nlu, parsed)

    def _commit_turn(self, contact_id: int, seen: _Seen) -> tuple[list[OutboundRecord], bool] | None:
        """The turn, under the contact's lock; None when what `_understand` saw has changed since.

        The message and the session read before the NLU call are used as read: under the lock only their
        ids and the session's version are checked (a message never changes; every write of a session
        raises its version), so the sealed texts are not read and unsealed twice."""
        with transaction(self.engine) as tx:
            locked = turnrows.lock_turn(tx, contact_id)
            contact = locked.contact
            if locked.first is None:
                return None  # another worker ran it meanwhile
            pending, stored = seen.message, seen.session
            if locked.first != pending.id or locked.version != stored.version:
                return None  # nothing written yet: the (empty) transaction ends and the turn reads again
            now = self.clock()
            state, expired = self._expire(dict(stored.state), stored, now)
            result = self.intercept(contact, pending, state) if self.intercept else None
            payload = pending.payload
            if result is not None:
                lang = contact.language or "ar"
            else:
                in_form = bool(state.get("flow") and state.get("expects"))
                if _asks_nlu(self.nlu, state, pending.text) != seen.asks_nlu:
                    return None  # the session changed between the two reads: the NLU must (not) be asked
                inp = build_input(pending, seen.parsed, in_form=in_form)
                lang = choose_language(contact, inp)
                understood = inp.intent or keyword_intent(inp.text)
                if understood:  # for staff: an Arabic gloss beside a message in another language
                    payload = {**payload, "understood": {
                        "intent": understood, "by": "nlu" if inp.intent else "keyword", "language": lang}}
                ctx = load_context(tx, contact, now, lang, self.new_reference, nlu_available=self.nlu is not None,
                                   locked=locked)
                result = router.decide(state, ctx, inp)
                if expired:
                    result = Result(result.state, (*expired, *result.replies), result.effects, result.events)
            outbound = write_result(tx, contact, result, lang=lang, now=as_utc(now), channel=pending.channel,
                                    stored=stored, processed=(pending.id, payload), in_reply_to=pending.id)
            if self.before_commit is not None:
                self.before_commit(tx)
            return outbound, locked.more

    def _expire(self, state: State, stored: turnrows.SessionRow, now: datetime) -> tuple[State, tuple[Any, ...]]:
        # A conversation handed to staff never expires here: the handoff flow ends it after staff silence.
        live = state.get("flow") and state.get("flow") != "handoff"
        if live and stored.updated_at and as_utc(now) - as_utc(stored.updated_at) > self.session_ttl:
            lang = state.get("lang", "ar")
            note = translator(lang).t("Welcome back. Your previous conversation expired, so let us start again.")
            return {}, (Reply(note),)
        return state, ()

    def new_reference(self, prefix: str) -> str:
        return new_reference(prefix, self.rng)
