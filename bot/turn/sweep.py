"""Periodic sweeps that act without a beneficiary's message: handoffs whose staff stayed silent.

The decision is the handoff flow's (`handoff.timed_out`, `handoff.time_out`); this module finds the
candidates and applies the result like a staff action, one contact per transaction (its lock held),
so a sweep never races a turn of the same contact. `tawasul serve` runs it from the turn runner's
sweeper; `tawasul staff sweep` runs it once.

    >>> sweep_handoffs(get_engine(), utc_now())                     # doctest: +SKIP
    [3, 7]
"""

from __future__ import annotations

import logging
from datetime import datetime

from sqlalchemy.engine import Engine
from sqlmodel import col, select

from bot.flows import handoff
from bot.flows.base import Result
from bot.flows.effects import CloseHandoff
from bot.turn.notify import context_for, push
from bot.turn.read import handoff_silence
from bot.turn.write import conversation_of
from storage.db import transaction
from storage.models import Handoff
from storage.queries import audit, lock_contact

log = logging.getLogger("tawasul.sweep")
ACTOR = "system"


def due_handoffs(engine: Engine, now: datetime) -> list[int]:
    """Open handoffs without staff activity for longer than the silence limit (ids, oldest first)."""
    cutoff = now - handoff_silence()
    with transaction(engine) as tx:
        return [h for h in tx.exec(
            select(Handoff.id).where(Handoff.status == "open", col(Handoff.last_activity_at) <= cutoff)
            .order_by(col(Handoff.id))
        ).all() if h is not None]


def time_out_handoff(engine: Engine, handoff_id: int, now: datetime) -> bool:
    """Give one silent handoff back to the bot (the beneficiary is told); False when nothing was due."""
    with transaction(engine) as tx:
        found = tx.get(Handoff, handoff_id)
        if found is None or found.status != "open":
            return False
        contact = lock_contact(tx, found.contact_id)
        tx.refresh(found)  # a staff reply may have landed while we waited for the lock
        state = dict(conversation_of(tx, contact).state or {})
        if handoff.is_quiet(state):
            if not handoff.timed_out(state, now, handoff_silence()):
                return False
            push(tx, contact, handoff.time_out(state, context_for(tx, contact, now)), now=now)
        else:
            # The row outlived its conversation (e.g. the session was reset): close it quietly.
            push(tx, contact, Result(state, (), (CloseHandoff("timeout"),)), now=now, set_state=False)
        hours = handoff_silence().total_seconds() / 3600
        audit(tx, ACTOR, "handoff_timeout", f"H{handoff_id}", now, silence_hours=hours)
        return True


def sweep_handoffs(engine: Engine, now: datetime) -> list[int]:
    """Time out every due handoff; the ids released."""
    released = [h for h in due_handoffs(engine, now) if time_out_handoff(engine, h, now)]
    if released:
        log.info("released %d silent handoff(s): %s", len(released), released)
    return released
