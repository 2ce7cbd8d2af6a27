"""The outbound delivery worker: sender threads claim one outbox row each, send it, record the outcome.

Delivery policy: every reply is sent, and sent once, through crashes, database blips and provider faults.
- A turn writes its replies as `queued` rows in the turn's own transaction.
- Each of `senders` threads CLAIMS the oldest row it may send (`FOR UPDATE SKIP LOCKED` on PostgreSQL, so
  several processes share one queue; on SQLite `BEGIN IMMEDIATE` makes the claim a single writer), one row
  at a time, and takes the next as soon as it is free: one slow provider call holds one thread, not the
  others. Only the oldest unfinished row of a contact can be claimed, so one chat's messages leave in
  order; Telegram chats are also paced (`pace_seconds`).
- Just before the network call the row's `attempted_at` is written (its own short transaction). A row
  claimed but never attempted (a crash, a database error before the send) goes back to the queue and is
  sent normally. A row attempted with no known outcome (the process died mid-send, or the provider took
  the request and never answered: `Ambiguous`) is RECONCILED before any resend: Twilio's message list for
  that recipient since the attempt is searched for its body, part by part (a long SMS resends only the
  parts Twilio lacks); Telegram has no such list, so such a row is taken as sent once and marked
  `meta.unconfirmed` with a note, never sent twice.
- The outcome of a send is known in memory before it is written: the write is retried with a bounded
  backoff, then kept and retried each round until the database answers, and the row's lease is renewed
  meanwhile, so a database blip never turns a sent reply into a lost or repeated one.
- Success -> `sent` with the provider's id. Throttling -> back to `queued` after the provider's Retry-After;
  5xx -> backoff; every retry is bounded by `max_attempts` attempts and `max_age` since the reply was
  written, then `failed` with a `last_error` that says so (`tawasul staff` / the console list failures).
- A `sending` row whose lease ran out (its process died) goes back to `queued` (keeping `attempted_at`,
  so an attempted one is reconciled first). Stopping releases claimed, unattempted rows at once.
- Status callbacks only move a row forward: queued < sending < sent < delivered < read, and
  failed/undelivered are final.
"""

from __future__ import annotations

import logging
import os
import random
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import replace
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import bindparam
from sqlalchemy.engine import Engine
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import aliased
from sqlmodel import Session, col, select, update

from bot.errors import Ambiguous, ContactStopped, SendError, Throttled
from bot.lang.bidi import isolate_ltr
from bot.messages import Button, Channel, DeliveryStatus, Outgoing, Reconciled, for_message_channel
from bot.turn.priority import lower_priority
from storage.db import is_sqlite, reading, transaction
from storage.erase import forget_delivered
from storage.models import Contact, OutboundRecord, as_utc, utcnow

log = logging.getLogger("tawasul.outbox")
RANK = {"queued": 0, "sending": 1, "sent": 2, "delivered": 3, "read": 4, "failed": 5, "undelivered": 5}
INTERRUPTED = "interrupted during send; not retried so that it is never sent twice"  # rows of earlier versions
UNCONFIRMED = "no answer after the request left and the provider cannot be asked; taken as sent, not resent"
MAX_ATTEMPTS = 8
MAX_AGE = timedelta(hours=24)
WRITE_RETRIES = (0.05, 0.2, 0.5, 1.0, 2.0)  # then the write waits in memory for the next round


def backoff(attempts: int) -> float:
    """Seconds before retry n: 2, 4, 8 ... capped at 5 minutes, with 20 % jitter."""
    return float(min(300.0, 2.0**attempts) * random.uniform(0.8, 1.2))


def _advance(row: OutboundRecord, status: str) -> bool:
    if row.last_error == INTERRUPTED or RANK.get(status, -1) > RANK.get(row.status, 0):
        row.status = status
        return True
    return False


def _opt_out(tx: Session, contact_id: int) -> None:
    """The provider says the contact stopped us (Twilio 21610, a blocked Telegram bot): send no more."""
    contact = tx.get(Contact, contact_id)
    if contact is not None:
        contact.opted_out = True
        tx.add(contact)


def record_status(engine: Engine, status: DeliveryStatus) -> bool:
    """Apply a provider's delivery status to its row; True when the row moved forward."""
    with transaction(engine) as tx:
        row = None
        if status.outbox_id is not None:
            row = tx.get(OutboundRecord, status.outbox_id)
        if row is None:
            row = tx.exec(select(OutboundRecord).where(OutboundRecord.provider_id == status.provider_id)).first()
        if row is None:
            return False
        if row.provider_id is None:
            row.provider_id = status.provider_id
        moved = _advance(row, status.status)
        if moved and status.status in ("failed", "undelivered"):
            row.last_error = f"provider reported {status.status} (error {status.error_code or '-'})"
            if status.error_code == "21610":
                _opt_out(tx, row.contact_id)
        elif moved and row.last_error == INTERRUPTED:
            row.last_error = None
        tx.add(row)
        return moved


class OutboxWorker:
    def __init__(
        self,
        engine: Engine,
        channels: dict[str, Channel],
        *,
        batch: int = 1,  # kept for callers; a sender claims one row at a time
        senders: int = 8,
        idle_seconds: float = 0.2,
        lease: timedelta | None = None,
        max_attempts: int | None = None,
        max_age: timedelta | None = None,
        step_aside: Callable[[], None] | None = None,
    ) -> None:
        self.engine = engine
        self.step_aside = step_aside  # before each claim and send: webhooks being answered go first (turn/priority.py)
        self.channels = channels
        self.senders = max(1, senders)
        self.idle_seconds = idle_seconds
        seconds = float(os.environ.get("TAWASUL_OUTBOX_LEASE_SECONDS", "60"))
        self.lease = lease or timedelta(seconds=seconds)
        self.max_attempts = max_attempts or int(os.environ.get("TAWASUL_OUTBOX_MAX_ATTEMPTS", str(MAX_ATTEMPTS)))
        hours = float(os.environ.get("TAWASUL_OUTBOX_MAX_AGE_HOURS", str(MAX_AGE.total_seconds() / 3600)))
        self.max_age = max_age or timedelta(hours=hours)
        self._stop = threading.Event()
        self._threads: list[threading.Thread] = []
        self._lock = threading.Lock()
        self._claimed: set[int] = set()  # claimed by this worker, not yet attempted
        self._sending: set[int] = set()  # attempted by this worker, outcome not yet recorded: lease renewed
        self._pending: deque[tuple[int, Callable[[], None]]] = deque()  # writes the database refused so far
        self._empty_until = 0.0  # monotonic time before which no sender claims (the queue was empty)
        self._probing = False  # a sender is looking at an empty queue: the others wait for what it finds
        self._ready = threading.Condition(self._lock)  # idle senders wait here; `wake` and a found row notify
        self._claim_query: Any = None  # built once: the served channels and the pace never change

    @property
    def served(self) -> list[str]:
        return sorted({c for ch in self.channels.values() for c in ch.serves})

    # ---- threads --------------------------------------------------------------------------------
    def start(self) -> None:
        self._stop.clear()
        for channel in self.channels.values():  # the provider clients made now, not by the first send
            connect = getattr(channel, "connect", None)
            if callable(connect):
                connect()
        self._threads = [threading.Thread(target=self._send_loop, name=f"outbox-send-{i}", daemon=True)
                         for i in range(self.senders)]
        self._threads.append(threading.Thread(target=self._house_loop, name="outbox", daemon=True))
        for thread in self._threads:
            thread.start()

    def stop(self) -> None:
        """Stop claiming; sends already with a provider finish and are recorded; rows claimed but not yet
        sent go back to the queue at once (another worker, or this service's next start, sends them)."""
        with self._lock:
            self._stop.set()
            self._ready.notify_all()
        for thread in self._threads:
            thread.join(timeout=30)
        self._threads = []
        self.flush(final=True)
        self.release_claimed()

    def release_claimed(self) -> int:
        with self._lock:
            ids, self._claimed = sorted(self._claimed), set()
        if not ids:
            return 0
        count = 0

        def release() -> None:
            nonlocal count
            with transaction(self.engine) as tx:
                result = tx.exec(
                    update(OutboundRecord)
                    .where(col(OutboundRecord.id).in_(ids), col(OutboundRecord.status) == "sending")
                    .values(status="queued", claimed_until=None)
                )
                count = int(result.rowcount or 0)

        try:
            self._write(ids[0], release, retries=WRITE_RETRIES[:3])
        except DBAPIError:
            log.warning("outbox: %d claimed message(s) left to their lease (database unavailable)", len(ids))
            return 0
        log.info("outbox: %d claimed message(s) released unsent at shutdown", count)
        return count

    def wake(self) -> None:
        """Replies were queued in this process (a turn committed them): a sender looks now, not at the end of
        its idle wait."""
        with self._lock:
            self._empty_until = 0.0
            self._ready.notify()

    def _send_loop(self) -> None:
        lower_priority()  # webhooks first when the cores are busy (bot/turn/priority.py)
        while not self._stop.is_set():
            with self._lock:
                # One sender looks at an empty queue at a time (eight waking together cost a third of a core
                # on an idle service); a sender that finds a row wakes another, so a burst spreads out.
                idle = self._empty_until - time.monotonic()
                if idle <= 0 and not self._probing:
                    self._probing = True
                else:
                    self._ready.wait(idle if idle > 0 else self.idle_seconds)
                    continue
            if self.step_aside is not None:
                self.step_aside()
            try:
                ids = self.claim()
            except Exception:  # e.g. the database is away for a moment: the sender must live on
                log.exception("outbox claim failed")
                ids = []
            with self._lock:
                self._probing = False
                if ids:
                    self._ready.notify()
                else:
                    self._empty_until = time.monotonic() + self.idle_seconds
            for row_id in ids:
                if self.step_aside is not None:
                    self.step_aside()  # a provider call builds and parses requests: webhooks first
                try:
                    self.deliver(row_id)
                except Exception:  # a database error before the outcome was known: the lease brings it back
                    log.exception("outbox: message %d not delivered this round", row_id)
                    with self._lock:
                        self._claimed.discard(row_id)
                        self._sending.discard(row_id)

    def _house_loop(self) -> None:
        lower_priority()
        period = max(0.2, min(5.0, self.lease.total_seconds() / 3))
        while not self._stop.wait(period):
            for job in (self.renew, self.flush, self.reap):
                try:
                    job()
                except Exception:
                    log.exception("outbox housekeeping (%s) failed", job.__name__)

    def run_once(self) -> int:
        """Reap expired claims, then claim and send rows until none is ready (tests; one thread)."""
        self.flush()
        self.reap()
        done = 0
        while ids := self.claim():
            for row_id in ids:
                self.deliver(row_id)
            done += len(ids)
        return done

    # ---- the queue ------------------------------------------------------------------------------
    def reap(self) -> int:
        """Rows whose lease ran out (their process died) go back to the queue; `attempted_at` is kept, so
        one that was attempted is reconciled with the provider before any resend. Never this worker's own:
        a lease can run out while the database was away and this process still holds the row's outcome."""
        own = self._held()
        expired = [col(OutboundRecord.status) == "sending", col(OutboundRecord.claimed_until) < utcnow()]
        if own:
            expired.append(col(OutboundRecord.id).not_in(own))
        with transaction(self.engine) as tx:
            result = tx.exec(update(OutboundRecord).where(*expired).values(status="queued", claimed_until=None))
            count = int(result.rowcount or 0)
        if count:
            log.warning("outbox: %d message(s) of a stopped sender back in the queue", count)
        return count

    def _held(self) -> list[int]:
        """The rows this worker holds: claimed, being sent, or with an outcome not yet written."""
        with self._lock:
            return sorted(self._sending | self._claimed | {row_id for row_id, _ in self._pending})

    def renew(self) -> None:
        """Extend the lease of the rows this worker holds."""
        ids = self._held()
        if ids:
            with transaction(self.engine) as tx:
                tx.exec(
                    update(OutboundRecord)
                    .where(col(OutboundRecord.id).in_(ids), col(OutboundRecord.status) == "sending")
                    .values(claimed_until=utcnow() + self.lease)
                )

    def _claimable(self) -> Any:
        """The oldest ready row of a served channel whose contact has no earlier reply waiting (per-contact
        order), and, on a paced channel, none sent within the pace; built once (`now`, `recent` bound)."""
        if self._claim_query is not None:
            return self._claim_query
        earlier = aliased(OutboundRecord)
        recent = aliased(OutboundRecord)
        paced = [c for ch in self.channels.values() if ch.pace_seconds > 0 for c in ch.serves]
        head_of_line = (
            select(earlier.id)
            .where(earlier.contact_id == OutboundRecord.contact_id, col(earlier.id) < col(OutboundRecord.id),
                   col(earlier.status).in_(("queued", "sending")))
            .exists()
        )
        just_sent = (
            select(recent.id)
            .where(recent.contact_id == OutboundRecord.contact_id, col(recent.sent_at) > bindparam("recent"))
            .exists()
        )
        query = (
            select(OutboundRecord.id)
            .where(OutboundRecord.status == "queued", col(OutboundRecord.next_attempt_at) <= bindparam("now"),
                   col(OutboundRecord.channel).in_(self.served), ~head_of_line)
            .order_by(col(OutboundRecord.next_attempt_at), col(OutboundRecord.id))
            .limit(bindparam("limit"))
        )
        if paced:
            query = query.where(col(OutboundRecord.channel).not_in(paced) | ~just_sent)
        if not is_sqlite(self.engine):
            query = query.with_for_update(skip_locked=True, of=OutboundRecord)
        self._claim_query = query
        return query

    def claim(self, limit: int = 1) -> list[int]:
        now = utcnow()
        pace = max((ch.pace_seconds for ch in self.channels.values()), default=0.0)
        query = self._claimable()
        params = {"now": now, "recent": now - timedelta(seconds=pace), "limit": limit}
        with self._lock:
            if self._stop.is_set():
                return []
        with transaction(self.engine) as tx:
            ids = [i for i in tx.execute(query, params).scalars().all() if i is not None]
            if ids:
                tx.exec(
                    update(OutboundRecord)
                    .where(col(OutboundRecord.id).in_(ids))
                    .values(status="sending", claimed_until=now + self.lease)
                )
        with self._lock:
            self._claimed.update(ids)
        return ids

    # ---- one row --------------------------------------------------------------------------------
    def deliver(self, row_id: int) -> None:
        with reading(self.engine) as tx:
            row = tx.get(OutboundRecord, row_id)
            contact = tx.get(Contact, row.contact_id) if row else None
        if row is None or contact is None or row.status != "sending":
            with self._lock:
                self._claimed.discard(row_id)
            return
        connector = for_message_channel(self.channels, row.channel)
        if contact.opted_out and not row.meta.get("opt_out_confirmation"):
            self._settle(row_id, lambda: self._finish(row_id, "failed", error="contact opted out; not sent"))
            return
        if connector is None:
            self._settle(row_id, lambda: self._finish(row_id, "failed", error=f"no connector for {row.channel!r}"))
            return
        out = Outgoing(
            outbox_id=row_id, channel=row.channel, to=row.to_address, text=isolate_ltr(row.text),
            buttons=tuple(Button(b["id"], b["title"]) for b in row.buttons),
            meta={**row.meta, "expects": (row.session or {}).get("expects")},
            org_slug=contact.org_slug, last_inbound_at=contact.last_inbound_at,
            accepted=tuple(row.meta.get("accepted_parts") or ()),
        )
        if row.attempted_at is not None:  # the last attempt's outcome is unknown: ask before any resend
            reconciled = self._reconcile(row, connector, out)
            if reconciled is None:
                return
            out = reconciled
        with self._lock:
            if self._stop.is_set():
                return  # shutting down: left claimed, released by stop()
            self._claimed.discard(row_id)
            self._sending.add(row_id)
        if not self._mark_attempted(row_id, row.attempted_at, row.attempts):
            with self._lock:
                self._sending.discard(row_id)
            return
        attempts = row.attempts + 1
        try:
            result = connector.send(out)
        except Ambiguous as exc:
            self._after_error(row, attempts, 2.0, f"{exc} (will be reconciled)", exc.accepted, unknown=True)
        except Throttled as exc:
            wait = max(exc.retry_after, 0.5)
            self._after_error(row, attempts, wait, f"throttled ({exc.code or '429'}), retry after {wait:g}s",
                              exc.accepted)
        except ContactStopped as exc:
            stopped = f"contact opted out (error {exc.code or '-'})"  # exc is gone when a kept write runs
            self._settle(row_id, lambda: self._finish(row_id, "failed", error=stopped, stopped=True))
        except SendError as exc:
            error = f"{exc} (error {exc.code or '-'})"
            if exc.retryable:
                self._after_error(row, attempts, backoff(attempts), error, exc.accepted)
            else:
                self._settle(row_id, lambda: self._finish(row_id, "failed", error=error))
        else:
            self._settle(row_id, lambda: self._finish(row_id, "sent", provider_id=result.provider_id,
                                                      used=result.channel, parts=result.parts))

    def _mark_attempted(self, row_id: int, before: datetime | None, attempts: int) -> bool:
        """Write that the send is about to start; False: not ours any more, or the database refused.

        A refused write may still have committed (the connection died after COMMIT left): the row is then
        put back with the marker it had `before`, since this process knows it never sent."""
        try:
            with transaction(self.engine) as tx:
                row = tx.get(OutboundRecord, row_id)
                if row is None or row.status != "sending":
                    return False
                row.attempted_at = row.attempted_at or utcnow()  # the earliest attempt not yet settled
                row.attempts += 1
                row.claimed_until = utcnow() + self.lease
                tx.add(row)
            return True
        except DBAPIError:
            log.warning("outbox: message %d not attempted (database unavailable); back to the queue later", row_id)
            self._settle(row_id, lambda: self._requeue(row_id, 0.0, None, keep_attempted=True,
                                                       restore=(before, attempts)))
            return False

    def _reconcile(self, row: OutboundRecord, connector: Channel, out: Outgoing) -> Outgoing | None:
        """What the provider holds of the earlier attempt. None: settled (sent, or retried later); else the
        message to send, with the parts the provider already has marked accepted."""
        row_id = row.id
        assert row_id is not None and row.attempted_at is not None
        ask = getattr(connector, "reconcile", None)
        try:
            found: Reconciled | None = ask(out, as_utc(row.attempted_at)) if ask is not None else None
        except SendError as exc:
            error = f"provider not reachable to reconcile: {exc}"
            self._after_error(row, row.attempts, backoff(max(row.attempts, 1)), error, (), unknown=True)
            return None
        if found is None:
            log.warning("outbox: message %d: %s", row_id, UNCONFIRMED)
            self._settle(row_id, lambda: self._finish(row_id, "sent", unconfirmed=True))
            return None
        parts = self._not_elsewhere(row_id, found.parts)
        if parts and all(parts):
            log.info("outbox: message %d was with the provider already (reconciled): not resent", row_id)
            first = parts[0]
            assert first is not None
            self._settle(row_id, lambda: self._finish(row_id, "sent", provider_id=first, used=found.channel,
                                                      parts=len(parts), reconciled=True))
            return None
        accepted = list(out.accepted)
        for part in parts[len(accepted):]:
            if part is None:
                break
            accepted.append(part)
        log.info("outbox: message %d not with the provider (%d of %d parts): sending", row_id,
                 sum(1 for p in parts if p), len(parts))
        return replace(out, accepted=tuple(accepted))

    def _not_elsewhere(self, row_id: int, parts: tuple[str | None, ...]) -> list[str | None]:
        """Provider ids already recorded on another row are another reply with the same text, not this one."""
        ids = [p for p in parts if p]
        if not ids:
            return list(parts)
        with reading(self.engine) as tx:
            taken = set(tx.exec(select(OutboundRecord.provider_id).where(
                col(OutboundRecord.provider_id).in_(ids), OutboundRecord.id != row_id)).all())
        return [None if p in taken else p for p in parts]

    def _after_error(self, row: OutboundRecord, attempts: int, delay: float, error: str,
                     accepted: tuple[str, ...], *, unknown: bool = False) -> None:
        """A retry, unless the row has had its attempts or its time: then a failure that says so."""
        row_id = row.id
        assert row_id is not None
        age = utcnow() - as_utc(row.created_at)
        if attempts >= self.max_attempts or age + timedelta(seconds=delay) > self.max_age:
            gave_up = (f"gave up after {attempts} attempt(s) over {age.total_seconds() / 3600:.1f} h "
                       f"(limits {self.max_attempts}, {self.max_age.total_seconds() / 3600:g} h): {error}")
            if unknown:  # the last attempt may have reached the user; taking it as failed could hide that
                gave_up += "; the last attempt's outcome is unknown"
            self._settle(row_id, lambda: self._finish(row_id, "failed", error=gave_up, accepted=accepted))
            return
        self._settle(row_id, lambda: self._requeue(row_id, delay, error, keep_attempted=unknown, accepted=accepted))
        log.info("outbox: message %d retried in %.1fs after attempt %d: %s", row_id, delay, attempts, error)

    # ---- writes that must survive a database blip -------------------------------------------------
    def _settle(self, row_id: int, write: Callable[[], None]) -> None:
        """Record an outcome known in memory: retried now with backoff, else kept for the next rounds."""
        try:
            self._write(row_id, write)
        except DBAPIError:
            log.warning("outbox: message %d: outcome kept in memory until the database is back", row_id)
            with self._lock:
                self._pending.append((row_id, write))
            return
        with self._lock:
            self._sending.discard(row_id)
            self._claimed.discard(row_id)

    def _write(self, row_id: int, write: Callable[[], None], retries: tuple[float, ...] = WRITE_RETRIES) -> None:
        for delay in (*retries, None):
            try:
                write()
                return
            except DBAPIError:
                if delay is None:
                    raise
                log.info("outbox: message %d: database error on write, retrying in %.2fs", row_id, delay)
                time.sleep(delay)

    def flush(self, final: bool = False) -> int:
        """Write the outcomes the database refused earlier; the number written."""
        with self._lock:
            pending, self._pending = list(self._pending), deque()
        written = 0
        for i, (row_id, write) in enumerate(pending):
            try:
                self._write(row_id, write, retries=WRITE_RETRIES if final else ())
            except DBAPIError:
                with self._lock:
                    self._pending.extendleft(reversed(pending[i:]))
                if final:
                    log.error("outbox: %d outcome(s) not recorded at stop; their rows will be reconciled",
                              len(pending) - i)
                break
            written += 1
            with self._lock:
                self._sending.discard(row_id)
                self._claimed.discard(row_id)
        return written

    def _requeue(self, row_id: int, delay: float, error: str | None, *, keep_attempted: bool,
                 accepted: tuple[str, ...] = (), restore: tuple[datetime | None, int] | None = None) -> None:
        with transaction(self.engine) as tx:
            row = tx.get(OutboundRecord, row_id)
            if row is None or row.status != "sending":
                return
            if restore is not None:
                row.attempted_at, row.attempts = restore
            row.status, row.claimed_until = "queued", None
            row.last_error = error or row.last_error
            if not keep_attempted:
                row.attempted_at = None  # the provider answered: it does not have it
            if accepted:
                row.meta = {**row.meta, "accepted_parts": list(accepted)}
            row.next_attempt_at = utcnow() + timedelta(seconds=delay)
            tx.add(row)

    def _finish(
        self, row_id: int, status: str, *, error: str | None = None, provider_id: str | None = None,
        used: str | None = None, parts: int = 1, stopped: bool = False, unconfirmed: bool = False,
        reconciled: bool = False, accepted: tuple[str, ...] = (),
    ) -> None:
        with transaction(self.engine) as tx:
            row = tx.get(OutboundRecord, row_id)
            if row is None:
                return
            meta = dict(row.meta)
            if provider_id or unconfirmed:
                row.provider_id = row.provider_id or provider_id
                row.sent_at = utcnow()
                if used and used != row.channel:
                    meta["sent_via"] = used
                if parts > 1:
                    meta["parts"] = parts
                if unconfirmed:
                    meta["unconfirmed"] = UNCONFIRMED
                if reconciled:
                    meta["reconciled"] = True
                meta.pop("accepted_parts", None)
            elif accepted:
                meta["accepted_parts"] = list(accepted)
            row.meta = meta
            if row.status == "sending" or row.last_error == INTERRUPTED:
                row.status = status
            else:
                _advance(row, status)  # a status callback may already have moved it on
            row.claimed_until, row.attempted_at = None, None
            row.last_error = error or (UNCONFIRMED if unconfirmed else None)
            if provider_id or unconfirmed:
                forget_delivered(row)  # the confirmation of an erasure keeps nothing once delivered
            tx.add(row)
            if stopped:
                _opt_out(tx, row.contact_id)
        if error:
            log.warning("outbox: message %d %s: %s", row_id, status, error)

