"""`tawasul bench faults`: the fault suite (`make faults`). Not a test: a report, exit 1 on any loss.

    tawasul bench faults                                   # every scenario, SQLite and PostgreSQL
    tawasul bench faults --db sqlite --scenario kill9      # one scenario on one database

Each scenario starts the REAL service afresh (`tawasul serve`: one process on SQLite, two sharing
PostgreSQL through a loopback TCP proxy the suite can cut), an NLU stand-in it can stop or slow down,
and the provider fakes (bot/bench/fakes.py) with faults injected; contacts (half Telegram, half SMS)
post signed webhooks, retried elsewhere or later on a refusal as the providers (and a load balancer) do.
It then waits until every accepted message was processed and the outbox is empty, and prints per scenario:

    accepted    webhooks answered 2xx (each message once)
    processed   of those, turns committed (not set aside)
    lost        accepted - processed
    set aside   of the lost, those whose turn failed too often and were set aside with an apology
    duplicated  messages whose turn ran twice (the same reply twice for one message)
    sent twice  messages (SMS parts) the provider holds more often than the outbox has them
    never sent  outbox messages (parts) the provider never got (still queued at the end counts)
    refused     messages never answered 2xx after 60 s of retries (the sender knows; not "lost")
    disordered  contacts whose replies reached the provider out of order

Scenarios: kill9 (kill -9 under load, restarted), db-down (refused 6 s, then flapping), nlu-dead,
nlu-slow (4 s a parse), provider-500, provider-429 (Retry-After), provider-timeout (accepted, answered
after the client's timeout), burst (30 messages from each of a few contacts at once).
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import shutil
import socket
import sqlite3
import tempfile
import threading
import time
import uuid
from collections import Counter, defaultdict
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import httpx
from sqlalchemy import create_engine, text

SCENARIOS = ("kill9", "db-down", "nlu-dead", "nlu-slow", "provider-500", "provider-429", "provider-timeout", "burst")
TEXTS = ["السلام عليكم", "1", "وش صار على طلبي", "شكرا", "مع السلامة"]
PG_ADMIN = os.environ.get("TAWASUL_TEST_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
COLUMNS = ("accepted", "processed", "lost", "set_aside", "duplicated", "sent_twice", "never_sent", "refused",
           "disordered")


class Proxy:
    """A TCP proxy on loopback in front of PostgreSQL: `cut()` drops every connection and refuses new
    ones (a partition, a database restart), `restore()` serves again on the same port."""

    def __init__(self, upstream: tuple[str, int]) -> None:
        self.upstream = upstream
        self.port = _free_port()
        self._conns: list[socket.socket] = []
        self._lock = threading.Lock()
        self._listener: socket.socket | None = None
        self.restore()

    def restore(self) -> None:
        listener = socket.socket()
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind(("127.0.0.1", self.port))
        listener.listen(128)
        self._listener = listener
        threading.Thread(target=self._accept, args=(listener,), daemon=True).start()

    def cut(self) -> None:
        with self._lock:
            conns, self._conns = self._conns, []
            listener, self._listener = self._listener, None
        for sock in [*conns, *([listener] if listener else [])]:
            with _quiet():
                sock.shutdown(socket.SHUT_RDWR)
            sock.close()

    def _accept(self, listener: socket.socket) -> None:
        while True:
            try:
                client, _ = listener.accept()
            except OSError:
                return  # cut
            try:
                server = socket.create_connection(self.upstream)
            except OSError:
                client.close()
                continue
            with self._lock:
                self._conns += [client, server]
            for a, b in ((client, server), (server, client)):
                threading.Thread(target=_pipe, args=(a, b), daemon=True).start()


def _pipe(src: socket.socket, dst: socket.socket) -> None:
    with _quiet():
        while data := src.recv(65536):
            dst.sendall(data)
    for sock in (src, dst):
        with _quiet():
            sock.shutdown(socket.SHUT_RDWR)


@contextmanager
def _quiet() -> Iterator[None]:
    try:
        yield
    except OSError:  # the other side is gone: a cut proxy, a killed process
        return


class NLU:
    """A stand-in Rasa NLU server (`/model/parse`): `delay` seconds per parse; `down()` / `up()`."""

    def __init__(self) -> None:
        self.port = _free_port()
        self.delay = 0.0
        self._server: ThreadingHTTPServer | None = None
        self.up()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def up(self) -> None:
        nlu = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:
                return None

            def do_POST(self) -> None:
                asked = json.loads(self.rfile.read(int(self.headers.get("Content-Length", 0))) or b"{}")
                time.sleep(nlu.delay)
                intent = {"name": "greet", "confidence": 0.95}
                body = json.dumps({"text": asked.get("text", ""), "intent": intent, "intent_ranking": [intent],
                                   "entities": []}).encode()
                with _quiet():
                    self.send_response(200)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(body)))
                    self.end_headers()
                    self.wfile.write(body)

        ThreadingHTTPServer.allow_reuse_address = True
        self._server = ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        self._server.daemon_threads = True
        threading.Thread(target=self._server.serve_forever, daemon=True).start()

    def down(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None


@dataclass
class Traffic:
    """Signed webhooks from many contacts; a refused post is retried on the next process, then later."""

    servers: list[Any]
    accepted: set[str] = field(default_factory=set)
    refused: set[str] = field(default_factory=set)
    latencies: list[float] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _turn: Iterator[int] = field(default_factory=itertools.count)

    def contact(self, i: int, texts: list[str], gap: float) -> None:
        from bot.bench.serve import TELEGRAM_SECRET, twilio_signature

        with httpx.Client(timeout=10) as http:
            for k, body in enumerate(texts):
                if i % 2 == 0:
                    pid, path = str(100000 * (i + 1) + k), "/webhooks/telegram"
                    chat = 7000000 + i
                    data = json.dumps({"update_id": int(pid), "message": {
                        "message_id": k + 1, "date": int(time.time()), "text": body, "chat": {"id": chat, "type": "private"},
                        "from": {"id": chat, "is_bot": False, "first_name": "مستفيد"}}}, ensure_ascii=False).encode()
                    headers = {"Content-Type": "application/json", "X-Telegram-Bot-Api-Secret-Token": TELEGRAM_SECRET}
                else:
                    pid, path = f"SM{i:06d}{k:04d}".ljust(34, "0"), "/webhooks/twilio"
                    data = urlencode({"MessageSid": pid, "SmsSid": pid, "AccountSid": "AC" + "0" * 31 + "1",
                                      "From": f"+9665{i:08d}", "To": "+966530801110", "Body": body, "NumMedia": "0",
                                      "SmsStatus": "received", "ApiVersion": "2010-04-01"}).encode()
                    headers = {"Content-Type": "application/x-www-form-urlencoded",
                               "X-Twilio-Signature": twilio_signature(path, data)}
                self._post(http, pid, path, data, headers)
                time.sleep(gap)

    def _post(self, http: httpx.Client, pid: str, path: str, data: bytes, headers: dict[str, str]) -> None:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            server = self.servers[next(self._turn) % len(self.servers)]
            started = time.perf_counter()
            try:
                ok = http.post(server.url + path, content=data, headers=headers).status_code < 300
            except httpx.HTTPError:
                ok = False
            if ok:
                with self._lock:
                    self.accepted.add(pid)
                    self.latencies.append(time.perf_counter() - started)
                return
            time.sleep(0.5)
        with self._lock:
            self.refused.add(pid)


@dataclass
class Setup:
    kind: str  # sqlite | postgresql
    work: Path
    fake: Any
    nlu: NLU
    db_url: str  # what the bench reads (direct)
    serve_url: str  # what the serve processes use (through the proxy on PostgreSQL)
    proxy: Proxy | None
    servers: list[Any]
    sqlite_path: Path | None = None


def scenario(name: str, setup: Setup, messages: int) -> dict[str, int]:
    """Run one scenario's traffic and faults; the counts of the report."""
    fake, nlu = setup.fake, setup.nlu
    contacts = max(2, messages // 5)
    per_contact = {i: [TEXTS[k % len(TEXTS)] for k in range(5)] for i in range(contacts)}
    gap = 0.15
    if name == "burst":
        contacts = max(2, messages // 30)
        per_contact = {i: [TEXTS[k % len(TEXTS)] + f" {k}" for k in range(30)] for i in range(contacts)}
        gap = 0.0
    traffic = Traffic(setup.servers)
    faults: Callable[[], None] = lambda: None
    if name == "kill9":
        fake.late("twilio", 40, 0.3)  # sends in flight when the kill lands
        fake.late("telegram", 40, 0.3)

        def faults() -> None:
            for server in itertools.islice(itertools.cycle(setup.servers), 3):
                time.sleep(2.0)
                server.kill()
                time.sleep(1.0)
                server.start()
    elif name == "db-down":
        def faults() -> None:
            time.sleep(2.0)
            with _db_outage(setup, 6.0):
                pass
            for _ in range(3):
                time.sleep(1.0)
                with _db_outage(setup, 1.0):
                    pass
    elif name == "nlu-dead":
        def faults() -> None:
            time.sleep(1.5)
            nlu.down()
            time.sleep(6.0)
            nlu.up()
    elif name == "nlu-slow":
        nlu.delay = 4.0
    elif name == "provider-500":
        fake.fail("twilio", 15, status=500, message="fake 500")
        fake.fail("telegram", 15, status=500, description="Internal Server Error")
    elif name == "provider-429":
        fake.fail("twilio", 10, status=429, code=20429, retry_header=3)
        fake.fail("telegram", 10, status=429, retry_after=3)
    elif name == "provider-timeout":
        fake.late("twilio", 10, 3.5)  # the serve processes give a send 2 s
        fake.late("telegram", 10, 3.5)
    started = time.monotonic()
    fault_thread = threading.Thread(target=faults, daemon=True)
    fault_thread.start()
    with ThreadPoolExecutor(min(32, contacts)) as pool:
        list(pool.map(lambda i: traffic.contact(i, per_contact[i], gap), range(contacts)))
    fault_thread.join()
    nlu.delay = 0.0
    counts = _settle_and_count(setup, traffic, timeout=120)
    counts["seconds"] = round(time.monotonic() - started)
    return counts


@contextmanager
def _db_outage(setup: Setup, seconds: float) -> Iterator[None]:
    """PostgreSQL: the proxy cut (connections dropped, new ones refused). SQLite: the file locked by
    another process's EXCLUSIVE transaction (writers wait, then fail after their busy timeout)."""
    if setup.proxy is not None:
        setup.proxy.cut()
        try:
            time.sleep(seconds)
            yield
        finally:
            setup.proxy.restore()
        return
    assert setup.sqlite_path is not None
    conn = sqlite3.connect(setup.sqlite_path, isolation_level=None, timeout=30)
    try:
        conn.execute("BEGIN EXCLUSIVE")
        time.sleep(seconds)
        yield
    finally:
        conn.execute("ROLLBACK")
        conn.close()


def _settle_and_count(setup: Setup, traffic: Traffic, timeout: float) -> dict[str, int]:
    from connectors.base import numbered
    from connectors.twilio.sms import split
    from storage.sealed import unseal

    engine = create_engine(setup.db_url)
    try:
        deadline = time.monotonic() + timeout
        with engine.connect() as conn:
            while time.monotonic() < deadline:
                done = conn.execute(text("SELECT count(*) FROM message_in WHERE processed_at IS NOT NULL")).scalar_one()
                left = conn.execute(text("SELECT count(*) FROM message_out WHERE status IN ('queued', 'sending')")
                                    ).scalar_one()
                conn.rollback()
                if done >= len(traffic.accepted) and not left:
                    break
                time.sleep(0.5)
            inbound = conn.execute(text("SELECT id, provider_id, processed_at, error FROM message_in")).all()
            outbound = conn.execute(text("SELECT id, channel, to_address, text, buttons, in_reply_to, status "
                                         "FROM message_out ORDER BY id")).all()
    finally:
        engine.dispose()
    processed = {r[1] for r in inbound if r[2] is not None and r[3] is None}
    replies: dict[Any, list[str]] = defaultdict(list)
    expected: dict[str, list[str]] = defaultdict(list)
    for _id, channel, to, body, buttons, reply_to, _status in outbound:
        body = unseal(body)
        replies[reply_to].append(body)
        if channel == "telegram":
            expected[to].append(body[:4096])
        else:
            from bot.messages import Button

            items = json.loads(buttons) if isinstance(buttons, str) else buttons
            expected[to].extend(split(numbered(body, tuple(Button(b["id"], b["title"]) for b in items))))
    got: dict[str, list[str]] = defaultdict(list)
    for provider in ("telegram", "twilio"):
        for message in setup.fake.accepted(provider):
            got[message["to"]].append(message["text"])
    sent_twice = never_sent = disordered = 0
    for to in set(expected) | set(got):
        want, have = Counter(expected[to]), Counter(got[to])
        sent_twice += sum((have - want).values())
        never_sent += sum((want - have).values())
        disordered += 0 if _in_order(got[to], expected[to]) else 1
    accepted = traffic.accepted
    set_aside = {r[1] for r in inbound if r[3] is not None}
    return {"accepted": len(accepted), "processed": len(accepted & processed), "lost": len(accepted - processed),
            "set_aside": len(accepted & set_aside),
            "duplicated": sum(1 for texts in replies.values() if len(texts) != len(set(texts))),
            "sent_twice": sent_twice, "never_sent": never_sent, "refused": len(traffic.refused),
            "disordered": disordered}


def _in_order(got: list[str], expected: list[str]) -> bool:
    """The provider's messages to one address follow the outbox's order (repeats aside: counted above)."""
    return _runs(got) == _runs(expected) or not expected


def _runs(items: list[str]) -> list[str]:
    return [item for i, item in enumerate(items) if i == 0 or items[i - 1] != item]


@contextmanager
def environment(kind: str, name: str) -> Iterator[Setup]:
    """Fresh database, fakes, NLU stand-in and serve processes for one scenario; all stopped after."""
    from bot.bench.fakes import FakeProviders
    from bot.bench.serve import ServeProcess
    from storage.migrate import upgrade

    work = Path(tempfile.mkdtemp(prefix=f"tawasul-faults-{name}-"))
    fake, nlu, proxy = FakeProviders().start(), NLU(), None
    admin = None
    sqlite_path = None
    if kind == "sqlite":
        sqlite_path = work / "faults.db"
        db_url = serve_url = f"sqlite:///{sqlite_path}"
    else:
        db = f"tawasul_faults_{uuid.uuid4().hex[:10]}"
        admin = create_engine(PG_ADMIN, isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{db}"'))
        base = PG_ADMIN.rsplit("/", 1)[0]
        db_url = f"{base}/{db}"
        host = base.rsplit("@", 1)[1]
        proxy = Proxy((host.split(":")[0], int(host.split(":")[1]) if ":" in host else 5432))
        serve_url = f"{base.rsplit('@', 1)[0]}@127.0.0.1:{proxy.port}/{db}"
    upgrade(db_url)
    env = {"NLU_URL": nlu.url, "TAWASUL_LOG_LEVEL": "WARNING", "TAWASUL_OUTBOX_LEASE_SECONDS": "5",
           "TAWASUL_TELEGRAM_PACE_SECONDS": "0.2", "TAWASUL_SEND_TIMEOUT_SECONDS": "2",
           "TAWASUL_SECRET_KEY": "faults-secret-key-0123456789abcdef-0123"}
    servers = [ServeProcess(serve_url, fake.url, work, **env) for _ in range(1 if kind == "sqlite" else 2)]
    try:
        for server in servers:
            server.start()
        yield Setup(kind, work, fake, nlu, db_url, serve_url, proxy, servers, sqlite_path)
    finally:
        for server in servers:
            server.stop()
        fake.stop()
        nlu.down()
        if proxy is not None:
            proxy.cut()
        if admin is not None:
            with admin.connect() as conn:
                conn.execute(text(f'DROP DATABASE IF EXISTS "{db_url.rsplit("/", 1)[1]}" WITH (FORCE)'))
            admin.dispose()
        shutil.rmtree(work, ignore_errors=True)  # the SQLite file, serve logs and media of the scenario


def run(kind: str, name: str, messages: int) -> dict[str, int]:
    with environment(kind, name) as setup:
        return scenario(name, setup, messages)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="tawasul bench faults", description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", choices=("sqlite", "postgresql", "both"), default="both")
    parser.add_argument("--scenario", choices=SCENARIOS, action="append", help="repeatable; default: all")
    parser.add_argument("--messages", type=int, default=100, help="messages per scenario (about)")
    args = parser.parse_args(argv)
    import logging

    logging.getLogger("httpx").setLevel(logging.WARNING)
    from bot.bench.serve import use_data_key

    use_data_key()
    kinds = ("sqlite", "postgresql") if args.db == "both" else (args.db,)
    print(f"{'scenario':<18}{'db':<14}" + "".join(f"{c:>11}" for c in (*COLUMNS, "seconds")), flush=True)
    bad = 0
    for kind in kinds:
        for name in args.scenario or SCENARIOS:
            counts = run(kind, name, args.messages)
            label = kind if kind == "sqlite" else "postgresql×2"
            print(f"{name:<18}{label:<14}" + "".join(f"{counts[c]:>11}" for c in (*COLUMNS, "seconds")), flush=True)
            bad += sum(counts[c] for c in ("lost", "duplicated", "sent_twice", "never_sent", "disordered"))
    print("all scenarios clean" if not bad else f"FAULTS: {bad} message(s) lost, doubled, never sent or disordered")
    return 1 if bad else 0
