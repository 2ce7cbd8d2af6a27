"""The walking skeleton: intake to a reference, status inquiry, ownership, dedup, atomic turns.

Every test here runs on SQLite and on PostgreSQL (the `db` fixture is parametrised).
"""

from __future__ import annotations

import logging
import random
from pathlib import Path

import pytest
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, func, select

from bot.turn.runtime import Runtime
from nlu.entities import parse_reference
from storage.db import HideDatabaseValues, make_engine, transaction
from storage.migrate import upgrade
from storage.models import (
    Acknowledgement,
    Consent,
    Contact,
    InboundRecord,
    OutboundRecord,
    ServiceRequest,
    StatusChange,
)
from tests.conftest import Clock
from tests.walk import Chat, walk_intake

ORGS = ["baseera", "namaa", "alhuda", "aleman", "esrar"]


def _count(engine: Engine, model: type) -> int:
    with Session(engine) as s:
        return int(s.exec(select(func.count()).select_from(model)).one())


@pytest.mark.parametrize("org", ORGS)
def test_intake_to_reference_then_status(org: str, runtime: Runtime, db: Engine, tmp_path: Path) -> None:
    chat = Chat(runtime, org, "sara")
    menu = chat.say("السلام عليكم")
    assert menu and menu[-1].buttons, "the first message gets the menu"
    replies = walk_intake(chat, tmp_path)
    submitted = [e for e in chat.events(replies) if e["type"] == "request_submitted"]
    assert len(submitted) == 1, chat.transcript[-2:]
    reference = submitted[0]["reference"]
    assert parse_reference(reference) == reference, "the reference reads back in its own format"
    assert reference in replies[-1].text

    with Session(db) as s:
        request = s.exec(select(ServiceRequest).where(ServiceRequest.reference == reference)).one()
        assert request.org_slug == org and request.status == "submitted"
        if "national_id" in request.data:
            assert request.data["national_id"] == "1000000008", "Arabic-Indic digits accepted and normalised"
        # Only a policy that sets a deadline (Esrar: at most 15 working days) gives the request a last day.
        assert (request.due_date is not None) == (org == "esrar")
        ack = s.exec(select(Acknowledgement).where(Acknowledgement.request_id == request.id)).one()
        assert ack.channel == "console" and len(ack.text) > 20, "the exact acknowledged text is stored"
        assert s.exec(select(Consent).where(Consent.granted == True)).first() is not None
        history = s.exec(select(StatusChange).where(StatusChange.request_id == request.id)).all()
        assert [h.status for h in history] == ["submitted"]
    if request.due_date is not None:  # the deadline date is told in the reply, in both calendars
        assert request.due_date.strftime("%Y") in replies[-1].text and ("هـ" in replies[-1].text)
    else:  # a minimum period, or none stated: no date is promised
        assert "هـ" not in replies[-1].text and "الأقصى" not in replies[-1].text

    status = chat.say(reference.lower().replace("-", " "))
    events = chat.events(status)
    assert {"type": "status_reported", "reference": reference, "status": "submitted"} in events


def test_esrar_deadline_is_15_working_days(runtime: Runtime, db: Engine, tmp_path: Path) -> None:
    chat = Chat(runtime, "esrar", "huda")
    chat.say("مرحبا")
    walk_intake(chat, tmp_path)
    with Session(db) as s:
        request = s.exec(select(ServiceRequest)).one()
    # Submitted Sunday 2026-11-22 (Riyadh); 15 working days skipping Fridays and Saturdays.
    assert str(request.due_date) == "2026-12-13"


def test_a_stranger_cannot_read_another_contacts_request(runtime: Runtime, db: Engine, tmp_path: Path) -> None:
    owner = Chat(runtime, "esrar", "owner")
    owner.say("مرحبا")
    replies = walk_intake(owner, tmp_path)
    reference = next(e for e in owner.events(replies) if e["type"] == "request_submitted")["reference"]

    stranger = Chat(runtime, "esrar", "stranger")
    answer = stranger.say(reference)
    assert not [e for e in stranger.events(answer) if e["type"] == "status_reported"]
    assert reference not in " ".join(r.text for r in answer)
    with Session(db) as s:
        stranger_id = s.exec(select(Contact.id).where(Contact.address == "stranger")).one()
        texts = s.exec(select(OutboundRecord.text).where(OutboundRecord.contact_id == stranger_id)).all()
    assert not any("سارة" in t or "1000000008" in t for t in texts), "nothing of the owner's data leaks"


def test_duplicate_inbound_is_processed_once(runtime: Runtime, db: Engine) -> None:
    chat = Chat(runtime, "namaa", "dup")
    first = chat.say("مرحبا", provider_id="wamid.1")
    again = chat.say("مرحبا", provider_id="wamid.1")
    assert first and again == []
    assert _count(db, InboundRecord) == 1
    assert _count(db, OutboundRecord) == len(first)


def test_a_turn_that_fails_after_the_step_stores_nothing_partial(
    runtime: Runtime, db: Engine, tmp_path: Path
) -> None:
    chat = Chat(runtime, "esrar", "crash")
    chat.say("مرحبا")
    # Walk to the acknowledgement, then make the submitting turn fail after its flow step ran.
    replies = chat.say("1")
    from tests.walk import VALID_ANSWERS, document

    while chat.expects(replies) != "acknowledge":
        expects = chat.expects(replies)
        replies = chat.say("", media=(document(tmp_path),)) if expects == "attachments" else chat.say(VALID_ANSWERS[expects])
    before_out = _count(db, OutboundRecord)

    def boom(_tx: Session) -> None:
        raise RuntimeError("power cut after the flow step")

    runtime.before_commit = boom
    with pytest.raises(RuntimeError):
        chat.say("1", provider_id="ack-1")
    assert _count(db, ServiceRequest) == 0
    assert _count(db, Acknowledgement) == 0
    assert _count(db, OutboundRecord) == before_out
    with Session(db) as s:
        pending = s.exec(select(InboundRecord).where(InboundRecord.provider_id == "ack-1")).one()
        assert pending.processed_at is None, "the accepted message is kept, to be processed again"
        contact_id = pending.contact_id

    runtime.before_commit = None
    replies = runtime.process_contact(contact_id)  # the restart picks the pending message up
    assert [e["type"] for e in Chat.events(replies)].count("request_submitted") == 1
    assert _count(db, ServiceRequest) == 1
    # A retry of the same provider message is still a duplicate.
    assert chat.say("1", provider_id="ack-1") == []
    assert _count(db, ServiceRequest) == 1


def test_reference_collision_is_retried_not_lost(db: Engine, clock: Clock, tmp_path: Path) -> None:
    # Two runtimes with the same seed generate the same reference: the database refuses the second,
    # the turn rolls back and runs again with a fresh number.
    first = Chat(Runtime(engine=db, clock=clock, rng=random.Random(1)), "esrar", "a")
    second = Chat(Runtime(engine=db, clock=clock, rng=random.Random(1)), "esrar", "b")
    for chat in (first, second):
        chat.say("مرحبا")
        walk_intake(chat, tmp_path)
    with Session(db) as s:
        refs = s.exec(select(ServiceRequest.reference).order_by(col(ServiceRequest.id))).all()
    assert len(refs) == 2 and refs[0] != refs[1]


def test_a_message_that_always_fails_is_set_aside_and_later_ones_go_on(runtime: Runtime, db: Engine) -> None:
    from bot.turn import router

    chat = Chat(runtime, "esrar", "poison")
    real = router.decide
    calls = {"n": 0}

    def failing_decide(state, ctx, inp):  # type: ignore[no-untyped-def]
        if inp.text == "boom":
            calls["n"] += 1
            raise ValueError("a bug in a flow")
        return real(state, ctx, inp)

    import bot.turn.runtime as runtime_module

    original = runtime_module.router.decide
    runtime_module.router.decide = failing_decide  # type: ignore[assignment]
    try:
        for _ in range(2):
            with pytest.raises(ValueError):
                chat.say("boom") if _ == 0 else runtime.process_contact(_contact_id(db, "poison"))
        # Third failure: set aside with an apology, and the next message is answered normally.
        replies = runtime.process_contact(_contact_id(db, "poison"))
        assert len(replies) == 1 and replies[0].meta == {"set_aside": True}
        after = chat.say("مرحبا")
        assert after and after[-1].buttons
    finally:
        runtime_module.router.decide = original  # type: ignore[assignment]
    assert calls["n"] == 3
    with Session(db) as s:
        # Inbound texts are sealed at rest (random IVs): found in Python, not by an SQL equality.
        [boom] = [m for m in s.exec(select(InboundRecord)).all() if m.text == "boom"]
        assert boom.attempts == 3 and boom.error == "ValueError" and boom.processed_at is not None


def _contact_id(engine: Engine, address: str) -> int:
    with Session(engine) as s:
        return int(s.exec(select(Contact.id).where(Contact.address == address)).one())


class RecordingNLU:
    """The real bot-side client (no server), remembering what it was asked."""

    def __init__(self) -> None:
        from nlu.client import NLUClient

        self.client = NLUClient(None)
        self.seen: list[str] = []

    def parse(self, text: str):  # type: ignore[no-untyped-def]
        self.seen.append(text)
        return self.client.parse(text)


def test_answers_a_flow_waits_for_never_reach_the_nlu(db: Engine, clock: Clock, tmp_path: Path) -> None:
    nlu = RecordingNLU()
    chat = Chat(Runtime(engine=db, clock=clock, rng=random.Random(3), nlu=nlu), "esrar", "private")
    chat.say("السلام عليكم")
    walk_intake(chat, tmp_path)
    from tests.walk import VALID_ANSWERS

    assert "السلام عليكم" in nlu.seen
    for field in ("full_name", "national_id", "phone", "details"):
        assert VALID_ANSWERS[field] not in nlu.seen, f"{field} was sent to the NLU"


def test_database_errors_never_quote_personal_data(db_url: str) -> None:
    # Review item 10: SQLAlchemy's error text (and so the log) carried the statement's parameters.
    upgrade(db_url)
    engine = make_engine(db_url)
    try:
        with pytest.raises(IntegrityError) as caught, transaction(engine) as tx:
            for _ in range(2):
                tx.add(Contact(org_slug="esrar", channel="sms", address="+966555123456", phone="+966555123456"))
                tx.flush()
        assert "+966555123456" not in str(caught.value).split("DETAIL")[0]  # no parameters in the error
        record = logging.LogRecord("tawasul", logging.ERROR, __file__, 1, "turn failed", (),
                                   (IntegrityError, caught.value, caught.value.__traceback__))
        assert HideDatabaseValues().filter(record)
        logged = logging.Formatter().format(record)
        assert "IntegrityError" in logged and "+966555123456" not in logged  # nor in the log line
    finally:
        engine.dispose()
