"""PostgreSQL pool: a connection is pinged only after it sat idle (not on every checkout: that was a round
trip per transaction), and one the server dropped meanwhile is replaced without the caller noticing."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import Engine

from storage import db as storage_db
from tests.conftest import _pg_database


@pytest.fixture
def pg_url() -> Iterator[str]:
    yield from _pg_database()


def _terminate_others(url: str, engine: Engine) -> None:
    admin = create_engine(url)
    with admin.connect() as conn:
        conn.execute(text("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                          "WHERE datname = current_database() AND pid <> pg_backend_pid()"))
        conn.commit()
    admin.dispose()


def test_a_connection_dropped_while_idle_is_replaced(pg_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    engine = storage_db.make_engine(pg_url)
    with engine.connect() as conn:
        assert conn.execute(text("SELECT 1")).scalar_one() == 1
    _terminate_others(pg_url, engine)  # the server drops the pooled connection (a restart, an idle timeout)
    monkeypatch.setattr(storage_db, "PING_AFTER_IDLE_SECONDS", 0.0)  # it has been idle "long enough"
    with engine.connect() as conn:
        assert conn.execute(text("SELECT 2")).scalar_one() == 2
    engine.dispose()
