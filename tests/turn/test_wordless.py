"""A message without words (emojis, punctuation, a bare number) never starts an action on the NLU's say-so:
"💔💔" raised an urgent alert and "5" a star rating on real traffic."""

from __future__ import annotations

import pytest
from sqlalchemy.engine import Engine

from bot.messages import InboundMessage
from bot.turn.runtime import Runtime
from nlu.client import NLUClient, NLUResult
from tests.conftest import Clock


class OverEagerNLU:
    """Reads every message as a confident emergency (or rating), as a real model may do with no words."""

    def __init__(self, intent: str) -> None:
        self.intent = intent
        self.local = NLUClient(None)

    def parse(self, text: str) -> NLUResult:
        own = self.local.parse(text)
        return NLUResult(text, self.intent, 0.99, [(self.intent, 0.99)], own.language, own.entities,
                         urgent_confident=True)


@pytest.mark.parametrize("text", ["💔💔", "👍", "...", "5", "٣", "🙏🏻🙏🏻 !!"])
@pytest.mark.parametrize("intent", ["urgent_help", "give_rating", "request_service"])
def test_no_words_no_action(db: Engine, clock: Clock, text: str, intent: str) -> None:
    runtime = Runtime(engine=db, clock=clock, nlu=OverEagerNLU(intent))
    replies = runtime.handle(InboundMessage("whatsapp", "+966500000077", f"w-{intent}-{text}", text, "esrar"))
    events = [e["type"] for r in replies for e in r.events]
    assert "urgent_alert" not in events
    assert not (replies[-1].session or {}).get("flow"), replies[-1].session


def test_words_still_reach_the_nlu(db: Engine, clock: Clock) -> None:
    runtime = Runtime(engine=db, clock=clock, nlu=OverEagerNLU("urgent_help"))
    replies = runtime.handle(InboundMessage("whatsapp", "+966500000078", "w-words", "ابوي طاح الحقونا", "esrar"))
    assert "urgent_alert" in [e["type"] for r in replies for e in r.events]
