"""`storage.db.reading`: a read never waits for a writer (SQLite: no writer lock, a WAL snapshot), sees only
what was committed, and never writes. Both databases."""

from __future__ import annotations

import threading
import time

from sqlalchemy.engine import Engine
from sqlmodel import select

from storage.db import reading, transaction
from storage.models import Contact


def test_a_read_goes_on_while_a_turn_holds_the_writer(db: Engine) -> None:
    with transaction(db) as tx:
        tx.add(Contact(org_slug="esrar", channel="telegram", address="1"))
    holding, release = threading.Event(), threading.Event()

    def writer() -> None:
        with transaction(db) as tx:
            tx.add(Contact(org_slug="esrar", channel="telegram", address="2"))
            tx.flush()
            holding.set()
            release.wait(10)

    thread = threading.Thread(target=writer)
    thread.start()
    try:
        assert holding.wait(10)
        started = time.monotonic()
        with reading(db) as tx:
            seen = [c.address for c in tx.exec(select(Contact)).all()]
        assert time.monotonic() - started < 1.0  # did not queue behind the writer
        assert seen == ["1"]  # the committed snapshot only
    finally:
        release.set()
        thread.join(10)
    with reading(db) as tx:
        assert sorted(c.address for c in tx.exec(select(Contact)).all()) == ["1", "2"]


def test_a_read_never_writes(db: Engine) -> None:
    with reading(db) as tx:
        tx.add(Contact(org_slug="esrar", channel="telegram", address="3"))
        tx.flush()
    with reading(db) as tx:
        assert tx.exec(select(Contact)).all() == []
