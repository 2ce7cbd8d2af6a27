"""Issue 12, item 9: with the database unavailable a verified webhook still gets its 2xx, and its message is
stored (in order, once) when the database is back, even when the service was killed (-9) in between.
The real `tawasul serve`, on SQLite and PostgreSQL; "unavailable" is another client holding the table, so the
service's inserts meet their lock or busy timeout (a passing error), as during an outage."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlencode

from sqlalchemy import create_engine

from bot.bench.fakes import FakeProviders
from storage.migrate import upgrade
from tests.connectors.harness import ServeProcess, wait_for

SENDER = "+966557770001"


def _sms(n: int) -> bytes:
    sid = f"SM{n:032d}"
    return urlencode({"MessageSid": sid, "SmsSid": sid, "AccountSid": "AC" + "0" * 31 + "1", "From": SENDER,
                      "To": "+966530801110", "Body": f"رسالة {n}", "NumMedia": "0"}).encode()


@contextmanager
def _unavailable(url: str) -> Iterator[None]:
    engine = create_engine(url.replace("postgresql://", "postgresql+psycopg://"),
                           isolation_level=None if url.startswith("sqlite") else "AUTOCOMMIT")
    with engine.connect() as conn:
        if url.startswith("sqlite"):
            conn.exec_driver_sql("BEGIN EXCLUSIVE")
        else:
            conn.exec_driver_sql("BEGIN")
            conn.exec_driver_sql("LOCK TABLE message_in IN ACCESS EXCLUSIVE MODE")
        try:
            yield
        finally:
            conn.exec_driver_sql("ROLLBACK")
    engine.dispose()


def _stored(server: ServeProcess) -> list[tuple[str, object]]:
    return [(row[0], row[1]) for row in server.rows(
        "SELECT provider_id, processed_at FROM message_in WHERE channel = 'sms' ORDER BY id")]


def test_webhooks_answered_while_the_database_is_away_are_stored_after_a_kill(
        db_url: str, fake: FakeProviders, tmp_path: Path) -> None:
    upgrade(db_url)
    server = ServeProcess(db_url, fake.url, tmp_path, TAWASUL_DB_BUSY_TIMEOUT_MS="300",
                          TAWASUL_DB_LOCK_TIMEOUT_MS="300", TAWASUL_JOURNAL_REPLAY_SECONDS="0.5")
    server.start()
    try:
        with _unavailable(db_url):
            for n in (1, 2):
                assert server.post("twilio", _sms(n)).status_code == 200
        # Back: the replayer stores both, in order, and their turns run.
        wait_for(lambda: len(_stored(server)) == 2 and all(p for _, p in _stored(server)), timeout=30)
        assert [pid for pid, _ in _stored(server)] == [f"SM{1:032d}", f"SM{2:032d}"]

        with _unavailable(db_url):
            for n in (3, 4, 5):
                assert server.post("twilio", _sms(n)).status_code == 200
            server.kill()  # kill -9 with three answered messages only in the journal
        assert len(_stored(server)) == 2
        server.start()  # a new process replays the dead one's journal
        wait_for(lambda: len(_stored(server)) == 5 and all(p for _, p in _stored(server)), timeout=30)
        assert [pid for pid, _ in _stored(server)] == [f"SM{n:032d}" for n in range(1, 6)], "in order"
        assert server.post("twilio", _sms(3)).status_code == 200  # a provider's retry of one: dropped
        assert len(_stored(server)) == 5
        assert not list((tmp_path / "data" / "journal").glob("*.journal"))[1:], "the orphan was removed"
    finally:
        server.stop()


def test_journal_first_webhooks_answer_from_the_journal_and_are_stored_in_order(
        db_url: str, fake: FakeProviders, tmp_path: Path) -> None:
    upgrade(db_url)
    server = ServeProcess(db_url, fake.url, tmp_path, TAWASUL_WEBHOOK_ACCEPT="journal")
    server.start()
    try:
        assert server.post("twilio", _sms(9), auth="wrong").status_code == 403  # verified before journaling
        with _unavailable(db_url):  # answered without the database at all
            for n in range(1, 5):
                assert server.post("twilio", _sms(n)).status_code == 200
        wait_for(lambda: len(_stored(server)) == 4 and all(p for _, p in _stored(server)), timeout=30)
        assert [pid for pid, _ in _stored(server)] == [f"SM{n:032d}" for n in range(1, 5)]
    finally:
        server.stop()
