"""Review item 6/2: a flood of sign-ins must not hold the threads the rest of the service runs on.
Sign-ins run on their own few threads (bot/staff/web/signin.py): while 60 of them are stuck in a
password check, /healthz and the webhooks (the shared thread pool, 40 threads) still answer at once;
sign-ins beyond the queue are refused with 429 at once. (`tawasul bench logins` measures it on a real
server.)"""

from __future__ import annotations

import asyncio
import threading
import time
from typing import Any

import httpx
import pytest

from bot.staff.web import signin
from tests.staff.web.client import Client

STUCK, QUEUE = 60, 10


def test_stuck_sign_ins_do_not_take_the_shared_threads(client: Client, monkeypatch: pytest.MonkeyPatch) -> None:
    release = threading.Event()
    entered = threading.Semaphore(0)

    def slow_sign_in(*_args: Any, **_kwargs: Any) -> None:
        entered.release()
        release.wait(20)  # a password check that takes forever

    monkeypatch.setattr("bot.staff.web.api.sign_in", slow_sign_in)
    monkeypatch.setattr(signin, "SIGN_IN_QUEUE", QUEUE)

    async def scenario() -> tuple[float, list[int], int]:
        transport = httpx.ASGITransport(app=client.app)
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver", timeout=30) as http:
            logins = [asyncio.create_task(http.post("/staff/api/login",
                                                    json={"username": f"u{i}", "password": "wrong guess"}))
                      for i in range(STUCK)]
            await asyncio.sleep(0.5)
            started = time.perf_counter()
            health = await http.get("/healthz")
            took = time.perf_counter() - started
            assert health.status_code == 200
            release.set()
            answers = [r.status_code for r in await asyncio.gather(*logins)]
            return took, answers, 0

    took, answers, _ = asyncio.run(scenario())
    assert took < 2.0, took  # not queued behind the stuck sign-ins
    assert sorted(set(answers)) == [401, 429]
    assert answers.count(429) >= STUCK - QUEUE - 5  # beyond the queue: refused at once, nothing checked
    assert entered.acquire(timeout=0)  # the checks did run (one thread at a time)
