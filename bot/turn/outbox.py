"""The outbound delivery worker: claims outbox rows, sends them through their channel, records.

Delivery policy (at-most-once for the one uncertain moment, at-least-once everywhere else):
- A turn writes its replies as `queued` rows in the turn's own transaction.
- A worker CLAIMS rows (`FOR UPDATE SKIP LOCKED` on PostgreSQL; on SQLite `BEGIN IMMEDIATE`
  makes the claim a single writer) and commits `status='sending'`, `claimed_until=now+lease`
  BEFORE any network call. Only the oldest unfinished row of a contact can be claimed, so one
  chat's messages leave in order; Telegram chats are also paced (`pace_seconds`).
- Success -> `sent` with the provider's id. Throttling/5xx -> back to `queued` with a backoff
  (the provider's retry_after when given). A permanent error -> `failed` with `last_error`.
- A `sending` row whose lease ran out belongs to a worker that died mid-send: the provider may or
  may not have it, and neither Telegram nor Twilio offers an idempotency key. It is marked
  `failed` ("interrupted") and NOT sent again: never twice. Rows that were queued when the process
  died are simply delivered after restart, once. A Twilio status callback that names the row
  (`?outbox=ID` in the callback URL) later restores its real state.
- Status callbacks only move a row forward: queued < sending < sent < delivered < read, and
  failed/undelivered are final.
"""

from __future__ import annotations

import logging
import os
import random
import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

from sqlalchemy.engine import Engine
from sqlalchemy.orm import aliased
from sqlmodel import Session, col, select, update

from bot.errors import ContactStopped, SendError, Throttled
from bot.lang.bidi import isolate_ltr
from bot.messages import Button, Channel, DeliveryStatus, Outgoing, for_message_channel
from storage.db import is_sqlite, transaction
from storage.erase import forget_delivered
from storage.models import Contact, OutboundRecord, utcnow

log = logging.getLogger("tawasul.outbox")
RANK = {"queued": 0, "sending": 1, "sent": 2, "delivered": 3, "read": 4, "failed": 5, "undelivered": 5}
INTERRUPTED = "interrupted during send; not retried so that it is never sent twice"
MAX_ATTEMPTS = 8


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
        batch: int = 32,
        senders: int = 8,
        idle_seconds: float = 0.2,
        lease: timedelta | None = None,
    ) -> None:
        self.engine = engine
        self.channels = channels
        self.batch = batch
        self.idle_seconds = idle_seconds
        seconds = float(os.environ.get("TAWASUL_OUTBOX_LEASE_SECONDS", "60"))
        self.lease = lease or timedelta(seconds=seconds)
        self._pool = ThreadPoolExecutor(max_workers=senders, thread_name_prefix="outbox-send")
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._claimed: set[int] = set()  # claimed by this worker, not yet handed to a provider
        self._claimed_lock = threading.Lock()

    @property
    def served(self) -> list[str]:
        return sorted({c for ch in self.channels.values() for c in ch.serves})

    def start(self) -> None:
        self._stop.clear()
        self._thread = threading.Thread(target=self._loop, name="outbox", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        """Stop claiming; sends already with a provider finish; rows claimed but not yet sent go back to
        the queue at once (another worker, or this service's next start, sends them), not after the lease
        as "interrupted"."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=15)
        self._pool.shutdown(wait=True)
        self.release_claimed()

    def release_claimed(self) -> int:
        with self._claimed_lock:
            ids, self._claimed = sorted(self._claimed), set()
        if not ids:
            return 0
        with transaction(self.engine) as tx:
            result = tx.exec(
                update(OutboundRecord)
                .where(col(OutboundRecord.id).in_(ids), col(OutboundRecord.status) == "sending")
                .values(status="queued", claimed_until=None, attempts=OutboundRecord.attempts - 1)
            )
            count = int(result.rowcount or 0)
        log.info("outbox: %d claimed message(s) released unsent at shutdown", count)
        return count

    def _loop(self) -> None:
        while not self._stop.is_set():
            try:
                done = self.run_once()
            except Exception:  # e.g. the database is away for a moment: the worker thread must live on
                log.exception("outbox round failed")
                done = 0
            if not done:
                self._stop.wait(self.idle_seconds)

    def run_once(self) -> int:
        """Reap expired claims, claim a batch, send it (different chats in parallel); rows handled."""
        self.reap()
        ids = self.claim()
        list(self._pool.map(self.deliver, ids))
        return len(ids)

    def reap(self) -> int:
        with transaction(self.engine) as tx:
            result = tx.exec(
                update(OutboundRecord)
                .where(col(OutboundRecord.status) == "sending", col(OutboundRecord.claimed_until) < utcnow())
                .values(status="failed", last_error=INTERRUPTED, claimed_until=None)
            )
            count = int(result.rowcount or 0)
        if count:
            log.warning("outbox: %d message(s) interrupted mid-send were marked failed (not resent)", count)
        return count

    def claim(self) -> list[int]:
        now = utcnow()
        earlier = aliased(OutboundRecord)
        recent = aliased(OutboundRecord)
        paced = [c for ch in self.channels.values() if ch.pace_seconds > 0 for c in ch.serves]
        pace = max((ch.pace_seconds for ch in self.channels.values()), default=0.0)
        head_of_line = (
            select(earlier.id)
            .where(earlier.contact_id == OutboundRecord.contact_id, col(earlier.id) < col(OutboundRecord.id),
                   col(earlier.status).in_(("queued", "sending")))
            .exists()
        )
        just_sent = (
            select(recent.id)
            .where(recent.contact_id == OutboundRecord.contact_id, col(recent.sent_at) > now - timedelta(seconds=pace))
            .exists()
        )
        query = (
            select(OutboundRecord.id)
            .where(OutboundRecord.status == "queued", OutboundRecord.next_attempt_at <= now,
                   col(OutboundRecord.channel).in_(self.served), ~head_of_line)
            .order_by(col(OutboundRecord.next_attempt_at), col(OutboundRecord.id))
            .limit(self.batch)
        )
        if paced:
            query = query.where(col(OutboundRecord.channel).not_in(paced) | ~just_sent)
        if not is_sqlite(self.engine):
            query = query.with_for_update(skip_locked=True, of=OutboundRecord)
        with transaction(self.engine) as tx:
            ids = [i for i in tx.exec(query).all() if i is not None]
            if ids:
                tx.exec(
                    update(OutboundRecord)
                    .where(col(OutboundRecord.id).in_(ids))
                    .values(status="sending", claimed_until=now + self.lease, attempts=OutboundRecord.attempts + 1)
                )
        with self._claimed_lock:
            self._claimed.update(ids)
        return ids

    def deliver(self, row_id: int) -> None:
        with self._claimed_lock:
            if self._stop.is_set():
                return  # shutting down: left claimed, released by stop()
            self._claimed.discard(row_id)
        with transaction(self.engine) as tx:
            row = tx.get(OutboundRecord, row_id)
            contact = tx.get(Contact, row.contact_id) if row else None
        if row is None or contact is None:
            return
        connector = for_message_channel(self.channels, row.channel)
        if contact.opted_out and not row.meta.get("opt_out_confirmation"):
            self._finish(row_id, "failed", error="contact opted out; not sent")
            return
        if connector is None:
            self._finish(row_id, "failed", error=f"no connector for channel {row.channel!r}")
            return
        out = Outgoing(
            outbox_id=row_id, channel=row.channel, to=row.to_address, text=isolate_ltr(row.text),
            buttons=tuple(Button(b["id"], b["title"]) for b in row.buttons),
            meta={**row.meta, "expects": (row.session or {}).get("expects")},
            org_slug=contact.org_slug, last_inbound_at=contact.last_inbound_at,
        )
        try:
            result = connector.send(out)
        except Throttled as exc:
            self._retry(row_id, row.attempts, max(exc.retry_after, 0.5), f"throttled ({exc.code or '429'})")
        except ContactStopped as exc:
            self._finish(row_id, "failed", error=f"contact opted out (error {exc.code or '-'})", stopped=True)
        except SendError as exc:
            if exc.retryable and row.attempts < MAX_ATTEMPTS:
                self._retry(row_id, row.attempts, backoff(row.attempts), f"{exc} (error {exc.code or '-'})")
            else:
                self._finish(row_id, "failed", error=f"{exc} (error {exc.code or '-'})")
        else:
            self._finish(row_id, "sent", provider_id=result.provider_id, used=result.channel, parts=result.parts)

    def _retry(self, row_id: int, attempts: int, delay: float, error: str) -> None:
        with transaction(self.engine) as tx:
            row = tx.get(OutboundRecord, row_id)
            if row is None or row.status != "sending":
                return
            row.status, row.claimed_until, row.last_error = "queued", None, error
            row.next_attempt_at = utcnow() + timedelta(seconds=delay)
            tx.add(row)
        log.info("outbox: message %d retried in %.1fs after attempt %d: %s", row_id, delay, attempts, error)

    def _finish(
        self, row_id: int, status: str, *, error: str | None = None, provider_id: str | None = None,
        used: str | None = None, parts: int = 1, stopped: bool = False,
    ) -> None:
        with transaction(self.engine) as tx:
            row = tx.get(OutboundRecord, row_id)
            if row is None:
                return
            if provider_id:
                row.provider_id = row.provider_id or provider_id
                row.sent_at = utcnow()
                meta = dict(row.meta)
                if used and used != row.channel:
                    meta["sent_via"] = used
                if parts > 1:
                    meta["parts"] = parts
                row.meta = meta
            if row.status == "sending" or row.last_error == INTERRUPTED:
                row.status = status
            else:
                _advance(row, status)  # a status callback may already have moved it on
            row.claimed_until, row.last_error = None, error
            if provider_id:
                forget_delivered(row)  # the confirmation of an erasure keeps nothing once delivered
            tx.add(row)
            if stopped:
                _opt_out(tx, row.contact_id)
        if error:
            log.warning("outbox: message %d %s: %s", row_id, status, error)
