"""Privacy requests (Saudi PDPL): a copy of my data, a correction, or deletion; answered within 30 days.

    start ─► kind (expects privacy_kind) ─┬─ access ──────────────────────────────┐
                                          ├─ correction ─► what to correct (details) ─┼─► CreatePrivacyRequest,
                                          └─ deletion ─► are you sure? (confirm) ───┘   reference + due date
Example: "ابغى احذف بياناتي" -> expects privacy_kind -> "3" -> expects confirm -> "نعم" ->
"سجلنا طلبك برقم PRV-... وسنرد خلال 30 يومًا" (events: privacy_requested)
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from bot.calendar import both_calendars
from bot.effects import CreatePrivacyRequest
from bot.flows.base import Context, Input, Reply, Result, State, ask, done
from bot.flows.words import digit_choice, is_no, is_yes
from bot.i18n import N_
from bot.messages import Button
from bot.validators import check_field

NAME = "privacy"
ENTRY_INTENTS = ("privacy_request",)
PREFIX = "PRV"
LEGAL_DAYS = 30
KINDS: tuple[tuple[str, str], ...] = (
    ("access", N_("A copy of the data you hold about me")),
    ("correction", N_("Correct my data")),
    ("deletion", N_("Delete my data")),
)


def start(ctx: Context, inp: Input) -> Result:
    return _ask_kind(ctx)


def _ask_kind(ctx: Context, prefix: str = "") -> Result:
    text = (prefix + "\n" if prefix else "") + ctx.t("Your personal data is protected by law. What would you like?")
    buttons = tuple(Button(str(i), ctx.t(title)) for i, (_, title) in enumerate(KINDS, 1))
    return ask(NAME, "kind", "privacy_kind", {}, Reply(text, buttons))


def _yes_no(ctx: Context) -> tuple[Button, ...]:
    return (Button("yes", ctx.t("Yes")), Button("no", ctx.t("No")))


def _ask_details(ctx: Context, data: dict[str, Any]) -> Result:
    text = ctx.t("What should be corrected? Please write the correct information.")
    return ask(NAME, "details", "details", data, Reply(text))


def _ask_confirm(ctx: Context, data: dict[str, Any]) -> Result:
    text = ctx.t("Deleting your data also closes your open requests with us, except what the law requires "
                 "us to keep. Do you want to continue?")
    return ask(NAME, "confirm", "confirm", data, Reply(text, _yes_no(ctx)))


def prompt(state: State, ctx: Context) -> tuple[Reply, ...]:
    data: dict[str, Any] = dict(state.get("data") or {})
    asks = {"kind": lambda c, d: _ask_kind(c), "details": _ask_details, "confirm": _ask_confirm}
    render = asks.get(str(state.get("step")))
    return render(ctx, data).replies if render else ()


def step(state: State, ctx: Context, inp: Input) -> Result:
    data: dict[str, Any] = dict(state.get("data") or {})
    current = state.get("step")
    if current == "kind":
        pick = digit_choice(inp.button or inp.text, len(KINDS))
        if pick is None:
            return _ask_kind(ctx, ctx.t("Please choose a number from the list."))
        kind = KINDS[pick - 1][0]
        if kind == "access":
            return _record(ctx, kind, None)
        if kind == "correction":
            return _ask_details(ctx, {"kind": kind})
        return _ask_confirm(ctx, {"kind": kind})
    if current == "details":
        value, error = check_field("details", inp.text)
        if value is None:
            return ask(NAME, "details", "details", data, Reply(ctx.t(error or "")))
        return _record(ctx, str(data["kind"]), value)
    if current == "confirm":
        if inp.button == "yes" or is_yes(inp.text):
            return _record(ctx, str(data["kind"]), None)
        if inp.button == "no" or is_no(inp.text):
            return done(Reply(ctx.t("Nothing was changed. Your data stays as it is.")))
        return ask(NAME, "confirm", "confirm", data, Reply(ctx.t("Please answer yes or no."), _yes_no(ctx)))
    return start(ctx, inp)


def _record(ctx: Context, kind: str, details: str | None) -> Result:
    reference = ctx.new_reference(PREFIX)
    due = ctx.today + timedelta(days=LEGAL_DAYS)
    span = ctx.nt("{n} day", "{n} days", LEGAL_DAYS)
    text = "\n".join([
        ctx.t("Your request has been recorded. Reference number: {reference}", reference=reference),
        ctx.t("The association will answer it within {span}, by {date}, as the Personal Data Protection Law "
              "requires.", span=span, date=both_calendars(due, ctx.lang)),
    ])
    effect = CreatePrivacyRequest(reference=reference, kind=kind, due_date=due, details=details)
    event = {"type": "privacy_requested", "reference": reference, "kind": kind, "due_date": due.isoformat()}
    return done(Reply(text), effects=(effect,), events=(event,))
