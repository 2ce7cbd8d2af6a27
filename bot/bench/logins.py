"""`tawasul bench logins`: does a flood of bogus sign-ins slow the webhooks down? (Review item 6/2.)

    tawasul bench logins                       # SQLite, one serve process, 64 parallel bogus logins
    tawasul bench logins --flood 64 --samples 200 --database postgresql://postgres@127.0.0.1:5432/DB

Starts the provider fakes and one `tawasul serve` on loopback, then times SAMPLES signed Twilio webhooks
one after another, first on an idle service, then while FLOOD clients post bogus sign-ins to
/staff/api/login as fast as they are answered. Every bogus sign-in names a different user from a
different address (X-Forwarded-For, the service trusting its proxy), so none is cut short by the
back-off: each costs a real password check, the worst case. Prints the webhook p50/p99 in both phases
and their ratio; exits 1 when the p99 under the flood is more than RATIO times the idle one.
"""

from __future__ import annotations

import argparse
import itertools
import tempfile
import threading
import time
import uuid
from pathlib import Path
from urllib.parse import urlencode

import httpx

RATIO = 3.0


def _percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def _webhooks(url: str, samples: int, tag: str) -> list[float]:
    """Latency (s) of `samples` signed SMS webhooks, one after another, each from its own contact."""
    from bot.bench.serve import twilio_signature

    out: list[float] = []
    path = "/webhooks/twilio"
    with httpx.Client(timeout=30) as http:
        for i in range(samples):
            sid = f"SM{tag}{i:06d}".ljust(34, "0")
            form = {"MessageSid": sid, "SmsSid": sid, "AccountSid": "AC" + "0" * 31 + "1",
                    "From": f"+96655{i % 10}{i:06d}"[:13], "To": "+966530801110", "Body": "السلام عليكم",
                    "NumMedia": "0", "SmsStatus": "received", "ApiVersion": "2010-04-01"}
            data = urlencode(form).encode()
            headers = {"Content-Type": "application/x-www-form-urlencoded",
                       "X-Twilio-Signature": twilio_signature(path, data)}
            started = time.perf_counter()
            response = http.post(url + path, content=data, headers=headers)
            out.append(time.perf_counter() - started)
            if response.status_code != 200:
                raise RuntimeError(f"webhook answered {response.status_code}")
    return out


def _flood(url: str, clients: int, stop: threading.Event) -> tuple[list[threading.Thread], dict[str, int]]:
    counts = {"sent": 0, "refused": 0, "other": 0}
    lock = threading.Lock()
    numbers = itertools.count(1)

    def one() -> None:
        with httpx.Client(timeout=60) as http:
            while not stop.is_set():
                n = next(numbers)
                response = http.post(url + "/staff/api/login",
                                     json={"username": f"nobody{n}", "password": f"wrong guess {n}"},
                                     headers={"X-Forwarded-For": f"10.{n >> 16 & 255}.{n >> 8 & 255}.{n & 255}"})
                with lock:
                    counts["sent"] += 1
                    key = "refused" if response.status_code in (401, 429) else "other"
                    counts[key] += 1

    threads = [threading.Thread(target=one, name=f"flood-{i}", daemon=True) for i in range(clients)]
    for t in threads:
        t.start()
    return threads, counts


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="tawasul bench logins")
    parser.add_argument("--flood", type=int, default=64, help="parallel bogus sign-in clients")
    parser.add_argument("--samples", type=int, default=200, help="webhooks timed in each phase")
    parser.add_argument("--database", default=None, help="DATABASE_URL (default: a new SQLite file)")
    args = parser.parse_args(argv)

    import logging

    logging.getLogger("httpx").setLevel(logging.WARNING)
    from bot.bench.fakes import FakeProviders
    from bot.bench.serve import ServeProcess, use_data_key
    from storage.migrate import upgrade

    use_data_key()
    work = Path(tempfile.mkdtemp(prefix="tawasul-bench-logins-"))
    db_url = args.database or f"sqlite:///{work}/bench.db"
    upgrade(db_url)
    fake = FakeProviders().start()
    server = ServeProcess(db_url, fake.url, work, TAWASUL_LOG_LEVEL="WARNING", TAWASUL_TRUST_FORWARDED="1").start()
    run = uuid.uuid4().hex[:6]
    try:
        _webhooks(server.url, 20, f"{run}w")  # warm-up
        idle = _webhooks(server.url, args.samples, f"{run}i")
        stop = threading.Event()
        threads, counts = _flood(server.url, args.flood, stop)
        time.sleep(2.0)  # let the flood build up
        t0 = time.perf_counter()
        flooded = _webhooks(server.url, args.samples, f"{run}f")
        seconds = time.perf_counter() - t0
        sent_during = counts["sent"]
        stop.set()
        for t in threads:
            t.join(timeout=60)
    finally:
        server.stop()
        fake.stop()
    idle_p99, flood_p99 = _percentile(idle, 0.99), _percentile(flooded, 0.99)
    ratio = flood_p99 / idle_p99 if idle_p99 else float("inf")
    print(f"bench logins: {args.samples} signed webhooks idle, then under {args.flood} parallel bogus sign-ins "
          f"({db_url.split('://')[0]}, one serve process)")
    print(f"idle:  webhook p50 {_percentile(idle, 0.5) * 1000:.1f} ms, p99 {idle_p99 * 1000:.1f} ms")
    print(f"flood: webhook p50 {_percentile(flooded, 0.5) * 1000:.1f} ms, p99 {flood_p99 * 1000:.1f} ms; "
          f"{sent_during} bogus sign-ins answered ({sent_during / max(seconds + 2.0, 1e-9):.0f}/s), "
          f"{counts['other']} answered other than 401/429")
    verdict = "within" if ratio <= RATIO else "NOT within"
    print(f"p99 under flood / idle = {ratio:.2f} ({verdict} {RATIO:.0f}x)")
    return 0 if ratio <= RATIO else 1
