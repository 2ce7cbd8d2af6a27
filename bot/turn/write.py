"""The one way a step's `Result` is saved: its effects written, its state stored, its replies queued.

A turn (bot/turn/runtime.py) and a message the bot sends unasked (bot/turn/notify.py) both call
`write_result` inside their own transaction, so the records, the conversation state and the outbox
rows of one step commit together.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlmodel import Session

from bot.flows.base import Result, State
from bot.turn.apply import Turn, apply
from storage import turnrows
from storage.models import Contact, Conversation, OutboundRecord


def summary_of(state: State) -> dict[str, Any]:
    """The `session` object of the chat contract."""
    return {"flow": state.get("flow"), "step": state.get("step"), "expects": state.get("expects")}


def conversation_of(tx: Session, contact: Contact) -> Conversation:
    assert contact.id is not None
    return tx.get(Conversation, contact.id) or Conversation(contact_id=contact.id, state={})


def write_result(
    tx: Session,
    contact: Contact,
    result: Result,
    *,
    lang: str,
    now: datetime,
    channel: str | None = None,
    conversation: Conversation | None = None,
    stored: turnrows.SessionRow | None = None,
    processed: tuple[int, dict[str, Any]] | None = None,
    set_state: bool = True,
    in_reply_to: int | None = None,
    meta: dict[str, Any] | None = None,
) -> list[OutboundRecord]:
    """Apply `result`'s effects, store its state (unless `set_state` is False) and queue its replies.

    `channel` is the channel the step came from (the contact's own by default); the replies always go
    to the contact's channel, in its language (a SetLanguage effect in this step wins).

    `stored`: the session as a turn read it (bot/turn/runtime.py); its new state is then written over that
    version (turnrows.finish_turn), not through the ORM, together with the turn's message
    marked `processed` (its id and payload).
    """
    assert contact.id is not None
    turn = Turn(contact=contact, channel=channel or contact.channel, language=lang, now=now)
    for effect in result.effects:
        apply(effect, tx, turn)
    if contact.language_locked and contact.language:
        lang = contact.language  # the contact changed language in this step (SetLanguage)
    if stored is not None:  # a turn: its session is always written, with its message's processed mark
        assert set_state
        state: State = {**result.state, "lang": lang}
    else:
        conversation = conversation if conversation is not None else conversation_of(tx, contact)
        state = dict(conversation.state or {})
        if set_state:
            state = {**result.state, "lang": lang}
            conversation.state = state
            conversation.version += 1
            conversation.updated_at = now
            tx.add(conversation)
    tx.add(contact)
    session = summary_of(state)
    rows: list[OutboundRecord] = []
    for i, reply in enumerate(result.replies):
        last = i == len(result.replies) - 1
        rows.append(  # a plain carrier of the row's values (queue_replies inserts it): no ORM instrumentation
            OutboundRecord.model_construct(
                contact_id=contact.id, channel=contact.channel, to_address=contact.address, text=reply.text,
                buttons=[b.as_dict() for b in reply.buttons], language=lang, session=session,
                events=list(result.events) if last else [], meta={**(meta or {}), **reply.meta},
                in_reply_to=in_reply_to, created_at=now, next_attempt_at=now,
            )
        )
    tx.flush()  # the effects' rows first: a reply never refers to them, but the order stays the ORM's
    if stored is not None:
        assert processed is not None
        turnrows.finish_turn(tx, stored, state, now, processed, rows)  # one round trip on PostgreSQL
    else:
        turnrows.queue_replies(tx, rows)
    return rows
