"""Routing one input to one pure flow step: the decision half of a turn (no I/O).

Order: global words (cancel, menu, restart) -> the flow waiting for input gets the text first ->
a digit picks an item of the last menu -> the NLU's intent opens a flow -> else clarify or menu.
"""

from __future__ import annotations

from typing import Any

from bot import flows
from bot.flows.base import Context, Input, Reply, Result, State, done
from bot.flows.words import digit_choice, is_cancel, is_menu, is_restart
from bot.i18n import N_
from bot.messages import Button

CONFIDENCE_THRESHOLD = 0.55
MAX_MISUNDERSTOOD = 2

MENU: tuple[tuple[str, str], ...] = (
    ("request_service", N_("Request a service")),
    ("check_status", N_("Status of my request")),
    ("file_complaint", N_("A complaint or suggestion")),
    ("give_rating", N_("Rate a service")),
    ("ask_info", N_("Information and contacts")),
    ("volunteer", N_("Volunteer with us")),
    ("human_handoff", N_("Talk to a staff member")),
    ("urgent_help", N_("Urgent help")),
)
INTENT_TITLES = dict(MENU) | {
    "privacy_request": N_("My personal data"),
    "cancel": N_("Cancel"),
}


def available_menu() -> tuple[tuple[str, str], ...]:
    return tuple((intent, title) for intent, title in MENU if flows.flow_for_intent(intent) is not None)


def menu(ctx: Context, state: State | None = None, prefix: str = "") -> Result:
    items = available_menu()
    text = (prefix + "\n" if prefix else "") + ctx.t("How can I help you? Choose a number:")
    buttons = tuple(Button(str(i), ctx.t(title)) for i, (_, title) in enumerate(items, 1))
    new_state: State = {"menu": [intent for intent, _ in items]}
    if state and state.get("misunderstood"):
        new_state["misunderstood"] = state["misunderstood"]
    return Result(new_state, (Reply(text, buttons),))


def greet(ctx: Context) -> Result:
    welcome = ctx.t("Welcome to {org}. I am the assistant of the association.", org=ctx.local(ctx.org.name))
    return menu(ctx, prefix=welcome)


def _open(intent: str, ctx: Context, inp: Input) -> Result | None:
    module = flows.flow_for_intent(intent)
    if module is None:
        return None
    return module.start(ctx, inp)


def _small_talk(intent: str, ctx: Context) -> Result | None:
    if intent == "greet":
        return greet(ctx)
    if intent == "thanks":
        return done(Reply(ctx.t("You are welcome. We are always glad to serve you.")))
    if intent == "goodbye":
        return done(Reply(ctx.t("Goodbye. You can write to us at any time.")))
    if intent == "out_of_scope":
        return menu(ctx, prefix=ctx.t("Sorry, I cannot help with that, but here is what I can do."))
    return None


def _clarify(ctx: Context, state: State, inp: Input) -> Result:
    options = [i for i, _ in inp.ranking if i in INTENT_TITLES and flows.flow_for_intent(i)][:3]
    misunderstood = int(state.get("misunderstood", 0)) + 1
    if misunderstood > MAX_MISUNDERSTOOD and flows.flow_for_intent("human_handoff"):
        handoff = flows.flow_for_intent("human_handoff")
        assert handoff is not None
        reason = {"entity": "reason", "value": "not_understood"}
        return handoff.start(ctx, Input(text=inp.text, intent="human_handoff", entities=(reason,)))
    if not options:
        result = menu(ctx, prefix=ctx.t("Sorry, I did not understand."))
        return Result({**result.state, "misunderstood": misunderstood}, result.replies)
    buttons = tuple(Button(str(i), ctx.t(INTENT_TITLES[o])) for i, o in enumerate(options, 1))
    text = ctx.t("Did you mean one of these?")
    return Result({"menu": options, "misunderstood": misunderstood}, (Reply(text, buttons),))


def decide(state: State, ctx: Context, inp: Input) -> Result:
    """One step of the conversation for this input."""
    text = inp.text or ""
    in_flow = bool(state.get("flow"))
    if is_cancel(text) or (inp.button == "cancel" and in_flow):
        if in_flow:
            return menu(ctx, prefix=ctx.t("Cancelled. Nothing was submitted."))
        return menu(ctx)
    if is_menu(text) or is_restart(text):
        return menu(ctx)
    if in_flow and state.get("expects"):
        module = flows.FLOWS.get(state["flow"])
        if module is not None:
            return module.step(state, ctx, inp)
    last_menu: list[str] = list(state.get("menu") or [])
    pick = digit_choice(inp.button or text, len(last_menu)) if last_menu else None
    if pick is not None:
        intent = last_menu[pick - 1]
        opened = _open(intent, ctx, Input(intent=intent, language=inp.language))
        if opened is not None:
            return opened
    intent = inp.intent
    if intent is None:
        # The NLU is down or gave nothing: digits and menus keep working.
        if inp.entity("reference"):
            intent = "check_status"
        else:
            return menu(ctx)
    small = _small_talk(intent, ctx)
    if small is not None:
        return small
    if inp.confidence < CONFIDENCE_THRESHOLD and inp.ranking:
        return _clarify(ctx, state, inp)
    opened = _open(intent, ctx, inp)
    if opened is not None:
        return opened
    return menu(ctx)


def summary_of(state: State) -> dict[str, Any]:
    """The `session` object of the chat contract."""
    return {"flow": state.get("flow"), "step": state.get("step"), "expects": state.get("expects")}
