"""The turn runner: runs accepted inbound messages off the webhook's path.

A webhook calls `submit(contact_id)` after `Runtime.accept` and answers at once. Threads here
run `Runtime.process_contact` (which takes the contact's lock, so one contact's turns run in order
even across processes). A sweeper re-submits contacts whose messages are still pending a few
seconds after arrival: messages accepted just before a crash, or by a process that died, are run
by whichever process is alive. Media are fetched here, before the turn, never in the webhook.
The sweeper thread also runs the `periodic` jobs (e.g. bot/turn/sweep.py's silent-handoff release).
"""

from __future__ import annotations

import logging
import queue
import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlmodel import col, select

from bot.turn.priority import lower_priority
from bot.turn.runtime import Runtime, passing
from storage.db import reading, transaction
from storage.models import InboundRecord

log = logging.getLogger("tawasul.turns")


class TurnRunner:
    def __init__(
        self,
        runtime: Runtime,
        *,
        threads: int = 4,
        sweep_seconds: float = 2.0,
        grace: timedelta = timedelta(seconds=3),
        prepare: Callable[[int], None] | None = None,
        periodic: tuple[tuple[float, Callable[[], object]], ...] = (),
        step_aside: Callable[[], None] | None = None,
    ) -> None:
        self.runtime = runtime
        self.step_aside = step_aside  # before each turn: webhooks being answered go first (bot/turn/priority.py)
        self.prepare = prepare  # e.g. download the media of the contact's pending messages
        self.queued: Callable[[], None] | None = None  # told when a turn queued replies (the outbox's `wake`)
        self._threads = threads
        self._sweep_seconds = sweep_seconds
        self._grace = grace
        self._queue: queue.Queue[int | None] = queue.Queue()
        self._lock = threading.Lock()
        self._queued: set[int] = set()
        self._running: set[int] = set()
        self._again: set[int] = set()
        self._failures: dict[int, tuple[int, float]] = {}  # contact -> (count, not before)
        self._periodic = list(periodic)
        self._due = [0.0] * len(self._periodic)  # monotonic time of each job's next run
        self._stop = threading.Event()
        self._workers: list[threading.Thread] = []

    def submit(self, contact_id: int) -> None:
        with self._lock:
            if contact_id in self._running:
                self._again.add(contact_id)  # a message arrived mid-run: run once more after
                return
            if contact_id in self._queued:
                return
            self._queued.add(contact_id)
        self._queue.put(contact_id)

    def start(self) -> None:
        self._stop.clear()
        for i in range(self._threads):
            worker = threading.Thread(target=self._work, name=f"turns-{i}", daemon=True)
            worker.start()
            self._workers.append(worker)
        sweeper = threading.Thread(target=self._sweep_loop, name="turns-sweep", daemon=True)
        sweeper.start()
        self._workers.append(sweeper)

    def stop(self) -> None:
        self._stop.set()
        for _ in range(self._threads):
            self._queue.put(None)
        for worker in self._workers:
            worker.join(timeout=10)
        self._workers.clear()

    def _work(self) -> None:
        lower_priority()  # webhooks first when the cores are busy (bot/turn/priority.py)
        while True:
            contact_id = self._queue.get()
            if contact_id is None or self._stop.is_set():
                return
            if self.step_aside is not None:
                self.step_aside()
            with self._lock:
                self._queued.discard(contact_id)
                self._running.add(contact_id)
            self.run(contact_id)
            with self._lock:
                self._running.discard(contact_id)
                again = contact_id in self._again
                self._again.discard(contact_id)
            if again:
                self.submit(contact_id)

    def run(self, contact_id: int) -> None:
        """One pass over the contact's pending messages; a failure is logged and left to the sweeper,
        which retries the contact after a growing pause."""
        try:
            if self.prepare is not None:
                self.prepare(contact_id)
            replies = self.runtime.process_contact(contact_id)
        except Exception as exc:  # any failure, our bugs included: the messages stay pending and the worker lives on
            count = self._failures.get(contact_id, (0, 0.0))[0] + 1
            # A database blip (refused, reset, deadlock, a timeout) is retried sooner than our own bug.
            transient = passing(exc)
            self._failures[contact_id] = (count, time.monotonic() + min(30.0 if transient else 300.0, 2.0**count))
            if transient:
                log.warning("turn for contact %s met a passing database error or a moving session (%s, attempt %d); "
                            "will retry",
                            contact_id, type(exc).__name__, count)
            else:
                log.exception("turn failed for contact %s (attempt %d); will retry", contact_id, count)
            return
        self._failures.pop(contact_id, None)
        if replies and self.queued is not None:
            self.queued()

    def pending_contacts(self, older_than: timedelta) -> list[int]:
        cutoff = datetime.now(UTC) - older_than
        with reading(self.runtime.engine) as tx:
            rows = tx.exec(
                select(InboundRecord.contact_id)
                .where(col(InboundRecord.processed_at).is_(None), InboundRecord.received_at <= cutoff)
                .distinct()
                .limit(500)
            ).all()
        return list(rows)

    def sweep(self) -> int:
        now = time.monotonic()
        count = 0
        for contact_id in self.pending_contacts(self._grace):
            failure = self._failures.get(contact_id)
            if failure and failure[1] > now:
                continue
            self.submit(contact_id)
            count += 1
        return count

    def run_periodic(self) -> None:
        """Run each periodic job whose time has come (a failing job is logged and tried next time)."""
        now = time.monotonic()
        for i, (every, job) in enumerate(self._periodic):
            if now < self._due[i]:
                continue
            self._due[i] = now + every
            try:
                job()
            except Exception:  # one broken job must not stop the others or the sweeper thread
                log.exception("periodic job %r failed", job)

    def _sweep_loop(self) -> None:
        while not self._stop.wait(self._sweep_seconds):
            try:
                self.sweep()
            except Exception:  # e.g. the database is away for a moment: keep sweeping
                log.exception("turn sweep failed")
            self.run_periodic()


def media_fetcher(runtime: Runtime, channels: dict[str, Any]) -> Callable[[int], None]:
    """A `prepare` hook: download the media of a contact's pending messages (refused files are noted in the
    payload's "refused_media", so that the turn tells the beneficiary)."""
    from bot.errors import InputError, MediaRefused
    from bot.messages import for_message_channel

    def prepare(contact_id: int) -> None:
        with reading(runtime.engine) as tx:
            pending = tx.exec(
                select(InboundRecord).where(
                    InboundRecord.contact_id == contact_id, col(InboundRecord.processed_at).is_(None)
                )
            ).all()
            todo = [r for r in pending if any(not m.get("path") for m in (r.payload or {}).get("media", []))]
        for record in todo:
            connector = for_message_channel(channels, record.channel)
            kept, refused = [], list(record.payload.get("refused_media") or [])
            for i, item in enumerate(record.payload["media"]):
                if item.get("path") or connector is None:
                    kept.append(item)
                    continue
                try:
                    path, size = connector.fetch_media(item["url"], item.get("content_type", ""),
                                                       f"{record.channel}/{record.id}_{i}")  # our id: never a provider's string in a path
                except InputError as exc:
                    log.info("media %d of inbound %s dropped: %s", i, record.id, exc)
                    reason = exc.reason if isinstance(exc, MediaRefused) else "failed"
                    refused.append({"content_type": item.get("content_type", ""), "reason": reason})
                    continue
                kept.append({**item, "path": path, "size": size})
            with transaction(runtime.engine) as tx:
                row = tx.get(InboundRecord, record.id)
                if row is not None and row.processed_at is None:
                    row.payload = {**row.payload, "media": kept, **({"refused_media": refused} if refused else {})}
                    tx.add(row)

    return prepare
