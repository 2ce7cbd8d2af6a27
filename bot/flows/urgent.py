"""Urgent help (pilgrims in distress): emergency numbers at once, then the location, staff alerted.

    start ─► emergency numbers + RaiseUrgentAlert (staff see it at once) ─┬─ location already shared ─► done
                                                                         └─ expects location
    location (map pin or a description) ─► LocateUrgentAlert ─► "staff have your location"
    a plea instead ("ساعدوني", "میں کھو گیا ہوں") ─► the numbers again, ask for a pin or a place name
A pin (or a new plea) within ALERT_WINDOW of an open alert updates that alert: staff see one alert per
emergency, not one per message.
When the NLU is not sure the message is an emergency (or only a danger word in an otherwise unclear message
says so), `confirm` asks first, and staff are alerted only on a yes:
    confirm ─► "Is anyone in danger right now?" [yes / no] ─┬─ yes (or a pin, or a plea) ─► start (as above)
                                                            └─ no ─► "glad you are safe", what else I can do
Example: "ساعدوني ضايع في منى" -> "اتصل فورًا: الهلال الأحمر 997 ..." (events: urgent_alert) ->
{"location": {"lat": 21.41, "lon": 39.89}} -> "وصل موقعك إلى فريقنا ..." (events: urgent_location)
"""

from __future__ import annotations

from datetime import timedelta

from bot.flows import handoff
from bot.flows.base import Context, Input, Reply, Result, State, ask, done
from bot.flows.effects import LocateUrgentAlert, RaiseUrgentAlert
from bot.flows.emergency import is_plea, numbers
from bot.flows.validators import clean, not_a_value
from bot.lang.words import digit_choice, is_no, is_yes
from bot.messages import Button

NAME = "urgent"
ENTRY_INTENTS = ("urgent_help",)
ALERT_WINDOW = timedelta(hours=2)
CONFIRM = "danger"  # the step (and the answer it expects) of the question "is anyone in danger now?"
def _recent_alert(ctx: Context) -> bool:
    return ctx.open_alert_at is not None and ctx.now - ctx.open_alert_at <= ALERT_WINDOW


def start(ctx: Context, inp: Input) -> Result:
    loc = inp.location
    if loc is not None and _recent_alert(ctx) and not clean(inp.text):
        # A pin after the conversation moved on: it belongs to the alert already open.
        return _located(ctx, LocateUrgentAlert(loc.lat, loc.lon))
    alert: RaiseUrgentAlert | LocateUrgentAlert = RaiseUrgentAlert(
        text=clean(inp.text) or None, latitude=loc.lat if loc else None, longitude=loc.lon if loc else None)
    if _recent_alert(ctx):
        alert = LocateUrgentAlert(loc.lat if loc else None, loc.lon if loc else None, clean(inp.text) or None)
    event = {"type": "urgent_alert", "location": loc is not None}
    listed = Reply(numbers(ctx))
    if loc is not None:
        text = ctx.t("Our staff have been alerted with your location and will contact you as soon as possible.")
        with_staff = handoff.open_for_alert(ctx, Reply(text))
        return Result(with_staff.state, (listed, *with_staff.replies), (alert, *with_staff.effects),
                      (event, *with_staff.events))
    text = ctx.t("Our staff have been alerted. Please share your location now (or write where you are, "
                 "for example a camp number or a landmark) so that they can reach you.")
    result = ask(NAME, "location", "location", {}, listed, Reply(text))
    return Result(result.state, result.replies, (alert,), (event,))


def confirm(ctx: Context, inp: Input) -> Result:
    """Ask before alerting staff: the message may speak of hardship, or of danger that is not happening now."""
    data = {"text": clean(inp.text)[:500]}
    return ask(NAME, CONFIRM, CONFIRM, data, _danger_question(ctx))


def _danger_question(ctx: Context) -> Reply:
    return Reply(ctx.t("Is anyone in danger right now (hurt, lost, or unsafe)?"),
                 (Button("yes", ctx.t("Yes, urgent")), Button("no", ctx.t("No"))))


def prompt(state: State, ctx: Context) -> tuple[Reply, ...]:
    if state.get("step") == CONFIRM:
        return (_danger_question(ctx),)
    return (Reply(ctx.t("Please share your location, or write where you are.")),)


def _confirmed(state: State, ctx: Context, inp: Input) -> Result:
    said = str((state.get("data") or {}).get("text") or "")
    pick = digit_choice(inp.button or inp.text, 2)  # SMS: the buttons came as "1. yes  2. no"
    if inp.location is not None or inp.button == "yes" or pick == 1 or is_yes(inp.text) or is_plea(inp.text):
        text = " | ".join(t for t in (said, clean(inp.text)) if t and not is_yes(t))
        return start(ctx, Input(text=text, location=inp.location, language=inp.language))
    if inp.button == "no" or pick == 2 or is_no(inp.text):
        text = ctx.t("Thank you, I am glad you are safe. How can I help you? Write 'menu' to see what I can do.")
        return done(Reply(text), events=({"type": "urgent_declined"},))
    return ask(NAME, CONFIRM, CONFIRM, dict(state.get("data") or {}), _danger_question(ctx))


def step(state: State, ctx: Context, inp: Input) -> Result:
    if state.get("step") == CONFIRM:
        return _confirmed(state, ctx, inp)
    if inp.location is not None:
        return _located(ctx, LocateUrgentAlert(inp.location.lat, inp.location.lon))
    description = clean(inp.text)
    if is_plea(description):
        # Not a place: the numbers again, and the location asked for in plainer words.
        text = ctx.t("Help is on its way to you. Please send your location pin (the attachment button, then "
                     "Location), or write the name of the place where you are: a camp, a street, a landmark.")
        return ask(NAME, "location", "location", {}, Reply(numbers(ctx)), Reply(text))
    if len(description) < 2 or not_a_value(description):
        # «شكرا», «نعم», a greeting: not a place; asked again.
        text = ctx.t("Please share your location, or write where you are.")
        return ask(NAME, "location", "location", {}, Reply(text))
    return _located(ctx, LocateUrgentAlert(description=description[:500]))


def _located(ctx: Context, effect: LocateUrgentAlert) -> Result:
    text = ctx.t("Thank you. Our staff have your location and will contact you as soon as possible. "
                 "Stay where you are if it is safe.")
    with_staff = handoff.open_for_alert(ctx, Reply(text))
    return Result(with_staff.state, with_staff.replies, (effect, *with_staff.effects),
                  ({"type": "urgent_location"}, *with_staff.events))
