"""The rehearsal `serve` runs before its first webhook (bot/turn/warm.py): every association's profile and the
bot-side language parts are ready afterwards, and nothing of it reaches the service's own database."""

from __future__ import annotations

import time

from sqlalchemy.engine import Engine
from sqlmodel import Session, func, select

from bot.turn.warm import warm
from nlu.client import NLUClient
from orgs.loader import all_orgs
from storage.models import Contact, InboundRecord


def test_the_rehearsal_leaves_the_service_database_untouched_and_the_first_turn_fast(db: Engine) -> None:
    seconds = warm(all_orgs())
    assert seconds > 0
    with Session(db) as s:
        assert s.exec(select(func.count()).select_from(Contact)).one() == 0
        assert s.exec(select(func.count()).select_from(InboundRecord)).one() == 0
    started = time.perf_counter()
    NLUClient(None).parse("hello, I would like to volunteer")  # the language models are built already
    assert time.perf_counter() - started < 0.2
