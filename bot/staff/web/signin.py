"""What the sign-in handlers (API and console) share: the caller's address for the back-off
(bot/staff/throttle.py), how long to wait (Arabic, for staff), and where password checks run.

A password check costs tens of milliseconds of CPU (scrypt). Run in the web server's shared thread pool,
a flood of bogus sign-ins took every thread and both cores, and the webhooks waited behind it (p99 from
52 ms to 4.4 s under 64 parallel sign-ins, `tawasul bench logins`). So sign-ins run on their own few
threads (TAWASUL_SIGN_IN_THREADS, default 1): the rest of the service keeps its threads and a core;
sign-ins queue (at most TAWASUL_SIGN_IN_QUEUE waiting; beyond that a 429 "busy, try again").
"""

from __future__ import annotations

import asyncio
import math
import os
import weakref
from collections.abc import Callable
from typing import TypeVar

import anyio
import anyio.to_thread
from fastapi import Request

T = TypeVar("T")
SIGN_IN_THREADS = max(1, int(os.environ.get("TAWASUL_SIGN_IN_THREADS", "1")))
SIGN_IN_QUEUE = max(1, int(os.environ.get("TAWASUL_SIGN_IN_QUEUE", "64")))


class Busy(Exception):
    """More sign-ins waiting than SIGN_IN_QUEUE: answered 429 at once, nothing checked or counted."""


class _Gate:
    """The sign-in threads of one event loop, and how many sign-ins are in them or waiting for them."""

    def __init__(self) -> None:
        self.limiter = anyio.CapacityLimiter(SIGN_IN_THREADS)
        self.inside = 0  # changed only on the event loop's own thread


_gates: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, _Gate] = weakref.WeakKeyDictionary()


async def run_sign_in(check: Callable[[], T]) -> T:
    """`check` (a sign_in call) on the sign-in threads, never the shared pool."""
    loop = asyncio.get_running_loop()
    gate = _gates.get(loop) or _gates.setdefault(loop, _Gate())
    if gate.inside >= SIGN_IN_THREADS + SIGN_IN_QUEUE:
        raise Busy()
    gate.inside += 1
    try:
        return await anyio.to_thread.run_sync(check, limiter=gate.limiter)
    finally:
        gate.inside -= 1


def client_ip(request: Request) -> str | None:
    """The caller's address for the sign-in back-off: the proxy's X-Forwarded-For (its last hop, the one
    our proxy added) when TAWASUL_TRUST_FORWARDED=1, else the connection's."""
    if os.environ.get("TAWASUL_TRUST_FORWARDED") == "1":
        forwarded = [p.strip() for p in request.headers.get("x-forwarded-for", "").split(",") if p.strip()]
        if forwarded:
            return forwarded[-1]
    return request.client.host if request.client else None


def wait_text(seconds: int) -> str:
    """The wait, for staff: in seconds under two minutes, else in minutes (rounded up)."""
    if seconds < 120:
        return f"محاولات دخول فاشلة كثيرة؛ حاول بعد {seconds} ثانية"
    return f"محاولات دخول فاشلة كثيرة؛ حاول بعد {math.ceil(seconds / 60)} دقيقة"
