"""The vocabulary of pure flow steps.

A step is `step(state, ctx, inp) -> Result`: no I/O. The runtime persists `Result.state`,
applies `Result.effects` (records to write) and queues `Result.replies`, all in one commit.

Session state is a JSON-able dict:
    {"flow": "intake", "step": "field", "expects": "national_id", "data": {...},
     "menu": ["request_service", ...], "misunderstood": 0}
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING, Any, Protocol

from bot.lang.calendar import add_working_days, local_date
from bot.lang.gender import FEMALE, feminine
from bot.lang.i18n import Translator, translator
from bot.messages import Button, Location, Media

if TYPE_CHECKING:
    from orgs.schema import OrgProfile

State = dict[str, Any]
IDLE: State = {}


@dataclass(frozen=True)
class RequestView:
    """What the runtime shows a flow of the contact's own requests (never anyone else's)."""

    reference: str
    service_id: str
    status: str
    submitted_at: datetime
    due_date: date | None
    committees: tuple[str, ...] = ()
    last_note: str | None = None


@dataclass(frozen=True)
class ComplaintView:
    """One of the contact's own complaints, as the status flow may report it to them (never to others)."""

    reference: str
    status: str  # open | in_progress | investigating | resolved
    committee: str
    created_at: datetime
    outcome: str | None = None


@dataclass(frozen=True)
class ContactView:
    id: int
    channel: str
    phone: str | None = None
    language: str | None = None


@dataclass(frozen=True)
class Input:
    text: str = ""
    intent: str | None = None
    confidence: float = 0.0
    ranking: tuple[tuple[str, float], ...] = ()
    entities: tuple[dict[str, Any], ...] = ()
    button: str | None = None
    location: Location | None = None
    media: tuple[Media, ...] = ()
    language: str | None = None
    refused: tuple[dict[str, Any], ...] = ()  # files the channel refused: {"content_type", "reason", "max_bytes"?}
    # The NLU's own word on an emergency (None without it): may staff be alerted on urgent_help at once?
    urgent_confident: bool | None = None

    def entity(self, name: str) -> Any | None:
        for ent in self.entities:
            if ent.get("entity") == name:
                return ent.get("value")
        return None


@dataclass(frozen=True)
class Context:
    org: OrgProfile
    now: datetime
    lang: str
    contact: ContactView
    requests: tuple[RequestView, ...] = ()
    complaints: tuple[ComplaintView, ...] = ()
    new_reference: Callable[[str], str] = lambda prefix: prefix  # seeded in tests
    nlu_available: bool = True
    open_alert_at: datetime | None = None  # the contact's latest open urgent alert, if any
    handoff_silence: timedelta = timedelta(hours=24)  # staff silent this long: the bot takes over again
    gender: str | None = None  # the writer's, once they said it of themselves (bot/lang/gender.py)

    @property
    def tr(self) -> Translator:
        return translator(self.lang)

    def _addressed(self, text: str) -> str:
        return feminine(text) if self.gender == FEMALE and self.lang == "ar" else text

    def t(self, message: str, **fields: object) -> str:
        return self._addressed(self.tr.t(message, **fields))

    def nt(self, singular: str, plural: str, n: int, **fields: object) -> str:
        return self._addressed(self.tr.nt(singular, plural, n, **fields))

    def local(self, text: Any) -> str:
        """An org profile's LocalText in the contact's language."""
        if text is None:
            return ""
        if hasattr(text, "get") and callable(text.get):
            try:
                return self._addressed(str(text.get(self.lang)))
            except TypeError:
                pass
        if isinstance(text, dict):
            return self._addressed(str(text.get(self.lang) or text.get("ar") or next(iter(text.values()), "")))
        return str(text)

    @property
    def today(self) -> date:
        return local_date(self.now, self.org.timezone)

    def due_date(self) -> date | None:
        """The last day for a decision on a request completed today, if the policy sets one.

        None for a minimum period ("not less than two weeks") or no period at all: no date is promised.
        """
        rule = self.org.deadline
        if not rule.is_deadline or rule.days is None:
            return None
        if rule.kind == "working_days":
            return add_working_days(self.today, rule.days, self.org.weekend, self.org.holidays)
        return self.today + timedelta(days=rule.days)

    def with_lang(self, lang: str) -> Context:
        return replace(self, lang=lang)


@dataclass(frozen=True)
class Reply:
    text: str
    buttons: tuple[Button, ...] = ()
    meta: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Result:
    state: State
    replies: tuple[Reply, ...] = ()
    effects: tuple[Any, ...] = ()  # records to write: bot/flows/effects.py
    events: tuple[dict[str, Any], ...] = ()

    def then(self, other: Result) -> Result:
        """This result followed by another (the other's state wins)."""
        return Result(
            other.state,
            self.replies + other.replies,
            self.effects + other.effects,
            self.events + other.events,
        )


def ask(flow: str, step: str, expects: str | None, data: dict[str, Any], *replies: Reply, **extra: Any) -> Result:
    state: State = {"flow": flow, "step": step, "expects": expects, "data": data, **extra}
    return Result(state, tuple(replies))


def done(*replies: Reply, effects: tuple[Any, ...] = (), events: tuple[dict[str, Any], ...] = ()) -> Result:
    return Result(dict(IDLE), tuple(replies), effects, events)


class Flow(Protocol):
    NAME: str
    ENTRY_INTENTS: tuple[str, ...]

    def start(self, ctx: Context, inp: Input) -> Result: ...

    def step(self, state: State, ctx: Context, inp: Input) -> Result: ...
