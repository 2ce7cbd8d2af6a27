"""Shared fixtures: a fresh database on SQLite AND on PostgreSQL, a runtime with a fixed clock.

PostgreSQL is expected at TAWASUL_TEST_PG_URL (default: the machine's server, trust auth); each
test gets its own database. If it is unreachable the tests FAIL, unless TAWASUL_SKIP_PG=1 says so
explicitly (then they are reported as skipped, never silently passed).
"""

from __future__ import annotations

import os
import random
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import Engine

from bot.turn.runtime import Runtime
from storage.db import dispose_all, make_engine
from storage.migrate import upgrade

# Personal data is sealed at rest (storage/sealed.py): the tests, and the processes they start, use this key.
os.environ.setdefault("TAWASUL_DATA_KEY", "dGF3YXN1bC10ZXN0LWRhdGEta2V5LTMyLWJ5dGVzISE=")
PG_ADMIN_URL = os.environ.get("TAWASUL_TEST_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
FIXED_NOW = datetime(2026, 11, 22, 7, 30, tzinfo=UTC)  # a Sunday morning in Riyadh


def _pg_database() -> Iterator[str]:
    if os.environ.get("TAWASUL_SKIP_PG") == "1":
        pytest.skip("TAWASUL_SKIP_PG=1: PostgreSQL tests skipped on request")
    name = f"tawasul_t_{uuid.uuid4().hex[:12]}"
    admin = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    url = PG_ADMIN_URL.rsplit("/", 1)[0] + f"/{name}"
    try:
        yield url
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request: pytest.FixtureRequest, tmp_path: os.PathLike[str]) -> Iterator[str]:
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path}/tawasul.db"
    else:
        yield from _pg_database()


@pytest.fixture
def sqlite_url(tmp_path: os.PathLike[str]) -> str:
    return f"sqlite:///{tmp_path}/tawasul.db"


@pytest.fixture
def db(db_url: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[Engine]:
    """A migrated database; DATABASE_URL points at it for code that reads the environment."""
    monkeypatch.setenv("DATABASE_URL", db_url)
    upgrade(db_url)
    engine = make_engine(db_url)
    yield engine
    engine.dispose()


@pytest.fixture(autouse=True)
def _close_pools() -> Iterator[None]:
    """No pooled connection outlives its test (a dropped test database would warn at GC)."""
    yield
    dispose_all()


class Clock:
    def __init__(self, now: datetime = FIXED_NOW) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def runtime(db: Engine, clock: Clock) -> Runtime:
    return Runtime(engine=db, clock=clock, rng=random.Random(7))
