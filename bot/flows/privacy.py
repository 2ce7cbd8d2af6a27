"""Privacy requests (Saudi PDPL): a copy of my data, a correction, or deletion; answered within 30 days.

    start ─► kind (expects privacy_kind) ─┬─ access ──────────────────────────────┐
                                          ├─ correction ─► what to correct (details) ─┼─► CreatePrivacyRequest,
                                          └─ deletion ─► are you sure? (confirm) ───┘   reference + due date
An opening message that names the kind goes straight to it ("ابي احذف بياناتي" -> confirm deletion,
"I want a copy of my data" -> recorded, "صححوا بياناتي" -> what to correct).
Example: "بياناتي" -> expects privacy_kind -> "3" -> expects confirm -> "نعم" ->
"سجلنا طلبك برقم PRV-... وسنرد خلال 30 يومًا" (events: privacy_requested)
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from bot.flows.base import Context, Input, Reply, Result, State, ask, done
from bot.flows.effects import CreatePrivacyRequest
from bot.flows.validators import check_field
from bot.lang.calendar import both_calendars
from bot.lang.i18n import N_
from bot.lang.words import canon, digit_choice, is_no, is_yes
from bot.messages import Button

NAME = "privacy"
ENTRY_INTENTS = ("privacy_request",)
PREFIX = "PRV"
LEGAL_DAYS = 30
KINDS: tuple[tuple[str, str], ...] = (
    ("access", N_("A copy of the data you hold about me")),
    ("correction", N_("Correct my data")),
    ("deletion", N_("Delete my data")),
)


# Words of an opening message that name the kind of request (canonical spelling, whole words).
_KIND_WORDS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("deletion", ("احذف", "حذف", "تحذف", "تحذفون", "تحذفوا", "احذفوا", "امسح", "مسح", "امسحوا", "تمسحوا", "ازاله",
                  "delete", "erase", "remove", "hapus", "menghapus", "ڈیلیٹ", "مٹا", "مٹائیں", "حذف کریں")),
    ("correction", ("صحح", "صححوا", "تصحيح", "عدل", "عدلوا", "تعديل", "اعدل", "غلط", "خطا", "خاطئه", "correct",
                    "correction", "fix", "wrong", "update", "perbaiki", "koreksi", "ubah", "درست", "تصحیح", "غلط ہے")),
    ("access", ("نسخه", "نسخة", "اطلع", "اشوف", "وش عندكم", "ايش عندكم", "copy", "access", "see", "what data",
                "salinan", "lihat", "کاپی", "دیکھنا")),
)
_KINDS_CANON = tuple((kind, tuple(f" {canon(w)} " for w in words)) for kind, words in _KIND_WORDS)


def kind_in(text: str) -> str | None:
    """The one kind ("deletion", "correction", "access") an opening message names, else None."""
    padded = f" {canon(text)} "
    found = [kind for kind, words in _KINDS_CANON if any(w in padded for w in words)]
    return found[0] if len(found) == 1 else None


def start(ctx: Context, inp: Input) -> Result:
    kind = kind_in(inp.text) if inp.text else None
    if kind is not None:
        return _open_kind(ctx, kind)
    return _ask_kind(ctx)


def _open_kind(ctx: Context, kind: str) -> Result:
    if kind == "access":
        return _record(ctx, kind, None)
    if kind == "correction":
        return _ask_details(ctx, {"kind": kind})
    return _ask_confirm(ctx, {"kind": kind})


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
        return _open_kind(ctx, KINDS[pick - 1][0])
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
