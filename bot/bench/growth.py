"""`tawasul bench growth`: how the service holds up as the store grows (1k, 10k, 100k requests).

    tawasul bench growth                                        # SQLite, 1k 10k 100k
    tawasul bench growth --postgres postgresql://postgres@127.0.0.1:5432/test --sizes 1000,100000

For each size, a fresh database is migrated and loaded in bulk inserts (requests with deadlines around
today, their contacts, complaints, handoffs, urgent alerts, privacy requests; no turns), then it prints:
- turn cost beyond the NLU: in-process turns of new contacts, minus the time spent in the NLU client;
- the staff board `GET /staff` of the real `tawasul serve` over loopback (a manager sees every list);
- a webhook's latency idle, and while staff pages render one after another.
Loads are bounded: a few dozen turns and webhooks per size. Not a test.
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import tempfile
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import create_engine, insert, text
from sqlalchemy.engine import Engine

from storage.models import Complaint, Contact, Handoff, PrivacyRequest, ServiceRequest, UrgentAlert

TURN_TEXTS = ("السلام عليكم", "1", "وش صار على طلبي", "شكرا", "مع السلامة")
CHUNK = 5000
OPEN = ("submitted", "under_study", "needs_info", "accepted")
STAFF_USER, STAFF_PASSWORD = "growth.manager", "growth bench password"


def _ms(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return 1000 * ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def load(engine: Engine, size: int, today: date, seed: int = 15) -> None:
    """`size` service requests (most open) and the records around them, in bulk inserts."""
    rng = random.Random(seed)
    now = datetime.now(UTC)
    contacts = max(1, size // 2)
    with engine.begin() as conn:
        for start in range(0, contacts, CHUNK):
            conn.execute(insert(Contact), [
                {"org_slug": "esrar", "channel": "whatsapp" if i % 2 else "telegram", "address": f"g{i:09d}",
                 "phone": None, "language": "ar", "language_locked": False, "opted_out": False, "created_at": now}
                for i in range(start, min(contacts, start + CHUNK))])
        first = int(conn.execute(text("SELECT min(id) FROM contact")).scalar_one())

        def bulk(model: Any, count: int, make: Callable[[int], dict[str, Any]]) -> None:
            for start in range(0, count, CHUNK):
                conn.execute(insert(model), [make(i) for i in range(start, min(count, start + CHUNK))])

        bulk(ServiceRequest, size, lambda i: {
            "reference": f"GRW-{i:09d}", "org_slug": "esrar", "contact_id": first + i % contacts,
            "service_id": "family_support", "status": OPEN[i % 4] if i % 10 else "completed", "committees": ["research"],
            "data": {}, "documents": [], "channel": "whatsapp", "language": "ar", "submitted_at": now,
            "due_date": today + timedelta(days=rng.randint(-30, 60)) if i % 50 != 7 else None,
            "on_behalf_of": None, "updated_at": now})
        bulk(Complaint, max(1, size // 20), lambda i: {
            "reference": f"GCM-{i:09d}", "org_slug": "esrar", "contact_id": first + i % contacts,
            "request_reference": None, "category": "service", "details": "-", "attachments": [],
            "committee": "complaints", "status": "open" if i % 3 else "resolved", "outcome": None,
            "channel": "whatsapp", "created_at": now, "updated_at": now})
        bulk(Handoff, max(1, size // 100), lambda i: {
            "org_slug": "esrar", "contact_id": first + i % contacts, "category": "general", "officer": "officer",
            "reason": "asked", "status": "open" if i % 2 else "closed", "opened_at": now, "last_activity_at": now,
            "closed_at": None, "closed_by": None})
        bulk(UrgentAlert, max(1, size // 200), lambda i: {
            "org_slug": "esrar", "contact_id": first + i % contacts, "latitude": None, "longitude": None,
            "text": None, "status": "open" if i % 2 else "acknowledged", "created_at": now})
        bulk(PrivacyRequest, max(1, size // 200), lambda i: {
            "reference": f"GPR-{i:09d}", "org_slug": "esrar", "contact_id": first + i % contacts, "kind": "access",
            "details": None, "status": "open" if i % 2 else "done", "due_date": today + timedelta(days=i % 30),
            "created_at": now})
    if engine.dialect.name == "postgresql":
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            # As autovacuum leaves a table that grew over months: statistics, and a visibility map that lets a
            # count read the index alone (a bulk load just committed has none).
            conn.execute(text("VACUUM ANALYZE"))


class _TimedNLU:
    """The bot-side NLU client (no server), with the time spent in it kept apart."""

    def __init__(self) -> None:
        from nlu.client import NLUClient

        self.inner = NLUClient(None)
        self.spent = 0.0

    def parse(self, text: str) -> Any:
        started = time.perf_counter()
        try:
            return self.inner.parse(text)
        finally:
            self.spent += time.perf_counter() - started


def turn_costs(engine: Engine, turns: int) -> list[float]:
    """Seconds per turn beyond the NLU, for `turns` turns of new contacts (five messages each): the turn
    of an accepted message (load, decide, persist in one commit), minus the time spent in the NLU client."""
    from bot.messages import InboundMessage
    from bot.turn.runtime import Runtime

    nlu = _TimedNLU()
    runtime = Runtime(engine=engine, nlu=nlu, rng=random.Random(15))
    run = uuid.uuid4().hex[:8]
    costs: list[float] = []
    for i in range(turns):
        msg = InboundMessage("telegram", f"turn-{run}-{i // len(TURN_TEXTS)}", f"{run}-{i}",
                             TURN_TEXTS[i % len(TURN_TEXTS)], "esrar")
        accepted = runtime.accept(msg)  # the webhook's part, not the turn's
        assert accepted is not None
        nlu.spent = 0.0
        started = time.perf_counter()
        runtime.process_contact(accepted[1])
        costs.append(time.perf_counter() - started - nlu.spent)
    return costs[len(TURN_TEXTS):]  # the first contact warms the caches (profile, catalogues)


def _update(chat: int, update_id: int, body: str) -> bytes:
    return json.dumps({"update_id": update_id,
                       "message": {"message_id": update_id, "date": int(time.time()), "text": body,
                                   "chat": {"id": chat, "type": "private"},
                                   "from": {"id": chat, "is_bot": False, "first_name": "مستفيد"}}},
                      ensure_ascii=False).encode()


def webhook_latencies(server: Any, count: int, base: int) -> list[float]:
    out: list[float] = []
    with httpx.Client(timeout=60) as http:
        for i in range(count):
            data = _update(base + i, base * 10 + i, "السلام عليكم")
            started = time.perf_counter()
            response = http.post(server.url + "/webhooks/telegram", content=data, headers={
                "Content-Type": "application/json",
                "X-Telegram-Bot-Api-Secret-Token": server.env["TELEGRAM_WEBHOOK_SECRET"]})
            out.append(time.perf_counter() - started)
            if response.status_code != 200:
                raise RuntimeError(f"webhook answered {response.status_code}")
            time.sleep(0.02)
    return out


def staff_pages(server: Any, token: str, count: int) -> list[float]:
    out: list[float] = []
    with httpx.Client(timeout=120, cookies={"tawasul_staff": token}) as http:
        for _ in range(count):
            started = time.perf_counter()
            response = http.get(server.url + "/staff")
            out.append(time.perf_counter() - started)
            if response.status_code != 200:
                raise RuntimeError(f"GET /staff answered {response.status_code}")
    return out


def measure(db_url: str, size: int, work: Path, turns: int, pages: int, hooks: int) -> dict[str, float]:
    from bot.bench.fakes import FakeProviders
    from bot.bench.serve import ServeProcess
    from bot.staff import auth
    from storage.db import transaction
    from storage.migrate import upgrade

    upgrade(db_url)
    engine = create_engine(db_url.replace("postgresql://", "postgresql+psycopg://"))
    today = datetime.now(UTC).date()
    started = time.perf_counter()
    load(engine, size, today)
    loaded = time.perf_counter() - started
    from storage.db import get_engine

    costs = turn_costs(get_engine(db_url), turns)
    with transaction(get_engine(db_url)) as tx:
        auth.create_user(tx, STAFF_USER, password=STAFF_PASSWORD, role="manager", org=None)
    fake = FakeProviders().start()
    server = ServeProcess(db_url, fake.url, work, TAWASUL_LOG_LEVEL="WARNING").start("--no-nlu")
    try:
        login = httpx.post(server.url + "/staff/api/login", json={"username": STAFF_USER, "password": STAFF_PASSWORD},
                           timeout=30)
        token = login.json()["access_token"]
        staff_pages(server, token, 1)  # warm: the first page and the first turns load profiles and catalogues
        webhook_latencies(server, 5, 6 * 10**8 + size)
        time.sleep(1)
        page = staff_pages(server, token, pages)
        idle = webhook_latencies(server, hooks, 7 * 10**8 + size)
        busy: list[float] = []
        rendering = threading.Event()
        done = threading.Event()

        def render() -> None:
            while not done.is_set():
                rendering.set()
                staff_pages(server, token, 1)

        thread = threading.Thread(target=render, daemon=True)
        thread.start()
        rendering.wait(10)
        busy = webhook_latencies(server, hooks, 8 * 10**8 + size)
        done.set()
        thread.join(120)
    finally:
        server.stop()
        fake.stop()
        engine.dispose()
    return {"load_s": loaded, "turn_p50": _ms(costs, 0.5), "turn_p99": _ms(costs, 0.99),
            "staff_p50": _ms(page, 0.5), "staff_max": max(page) * 1000,
            "hook_idle_p50": _ms(idle, 0.5), "hook_idle_p99": _ms(idle, 0.99),
            "hook_busy_p50": _ms(busy, 0.5), "hook_busy_p99": _ms(busy, 0.99)}


@contextmanager
def databases(kind: str, postgres: str | None, work: Path, size: int) -> Iterator[str]:
    """A fresh database for one size: a SQLite file, or a PostgreSQL database created and dropped here."""
    if kind == "sqlite":
        yield f"sqlite:///{work}/growth-{size}.db"
        return
    assert postgres is not None
    admin_url = postgres.replace("postgresql://", "postgresql+psycopg://")
    name = f"tawasul_growth_{size}_{uuid.uuid4().hex[:6]}"
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield admin_url.rsplit("/", 1)[0] + f"/{name}"
    finally:
        from storage.db import dispose_all

        dispose_all()
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="tawasul bench growth", description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="1000,10000,100000", help="requests loaded, comma-separated")
    parser.add_argument("--postgres", help="a PostgreSQL server URL (its databases are created and dropped)")
    parser.add_argument("--no-sqlite", action="store_true", help="PostgreSQL only")
    parser.add_argument("--turns", type=int, default=60)
    parser.add_argument("--pages", type=int, default=20)
    parser.add_argument("--webhooks", type=int, default=40)
    args = parser.parse_args(argv)
    import logging

    logging.getLogger("httpx").setLevel(logging.WARNING)
    logging.getLogger("tawasul").setLevel(logging.WARNING)
    sizes = [int(s) for s in args.sizes.split(",") if s.strip()]
    if any(s < 1 or s > 200_000 for s in sizes):
        parser.error("each size must be between 1 and 200000")
    kinds = ([] if args.no_sqlite else ["sqlite"]) + (["postgresql"] if args.postgres else [])
    if not kinds:
        parser.error("nothing to measure: --no-sqlite without --postgres")
    work = Path(tempfile.mkdtemp(prefix="tawasul-growth-"))
    print(f"{'db':<10} {'requests':>8} {'load s':>7} {'turn p50':>9} {'turn p99':>9} {'/staff p50':>11} "
          f"{'hook idle p50/p99':>18} {'hook during /staff p50/p99':>27}   (ms)", flush=True)
    for kind in kinds:
        results: dict[int, dict[str, float]] = {}
        for size in sizes:
            with databases(kind, args.postgres, work, size) as url:
                r = results[size] = measure(url, size, work, args.turns, args.pages, args.webhooks)
            print(f"{kind:<10} {size:>8} {r['load_s']:>7.1f} {r['turn_p50']:>9.2f} {r['turn_p99']:>9.2f} "
                  f"{r['staff_p50']:>11.1f} {r['hook_idle_p50']:>8.1f}/{r['hook_idle_p99']:<9.1f} "
                  f"{r['hook_busy_p50']:>13.1f}/{r['hook_busy_p99']:<13.1f}", flush=True)
        small, large = results[min(sizes)], results[max(sizes)]
        print(f"{kind}: /staff at {max(sizes)} is {large['staff_p50'] / small['staff_p50']:.2f}x its time at "
              f"{min(sizes)}; webhook p99 while /staff renders is {large['hook_busy_p99'] / large['hook_idle_p99']:.2f}x "
              f"idle; turn cost p50 {statistics.median(r['turn_p50'] for r in results.values()):.2f} ms", flush=True)
    return 0
