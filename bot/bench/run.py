"""`tawasul bench`: load through the real webhooks; checks nothing is lost, doubled or reordered.

    tawasul bench                                              # SQLite, one serve process
    tawasul bench --database postgresql://postgres@127.0.0.1:5432/tawasul_bench --processes 2
    tawasul bench --serve 4 --nlu 2 --database postgresql://...   # four serve processes, two NLU servers
    tawasul bench growth                                       # 1k/10k/100k requests: see bot/bench/growth.py
    tawasul bench faults [--db sqlite|postgresql|both] [--scenario NAME]   # the fault suite: bot/bench/faults.py
    tawasul bench slow-nlu                                     # webhooks and /healthz with a 20 s NLU

Starts the REAL NLU (NLU_URL when set; otherwise `--nlu N` local Rasa servers, N=1 by default; 0: none, the
bot then serves without intents), the local provider fakes (bot/bench/fakes.py) and N `tawasul serve`
processes on loopback. It measures the NLU's own ceiling (parses/s straight at the servers) and the turn's
cost beyond the NLU call (in this process), times webhooks one by one on the idle service, then
loads it twice with CONTACTS contacts x MESSAGES messages (half Telegram, half SMS with real Twilio signatures),
spread round-robin over the processes as a load balancer would:
- a burst: CONCURRENCY clients each post one contact's messages back to back. The turns/s it reaches is the
  service's ceiling; its webhook latency is mostly the queue the clients make (CONCURRENCY requests always
  in flight over the webhooks/s accepted), printed for comparison;
- a steady load: messages arrive at random (Poisson) at LOAD (70% by default) of that ceiling, the turns
  and replies running all along; each webhook's latency is counted from its scheduled arrival. This is the
  "under load" figure: a service at its ceiling has, by definition, an unbounded queue.
After each it waits until every turn ran and every reply left, then prints turns/s, webhook latency p50/p99
idle, under load and in the burst, and the checks: lost, duplicated, out of order (all must be 0). Not a test.
"""

from __future__ import annotations

import argparse
import contextlib
import itertools
import json
import os
import random
import statistics
import tempfile
import threading
import time
import uuid
from collections import Counter, defaultdict
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import httpx
from sqlalchemy import create_engine, text

from bot.bench import nlubench
from storage.sealed import unseal

TEXTS = ["السلام عليكم", "1", "وش صار على طلبي", "شكرا", "مع السلامة"]


def _percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def _sms(sid: str, sender: str, body: str) -> dict[str, str]:
    return {"MessageSid": sid, "SmsSid": sid, "AccountSid": "AC" + "0" * 31 + "1", "From": sender,
            "To": "+966530801110", "Body": body, "NumMedia": "0", "SmsStatus": "received", "ApiVersion": "2010-04-01"}


def main(argv: list[str]) -> int:
    if argv[:1] == ["logins"]:  # webhook latency under a flood of bogus sign-ins (bot/bench/logins.py)
        from bot.bench.logins import main as logins

        return logins(argv[1:])
    if argv[:1] == ["faults"]:  # the fault suite (`make faults`): bot/bench/faults.py
        from bot.bench import faults

        return faults.main(argv[1:])
    if argv[:1] == ["growth"]:
        from bot.bench import growth

        return growth.main(argv[1:])
    if argv[:1] == ["slow-nlu"]:
        from bot.bench.nlubench import slow_nlu_main

        return slow_nlu_main(argv[1:])
    parser = argparse.ArgumentParser(
        prog="tawasul bench",
        epilog="tawasul bench growth --help, logins --help, faults --help, slow-nlu --help: the other benchmarks",
    )
    parser.add_argument("--contacts", type=int, default=200)
    parser.add_argument("--messages", type=int, default=5)
    parser.add_argument("--processes", "--serve", type=int, default=1, dest="processes",
                        help="serve processes sharing the database (PostgreSQL for more than one)")
    parser.add_argument("--nlu", type=int, default=1,
                        help="local NLU servers to start when NLU_URL is unset (0: none, no intents)")
    parser.add_argument("--idle-webhooks", type=int, default=300, help="webhooks timed one by one before the load")
    parser.add_argument("--turn-samples", type=int, default=60, help="in-process turns timed for the cost beyond the NLU")
    parser.add_argument("--database", default=None, help="DATABASE_URL (default: a new SQLite file)")
    parser.add_argument("--concurrency", type=int, default=32, help="clients posting at the same time in the burst")
    parser.add_argument("--load", type=float, default=0.7,
                        help="the steady load's arrival rate, as a share of the turns/s the burst measured")
    parser.add_argument("--timeout", type=float, default=600.0)
    args = parser.parse_args(argv)

    import logging
    import sys

    logging.getLogger("httpx").setLevel(logging.WARNING)
    # The clients time each webhook in threads beside the provider fakes: with the default 5 ms slice a
    # client whose answer has come waits for a busy neighbour before it can read the clock.
    sys.setswitchinterval(0.001)
    from bot.bench.fakes import FakesProcess
    from bot.bench.serve import TWILIO_TOKEN, ServeProcess, twilio_signature, use_data_key
    from storage.migrate import upgrade

    use_data_key()
    work = Path(tempfile.mkdtemp(prefix="tawasul-bench-"))
    db_url = args.database or f"sqlite:///{work}/bench.db"
    upgrade(db_url)
    stack = contextlib.ExitStack()
    try:
        nlu_url = nlubench.start_nlu(stack, args.nlu)
    except Exception as exc:  # noqa: BLE001 - no NLU environment or model here: measured without intents
        print(f"nlu: could not start a local server ({exc}); running without intents", flush=True)
        nlu_url = None
    if nlu_url:
        parses, clients = nlubench.nlu_ceiling(nlu_url)
        print(f"nlu: {len(nlu_url.split(','))} server(s), {parses:.1f} parses/s on their own ({clients} clients)",
              flush=True)
    else:
        print("nlu: none (--nlu 0): turns run without intents", flush=True)
    cpu, wall = nlubench.turn_costs(db_url, nlu_url, args.turn_samples)
    print(f"turn beyond the NLU call (in-process, {len(cpu)} turns): CPU p50 {statistics.median(cpu) * 1000:.2f} ms, "
          f"wall p50 {statistics.median(wall) * 1000:.2f} ms", flush=True)
    fake = FakesProcess().start()  # apart from the clients that time the webhooks
    env = {"TAWASUL_LOG_LEVEL": "WARNING", "TAWASUL_OUTBOX_LEASE_SECONDS": "60",
           "TAWASUL_TELEGRAM_PACE_SECONDS": os.environ.get("TAWASUL_TELEGRAM_PACE_SECONDS", "1.0"),
           "NLU_URL": nlu_url or "http://127.0.0.1:9"}  # closed with --nlu 0: menus and digits
    servers = [ServeProcess(db_url, fake.url, work, **env).start() for _ in range(args.processes)]
    secret = servers[0].env["TELEGRAM_WEBHOOK_SECRET"]
    nlubench.probe_webhooks(servers[0].url, secret, 5, 3 * 10**9)  # warm: profiles, catalogues, connections
    idle = [t for i, server in enumerate(servers)
            for t in nlubench.probe_webhooks(server.url, secret, max(1, args.idle_webhooks // len(servers)),
                                             3 * 10**9 + (i + 1) * 10**6, pause=0.05)]
    time.sleep(2)  # the idle probes' own turns finish before the load starts
    assert TWILIO_TOKEN
    engine = create_engine(db_url.replace("postgresql://", "postgresql+psycopg://"))

    numbers = itertools.count(int(uuid.uuid4().hex, 16) % 10**4)  # each phase its own SMS numbers

    def phase(rate: float | None) -> tuple[list[float], dict[str, Any], float]:
        """CONTACTS contacts x MESSAGES messages. rate None: a burst, CONCURRENCY clients each posting one
        contact's messages back to back. Otherwise arrivals at `rate` a second (Poisson, a fixed seed), the k-th
        being message k // CONTACTS of contact k % CONTACTS; each latency is counted from the arrival's
        scheduled time, so a client that falls behind does not hide the service's slowness."""
        run = uuid.uuid4().hex[:8]
        base_chat = 10**9 + int(run, 16) % 10**8 * 10
        sms_prefix = f"+9665{next(numbers) % 10**4:04d}"
        latencies: list[float] = []
        lock = threading.Lock()
        counter = iter(range(10**9))
        local = threading.local()
        clients: list[httpx.Client] = []  # one per client thread, closed when the phase ends

        def client() -> httpx.Client:
            http = getattr(local, "http", None)
            if http is None:
                http = local.http = httpx.Client(timeout=30)
                with lock:
                    clients.append(http)
            return http

        def ready(pool: ThreadPoolExecutor, workers: int) -> None:
            """Every thread of the pool started and its client made before the first message: making a
            client (its TLS context) takes tens of milliseconds, which would count as the service's."""
            barrier = threading.Barrier(workers)
            for future in [pool.submit(lambda: (client(), barrier.wait(30))) for _ in range(workers)]:
                future.result()

        def post(i: int, k: int, due: float | None) -> None:
            http = client()
            server = servers[next(counter) % len(servers)]
            body_text = TEXTS[k % len(TEXTS)]
            if i % 2 == 0:
                chat = base_chat + i
                update = {"update_id": int(f"{i + 1}{k:03d}") + base_chat * 1000,
                          "message": {"message_id": k + 1, "date": int(time.time()), "text": body_text,
                                      "chat": {"id": chat, "type": "private"},
                                      "from": {"id": chat, "is_bot": False, "first_name": "مستفيد"}}}
                data = json.dumps(update, ensure_ascii=False).encode()
                headers = {"Content-Type": "application/json",
                           "X-Telegram-Bot-Api-Secret-Token": server.env["TELEGRAM_WEBHOOK_SECRET"]}
                path = "/webhooks/telegram"
            else:
                form = _sms(f"SM{run}{i:06d}{k:04d}".ljust(34, "0"), f"{sms_prefix}{i:04d}", body_text)
                data = urlencode(form).encode()
                path = "/webhooks/twilio"
                headers = {"Content-Type": "application/x-www-form-urlencoded",
                           "X-Twilio-Signature": twilio_signature(path, data)}
            started = time.perf_counter()
            response = http.post(server.url + path, content=data, headers=headers)
            elapsed = time.perf_counter() - (started if due is None else min(started, due))
            if response.status_code != 200:
                raise RuntimeError(f"webhook answered {response.status_code}")
            with lock:
                latencies.append(elapsed)

        if rate is None:
            def contact(i: int) -> None:
                for k in range(args.messages):
                    post(i, k, None)

            with ThreadPoolExecutor(args.concurrency) as pool:
                ready(pool, args.concurrency)
                t0 = time.perf_counter()
                list(pool.map(contact, range(args.contacts)))
        else:
            arrivals = random.Random(12).expovariate
            workers = max(args.concurrency, 64)
            with ThreadPoolExecutor(workers) as pool:
                ready(pool, workers)
                t0 = due = time.perf_counter()
                futures = []
                for n in range(args.contacts * args.messages):
                    due += arrivals(rate)
                    time.sleep(max(0.0, due - time.perf_counter()))
                    futures.append(pool.submit(post, n % args.contacts, n // args.contacts, due))
                for future in futures:
                    future.result()
        posted = time.perf_counter() - t0
        for http in clients:
            http.close()
        return latencies, _wait_and_check(engine, fake, servers, args, base_chat, run, t0), posted

    kind = f"{args.processes} serve process(es), {db_url.split('://')[0]}"
    total = args.contacts * args.messages
    print(f"bench: {args.contacts} contacts x {args.messages} messages, {kind}", flush=True)
    burst, ceiling, posted = phase(None)
    top = ceiling["turns"] / ceiling["turn_seconds"]
    print(f"burst ({args.concurrency} clients, each posting one contact's messages back to back): {total} webhooks in "
          f"{posted:.1f}s; latency p50 {_percentile(burst, 0.5) * 1000:.1f} ms, p99 {_percentile(burst, 0.99) * 1000:.1f} "
          f"ms (the queue the clients make: {args.concurrency} over {total / posted:.0f} webhooks/s)", flush=True)
    print(f"turns: {ceiling['turns']} in {ceiling['turn_seconds']:.1f}s = {top:.1f} turns/s (the ceiling); replies: "
          f"{ceiling['replies']} delivered in {ceiling['drain_seconds']:.1f}s", flush=True)
    time.sleep(2)
    rate = args.load * top
    loaded, steady, posted = phase(rate)
    for server in servers:
        server.stop()
    fake.stop()
    stack.close()
    print(f"under load ({args.load:.0%} of the ceiling: {rate:.1f} messages/s arriving at random, Poisson): "
          f"{total} webhooks in {posted:.1f}s, {steady['turns'] / steady['turn_seconds']:.1f} turns/s; webhook p50 "
          f"{_percentile(loaded, 0.5) * 1000:.1f} ms, p99 {_percentile(loaded, 0.99) * 1000:.1f} ms")
    idle_p99, load_p99 = _percentile(idle, 0.99), _percentile(loaded, 0.99)
    print(f"webhook idle p50 {_percentile(idle, 0.5) * 1000:.1f} ms, p99 {idle_p99 * 1000:.1f} ms; under load "
          f"p99 {load_p99 * 1000:.1f} ms = {load_p99 / idle_p99:.2f}x idle; in the burst "
          f"p99 {_percentile(burst, 0.99) / idle_p99:.2f}x idle")
    bad = {k: ceiling[k] + steady[k] for k in ("lost", "duplicated", "disordered")}
    print(f"lost: {bad['lost']}  duplicated: {bad['duplicated']}  out of order: {bad['disordered']}")
    return 0 if bad["lost"] == bad["duplicated"] == bad["disordered"] == 0 else 1


def _wait_and_check(engine: Any, fake: Any, servers: list[Any], args: argparse.Namespace, base_chat: int,
                    run: str, t0: float) -> dict[str, Any]:
    total = args.contacts * args.messages
    mine = ("(m.channel = 'telegram' AND c.address >= :lo AND c.address < :hi) OR "
            "(m.channel = 'sms' AND m.provider_id LIKE :sms)")
    params = {"lo": str(base_chat), "hi": str(base_chat + args.contacts), "sms": f"SM{run}%"}
    deadline = time.monotonic() + args.timeout
    with engine.connect() as conn:
        while True:
            done = conn.execute(text(f"SELECT count(*) FROM message_in m JOIN contact c ON c.id = m.contact_id "
                                     f"WHERE m.processed_at IS NOT NULL AND ({mine})"), params).scalar_one()
            if done >= total or time.monotonic() > deadline:
                break
            conn.rollback()
            time.sleep(0.2)
        turn_seconds = time.perf_counter() - t0
        while time.monotonic() < deadline:
            left = conn.execute(text("SELECT count(*) FROM message_out WHERE status IN ('queued', 'sending')")).scalar_one()
            conn.rollback()
            if not left:
                break
            time.sleep(0.2)
        drain_seconds = time.perf_counter() - t0
        rows = conn.execute(text(f"SELECT c.address, m.id, m.provider_id, m.processed_at FROM message_in m "
                                 f"JOIN contact c ON c.id = m.contact_id WHERE {mine} ORDER BY m.id"), params).all()
        out = conn.execute(text(f"SELECT c.address, o.id, o.in_reply_to, o.status, o.text FROM message_out o "
                                f"JOIN message_in m ON m.id = o.in_reply_to JOIN contact c ON c.id = o.contact_id "
                                f"WHERE {mine} ORDER BY o.id"), params).all()
    by_contact: dict[str, list[Any]] = defaultdict(list)
    for row in rows:
        by_contact[row[0]].append(row)
    disordered = 0
    for items in by_contact.values():
        processed = [r[3] for r in items]
        disordered += sum(1 for a, b in itertools.pairwise(processed) if a is None or b is None or a > b)
    sent_by_contact: dict[str, list[Any]] = defaultdict(list)
    for address, out_id, _reply_to, status, body in out:
        if status in ("sent", "delivered", "read"):
            sent_by_contact[address].append((out_id, unseal(body)))  # texts are sealed at rest
    # What the fakes received, per address: Telegram by text, Twilio by the outbox id in StatusCallback.
    received: dict[str, list[Any]] = defaultdict(list)
    for p in fake.sent("telegram"):
        received[str(p.get("chat_id"))].append(str(p.get("text")))
    for p in fake.sent("twilio"):
        received[str(p.get("To"))].append((int(str(p.get("StatusCallback")).rsplit("=", 1)[1]), str(p.get("Body"))))
    duplicated = 0
    for address, sent in sent_by_contact.items():
        got = received.get(address, [])
        if address.startswith("+"):
            duplicated += sum((Counter(got) - Counter(set(got))).values())  # the same part twice
            ids = [i for i, _ in got]
            disordered += 0 if ids == sorted(ids) and set(ids) == {i for i, _ in sent} else 1
        else:
            bodies = [b for _, b in sent]
            duplicated += sum((Counter(got) - Counter(bodies)).values())
            disordered += 0 if got == bodies else 1
    return {"turns": sum(1 for r in rows if r[3] is not None), "lost": total - sum(1 for r in rows if r[3] is not None),
            "duplicated": duplicated, "disordered": disordered, "replies": sum(map(len, sent_by_contact.values())),
            "turn_seconds": turn_seconds, "drain_seconds": drain_seconds}
