"""A running fake provider pair and a running `tawasul serve`, on SQLite and on PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.bench.fakes import FakeProviders
from storage.migrate import upgrade
from tests.conftest import _pg_database
from tests.connectors.harness import ServeProcess


@pytest.fixture(scope="module")
def fake() -> Iterator[FakeProviders]:
    providers = FakeProviders().start()
    yield providers
    providers.stop()


@pytest.fixture(autouse=True)
def _fresh_fake(fake: FakeProviders) -> None:
    fake.clear()
    fake.release()


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def module_db(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path_factory.mktemp('db')}/tawasul.db"
    else:
        yield from _pg_database()


@pytest.fixture(scope="module")
def server(module_db: str, fake: FakeProviders, tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServeProcess]:
    upgrade(module_db)
    process = ServeProcess(module_db, fake.url, tmp_path_factory.mktemp("serve")).start()
    yield process
    process.stop()


@pytest.fixture
def sqlite_server(fake: FakeProviders, tmp_path: Path) -> Iterator[ServeProcess]:
    """A fresh server of its own (for tests that kill it or change its settings)."""
    url = f"sqlite:///{tmp_path}/tawasul.db"
    upgrade(url)
    process = ServeProcess(url, fake.url, tmp_path)
    yield process
    process.stop()
