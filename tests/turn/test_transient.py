"""Database errors that pass (a lock held elsewhere, a lock or statement timeout, a connection refused) never
count against a message: it stays pending, unset-aside, and is answered normally once the database is back.
Timeouts are on every connection (issue 12, items 3 and 8). Both databases."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager

import psycopg
import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import Engine
from sqlalchemy.exc import OperationalError
from sqlmodel import Session, select

from bot.messages import InboundMessage
from bot.turn.runtime import MAX_TURN_ATTEMPTS, Runtime
from storage.db import is_transient, make_engine
from storage.models import InboundRecord, OutboundRecord
from tests.conftest import Clock


@contextmanager
def _held(url: str, contact_id: int) -> Iterator[None]:
    """Another client holding what a turn needs: SQLite's write lock, or the contact's row on PostgreSQL."""
    other = create_engine(url, isolation_level="AUTOCOMMIT" if url.startswith("postgresql") else None)
    with other.connect() as conn:
        if url.startswith("sqlite"):
            conn.exec_driver_sql("BEGIN EXCLUSIVE")
        else:
            conn.exec_driver_sql("BEGIN")
            conn.execute(text("SELECT id FROM contact WHERE id = :id FOR UPDATE"), {"id": contact_id})
        try:
            yield
        finally:
            conn.exec_driver_sql("ROLLBACK")
    other.dispose()


def test_a_database_held_elsewhere_never_sets_a_message_aside(db_url: str, db: Engine,
                                                              monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TAWASUL_DB_BUSY_TIMEOUT_MS", "200")
    monkeypatch.setenv("TAWASUL_DB_LOCK_TIMEOUT_MS", "200")
    engine = make_engine(db_url)  # the timeouts are read when connections are made
    runtime = Runtime(engine=engine, clock=Clock())
    accepted = runtime.accept(InboundMessage(channel="telegram", address="777", text="السلام عليكم",
                                             provider_id="u-1", org_slug="esrar"))
    assert accepted is not None
    contact_id = accepted[1]
    with _held(db_url, contact_id):
        for _ in range(MAX_TURN_ATTEMPTS + 2):
            with pytest.raises(OperationalError) as caught:
                runtime.process_contact(contact_id)
            assert is_transient(caught.value), caught.value
    with Session(engine) as s:
        [row] = s.exec(select(InboundRecord)).all()
        assert row.processed_at is None and row.attempts == 0, "a database error is not the message's fault"
    replies = runtime.process_contact(contact_id)  # the database is back: a normal answer, no apology
    assert replies and not any(r.meta.get("set_aside") for r in replies) and replies[-1].buttons
    with Session(engine) as s:
        assert not [o for o in s.exec(select(OutboundRecord)).all() if o.meta.get("set_aside")]
    engine.dispose()


def test_every_connection_has_its_timeouts(db_url: str, db: Engine, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TAWASUL_DB_STATEMENT_TIMEOUT_MS", "1234")
    monkeypatch.setenv("TAWASUL_DB_LOCK_TIMEOUT_MS", "567")
    monkeypatch.setenv("TAWASUL_DB_BUSY_TIMEOUT_MS", "890")
    engine = make_engine(db_url)
    with engine.connect() as conn:
        if engine.dialect.name == "sqlite":
            assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar_one() == 890
        else:
            assert conn.exec_driver_sql("SHOW statement_timeout").scalar_one() == "1234ms"
            assert conn.exec_driver_sql("SHOW lock_timeout").scalar_one() == "567ms"
            with pytest.raises(OperationalError) as caught:
                conn.exec_driver_sql("SELECT pg_sleep(3)")
            assert is_transient(caught.value), "a statement timeout passes: retried, never poison"
    engine.dispose()


def test_a_refused_connection_fails_fast_and_is_transient(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TAWASUL_DB_CONNECT_TIMEOUT", "1")
    engine = make_engine("postgresql+psycopg://postgres@127.0.0.1:9/nothing")  # a closed port
    with pytest.raises(OperationalError) as caught, engine.connect():
        pass
    assert is_transient(caught.value)
    engine.dispose()


def test_what_is_not_transient() -> None:
    assert not is_transient(ValueError("a bug in a flow"))
    assert not is_transient(sqlite3.OperationalError("no such table: contact"))
    assert is_transient(sqlite3.OperationalError("database is locked"))
    assert not is_transient(psycopg.errors.UniqueViolation("duplicate"))
