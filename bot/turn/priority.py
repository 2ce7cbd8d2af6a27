"""Webhooks first: the background threads of a `serve` process step aside while a webhook is being answered.

Turns, the outbox's senders and the webhooks share one interpreter lock. Under load the turn and outbox
threads always want it, and a webhook, which needs it a few dozen times (parse, verify, journal, store),
waits behind all of them each time: its p99 grew tenfold while the turns ran at full speed. A provider
waits on a webhook (and retries it when slow); nobody waits on a turn a few milliseconds longer.

So a webhook marks itself `answering` for its duration, and the background threads call `step_aside` at
their natural boundaries (before a turn, after the NLU answered, before a claim and a send): while any webhook is being
answered they wait for it, at most `max_wait` seconds, so a stream of webhooks never starves them.

    >>> first = WebhooksFirst(max_wait=0.05)
    >>> with first.answering():
    ...     first.busy
    True
    >>> first.step_aside()   # nothing answering: returns at once
"""

from __future__ import annotations

import gc
import logging
import os
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

log = logging.getLogger("tawasul.priority")


class WebhooksFirst:
    def __init__(self, max_wait: float = 0.05) -> None:
        self.max_wait = max_wait
        self._answering = 0
        self._idle = threading.Condition()

    @property
    def busy(self) -> bool:
        return self._answering > 0

    @contextmanager
    def answering(self) -> Iterator[None]:
        with self._idle:
            self._answering += 1
        try:
            yield
        finally:
            with self._idle:
                self._answering -= 1
                if not self._answering:
                    self._idle.notify_all()

    def step_aside(self, max_wait: float | None = None) -> None:
        """Wait while a webhook is being answered (at most `max_wait`, by default the instance's); at once
        when none is."""
        if not self._answering:  # the common case, without the lock
            return
        with self._idle:
            self._idle.wait_for(lambda: not self._answering, self.max_wait if max_wait is None else max_wait)


def background_nice() -> int:
    """How much lower than the webhooks' the background threads run (`TAWASUL_BACKGROUND_NICE`, 0: the same)."""
    value = int(os.environ.get("TAWASUL_BACKGROUND_NICE", "5"))
    if not 0 <= value <= 19:
        raise ValueError("TAWASUL_BACKGROUND_NICE is a niceness from 0 to 19")
    return value


def lower_priority(nice: int | None = None) -> int:
    """Lower the calling thread's scheduling priority by `nice` (default `background_nice()`); its niceness now.

    Called first thing by the turn, outbox and replay threads. When the cores are busy (the NLU parsing, the
    turns running) the kernel then runs a webhook's thread first whenever it is ready, and the interpreter
    lock the background threads drop at each switch interval goes to it. On Linux a niceness is a thread's
    own (the thread id is a process id to `setpriority`); elsewhere it would be the whole process's, so this
    does nothing there.
    """
    nice = background_nice() if nice is None else nice
    if sys.platform != "linux":
        return 0
    tid = threading.get_native_id()
    current = os.getpriority(os.PRIO_PROCESS, tid)
    if nice:
        try:
            os.setpriority(os.PRIO_PROCESS, tid, min(19, current + nice))
        except OSError as exc:  # e.g. a container that forbids it: the thread runs as before
            log.debug("thread priority unchanged: %s", exc)
            return current
    return os.getpriority(os.PRIO_PROCESS, tid)


class FullCollections:
    """The collector's full passes, run between webhooks every `every` seconds instead of whenever it decides.

    A full pass walks every object the process made since start-up (those of start-up are frozen, see
    `tawasul serve`) and holds the interpreter lock throughout: 20-35 ms under load, every 5-10 s, each one
    stalling every webhook in flight at that moment (the HTTP clients' responses are reference cycles, so
    there is always garbage for it). Here the automatic full pass is off; a thread runs one every `every`
    seconds once no webhook is being answered (waiting at most `max_wait`). The young generations are
    collected as before, a millisecond or two at a time.
    """

    def __init__(self, first: WebhooksFirst, every: float = 30.0, max_wait: float = 1.0) -> None:
        self.first, self.every, self.max_wait = first, every, max_wait
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._threshold: tuple[int, int, int] | None = None
        self.passes = 0

    def start(self) -> None:
        if self.every <= 0:  # off: the collector's own schedule
            return
        self._threshold = gc.get_threshold()
        young, middle, _ = self._threshold
        gc.set_threshold(young, middle, 1 << 30)  # never reached: no automatic full pass
        self._stop.clear()
        self._thread = threading.Thread(target=self._loop, name="full-collections", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None
        if self._threshold is not None:
            gc.set_threshold(*self._threshold)
            self._threshold = None

    def collect(self) -> float:
        """One full pass once no webhook is being answered; its seconds."""
        self.first.step_aside(self.max_wait)
        started = time.perf_counter()
        gc.collect(2)
        self.passes += 1
        return time.perf_counter() - started

    def _loop(self) -> None:
        while not self._stop.wait(self.every):
            took = self.collect()
            log.debug("full collection in %.1f ms", took * 1000)
