"""The NLU side of `tawasul bench`: real NLU servers started for the run, their own ceiling, the turn's cost
beyond the NLU call, webhook latency idle, and `tawasul bench slow-nlu` (webhooks and /healthz while the
NLU answers in 20 s, side by side with a healthy NLU in the same run).

    tawasul bench --nlu 2 --serve 4 --database postgresql://...   # two Rasa servers, four serve processes
    tawasul bench slow-nlu [--delay 20]                            # one serve process, SQLite
"""

from __future__ import annotations

import argparse
import contextlib
import itertools
import json
import os
import tempfile
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import httpx

PARSE_TEXTS = ("السلام عليكم", "ابغى اقدم طلب مساعدة", "وش صار على طلبي", "عندي شكوى على الموظف", "شكرا لكم",
               "ودي اتطوع معكم", "متى تفتحون", "I want to apply for help", "mujhe madad chahiye", "مع السلامة")


def percentile_ms(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return 1000 * ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))] if ordered else float("nan")


def start_nlu(stack: contextlib.ExitStack, count: int) -> str | None:
    """NLU_URL when set; else `count` local Rasa servers started in parallel (stopped with `stack`); their
    comma-separated URLs, or None for `count` 0 (the bot then serves without intents)."""
    if os.environ.get("NLU_URL"):
        return os.environ["NLU_URL"]
    if count <= 0:
        return None
    from nlu.auth import server_token
    from nlu.server import running_server

    server_token()  # one token, made here, for every server and every serve process (they inherit it)
    urls: list[str | BaseException] = [""] * count
    # The machine's cores shared out: two servers with two embedding threads each on two cores spin
    # against each other (their OpenMP workers wait busily), and every parse gets slower.
    cores = None if os.environ.get("TAWASUL_E5_THREADS") else max(1, (os.cpu_count() or 1) // count)

    def start(i: int) -> None:
        try:
            urls[i] = stack.enter_context(running_server(timeout=600, threads=cores))
        except BaseException as exc:  # noqa: BLE001 - reported below, after every start finished
            urls[i] = exc

    threads = [threading.Thread(target=start, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    for url in urls:
        if isinstance(url, BaseException):
            raise url
    return ",".join(str(u) for u in urls)


def nlu_ceiling(url: str, seconds: float = 8.0) -> tuple[float, int]:
    """The NLU servers' own parses per second (two clients per server, straight at /model/parse); and clients."""
    from nlu.auth import token_params

    servers = url.split(",")
    clients = 2 * len(servers)
    counts = [0] * clients
    stop = 0.0  # set once the servers are warm

    def client(i: int) -> None:
        with httpx.Client(timeout=30) as http:
            for k in itertools.count():
                if time.monotonic() > stop:
                    return
                http.post(f"{servers[i % len(servers)]}/model/parse", params=token_params(),
                          json={"text": PARSE_TEXTS[(i + k) % len(PARSE_TEXTS)]}).raise_for_status()
                counts[i] += 1

    for server in servers:  # warm: the first parses of a server load its encoder and fill its caches
        for text in PARSE_TEXTS:
            httpx.post(f"{server}/model/parse", params=token_params(), json={"text": text}, timeout=60)
    started = time.monotonic()
    stop = started + seconds
    with ThreadPoolExecutor(clients) as pool:
        list(pool.map(client, range(clients)))
    return sum(counts) / (time.monotonic() - started), clients


class TimedNLU:
    """A real NLU client with the time spent in it (wall and this thread's CPU) kept apart."""

    def __init__(self, url: str | None) -> None:
        from nlu.client import NLUClient

        self.inner = NLUClient(url, timeout=30)
        self.wall = self.cpu = 0.0

    def parse(self, text: str) -> Any:
        wall, cpu = time.perf_counter(), time.thread_time()
        try:
            return self.inner.parse(text)
        finally:
            self.wall += time.perf_counter() - wall
            self.cpu += time.thread_time() - cpu


def turn_costs(db_url: str, nlu_url: str | None, turns: int) -> tuple[list[float], list[float]]:
    """(CPU seconds, wall seconds) of each turn beyond the NLU call, in this process: new contacts' turns of an
    accepted message (read, NLU, decide, persist in one commit), minus the time spent in the NLU client."""
    import random

    from bot.messages import InboundMessage
    from bot.turn.runtime import Runtime
    from storage.db import get_engine

    nlu = TimedNLU(nlu_url)
    runtime = Runtime(engine=get_engine(db_url.replace("postgresql://", "postgresql+psycopg://")), nlu=nlu,
                      rng=random.Random(12))
    first_chat = 4 * 10**9 + uuid.uuid4().int % 10**6 * 1000  # numeric chats, apart from the load's
    texts = ("السلام عليكم", "1", "وش صار على طلبي", "شكرا", "مع السلامة")
    cpu: list[float] = []
    wall: list[float] = []
    for i in range(turns + len(texts)):
        msg = InboundMessage("telegram", str(first_chat + i // len(texts)), f"{first_chat}-{i}", texts[i % len(texts)],
                             "esrar")
        accepted = runtime.accept(msg)
        assert accepted is not None
        nlu.wall = nlu.cpu = 0.0
        w, c = time.perf_counter(), time.thread_time()
        runtime.process_contact(accepted[1])
        wall.append(time.perf_counter() - w - nlu.wall)
        cpu.append(time.thread_time() - c - nlu.cpu)
    nlu.inner.close()
    return cpu[len(texts):], wall[len(texts):]  # the first contact warms the caches (profile, catalogues)


def telegram_update(chat: int, update_id: int, text: str) -> bytes:
    return json.dumps({"update_id": update_id, "message": {
        "message_id": update_id, "date": int(time.time()), "text": text, "chat": {"id": chat, "type": "private"},
        "from": {"id": chat, "is_bot": False, "first_name": "مستفيد"}}}, ensure_ascii=False).encode()


def probe_webhooks(url: str, secret: str, count: int, base: int, pause: float = 0.02,
                   text: str = "السلام عليكم") -> list[float]:
    """`count` Telegram webhooks one after another (new chats), their latencies in seconds."""
    out: list[float] = []
    with httpx.Client(timeout=60) as http:
        for i in range(count):
            data = telegram_update(base + i, base + i, text)
            started = time.perf_counter()
            response = http.post(url + "/webhooks/telegram", content=data, headers={
                "Content-Type": "application/json", "X-Telegram-Bot-Api-Secret-Token": secret})
            out.append(time.perf_counter() - started)
            if response.status_code != 200:
                raise RuntimeError(f"webhook answered {response.status_code}")
            time.sleep(pause)
    return out


def probe_health(url: str, count: int, pause: float = 0.02) -> tuple[list[float], int]:
    """`count` GET /healthz one after another: their latencies in seconds, and how many were not 200."""
    out: list[float] = []
    failed = 0
    with httpx.Client(timeout=60) as http:
        for _ in range(count):
            started = time.perf_counter()
            failed += http.get(url + "/healthz").status_code != 200
            out.append(time.perf_counter() - started)
            time.sleep(pause)
    return out, failed


def slow_nlu_main(argv: list[str]) -> int:
    """`tawasul bench slow-nlu`: webhook and /healthz latency while turns wait on an NLU that answers in
    `--delay` seconds, and the same with the NLU answering at once, in one run, one serve process."""
    parser = argparse.ArgumentParser(prog="tawasul bench slow-nlu", description=slow_nlu_main.__doc__)
    parser.add_argument("--delay", type=float, default=20.0, help="seconds the slow NLU takes per parse")
    parser.add_argument("--database", default=None, help="DATABASE_URL (default: a new SQLite file)")
    parser.add_argument("--probes", type=int, default=40, help="webhooks and health checks timed per phase")
    parser.add_argument("--contacts", type=int, default=20, help="contacts whose turns keep the NLU busy")
    parser.add_argument("--no-real-nlu", action="store_true", help="a canned stand-in instead of the real NLU")
    args = parser.parse_args(argv)
    import logging

    logging.getLogger("httpx").setLevel(logging.WARNING)
    from bot.bench.fakes import FakeProviders
    from bot.bench.serve import ServeProcess, use_data_key
    from bot.bench.standin import NLUStandIn
    from storage.migrate import upgrade

    use_data_key()
    work = Path(tempfile.mkdtemp(prefix="tawasul-slow-nlu-"))
    db_url = args.database or f"sqlite:///{work}/bench.db"
    upgrade(db_url)
    results: dict[str, dict[str, float]] = {}
    with contextlib.ExitStack() as stack:
        real = None
        if not args.no_real_nlu:
            try:
                real = start_nlu(stack, 1)
            except Exception as exc:  # noqa: BLE001 - no NLU environment here: the stand-in answers itself
                print(f"nlu: could not start a local server ({exc}); the stand-in answers itself", flush=True)
        fake = FakeProviders().start()
        stack.callback(fake.stop)
        standin = NLUStandIn(upstream=real)
        stack.callback(standin.stop)
        server = ServeProcess(db_url, fake.url, work, NLU_URL=standin.url, TAWASUL_NLU_TIMEOUT=str(args.delay + 10),
                              TAWASUL_LOG_LEVEL="WARNING").start()
        stack.callback(server.stop)
        secret = server.env["TELEGRAM_WEBHOOK_SECRET"]
        probe_webhooks(server.url, secret, 5, 9 * 10**8)  # warm
        for phase, delay in (("healthy NLU", 0.0), (f"NLU answering in {args.delay:g} s", args.delay)):
            standin.delay = delay
            base = 10**9 + len(results) * 10**6
            load = threading.Thread(target=probe_webhooks, args=(server.url, secret, args.contacts, base + 5 * 10**5),
                                    kwargs={"pause": 0.0, "text": "ابغى اقدم طلب مساعدة"}, daemon=True)
            load.start()  # turns that ask the NLU: all turn threads end up waiting on it in the slow phase
            time.sleep(1.0)
            hooks = probe_webhooks(server.url, secret, args.probes, base)
            health, unhealthy = probe_health(server.url, args.probes)
            load.join(120)
            results[phase] = {"hook_p50": percentile_ms(hooks, 0.5), "hook_p99": percentile_ms(hooks, 0.99),
                              "health_p50": percentile_ms(health, 0.5), "health_p99": percentile_ms(health, 0.99),
                              "unhealthy": unhealthy}
            r = results[phase]
            print(f"{phase:<26} webhook p50 {r['hook_p50']:7.1f} ms  p99 {r['hook_p99']:7.1f} ms   "
                  f"/healthz p50 {r['health_p50']:7.1f} ms  p99 {r['health_p99']:7.1f} ms, not 200: {r['unhealthy']:g}  "
                  f"(NLU parses asked so far: {standin.asked})", flush=True)
        standin.release()
    healthy, slow = results.values()
    hook_ratio, health_ratio = slow["hook_p99"] / healthy["hook_p99"], slow["health_p99"] / healthy["health_p99"]
    print(f"slow NLU / healthy NLU: webhook p99 {hook_ratio:.2f}x, /healthz p99 {health_ratio:.2f}x "
          f"(target: both within 3x)")
    return 0 if hook_ratio <= 3 and health_ratio <= 3 and not slow["unhealthy"] else 1
