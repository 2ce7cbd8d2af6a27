"""The NLU is asked with no lock and no transaction held (issue 12, item 6): while a turn waits on a slow NLU,
the same contact's next message is stored and other work goes on; a session changed meanwhile makes the turn
read again. Both databases."""

from __future__ import annotations

import threading
from typing import Any

from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from bot.messages import InboundMessage
from bot.turn.runtime import Runtime
from nlu.client import NLUClient
from storage.db import transaction
from storage.models import Conversation, InboundRecord
from tests.conftest import Clock


class SlowNLU:
    """An NLU that holds each answer until the test lets it go (at most 5 s)."""

    def __init__(self) -> None:
        self.asked = threading.Event()
        self.go = threading.Event()
        self.calls = 0
        self._fallback = NLUClient(None)

    def parse(self, text: str) -> Any:
        self.calls += 1
        self.asked.set()
        self.go.wait(5)
        return self._fallback.parse(text)


def _msg(provider_id: str, text: str) -> InboundMessage:
    return InboundMessage(channel="telegram", address="4242", text=text, provider_id=provider_id, org_slug="esrar")


def test_a_message_is_stored_while_a_turn_waits_on_the_nlu(db: Engine) -> None:
    nlu = SlowNLU()
    runtime = Runtime(engine=db, nlu=nlu, clock=Clock())
    first = runtime.accept(_msg("m-1", "ابغى اقدم طلب"))
    assert first is not None
    turn = threading.Thread(target=runtime.process_contact, args=(first[1],))
    turn.start()
    assert nlu.asked.wait(5), "the turn asks the NLU"
    stored: list[Any] = []
    # The same contact writes again while the NLU thinks: the accept needs the contact's row and the writer.
    accept = threading.Thread(target=lambda: stored.append(runtime.accept(_msg("m-2", "شكرا"))))
    accept.start()
    accept.join(4)
    answered_before_nlu = not accept.is_alive() and not nlu.go.is_set()
    nlu.go.set()
    accept.join(10)
    turn.join(10)
    assert answered_before_nlu, "the accept waited for the NLU: a lock was held across the NLU call"
    assert stored and stored[0] is not None
    with Session(db) as s:
        first_row = s.exec(select(InboundRecord).where(InboundRecord.provider_id == "m-1")).one()
        assert first_row.processed_at is not None


def test_a_session_changed_during_the_nlu_call_is_read_again(db: Engine) -> None:
    nlu = SlowNLU()
    runtime = Runtime(engine=db, nlu=nlu, clock=Clock())
    runtime.handle(_msg("m-0", "السلام عليكم"))  # a session exists
    nlu.asked.clear()
    nlu.calls = 0
    accepted = runtime.accept(_msg("m-1", "ابغى اقدم طلب"))
    assert accepted is not None
    done: list[Any] = []
    turn = threading.Thread(target=lambda: done.append(runtime.process_contact(accepted[1])))
    turn.start()
    assert nlu.asked.wait(5)
    with transaction(db) as tx:  # e.g. staff took the conversation meanwhile
        conversation = tx.get(Conversation, accepted[1])
        assert conversation is not None
        conversation.version += 1
        tx.add(conversation)
    nlu.go.set()
    turn.join(15)
    assert nlu.calls == 2, "the turn saw the session change and asked again from a fresh read"
    assert done and done[0], "then it answered"
