"""The flow registry: flow name -> module, intent -> flow that it opens.

Every module has NAME, ENTRY_INTENTS, start(ctx, inp) and step(state, ctx, inp); see bot/flows/base.py.
A module with questions also has prompt(state, ctx): the question its state waits on, rendered afresh
(so a language change, "back", a greeting after a pause or the end of a handoff asks it in the
contact's current language).
"""

from __future__ import annotations

from types import ModuleType

from bot.flows import (
    complaint,
    handoff,
    info,
    language,
    moreinfo,
    privacy,
    rating,
    status,
    urgent,
    volunteer,
)
from bot.flows.base import Context, Reply, State
from bot.flows.intake import form as intake
from bot.messages import Button

FLOWS: dict[str, ModuleType] = {
    m.NAME: m
    for m in (intake, status, complaint, rating, handoff, info, volunteer, urgent, privacy, language, moreinfo)
}


def flow_for_intent(intent: str | None) -> ModuleType | None:
    if intent is None:
        return None
    for module in FLOWS.values():
        if intent in module.ENTRY_INTENTS:
            return module
    return None


def reprompt(state: State, ctx: Context) -> tuple[Reply, ...]:
    """The question `state` waits on, in ctx's language; the stored text when the flow cannot render it."""
    module = FLOWS.get(str(state.get("flow") or ""))
    render = getattr(module, "prompt", None)
    if render is not None and state.get("expects"):
        replies: tuple[Reply, ...] = tuple(render(state, ctx))
        if replies:
            return replies
    stored = state.get("prompt")
    if not stored:
        return ()
    return (Reply(stored["text"], tuple(Button(b["id"], b["title"]) for b in stored.get("buttons", []))),)


def carry_on(state: State, ctx: Context, pending: tuple[Reply, ...]) -> tuple[State, tuple[Reply, ...]]:
    """After an interruption (a handoff, a language change): go back to `state` and ask its `pending`
    question again, or, with nothing pending, start afresh with the menu hint."""
    if pending:
        return state, (Reply(ctx.t("Let us continue where we stopped.")), *pending)
    return {}, (Reply(ctx.t("Write 'menu' at any time to see what I can do.")),)
