"""The SQLite writer lock hands over in order of arrival, webhooks' accepts first: a thread that releases
it and asks again (a turn thread, the outbox) goes behind those already waiting."""

from __future__ import annotations

import threading
import time

from storage.db import FairLock


def _waiting(lock: FairLock, n: int) -> None:
    deadline = time.monotonic() + 5
    while len(lock._fast) + len(lock._slow) < n:
        assert time.monotonic() < deadline, "waiters never queued"
        time.sleep(0.001)


def test_handed_over_in_order_webhooks_first_no_barging() -> None:
    lock = FairLock()
    order: list[str] = []

    def take(name: str, first: bool = False) -> None:
        lock.acquire(first)
        order.append(name)
        lock.release()

    lock.acquire()
    threads = []
    for i, (name, first) in enumerate((("turn-a", False), ("turn-b", False), ("webhook", True))):
        thread = threading.Thread(target=take, args=(name, first))
        thread.start()
        threads.append(thread)
        _waiting(lock, i + 1)
    lock.release()
    lock.acquire()  # the releasing thread asks again at once: it waits its turn
    order.append("again")
    lock.release()
    for thread in threads:
        thread.join(5)
    assert order == ["webhook", "turn-a", "turn-b", "again"]


def test_reentrant_for_its_owner() -> None:
    lock = FairLock()
    lock.acquire()
    lock.acquire(first=True)
    lock.release()
    other = threading.Thread(target=lambda: (lock.acquire(), lock.release()))
    other.start()
    other.join(0.2)
    assert other.is_alive()  # still held once
    lock.release()
    other.join(5)
    assert not other.is_alive()
