"""Urgent help (pilgrims in distress): emergency numbers at once, then the location, staff alerted.

    start ─► emergency numbers + RaiseUrgentAlert (staff see it at once) ─┬─ location already shared ─► done
                                                                         └─ expects location
    location (map pin or a description) ─► LocateUrgentAlert ─► "staff have your location"
Example: "ساعدوني ضايع في منى" -> "اتصل فورًا: الهلال الأحمر 997 ..." (events: urgent_alert) ->
{"location": {"lat": 21.41, "lon": 39.89}} -> "وصل موقعك إلى فريقنا ..." (events: urgent_location)
"""

from __future__ import annotations

from bot.effects import LocateUrgentAlert, RaiseUrgentAlert
from bot.flows.base import Context, Input, Reply, Result, State, ask, done
from bot.i18n import N_
from bot.validators import clean

NAME = "urgent"
ENTRY_INTENTS = ("urgent_help",)
LABELS = {
    "red_crescent": N_("Saudi Red Crescent (ambulance)"),
    "health": N_("Ministry of Health"),
    "police": N_("Police"),
    "civil_defense": N_("Civil Defense"),
    "unified": N_("Unified emergency number"),
}


def _numbers(ctx: Context) -> str:
    lines = [ctx.t("If a life is in danger, call now:")]
    for key, number in ctx.org.emergency_numbers.items():
        label = ctx.t(LABELS[key]) if key in LABELS else key.replace("_", " ")
        lines.append(f"- {label}: {number}")
    return "\n".join(lines)


def start(ctx: Context, inp: Input) -> Result:
    loc = inp.location
    alert = RaiseUrgentAlert(text=clean(inp.text) or None, latitude=loc.lat if loc else None,
                             longitude=loc.lon if loc else None)
    event = {"type": "urgent_alert", "location": loc is not None}
    numbers = Reply(_numbers(ctx))
    if loc is not None:
        text = ctx.t("Our staff have been alerted with your location and will contact you as soon as possible.")
        return done(numbers, Reply(text), effects=(alert,), events=(event,))
    text = ctx.t("Our staff have been alerted. Please share your location now (or write where you are, "
                 "for example a camp number or a landmark) so that they can reach you.")
    result = ask(NAME, "location", "location", {}, numbers, Reply(text))
    return Result(result.state, result.replies, (alert,), (event,))


def prompt(state: State, ctx: Context) -> tuple[Reply, ...]:
    return (Reply(ctx.t("Please share your location, or write where you are.")),)


def step(state: State, ctx: Context, inp: Input) -> Result:
    if inp.location is not None:
        effect = LocateUrgentAlert(inp.location.lat, inp.location.lon)
    else:
        description = clean(inp.text)
        if len(description) < 2:
            text = ctx.t("Please share your location, or write where you are.")
            return ask(NAME, "location", "location", {}, Reply(text))
        effect = LocateUrgentAlert(description=description[:500])
    text = ctx.t("Thank you. Our staff have your location and will contact you as soon as possible. "
                 "Stay where you are if it is safe.")
    return done(Reply(text), effects=(effect,), events=({"type": "urgent_location"},))
