"""Volunteering (R14): register a volunteer (name, phone, city, availability, skills).

    start ─► full_name ─► phone (the channel's number when it vouches for one) ─► city ─► availability
          ─► skills ─► summary + consent (expects confirm) ─┬─ yes ─► RegisterVolunteer, RecordConsent
                                                            └─ no ─► nothing stored
Example: "ابغى اتطوع" -> expects full_name -> "خالد العمري" -> ... -> "نعم" (events: volunteer_registered)
"""

from __future__ import annotations

from typing import Any

from bot.flows.base import Context, Input, Reply, Result, State, ask, done
from bot.flows.effects import RecordConsent, RegisterVolunteer
from bot.flows.validators import FIELD_LABELS, FIELD_QUESTIONS, check_field
from bot.lang.i18n import N_
from bot.lang.words import is_no, is_yes
from bot.messages import Button

NAME = "volunteer"
ENTRY_INTENTS = ("volunteer",)
FIELDS = ("full_name", "phone", "city", "availability", "skills")
QUESTIONS = {
    "availability": N_("When are you available (days and times, for example: weekends, Hajj season)?"),
    "skills": N_("What skills or experience would you like to offer (for example: first aid, languages, driving)?"),
}
LABELS = {"availability": N_("Availability"), "skills": N_("Skills")}


def _question(ctx: Context, name: str) -> str:
    return ctx.t(QUESTIONS.get(name) or FIELD_QUESTIONS[name])


def _check(name: str, text: str) -> tuple[str | None, str | None]:
    if name in QUESTIONS:
        return check_field("city", text)  # free text of a sensible length
    return check_field(name, text)


def start(ctx: Context, inp: Input) -> Result:
    intro = ctx.t("Thank you for wanting to volunteer with {org}. I will ask you a few short questions.",
                  org=ctx.local(ctx.org.name))
    return _next(ctx, {"fields": {}}, (Reply(intro),))


def _next(ctx: Context, data: dict[str, Any], prefix: tuple[Reply, ...] = ()) -> Result:
    fields: dict[str, str] = data["fields"]
    for name in FIELDS:
        if name == "phone" and name not in fields and ctx.contact.phone:
            fields[name] = ctx.contact.phone
        if name not in fields:
            return ask(NAME, "field", name, {**data, "field": name}, *prefix, Reply(_question(ctx, name)))
    lines = [ctx.t("Please check your details:")]
    for name in FIELDS:
        label = LABELS.get(name) or FIELD_LABELS.get(name, name)
        lines.append(f"{ctx.t(label)}: {fields[name]}")
    lines += ["", ctx.t("Do you agree that the association keeps these details to contact you about volunteering?")]
    buttons = (Button("yes", ctx.t("Yes, I agree")), Button("no", ctx.t("No")))
    return ask(NAME, "confirm", "confirm", data, *prefix, Reply("\n".join(lines), buttons))


def prompt(state: State, ctx: Context) -> tuple[Reply, ...]:
    data: dict[str, Any] = dict(state.get("data") or {"fields": {}})
    if state.get("step") == "confirm":
        return _next(ctx, {"fields": dict(data.get("fields") or {})}).replies
    return (Reply(_question(ctx, str(data.get("field") or state.get("expects")))),)


def step(state: State, ctx: Context, inp: Input) -> Result:
    data: dict[str, Any] = dict(state.get("data") or {"fields": {}})
    if state.get("step") == "confirm":
        return _on_confirm(ctx, data, inp)
    name = str(data.get("field") or state.get("expects"))
    value, error = _check(name, inp.text)
    if value is None:
        return ask(NAME, "field", name, data, Reply(ctx.t(error or "")))
    data = {"fields": {**data.get("fields", {}), name: value}}
    return _next(ctx, data)


def _on_confirm(ctx: Context, data: dict[str, Any], inp: Input) -> Result:
    consent_text = ctx.t("Do you agree that the association keeps these details to contact you about volunteering?")
    if inp.button == "yes" or is_yes(inp.text):
        effects = (RegisterVolunteer(dict(data["fields"])), RecordConsent("volunteering", True, consent_text))
        text = ctx.t("Thank you! You are registered as a volunteer. Our volunteering team will contact you.")
        return done(Reply(text), effects=effects, events=({"type": "volunteer_registered"},))
    if inp.button == "no" or is_no(inp.text):
        return done(Reply(ctx.t("Nothing was stored. You are welcome to come back at any time.")))
    buttons = (Button("yes", ctx.t("Yes, I agree")), Button("no", ctx.t("No")))
    return ask(NAME, "confirm", "confirm", data, Reply(ctx.t("Please answer yes or no."), buttons))
