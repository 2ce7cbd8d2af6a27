"""Engine and transactions for SQLite (default, WAL) and PostgreSQL (`DATABASE_URL`)."""

from __future__ import annotations

import logging
import os
import re
import threading
import time
import weakref
from collections import deque
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import psycopg
from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlalchemy.exc import DBAPIError, DisconnectionError
from sqlmodel import Session, create_engine

log = logging.getLogger("tawasul.db")
DEFAULT_DATA_DIR = Path(os.environ.get("TAWASUL_DATA_DIR", "data"))


def database_url() -> str:
    url = os.environ.get("DATABASE_URL")
    if url:
        if url.startswith(("postgresql://", "postgres://")):
            # psycopg 3 is the installed driver; plain URLs would ask for psycopg2.
            url = "postgresql+psycopg://" + url.split("://", 1)[1]
        return url
    DEFAULT_DATA_DIR.mkdir(parents=True, exist_ok=True)
    return f"sqlite:///{DEFAULT_DATA_DIR / 'tawasul.db'}"


def is_sqlite(engine: Engine) -> bool:
    return engine.dialect.name == "sqlite"


def _sqlite_pragmas(dbapi_conn, _record) -> None:  # type: ignore[no-untyped-def]
    # Turn off pysqlite's own BEGIN handling so that BEGIN IMMEDIATE below takes the write lock
    # at the start of a turn: turns then serialise instead of failing on lock upgrades.
    dbapi_conn.isolation_level = None
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA synchronous=NORMAL")
    cur.execute("PRAGMA foreign_keys=ON")
    cur.execute(f"PRAGMA busy_timeout={_ms_env('TAWASUL_DB_BUSY_TIMEOUT_MS', 10000)}")
    cur.close()


def _sqlite_begin(conn) -> None:  # type: ignore[no-untyped-def]
    # A read (see `reading`) begins deferred: under WAL it reads a snapshot while a writer works.
    conn.exec_driver_sql("BEGIN" if conn.get_execution_options().get(_READING) else "BEGIN IMMEDIATE")


def _ms_env(name: str, default: int) -> int:
    """A timeout in milliseconds from the environment (0 turns it off)."""
    value = int(os.environ.get(name, str(default)))
    if value < 0:
        raise ValueError(f"{name} must be 0 or more milliseconds")
    return value


def postgres_connect_args() -> dict[str, object]:
    """Timeouts on every PostgreSQL connection, so that a partition or a stuck lock fails fast (a transient
    error: the message stays pending and is retried) instead of hanging a webhook or a turn:
    connect (`TAWASUL_DB_CONNECT_TIMEOUT`, seconds), each statement (`TAWASUL_DB_STATEMENT_TIMEOUT_MS`),
    each lock wait (`TAWASUL_DB_LOCK_TIMEOUT_MS`), and a silent peer (TCP keepalives and user timeout)."""
    statement = _ms_env("TAWASUL_DB_STATEMENT_TIMEOUT_MS", 30000)
    lock = _ms_env("TAWASUL_DB_LOCK_TIMEOUT_MS", 10000)
    connect = max(1, int(float(os.environ.get("TAWASUL_DB_CONNECT_TIMEOUT", "5"))))
    return {
        "connect_timeout": connect,
        "options": f"-c statement_timeout={statement} -c lock_timeout={lock}",
        "keepalives": 1, "keepalives_idle": 10, "keepalives_interval": 5, "keepalives_count": 3,
        "tcp_user_timeout": (statement + 5000) if statement else 0,
    }


def make_engine(url: str | None = None) -> Engine:
    url = url or database_url()
    if url.startswith("sqlite"):
        # hide_parameters: a database error (and its log line) never quotes the values, which are personal data.
        busy = _ms_env("TAWASUL_DB_BUSY_TIMEOUT_MS", 10000) / 1000
        engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": busy}, hide_parameters=True)
        event.listen(engine, "connect", _sqlite_pragmas)
        event.listen(engine, "begin", _sqlite_begin)
    else:
        engine = create_engine(url, pool_size=10, max_overflow=10, hide_parameters=True,
                               pool_timeout=float(os.environ.get("TAWASUL_DB_CONNECT_TIMEOUT", "5")) * 2,
                               connect_args=postgres_connect_args())
        event.listen(engine, "checkin", _checked_in)
        event.listen(engine, "checkout", _ping_if_idle)
    return engine


# A connection back from the pool is pinged only when it sat idle this long (a server restart or an idle
# timeout shows there), not on every checkout: a turn's transactions then cost no extra round trip.
PING_AFTER_IDLE_SECONDS = 10.0


def _checked_in(_dbapi_conn, record) -> None:  # type: ignore[no-untyped-def]
    record.info["idle_since"] = time.monotonic()


def _ping_if_idle(dbapi_conn, record, _proxy) -> None:  # type: ignore[no-untyped-def]
    since = record.info.get("idle_since")
    if since is None or time.monotonic() - since < PING_AFTER_IDLE_SECONDS:
        return
    try:
        cursor = dbapi_conn.cursor()
        cursor.execute("SELECT 1")
        cursor.close()
    except psycopg.Error as exc:  # gone: the pool drops it and connects afresh
        raise DisconnectionError() from exc


_ENGINES: dict[str, Engine] = {}
_ENGINES_LOCK = threading.Lock()


def get_engine(url: str | None = None) -> Engine:
    """One engine (one pool) per database URL, DATABASE_URL when none is given."""
    url = url or database_url()
    with _ENGINES_LOCK:
        engine = _ENGINES.get(url)
        if engine is None:
            engine = _ENGINES[url] = make_engine(url)
    return engine


def dispose_all() -> None:
    """Close every pooled connection (tests, and a process about to fork or exit)."""
    with _ENGINES_LOCK:
        for engine in _ENGINES.values():
            engine.dispose()
        _ENGINES.clear()


get_engine.cache_clear = dispose_all  # type: ignore[attr-defined]  # the name callers already use


@contextmanager
def transaction(engine: Engine | None = None, *, first: bool = False) -> Iterator[Session]:
    """One unit of work: commits on success, rolls everything back on any exception.

    `first`: a short write that others wait on (a webhook's accept) goes ahead of the queued turns.
    """
    engine = engine or get_engine()
    with _writer_lock(engine, first), Session(engine, expire_on_commit=False) as session:
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise


_READING = "tawasul_reading"
_READERS: weakref.WeakKeyDictionary[Engine, Engine] = weakref.WeakKeyDictionary()


@contextmanager
def reading(engine: Engine | None = None) -> Iterator[Session]:
    """A unit of work that only reads (a webhook's org look-up, a staff page, a report): never committed.

    On SQLite it neither takes this process's writer lock nor SQLite's write lock (a deferred BEGIN reads
    a WAL snapshot), so a webhook never queues behind a page being rendered, nor a page behind turns.
    """
    engine = engine or get_engine()
    with _ENGINES_LOCK:
        reader = _READERS.get(engine)
        if reader is None:
            reader = _READERS[engine] = engine.execution_options(**{_READING: True})
    # Closing (not rolling back) keeps the rows read loaded for the caller; the pool rolls back the connection.
    with Session(reader, expire_on_commit=False) as session:
        yield session


_AUTOCOMMIT: weakref.WeakKeyDictionary[Engine, Engine] = weakref.WeakKeyDictionary()


@contextmanager
def read_once(engine: Engine) -> Iterator[Session]:
    """A single read statement (or a few that need not agree): on PostgreSQL in autocommit, so it costs one
    round trip (no BEGIN and ROLLBACK around it); on SQLite the same as `reading`."""
    if is_sqlite(engine):
        with reading(engine) as session:
            yield session
        return
    with _ENGINES_LOCK:
        reader = _AUTOCOMMIT.get(engine)
        if reader is None:
            reader = _AUTOCOMMIT[engine] = engine.execution_options(isolation_level="AUTOCOMMIT")
    with Session(reader, expire_on_commit=False) as session:
        yield session


class FairLock:
    """A re-entrant lock handed over in order of arrival, with a fast lane.

    threading.RLock lets the thread that just released it take it again at once (a turn thread, the
    outbox), so a webhook could wait behind many turns. Here the releaser hands the lock to the oldest
    waiter; waiters marked `first` (webhooks' accepts, a millisecond each) are served before the others.
    """

    def __init__(self) -> None:
        self._mutex = threading.Lock()
        self._owner: int | None = None
        self._depth = 0
        self._fast: deque[tuple[int, threading.Lock]] = deque()
        self._slow: deque[tuple[int, threading.Lock]] = deque()

    def acquire(self, first: bool = False) -> None:
        me = threading.get_ident()
        with self._mutex:
            if self._owner == me:
                self._depth += 1
                return
            if self._owner is None:
                self._owner, self._depth = me, 1
                return
            baton = threading.Lock()
            baton.acquire()
            (self._fast if first else self._slow).append((me, baton))
        baton.acquire()  # released by the owner handing over: ownership is already ours

    def release(self) -> None:
        with self._mutex:
            assert self._owner == threading.get_ident(), "released by a thread that does not hold it"
            self._depth -= 1
            if self._depth:
                return
            queue = self._fast or self._slow
            if not queue:
                self._owner = None
                return
            self._owner, baton = queue.popleft()
            self._depth = 1
        baton.release()


_SQLITE_WRITERS: dict[str, FairLock] = {}


@contextmanager
def _writer_lock(engine: Engine, first: bool = False) -> Iterator[None]:
    """On SQLite, queue this process's transactions on a lock instead of SQLite's busy-wait.

    Every transaction takes SQLite's write lock at BEGIN; threads that find it taken would poll
    with growing sleeps (the tail of webhook latency). Waiting on a fair lock wakes them in turn, webhooks
    first. Other processes still meet SQLite's busy timeout as before.
    """
    if not is_sqlite(engine):
        yield
        return
    with _ENGINES_LOCK:
        lock = _SQLITE_WRITERS.setdefault(str(engine.url), FairLock())
    lock.acquire(first)
    try:
        yield
    finally:
        lock.release()


# SQLSTATEs of errors that say "try again later", not "this message is bad": serialization failure,
# deadlock, lock timeout (lock_not_available), statement timeout (query_canceled), server shutting down,
# the connection classes and insufficient resources (too many connections).
_TRANSIENT_STATES = ("40001", "40P01", "55P03", "57014", "57P01", "57P02", "57P03", "08", "53")
_TRANSIENT_SQLITE = ("database is locked", "database table is locked", "disk i/o error", "unable to open")


def is_transient(exc: BaseException) -> bool:
    """True for a database error that passes (connection refused or reset, a deadlock, a lock or statement
    timeout, SQLite busy): the work is retried later and never counted against the message itself."""
    import sqlite3

    from sqlalchemy.exc import DBAPIError
    from sqlalchemy.exc import TimeoutError as PoolTimeout

    seen: BaseException | None = exc
    while seen is not None:
        if isinstance(seen, (DisconnectionError, PoolTimeout, ConnectionError)):
            return True
        if isinstance(seen, DBAPIError) and seen.connection_invalidated:
            return True
        if isinstance(seen, psycopg.OperationalError):
            # Connection failures carry no SQLSTATE (None); the server's own say what they are.
            state = seen.sqlstate
            return state is None or state.startswith(_TRANSIENT_STATES)
        if isinstance(seen, psycopg.Error) and seen.sqlstate and seen.sqlstate.startswith(_TRANSIENT_STATES):
            return True
        if isinstance(seen, sqlite3.OperationalError):
            return str(seen).lower().startswith(_TRANSIENT_SQLITE)
        seen = seen.__cause__ or seen.__context__
    return False


_DETAIL = re.compile(r"^(DETAIL|HINT|CONTEXT):.*$|Key \(.*?\)=\(.*?\)", re.MULTILINE)


class HideDatabaseValues(logging.Filter):
    """Database errors in a log never quote values (personal data): the engines hide the statement's
    parameters (`hide_parameters`), and this filter drops PostgreSQL's DETAIL lines ("Key (address)=(...)")."""

    def filter(self, record: logging.LogRecord) -> bool:
        if record.exc_info and record.exc_info[1] is not None and _is_database_error(record.exc_info[1]):
            text = record.exc_text or logging.Formatter().formatException(record.exc_info)
            record.exc_text = _DETAIL.sub("[detail hidden]", text)
        return True


def _is_database_error(exc: BaseException) -> bool:
    from sqlalchemy.exc import DBAPIError

    seen: BaseException | None = exc
    while seen is not None:
        if isinstance(seen, DBAPIError):
            return True
        seen = seen.__cause__ or seen.__context__
    return False


def install_log_filter() -> None:
    """Put HideDatabaseValues on every handler of the root logger (once)."""
    for handler in logging.getLogger().handlers:
        if not any(isinstance(f, HideDatabaseValues) for f in handler.filters):
            handler.addFilter(HideDatabaseValues())


def _lock_key(name: str) -> int:
    import hashlib

    return int.from_bytes(hashlib.sha256(name.encode()).digest()[:8], "big", signed=True)


@contextmanager
def exclusive(engine: Engine, name: str) -> Iterator[bool]:
    """Whether this process may run the job `name` now: at most one of the processes sharing a PostgreSQL
    database holds it at a time (a session advisory lock, tried, never waited for). On SQLite (one machine,
    writers serialised by the file) always True.

        with exclusive(engine, "sweep:handoffs") as mine:
            if mine:
                sweep_handoffs(engine, now)
    """
    if is_sqlite(engine):
        yield True
        return
    from sqlalchemy import text

    key = _lock_key(name)
    with engine.connect() as conn:
        mine = bool(conn.execute(text("SELECT pg_try_advisory_lock(:k)"), {"k": key}).scalar())
        conn.commit()
        try:
            yield mine
        finally:
            if mine:
                conn.execute(text("SELECT pg_advisory_unlock(:k)"), {"k": key})
                conn.commit()


def only_one(engine: Engine, name: str, job: Callable[[], object]) -> Callable[[], None]:
    """`job` wrapped so that across processes sharing the database only one runs it at a time (the others
    skip that round)."""

    def run() -> None:
        with exclusive(engine, name) as mine:
            if mine:
                job()

    return run


class Leader:
    """A role held for as long as the process runs (Telegram long polling: one poller per bot), by a
    session advisory lock on a connection of its own; `held()` tries to take it, or checks it still has
    it (a lost connection loses the lock: it is taken again when the database is back). SQLite: always held.
    """

    def __init__(self, engine: Engine, name: str) -> None:
        self.engine, self.key = engine, _lock_key(name)
        self._conn: Any = None
        self._lock = threading.Lock()

    def held(self) -> bool:
        if is_sqlite(self.engine):
            return True
        from sqlalchemy import text

        with self._lock:
            try:
                if self._conn is not None:
                    self._conn.execute(text("SELECT 1"))
                    self._conn.commit()
                    return True
                conn = self.engine.connect()
                if conn.execute(text("SELECT pg_try_advisory_lock(:k)"), {"k": self.key}).scalar():
                    conn.commit()
                    self._conn = conn
                    return True
                conn.commit()
                conn.close()
                return False
            except DBAPIError:  # the database is away: not held until it is back
                self._drop()
                return False

    def release(self) -> None:
        with self._lock:
            self._drop()

    def _drop(self) -> None:
        if self._conn is not None:
            conn, self._conn = self._conn, None
            from sqlalchemy import text

            try:  # the connection goes back to the pool: its session's lock must go first
                conn.execute(text("SELECT pg_advisory_unlock(:k)"), {"k": self.key})
                conn.commit()
                conn.close()
            except DBAPIError:  # broken: the server ended the session, and its locks with it
                conn.invalidate()
                conn.close()
