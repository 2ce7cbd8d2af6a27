"""The bot's own replies outside any flow: the main menu, the greeting, small talk, "did you mean",
and why a file the channel refused did not arrive. Pure: (context, input) -> Result.
"""

from __future__ import annotations

from typing import Any

from bot import flows
from bot.flows import handoff
from bot.flows.base import Context, Input, Reply, Result, State, done
from bot.lang.courtesy import in_kind
from bot.lang.i18n import N_
from bot.messages import Button

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
    ("privacy_request", N_("My personal data")),
)
INTENT_TITLES = dict(MENU) | {"cancel": N_("Cancel")}


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


def open_flow(intent: str, ctx: Context, inp: Input) -> Result | None:
    module = flows.flow_for_intent(intent)
    if module is None:
        return None
    result: Result = module.start(ctx, inp)
    return result


def small_talk(intent: str, ctx: Context, text: str = "") -> Result | None:
    if intent == "greet":
        return greet(ctx)
    if intent == "thanks":
        if in_kind(text) in ("jazak", "afiya"):
            # The in-kind answer («وإياكم») comes first (router.decide); "you are welcome" would repeat it.
            return done(Reply(ctx.t("We are always glad to serve you.")))
        return done(Reply(ctx.t("You are welcome. We are always glad to serve you.")))
    if intent == "goodbye":
        return done(Reply(ctx.t("Goodbye. You can write to us at any time.")))
    if intent == "out_of_scope":
        return menu(ctx, prefix=ctx.t("Sorry, I cannot help with that, but here is what I can do."))
    return None


def clarify(ctx: Context, state: State, inp: Input) -> Result:
    options = [i for i, _ in inp.ranking if i in INTENT_TITLES and flows.flow_for_intent(i)][:3]
    misunderstood = int(state.get("misunderstood", 0)) + 1
    if misunderstood > MAX_MISUNDERSTOOD and flows.flow_for_intent("human_handoff"):
        reason = {"entity": "reason", "value": "not_understood"}
        return handoff.start(ctx, Input(text=inp.text, intent="human_handoff", entities=(reason,)))
    if not options:
        result = menu(ctx, prefix=ctx.t("Sorry, I did not understand."))
        return Result({**result.state, "misunderstood": misunderstood}, result.replies)
    buttons = tuple(Button(str(i), ctx.t(INTENT_TITLES[o])) for i, o in enumerate(options, 1))
    text = ctx.t("Did you mean one of these?")
    return Result({"menu": options, "misunderstood": misunderstood}, (Reply(text, buttons),))


def refusal(ctx: Context, refused: tuple[dict[str, Any], ...]) -> Reply:
    """Why a file the beneficiary sent did not arrive (the channel refused it: type, size, download)."""
    reasons = {str(r.get("reason")) for r in refused}
    if "type" in reasons:
        return Reply(ctx.t("Sorry, I could not receive your file: this type of file is not accepted. "
                           "Please send a photo or a PDF file."))
    if "size" in reasons:
        limits = [int(r["max_bytes"]) for r in refused if r.get("max_bytes")]
        if limits:
            megabytes = max(1, min(limits) // (1024 * 1024))
            return Reply(ctx.t("Sorry, I could not receive your file: it is larger than {size} MB. "
                               "Please send a smaller file.", size=megabytes))
        return Reply(ctx.t("Sorry, I could not receive your file: it is too large. Please send a smaller file."))
    return Reply(ctx.t("Sorry, I could not receive your file. Please send it again."))
