"""The turn's statements in Core (storage/turnrows.py) keep what the ORM path kept: a session written over the
version the turn read (never over a newer one), one contact per address however often it is created, a
provider's retry stored once, and the contact's lock statement telling what a turn must read. Both databases."""

from __future__ import annotations

import threading
from datetime import UTC, datetime

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session, func, select

from bot.flows.base import Result
from bot.turn.write import write_result
from storage import turnrows
from storage.db import transaction
from storage.models import Complaint, Contact, Conversation, InboundRecord, OutboundRecord, UrgentAlert

NOW = datetime(2026, 11, 30, 9, 0, tzinfo=UTC)


def _contact(db: Engine, address: str = "5001") -> int:
    with transaction(db) as tx:
        return turnrows.contact_for(tx, org_slug="esrar", channel="telegram", address=address, phone=None, now=NOW)


def test_a_session_is_written_over_the_version_read_and_never_over_a_newer_one(db: Engine) -> None:
    contact_id = _contact(db)
    fresh = turnrows.SessionRow(contact_id, {}, None, None)
    with transaction(db) as tx:
        turnrows.save_session(tx, fresh, {"flow": "intake", "secret": "1234567890"}, NOW)
    with transaction(db) as tx:
        stored = tx.get(Conversation, contact_id)
        assert stored is not None and stored.version == 1 and stored.state["flow"] == "intake"
        # Read at version 1, then staff write over it (the ORM path raises the version too) ...
        read = turnrows.SessionRow(contact_id, dict(stored.state), stored.version, stored.updated_at)
        contact = tx.get(Contact, contact_id)
        assert contact is not None
    with transaction(db) as tx:
        write_result(tx, contact, Result({"flow": "handoff"}), lang="ar", now=NOW)
    # ... so the turn's write over version 1 is refused, and nothing of it is kept.
    with pytest.raises(turnrows.SessionMoved), transaction(db) as tx:
        turnrows.save_session(tx, read, {"flow": "intake", "step": "late"}, NOW)
    with Session(db) as s:
        row = s.get(Conversation, contact_id)
        assert row is not None and row.version == 2 and row.state["flow"] == "handoff"
    # A second first session for the same contact (another writer created it meanwhile) fails its key.
    with pytest.raises(Exception, match="(?i)unique|duplicate|constraint"), transaction(db) as tx:
        turnrows.save_session(tx, fresh, {"flow": "intake"}, NOW)


def test_one_contact_per_address_when_its_first_messages_arrive_together(db: Engine) -> None:
    ids: list[int] = []
    errors: list[BaseException] = []
    start = threading.Barrier(4)

    def create() -> None:
        try:
            start.wait(5)
            ids.append(_contact(db, "+966500000001"))
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    threads = [threading.Thread(target=create) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(20)
    assert not errors
    assert len(set(ids)) == 1
    with Session(db) as s:
        assert s.exec(select(func.count()).select_from(Contact)).one() == 1


def test_a_retry_is_stored_once_and_the_contact_keeps_its_first_phone(db: Engine) -> None:
    contact_id = _contact(db)
    with transaction(db) as tx:
        first = turnrows.store_inbound(tx, contact_id=contact_id, channel="telegram", provider_id="u-1", text="مرحبا",
                                       payload={}, phone="+966500000002", now=NOW)
    with transaction(db) as tx:
        again = turnrows.store_inbound(tx, contact_id=contact_id, channel="telegram", provider_id="u-1",
                                       text="مرحبا", payload={}, phone="+966500000003", now=NOW)
        other = turnrows.store_inbound(tx, contact_id=contact_id, channel="telegram", provider_id="u-2",
                                       text="وش صار", payload={"button": "x"}, phone="+966500000003", now=NOW)
    assert first is not None and again is None and other is not None and other != first
    with Session(db) as s:
        assert s.exec(select(func.count()).select_from(InboundRecord)).one() == 2
        contact = s.get(Contact, contact_id)
        assert contact is not None and contact.phone == "+966500000002"
        assert contact.last_inbound_at is not None


def test_the_lock_statement_tells_what_a_turn_must_read(db: Engine) -> None:
    contact_id = _contact(db)
    with transaction(db) as tx:
        empty = turnrows.lock_turn(tx, contact_id)
    assert (empty.first, empty.more, empty.version, empty.alert_at) == (None, False, None, None)
    assert (empty.complaints, empty.requests) == (0, 0)
    with transaction(db) as tx:
        ids = [turnrows.store_inbound(tx, contact_id=contact_id, channel="telegram", provider_id=f"p-{i}",
                                      text=str(i), payload={}, phone=None, now=NOW) for i in range(3)]
        tx.add(UrgentAlert(org_slug="esrar", contact_id=contact_id, status="open", created_at=NOW))
        tx.add(Complaint(reference="CMP-1", org_slug="esrar", contact_id=contact_id, category="service",
                         details="-", committee="complaints", channel="telegram", created_at=NOW, updated_at=NOW))
    with transaction(db) as tx:
        locked = turnrows.lock_turn(tx, contact_id)
        message, session = turnrows.oldest_pending(tx, contact_id) or (None, None)
    assert locked.contact.id == contact_id
    assert locked.first == ids[0] and locked.more
    assert locked.alert_at is not None and locked.complaints == 1 and locked.requests == 0
    assert message is not None and message.id == ids[0] and message.text == "0"
    assert session is not None and session.version is None


def _reply(contact_id: int, text: str, in_reply_to: int) -> OutboundRecord:
    return OutboundRecord.model_construct(contact_id=contact_id, channel="telegram", to_address="5001", text=text,
                                          buttons=[], language="ar", session={}, events=[], meta={},
                                          in_reply_to=in_reply_to, created_at=NOW, next_attempt_at=NOW)


def test_a_turns_writes_land_together_in_order_or_not_at_all(db: Engine) -> None:
    contact_id = _contact(db)
    with transaction(db) as tx:
        message = turnrows.store_inbound(tx, contact_id=contact_id, channel="telegram", provider_id="f-1",
                                         text="ابغى اقدم طلب", payload={}, phone=None, now=NOW)
    assert message is not None
    replies = [_reply(contact_id, f"الرد {i}", message) for i in range(3)]
    with transaction(db) as tx:
        turnrows.finish_turn(tx, turnrows.SessionRow(contact_id, {}, None, None), {"flow": "intake"}, NOW,
                             (message, {"understood": {"intent": "apply"}}), replies)
    ids = [r.id for r in replies]
    assert all(ids) and ids == sorted(ids)
    with Session(db) as s:
        stored = s.exec(select(OutboundRecord).order_by(OutboundRecord.id)).all()  # type: ignore[arg-type]
        assert [(r.id, r.text) for r in stored] == [(r.id, r.text) for r in replies]
        inbound = s.get(InboundRecord, message)
        assert inbound is not None and inbound.processed_at is not None
        assert inbound.payload["understood"]["intent"] == "apply"
    # Over a version that is no longer the session's: nothing is written, not even the replies.
    late = [_reply(contact_id, "متأخر", message)]
    with pytest.raises(turnrows.SessionMoved), transaction(db) as tx:
        turnrows.finish_turn(tx, turnrows.SessionRow(contact_id, {}, 7, None), {"flow": "late"}, NOW,
                             (message, {}), late)
    with Session(db) as s:
        assert s.exec(select(func.count()).select_from(OutboundRecord)).one() == 3
        row = s.get(Conversation, contact_id)
        assert row is not None and row.state == {"flow": "intake"}
