"""The way in when the database is away: verified webhooks journaled first (storage/journal.py), replayed in order.

A webhook verifies, appends the request to this process's journal (on disk before the answer), and stores it
(`dispatch`: parse, accept, hand the contact to the turn runner). If the database fails with a passing error
(refused, reset, a timeout), the provider still gets its 2xx: the record stays in the journal and the
`Replayer` thread stores it when the database is back. While any record waits, newer webhooks queue behind
it (journaled, answered, stored by the replayer) so one contact's messages keep their order. Journals left
by a process that died (kill -9) are replayed at start-up and then periodically, by whichever process of
the same folder gets there first. A replayed message the database already has is dropped by its provider id,
as a provider's retry is.

With `TAWASUL_WEBHOOK_ACCEPT=journal` every webhook answers once its record is on disk, and the replayer
stores it at once: the webhook never waits for the database or the writer lock.
"""

from __future__ import annotations

import base64
import logging
import os
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

from bot.messages import WebhookRequest
from bot.turn.priority import lower_priority
from storage.db import DEFAULT_DATA_DIR, is_transient
from storage.journal import Journal, orphans

log = logging.getLogger("tawasul.inbox")
Dispatch = Callable[[str, WebhookRequest], object]


def journal_folder() -> Path:
    return Path(os.environ.get("TAWASUL_JOURNAL_DIR") or Path(os.environ.get("TAWASUL_DATA_DIR", DEFAULT_DATA_DIR))
                / "journal")


def journal_first() -> bool:
    """`TAWASUL_WEBHOOK_ACCEPT=journal`: answer once journaled, store in the replayer (`store`: store, then answer)."""
    mode = os.environ.get("TAWASUL_WEBHOOK_ACCEPT", "store")
    if mode not in ("store", "journal"):
        raise ValueError("TAWASUL_WEBHOOK_ACCEPT is 'store' (the default) or 'journal'")
    return mode == "journal"


def record_of(name: str, hook: WebhookRequest) -> dict[str, Any]:
    return {"channel": name, "path": hook.path, "query": hook.query, "headers": hook.headers,
            "body": base64.b64encode(hook.body).decode()}


def hook_of(record: dict[str, Any]) -> tuple[str, WebhookRequest]:
    return record["channel"], WebhookRequest(path=record["path"], query=record["query"],
                                             headers=dict(record["headers"]), body=base64.b64decode(record["body"]))


class Inbox:
    """This process's journal and its replayer thread."""

    def __init__(self, dispatch: Dispatch, *, folder: Path | None = None, every: float | None = None,
                 first: bool | None = None) -> None:
        self.folder = folder or journal_folder()
        self.journal: Journal | None = None  # opened by `start` (a service built but never served writes nothing)
        self._dispatch = dispatch
        self.journal_first = journal_first() if first is None else first
        self._every = every if every is not None else float(os.environ.get("TAWASUL_JOURNAL_REPLAY_SECONDS", "2"))
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._drain = threading.Lock()  # one replay at a time: records are stored in order
        self._thread: threading.Thread | None = None
        self._left: set[int] = set()  # this process's records the replayer stores (not those being stored)
        self._left_lock = threading.Lock()
        self._next_scan = 0.0  # monotonic time of the next look for orphaned journals
        # journal-first webhooks wait here for their flush, off the event loop; one thread: flushes group up
        self.syncer = ThreadPoolExecutor(1, thread_name_prefix="journal-sync")

    def leave(self, seq: int) -> None:
        """The record `seq` is the replayer's to store (its webhook answered without storing it); wake it."""
        with self._left_lock:
            self._left.add(seq)
        self._wake.set()

    def waiting(self) -> bool:
        """Whether a record is left for the replayer: a newer message then queues behind it (per-contact order).
        Records whose webhooks are storing them right now do not count."""
        with self._left_lock:
            return bool(self._left)

    # ---- the webhook's side -------------------------------------------------------------------------
    def receive(self, name: str, hook: WebhookRequest, answer: Callable[[], Any]) -> Any:
        """Journal a verified webhook, then store it (`answer` stores and returns the response), or leave it to
        the replayer when the database is away or older records wait. Returns `answer()`'s response, or None
        when the record was left in the journal (the caller answers 2xx)."""
        journal = self.journal
        if journal is None:
            return answer()
        seq = journal.append(record_of(name, hook))
        if self.journal_first or self.waiting():
            self.leave(seq)
            return None
        try:
            response = answer()
        except Exception as exc:
            if not is_transient(exc):
                journal.done(seq)  # our own bug: answered 500 as before, not replayed for ever
                raise
            log.warning("%s webhook journaled: the database is unavailable (%s)", name, type(exc).__name__)
            self.leave(seq)
            return None
        journal.done(seq)
        return response

    # ---- the replayer ----------------------------------------------------------------------------------
    def replay(self) -> int:
        """Store what waits: orphaned journals first (oldest first), then this process's own records. Stops at
        the first passing database error (tried again later); the number stored."""
        stored = 0
        journal = self.journal
        with self._drain:
            # Orphans at start-up, then every `every` seconds (not on each webhook of a journal-first process).
            scan = time.monotonic() >= self._next_scan
            if scan:
                self._next_scan = time.monotonic() + self._every
            for orphan in orphans(self.folder, own=journal.path if journal else None) if scan else ():
                records = orphan.records()
                for seq, record in records:
                    if not self._store(record):
                        return stored
                    orphan.done(seq)
                    stored += 1
                orphan.finish()
                if records:
                    log.info("replayed %d journaled webhook(s) of %s", len(records), orphan.path.name)
            if journal is None:
                return stored
            with self._left_lock:
                left = set(self._left)
            for seq, record in journal.undone():
                if seq not in left:
                    continue  # its webhook is storing it now
                if not self._store(record):
                    return stored
                journal.done(seq)
                with self._left_lock:
                    self._left.discard(seq)
                stored += 1
        return stored

    def _store(self, record: dict[str, Any]) -> bool:
        name, hook = hook_of(record)
        try:
            self._dispatch(name, hook)
        except Exception as exc:
            if is_transient(exc):
                return False
            # Not the database: this record can never be stored (logged without its content); the next go on.
            log.exception("journaled %s webhook could not be stored; dropped", name)
        return True

    def start(self) -> None:
        self.journal = Journal(self.folder)
        try:
            self.replay()  # before the first webhook of this process: what a dead process left comes first
        except Exception:  # the database may be away at start-up: the thread keeps trying
            log.exception("journal replay at start-up failed")
        self._stop.clear()
        self._thread = threading.Thread(target=self._loop, name="journal-replay", daemon=True)
        self._thread.start()

    def _loop(self) -> None:
        lower_priority()  # what it stores was answered already: webhooks first (bot/turn/priority.py)
        while not self._stop.is_set():
            self._wake.wait(self._every)  # a webhook left a record, or the periodic look at orphans
            self._wake.clear()
            if self._stop.is_set():
                return
            try:
                self.replay()
            except Exception:  # e.g. the journal folder unreadable: logged, tried again
                log.exception("journal replay failed")

    def stop(self) -> None:
        self._stop.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout=10)
            self._thread = None
        try:
            self.replay()  # a last go, so a clean stop leaves nothing behind when the database is there
        except Exception:
            log.exception("journal replay at shutdown failed")
        self.syncer.shutdown(wait=True)
        if self.journal is not None:
            self.journal.close()
            self.journal = None
