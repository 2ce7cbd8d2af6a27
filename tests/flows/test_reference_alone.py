"""A reference number sent alone: the owner's status in their language; nobody else's data."""

from __future__ import annotations

import random
from pathlib import Path

from sqlalchemy.engine import Engine

from bot.turn.runtime import Runtime
from nlu.client import NLUResult
from nlu.entities import extract
from tests.conftest import Clock
from tests.walk import Chat, walk_intake


class StatusNLU:
    """Says what the real model says of "ESR 1234 56782": check_status, in 'English' (Latin letters)."""

    def parse(self, text: str) -> NLUResult:
        latin = all(not ("\u0600" <= c <= "\u06ff") for c in text)
        return NLUResult(text, "check_status", 0.9, [("check_status", 0.9)], "en" if latin else "ar",
                         [{"entity": e["entity"], "value": e["value"]} for e in extract(text)])


def test_a_reference_alone_does_not_change_the_reply_language(db: Engine, clock: Clock, tmp_path: Path) -> None:
    plain = Runtime(engine=db, clock=clock, rng=random.Random(3))
    chat = Chat(plain, "esrar", "+966500000001")
    chat.say("السلام عليكم")
    submitted = walk_intake(chat, tmp_path)
    reference = next(e["reference"] for e in submitted[-1].events if e["type"] == "request_submitted")
    runtime = Runtime(engine=db, clock=clock, rng=random.Random(4), nlu=StatusNLU())
    chat = Chat(runtime, "esrar", "+966500000001")
    spaced = reference.replace("-", " ")
    replies = chat.say(spaced)
    assert replies[-1].language == "ar", replies[-1].text
    assert "قيد" in replies[-1].text or "مستلم" in replies[-1].text
    assert {"type": "status_reported", "reference": reference, "status": "submitted"} in replies[-1].events
    # A real English sentence still switches.
    replies = chat.say("what happened to my request " + spaced)
    assert replies[-1].language == "en"
