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
CONTACTS contacts (half Telegram, half SMS with real Twilio signatures)
each send MESSAGES messages one after another, spread round-robin over the processes as a load
balancer would. It waits until every turn ran and every reply left, then prints turns/s, webhook
latency p50/p99 idle and under load, and the checks: lost, duplicated, out of order (all must be 0). Not a test.
"""

from __future__ import annotations

import argparse
import contextlib
import itertools
import json
import os
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
    parser.add_argument("--idle-webhooks", type=int, default=40, help="webhooks timed one by one before the load")
    parser.add_argument("--turn-samples", type=int, default=60, help="in-process turns timed for the cost beyond the NLU")
    parser.add_argument("--database", default=None, help="DATABASE_URL (default: a new SQLite file)")
    parser.add_argument("--concurrency", type=int, default=32, help="contacts writing at the same time")
    parser.add_argument("--timeout", type=float, default=600.0)
    args = parser.parse_args(argv)

    import logging

    logging.getLogger("httpx").setLevel(logging.WARNING)
    from bot.bench.fakes import FakeProviders
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
    fake = FakeProviders().start()
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
    run = uuid.uuid4().hex[:8]
    base_chat = 10**9 + int(run, 16) % 10**8 * 10
    latencies: list[float] = []
    lock = threading.Lock()
    counter = iter(range(10**9))

    def contact(i: int) -> None:
        with httpx.Client(timeout=30) as http:
            for k in range(args.messages):
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
                    form = _sms(f"SM{run}{i:06d}{k:04d}".ljust(34, "0"), f"+9665{run[:2].encode().hex()[:2]}{i:06d}",
                                body_text)
                    data = urlencode(form).encode()
                    path = "/webhooks/twilio"
                    headers = {"Content-Type": "application/x-www-form-urlencoded",
                               "X-Twilio-Signature": twilio_signature(path, data)}
                started = time.perf_counter()
                response = http.post(server.url + path, content=data, headers=headers)
                elapsed = time.perf_counter() - started
                if response.status_code != 200:
                    raise RuntimeError(f"webhook answered {response.status_code}")
                with lock:
                    latencies.append(elapsed)

    print(f"bench: {args.contacts} contacts x {args.messages} messages, {args.processes} serve process(es), "
          f"{db_url.split('://')[0]}", flush=True)
    t0 = time.perf_counter()
    with ThreadPoolExecutor(args.concurrency) as pool:
        list(pool.map(contact, range(args.contacts)))
    posted = time.perf_counter() - t0
    engine = create_engine(db_url.replace("postgresql://", "postgresql+psycopg://"))
    result = _wait_and_check(engine, fake, servers, args, base_chat, run, t0)
    for server in servers:
        server.stop()
    fake.stop()
    stack.close()
    total = args.contacts * args.messages
    print(f"webhooks: {total} in {posted:.1f}s; latency p50 {_percentile(latencies, 0.5) * 1000:.1f} ms, "
          f"p99 {_percentile(latencies, 0.99) * 1000:.1f} ms, mean {statistics.mean(latencies) * 1000:.1f} ms")
    idle_p99, load_p99 = _percentile(idle, 0.99), _percentile(latencies, 0.99)
    print(f"webhook idle p50 {_percentile(idle, 0.5) * 1000:.1f} ms, p99 {idle_p99 * 1000:.1f} ms; under load "
          f"p99 {load_p99 * 1000:.1f} ms = {load_p99 / idle_p99:.2f}x idle")
    print(f"turns: {result['turns']} in {result['turn_seconds']:.1f}s = {result['turns'] / result['turn_seconds']:.1f} "
          f"turns/s; replies: {result['replies']} delivered in {result['drain_seconds']:.1f}s")
    print(f"lost: {result['lost']}  duplicated: {result['duplicated']}  out of order: {result['disordered']}")
    return 0 if result["lost"] == result["duplicated"] == result["disordered"] == 0 else 1


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
