"""Messages the bot sends without being asked (R6): status changes, staff replies, the end of a handoff,
the rating question after delivery, surveys. Each is a pure flow `Result` pushed into the outbox of
the contact's own channel, in the contact's language, inside the caller's transaction.

    >>> with transaction() as tx:                                  # doctest: +SKIP
    ...     contact = tx.get(Contact, 7)
    ...     push(tx, contact, Result({}, (Reply("..."),)), now=utc_now())
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlmodel import Session, select

from bot.flows import handoff, moreinfo, rating
from bot.flows.base import Context, Reply, RequestView, Result, State
from bot.flows.status import status_label
from bot.lang.calendar import both_calendars
from bot.turn.read import load_context
from bot.turn.references import new_reference
from bot.turn.write import conversation_of, write_result
from storage.models import Contact, OutboundRecord, Rating, ServiceRequest, StatusChange
from storage.queries import lock_contact


def context_for(tx: Session, contact: Contact, now: datetime) -> Context:
    """The same view of the contact a turn gets (their own requests only), in their language."""
    return load_context(tx, contact, now, contact.language or "ar", new_reference, nlu_available=False)


def is_idle(state: State) -> bool:
    return not state.get("flow")


def push(
    tx: Session,
    contact: Contact,
    result: Result,
    *,
    now: datetime,
    set_state: bool = True,
    meta: dict[str, Any] | None = None,
) -> list[OutboundRecord]:
    """Apply the result's effects, store its state (if asked) and queue its replies."""
    return write_result(tx, contact, result, lang=contact.language or "ar", now=now, set_state=set_state, meta=meta)


def status_notice(ctx: Context, req: ServiceRequest, status: str, note: str | None) -> Result:
    """The proactive notice of a decision on a request (R6)."""
    service = next((s for s in ctx.org.services if s.id == req.service_id), None)
    lines = [ctx.t("Update on your request {reference} ({service}): {status}.", reference=req.reference,
                   service=ctx.local(service.name) if service else req.service_id, status=status_label(ctx, status))]
    if note:
        lines.append(ctx.t("Note: {note}", note=note))
    if status in ("submitted", "under_study", "needs_info") and req.due_date and ctx.org.deadline.is_deadline:
        lines.append(ctx.t("Expected reply by {date}.", date=both_calendars(req.due_date, ctx.lang)))
    event = {"type": "status_reported", "reference": req.reference, "status": status, "proactive": True}
    return Result({}, (Reply("\n".join(lines)),), (), (event,))


def notify_status(tx: Session, req: ServiceRequest, status: str, note: str | None, now: datetime) -> int:
    """Tell the owner of `req` about its new status; after delivery, ask once for a rating. Messages queued."""
    contact = lock_contact(tx, req.contact_id)
    ctx = context_for(tx, contact, now)
    conversation = conversation_of(tx, contact)
    state: State = dict(conversation.state or {})
    notice = status_notice(ctx, req, status, note)
    if status == "delivered" and _should_ask_rating(tx, ctx, req) and is_idle(state) and not contact.opted_out:
        ask = rating.after_delivery(ctx, req.reference)
        rows = push(tx, contact, notice.then(ask), now=now, meta={"template": "rating_request"})
        return len(rows)
    if status == "needs_info":
        return len(_ask_for_info(tx, contact, ctx, state, notice, req, note, now))
    # The conversation stays where it is (a form in progress, a handoff): the notice only adds a message.
    return len(push(tx, contact, notice, now=now, set_state=False, meta={"template": "status_update"}))


def _ask_for_info(tx: Session, contact: Contact, ctx: Context, state: State, notice: Result, req: ServiceRequest,
                  note: str | None, now: datetime) -> list[OutboundRecord]:
    """needs_info: an idle conversation now waits for the information (bot/flows/moreinfo.py); a busy one is
    not interrupted: the request is remembered in the state and offered when the contact's flow ends."""
    view = RequestView(req.reference, req.service_id, req.status, req.submitted_at, req.due_date,
                       tuple(req.committees), note)
    meta = {"template": "status_update"}
    if is_idle(state) and not handoff.is_quiet(state):
        waiting = moreinfo.reply_here(ctx, view)
        return push(tx, contact, _one_message(notice, waiting), now=now, meta=meta)
    later = Reply(ctx.t("You can send it when you have finished what you are doing now; I will remind you."))
    busy = _one_message(notice, Result({**state, moreinfo.PENDING: req.reference}, (later,)))
    return push(tx, contact, busy, now=now, meta=meta)


def _should_ask_rating(tx: Session, ctx: Context, req: ServiceRequest) -> bool:
    if not ctx.org.satisfaction.ask_after_delivery:
        return False
    delivered = tx.exec(
        select(StatusChange.id).where(StatusChange.request_id == req.id, StatusChange.status == "delivered")
    ).all()
    rated = tx.exec(select(Rating.id).where(Rating.request_id == req.id)).first()
    return len(delivered) <= 1 and rated is None  # asked once: only at the first delivery, never after a rating


def _one_message(notice: Result, then: Result) -> Result:
    """The notice and what follows it as one message (one outbox row, one notification on the phone)."""
    text = "\n".join(r.text for r in (*notice.replies, *then.replies))
    buttons = then.replies[-1].buttons if then.replies else ()
    return Result(then.state, (Reply(text, buttons),), notice.effects + then.effects, notice.events + then.events)
