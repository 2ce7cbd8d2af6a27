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

import threading
from collections.abc import Iterator
from contextlib import contextmanager


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

    def step_aside(self) -> None:
        """Wait while a webhook is being answered (at most `max_wait`); at once when none is."""
        if not self._answering:  # the common case, without the lock
            return
        with self._idle:
            self._idle.wait_for(lambda: not self._answering, self.max_wait)
