"""The outbox under faults (issue 12), on SQLite and PostgreSQL, with the REAL twilio and python-telegram-bot
clients against the provider fakes (bot/bench/fakes.py): a dead process's claims, ambiguous sends
reconciled, a long SMS never resent part by part, Retry-After, bounded retries, database errors while
recording an outcome, one slow send beside the others, and two workers sharing one database.
"""

from __future__ import annotations

import collections
import threading
import time
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import event, text
from sqlalchemy.engine import Engine
from sqlmodel import select

from bot.bench.fakes import FakeProviders
from bot.turn.outbox import OutboxWorker
from connectors.config import Settings
from connectors.telegram.channel import TelegramChannel
from connectors.twilio.channel import TwilioChannel
from connectors.twilio.sms import split
from storage.db import Leader, exclusive, make_engine, transaction
from storage.models import Contact, OutboundRecord, utcnow
from tests.connectors.harness import wait_for

LONG = "هذا نص طويل جدا لرسالة قصيرة " * 12  # Arabic: UCS-2, more than 4 segments -> 2 parts


@pytest.fixture
def fake() -> Iterator[FakeProviders]:
    providers = FakeProviders().start()
    yield providers
    providers.stop()


def channels(fake: FakeProviders, timeout: float = 5.0) -> dict[str, Any]:
    settings = Settings(
        twilio_account_sid="AC" + "0" * 31 + "1", twilio_auth_token="tw-token-0123456789abcdef",
        twilio_sms_from="+15005550006", twilio_whatsapp_from="whatsapp:+14155238886",
        twilio_api_base_url=fake.url, telegram_bot_token="123:AAFake-Token", telegram_api_base_url=fake.url,
        send_timeout=timeout,
    )
    return {"twilio": TwilioChannel(settings), "telegram": TelegramChannel(settings)}


@pytest.fixture
def worker_for(db: Engine, fake: FakeProviders) -> Iterator[Any]:
    made: list[tuple[OutboxWorker, dict[str, Any]]] = []

    def make(timeout: float = 5.0, engine: Engine | None = None, **kwargs: Any) -> OutboxWorker:
        chans = channels(fake, timeout)
        worker = OutboxWorker(engine or db, chans, lease=kwargs.pop("lease", timedelta(seconds=30)), **kwargs)
        made.append((worker, chans))
        return worker

    yield make
    for worker, chans in made:
        worker.stop()
        for channel in chans.values():
            channel.close()


def enqueue(db: Engine, address: str, *texts: str, channel: str = "sms", **fields: Any) -> list[int]:
    with transaction(db) as tx:
        contact = tx.exec(select(Contact).where(Contact.address == address)).first()
        if contact is None:
            contact = Contact(org_slug="esrar", channel=channel, address=address, last_inbound_at=utcnow())
            tx.add(contact)
            tx.flush()
        assert contact.id is not None
        rows = [OutboundRecord(contact_id=contact.id, channel=channel, to_address=address, text=t, **fields)
                for t in texts]
        tx.add_all(rows)
        tx.flush()
        return [r.id for r in rows if r.id is not None]


def rows(db: Engine) -> list[OutboundRecord]:
    with transaction(db) as tx:
        return list(tx.exec(select(OutboundRecord).order_by(OutboundRecord.id)).all())  # type: ignore[arg-type]


def due_now(db: Engine) -> None:
    """Skip the backoff: every queued row is due (the test is about what happens next, not when)."""
    with db.begin() as conn:
        conn.execute(text("UPDATE message_out SET next_attempt_at = :t WHERE status = 'queued'"),
                     {"t": utcnow() - timedelta(seconds=1)})


def crashed(db: Engine, *, attempted: bool) -> None:
    """Leave every row as a process killed mid-claim leaves it: 'sending', its lease run out."""
    with db.begin() as conn:
        conn.execute(text("UPDATE message_out SET status = 'sending', claimed_until = :t, attempted_at = :a"),
                     {"t": utcnow() - timedelta(seconds=5), "a": utcnow() - timedelta(seconds=10) if attempted else None})


def test_unattempted_claims_of_a_dead_process_are_sent_once(db: Engine, fake: FakeProviders, worker_for: Any) -> None:
    for i in range(4):
        enqueue(db, f"+96650000000{i}", f"reply {i}")
    dead = worker_for()
    assert len(dead.claim(limit=4)) == 4  # claimed, then the process is killed before any send
    crashed(db, attempted=False)
    worker_for().run_once()
    assert [r.status for r in rows(db)] == ["sent"] * 4
    assert sorted(m["text"] for m in fake.accepted("twilio")) == [f"reply {i}" for i in range(4)]


def test_attempted_twilio_rows_are_reconciled_before_any_resend(db: Engine, fake: FakeProviders,
                                                                 worker_for: Any) -> None:
    enqueue(db, "+966500000001", "had reached twilio")
    enqueue(db, "+966500000002", "had not")
    worker = worker_for()
    chan = worker.channels["twilio"]
    from bot.messages import Outgoing

    chan.send(Outgoing(outbox_id=1, channel="sms", to="+966500000001", text="had reached twilio"))
    crashed(db, attempted=True)  # both were attempted when the process died: only Twilio knows
    worker.run_once()
    got = [m["text"] for m in fake.accepted("twilio")]
    assert sorted(got) == ["had not", "had reached twilio"]  # each once
    first, second = rows(db)
    assert first.status == second.status == "sent"
    assert first.meta.get("reconciled") and first.provider_id == fake.accepted("twilio")[0]["id"]
    assert any(r.method == "Messages.list" for r in fake.requests)


def test_read_timeout_after_twilio_accepted_is_not_sent_twice(db: Engine, fake: FakeProviders,
                                                              worker_for: Any) -> None:
    enqueue(db, "+966500000003", "answered late")
    fake.late("twilio", 1, seconds=3.0)  # accepted at once, answered after the client's 1 s timeout
    worker = worker_for(timeout=1.0)
    worker.run_once()
    (row,) = rows(db)
    assert row.status == "queued" and row.attempted_at is not None and "reconciled" in (row.last_error or "")
    due_now(db)
    worker.run_once()
    (row,) = rows(db)
    assert row.status == "sent" and row.meta.get("reconciled")
    assert [m["text"] for m in fake.accepted("twilio")] == ["answered late"]


def test_telegram_timeout_after_the_request_left_is_taken_as_sent_once(db: Engine, fake: FakeProviders,
                                                                       worker_for: Any) -> None:
    enqueue(db, "5550101", "telegram late", channel="telegram")
    fake.late("telegram", 1, seconds=3.0)
    worker = worker_for(timeout=1.0)
    worker.run_once()
    due_now(db)
    worker.run_once()
    (row,) = rows(db)
    assert row.status == "sent" and row.meta.get("unconfirmed")  # staff see it was not confirmed
    assert [m["text"] for m in fake.accepted("telegram")] == ["telegram late"]


def test_a_long_sms_retry_sends_only_the_parts_twilio_lacks(db: Engine, fake: FakeProviders, worker_for: Any) -> None:
    parts = split(LONG)
    assert len(parts) == 2
    enqueue(db, "+966500000004", LONG)
    fake.fail("twilio", 1, status=500, skip=1)  # part 1 accepted, part 2 answered 500
    worker = worker_for()
    worker.run_once()
    (row,) = rows(db)
    assert row.status == "queued" and len(row.meta["accepted_parts"]) == 1
    due_now(db)
    worker.run_once()
    (row,) = rows(db)
    assert row.status == "sent" and row.meta.get("parts") == 2
    assert [m["text"] for m in fake.accepted("twilio")] == parts  # each part once, in order


def test_a_long_sms_cut_by_a_crash_resends_only_the_missing_part(db: Engine, fake: FakeProviders,
                                                                 worker_for: Any) -> None:
    parts = split(LONG)
    enqueue(db, "+966500000005", LONG)
    worker = worker_for()
    from bot.messages import Outgoing

    # the dead process had part 1 accepted, then died before part 2
    worker.channels["twilio"]._create(to="+966500000005", from_="+15005550006", body=parts[0],
                                      out=Outgoing(outbox_id=1, channel="sms", to="+966500000005", text=LONG))
    crashed(db, attempted=True)
    worker.run_once()
    assert [m["text"] for m in fake.accepted("twilio")] == parts
    assert rows(db)[0].status == "sent"


@pytest.mark.parametrize("where", ["header", "body"])
def test_429_waits_as_long_as_twilio_asks(db: Engine, fake: FakeProviders, worker_for: Any, where: str) -> None:
    enqueue(db, "+966500000006", "slow down")
    if where == "header":
        fake.fail("twilio", 1, status=429, code=20429, retry_header=30)
    else:
        fake.fail("twilio", 1, status=429, code=20429, retry_after=45)
    worker_for().run_once()
    (row,) = rows(db)
    wait = (row.next_attempt_at.replace(tzinfo=None) - utcnow().replace(tzinfo=None)).total_seconds()
    assert row.status == "queued" and wait > (28 if where == "header" else 43), wait


def test_retries_are_bounded_by_count(db: Engine, fake: FakeProviders, worker_for: Any) -> None:
    enqueue(db, "+966500000007", "never accepted")
    fake.fail("twilio", 10, status=503)
    worker = worker_for(max_attempts=3)
    for _ in range(5):
        worker.run_once()
        due_now(db)
    (row,) = rows(db)
    assert row.status == "failed" and row.attempts == 3
    assert row.last_error and row.last_error.startswith("gave up after 3 attempt(s)")
    assert len(fake.sent("twilio")) == 3
    from bot.staff.reads import board

    with transaction(db) as tx:  # staff see it on their board (`tawasul staff list`)
        listed = board(tx, "esrar", "manager", utcnow())
    assert listed["totals"]["undelivered"] == 1 and listed["undelivered"][0]["error"].startswith("gave up")
    assert listed["undelivered"][0]["contact"].endswith("07") and "+96650" not in listed["undelivered"][0]["contact"]


def test_retries_are_bounded_by_age(db: Engine, fake: FakeProviders, worker_for: Any) -> None:
    enqueue(db, "+966500000008", "too old", created_at=utcnow() - timedelta(hours=25))
    fake.fail("twilio", 5, status=429, code=20429, retry_header=60)
    worker_for().run_once()
    (row,) = rows(db)
    assert row.status == "failed" and "gave up after 1 attempt(s) over 25.0 h" in (row.last_error or "")


def test_an_outcome_survives_database_errors_while_it_is_recorded(db: Engine, fake: FakeProviders,
                                                                  worker_for: Any) -> None:
    enqueue(db, "+966500000009", "recorded late")
    refusals = {"left": 0}

    def refuse(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        if statement.lstrip().upper().startswith("UPDATE MESSAGE_OUT") and refusals["left"] > 0:
            refusals["left"] -= 1
            raise _operational_error(db)

    worker = worker_for()
    assert worker.claim() and worker.channels  # claimed and marked in the normal way...
    (row_id,) = [r.id for r in rows(db)]
    original = worker._mark_attempted

    def mark_then_refuse(rid: int, *args: Any) -> bool:
        ok = original(rid, *args)
        refusals["left"] = 7  # ... then the database refuses the outcome's write 7 times in a row
        return ok

    worker._mark_attempted = mark_then_refuse  # type: ignore[method-assign]
    event.listen(db, "before_cursor_execute", refuse)
    try:
        worker.deliver(row_id)
        assert [m["text"] for m in fake.accepted("twilio")] == ["recorded late"]
        assert rows(db)[0].status == "sending"  # not recorded yet: kept in memory, lease renewed
        assert worker.flush() == 0  # the database still refuses: kept
        assert worker.flush() == 1
    finally:
        event.remove(db, "before_cursor_execute", refuse)
    (row,) = rows(db)
    assert row.status == "sent" and row.provider_id == fake.accepted("twilio")[0]["id"]


def test_a_lease_run_out_while_the_outcome_waits_in_memory_is_not_reaped_by_its_own_worker(
        db: Engine, fake: FakeProviders, worker_for: Any) -> None:
    enqueue(db, "+966500000010", "sent while the database was away")
    worker = worker_for()
    (row_id,) = worker.claim()
    refusing = {"on": False}

    def refuse(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        if refusing["on"] and statement.lstrip().upper().startswith("UPDATE MESSAGE_OUT"):
            raise _operational_error(db)

    original = worker._mark_attempted

    def mark_then_refuse(rid: int, *args: Any) -> bool:
        ok = original(rid, *args)
        refusing["on"] = True  # the database goes away after the attempt was marked
        return ok

    worker._mark_attempted = mark_then_refuse  # type: ignore[method-assign]
    event.listen(db, "before_cursor_execute", refuse)
    try:
        worker.deliver(row_id)  # sent; its outcome kept in memory
    finally:
        event.remove(db, "before_cursor_execute", refuse)
    crashed(db, attempted=True)  # the outage outlived the lease: the row looks like a dead process's
    assert worker.reap() == 0  # back from the outage, the worker does not reap what it holds itself ...
    worker.flush()
    due_now(db)
    worker.run_once()
    (row,) = rows(db)
    assert row.status == "sent" and row.provider_id == fake.accepted("twilio")[0]["id"]
    assert [m["text"] for m in fake.accepted("twilio")] == ["sent while the database was away"]  # ... sent once
    assert worker_for().reap() == 0  # and nothing is left for another process to reap


def _operational_error(db: Engine) -> Exception:
    if db.dialect.name == "sqlite":
        import sqlite3

        return sqlite3.OperationalError("disk I/O error")
    import psycopg

    return psycopg.OperationalError("server closed the connection unexpectedly")


def test_one_slow_send_does_not_hold_the_others(db: Engine, fake: FakeProviders, worker_for: Any) -> None:
    enqueue(db, "+966500000100", "slow one")
    fake.late("twilio", 1, seconds=4.0, to="+966500000100")  # accepted, answered in 4 s (within the timeout)
    worker = worker_for(timeout=10.0, senders=4, idle_seconds=0.05)
    worker.start()
    wait_for(lambda: fake.accepted("twilio"), timeout=5)
    started = time.monotonic()
    for i in range(12):
        enqueue(db, f"+9665000002{i:02d}", f"quick {i}")
    wait_for(lambda: len(fake.accepted("twilio")) == 13, timeout=10)
    assert time.monotonic() - started < 3.0  # before the slow answer came
    assert rows(db)[0].status == "sending"


@pytest.mark.parametrize("workers", [2])
def test_two_workers_on_one_database_send_each_once_in_order(db: Engine, db_url: str, fake: FakeProviders,
                                                              worker_for: Any, workers: int) -> None:
    expected = {f"+9665000003{c:02d}": [f"c{c} m{m}" for m in range(5)] for c in range(12)}
    for address, texts in expected.items():
        enqueue(db, address, *texts)
    engines = [make_engine(db_url) for _ in range(workers)]  # as two processes: a pool each
    running = [worker_for(engine=engine, senders=4, idle_seconds=0.05) for engine in engines]
    try:
        for worker in running:
            worker.start()
        wait_for(lambda: len(fake.accepted("twilio")) >= 60, timeout=40)
        time.sleep(0.5)
        got: dict[str, list[str]] = collections.defaultdict(list)
        for message in fake.accepted("twilio"):
            got[message["to"]].append(message["text"])
        assert got == expected  # each once, each contact's in order
        wait_for(lambda: all(r.status == "sent" for r in rows(db)), timeout=10)
    finally:
        for worker in running:
            worker.stop()  # before its pool goes: a stopped worker opens no connection
        for engine in engines:
            engine.dispose()


def test_periodic_jobs_and_polling_run_in_one_process_at_a_time(db: Engine, db_url: str) -> None:
    if db.dialect.name == "sqlite":
        pytest.skip("one machine: SQLite serialises writers itself")
    other = make_engine(db_url)
    try:
        with exclusive(db, "sweep:handoffs") as mine:
            assert mine
            with exclusive(other, "sweep:handoffs") as theirs:
                assert not theirs
        with exclusive(other, "sweep:handoffs") as theirs:
            assert theirs  # released
        first, second = Leader(db, "telegram:poll"), Leader(other, "telegram:poll")
        assert first.held() and first.held() and not second.held()
        first.release()
        assert second.held()
        second.release()
    finally:
        other.dispose()


def test_stop_leaves_no_claim_behind_while_senders_run(db: Engine, fake: FakeProviders, worker_for: Any) -> None:
    for i in range(20):
        enqueue(db, f"+9665000004{i:02d}", f"m{i}")
    fake.hold()
    worker = worker_for(senders=3)
    worker.start()
    wait_for(lambda: len(fake.sent("twilio")) >= 3, timeout=10)
    stopping = threading.Thread(target=worker.stop)
    stopping.start()
    time.sleep(0.3)
    fake.release()
    stopping.join(30)
    statuses = collections.Counter(r.status for r in rows(db))
    assert set(statuses) <= {"sent", "queued"}, statuses  # no row left 'sending'
    assert statuses["sent"] == len(fake.accepted("twilio"))


def test_a_marker_whose_commit_answer_was_lost_does_not_make_a_reply_unsent(db: Engine, fake: FakeProviders,
                                                                            worker_for: Any) -> None:
    """The connection dies after COMMIT of the 'about to send' marker left: the server has the marker, the
    worker sees an error and never sends. The row must not look attempted (Telegram: taken as sent, never sent)."""
    from sqlalchemy.exc import OperationalError

    (row_id,) = enqueue(db, "5550202", "after a lost commit", channel="telegram")
    worker = worker_for()
    assert worker.claim() == [row_id]
    lost = {"left": 1}

    def answer_lost(conn: Any) -> None:
        if lost["left"]:
            lost["left"] -= 1
            conn.connection.dbapi_connection.commit()  # the server commits...
            raise OperationalError("COMMIT", None, Exception("server closed the connection unexpectedly"))

    event.listen(db, "commit", answer_lost)
    try:
        worker.deliver(row_id)
    finally:
        event.remove(db, "commit", answer_lost)
    assert not fake.accepted("telegram")
    (row,) = rows(db)
    assert row.status == "queued" and row.attempted_at is None and row.attempts == 0
    due_now(db)
    worker.run_once()
    (row,) = rows(db)
    assert row.status == "sent" and not row.meta.get("unconfirmed")
    assert [m["text"] for m in fake.accepted("telegram")] == ["after a lost commit"]


def test_an_idle_worker_looks_at_its_empty_queue_once_per_idle_period_not_once_per_sender(
        db: Engine, worker_for: Any) -> None:
    # Eight senders waking together each ran the claim query: a third of a core on an idle service.
    worker = worker_for(senders=8, idle_seconds=0.2)
    claims = []
    claim = worker.claim
    worker.claim = lambda *a, **k: claims.append(time.monotonic()) or claim(*a, **k)
    worker.start()
    time.sleep(2.0)
    worker.stop()
    assert 2 <= len(claims) <= 14, f"{len(claims)} claims in 2 s with 8 senders and a 0.2 s idle period"


def test_a_reply_queued_by_a_turn_leaves_without_waiting_out_the_idle_period(
        db: Engine, worker_for: Any, fake: FakeProviders) -> None:
    worker = worker_for(senders=4, idle_seconds=30)
    worker.start()
    time.sleep(0.5)  # every sender found the queue empty and waits its 30 s
    enqueue(db, "+966500000321", "مرحبا")
    started = time.monotonic()
    worker.wake()  # what the turn runner does when a turn queued replies
    wait_for(lambda: len(fake.sent("twilio")) == 1, timeout=5)
    assert time.monotonic() - started < 5
    assert [r.status for r in rows(db)] == ["sent"]
