"""Human handoff (R8): to the contact officer of the beneficiary's category; the bot then stays quiet.

    start / open_handoff ─► OpenHandoff, "passed to {officer}" ─► with_staff (quiet: inbound kept, no reply)
        with_staff ─┬─ staff reply (bot/staff/actions.py) ─► delivered on the contact's channel, silence clock reset
                    ├─ staff release ─► CloseHandoff, "the assistant is back" ─► resume the earlier state
                    └─ ctx.handoff_silence without staff ─► same as release: when the beneficiary
                       next writes, or earlier by the periodic sweep (bot/turn/sweep.py, `tawasul staff sweep`)
Reasons: asked | not_understood (the engine, after repeated misunderstanding) | unclear_procedure (intake).
Example: "ابغى اكلم موظف" -> "أحلت محادثتك إلى ضابط الاتصال العام ..." (events: handoff_opened); then
"متى يردون؟" -> no reply at all, until staff answer or release.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from bot.flows.base import Context, Input, Reply, Result, State
from bot.flows.effects import CloseHandoff, DescribeUrgentAlert, OpenHandoff
from bot.flows.emergency import is_plea, numbers
from bot.lang.keywords import keyword_intent

NAME = "handoff"
ENTRY_INTENTS = ("human_handoff",)
WITH_STAFF = "with_staff"


def is_quiet(state: State) -> bool:
    return state.get("flow") == NAME and state.get("step") == WITH_STAFF


def category_of(ctx: Context, resume: State | None = None) -> str:
    """The beneficiary's category: that of the service being requested or of their latest request."""
    services = [str((resume or {}).get("data", {}).get("service") or "")] + [r.service_id for r in ctx.requests]
    for service_id in services:
        for svc in ctx.org.services:
            if svc.id == service_id:
                return svc.category
    return "general"


def start(ctx: Context, inp: Input) -> Result:
    return open_handoff(ctx, str(inp.entity("reason") or "asked"))


def open_handoff(ctx: Context, reason: str, resume: State | None = None, intro: str = "") -> Result:
    """Hand the conversation to staff; `resume` is the state to return to afterwards."""
    category = category_of(ctx, resume)
    officer = ctx.org.officer_for(category)
    lines = [intro] if intro else []
    lines.append(ctx.t("I have passed your conversation to the {officer}.", officer=ctx.local(officer.title)))
    lines.append(ctx.t("A staff member will answer you here as soon as possible. Working hours: {hours}",
                       hours=ctx.local(ctx.org.hours)))
    if officer.phone:
        lines.append(ctx.t("You can also call {phone}.", phone=officer.phone))
    lines.append(ctx.t("Until then I will not reply automatically; everything you write here reaches the staff."))
    return _with_staff(ctx, reason, category, resume, Reply("\n".join(lines)))


def _with_staff(ctx: Context, reason: str, category: str, resume: State | None, said: Reply,
                **extra: Any) -> Result:
    """The quiet state with `category`'s officer, the OpenHandoff effect and its event, after `said`."""
    officer = ctx.org.officer_for(category)
    now = ctx.now.isoformat()
    data: dict[str, Any] = {"since": now, "last_staff": now, "category": category, "officer": officer.staff,
                            "resume": _clean(resume or {}), **extra}
    state: State = {"flow": NAME, "step": WITH_STAFF, "expects": None, "data": data}
    event = {"type": "handoff_opened", "reason": reason, "category": category, "officer": officer.staff}
    return Result(state, (said,), (OpenHandoff(category, officer.staff, reason),), (event,))


URGENT_CATEGORIES = ("urgent", "pilgrims")  # the on-duty officer of an alert, where the profile names one


def open_for_alert(ctx: Context, lead: Reply, resume: State | None = None) -> Result:
    """After an urgent alert, the conversation is with the on-duty officer at once (no working hours: an
    emergency); what the person writes next (a lost companion's description, a pin) reaches staff and is
    added to the alert."""
    names = {o.category for o in ctx.org.contact_officers}
    category = next((c for c in URGENT_CATEGORIES if c in names), category_of(ctx, resume))
    officer = ctx.org.officer_for(category)
    lines = [lead.text,
             ctx.t("The {officer} is with you in this conversation now.", officer=ctx.local(officer.title)),
             ctx.t("Write here anything that helps them reach you or find the person you are looking for "
                   "(a description, what they are wearing, a landmark); it reaches the staff at once.")]
    return _with_staff(ctx, "urgent_alert", category, resume, Reply("\n".join(lines), lead.buttons), alert=True)


def _clean(state: State) -> State:
    return {k: v for k, v in state.items() if k not in ("lang", "menu", "misunderstood")}


def timed_out(state: State, now: datetime, limit: timedelta) -> bool:
    """True when the conversation is with staff and they have been silent longer than `limit`."""
    if not is_quiet(state):
        return False
    data = state.get("data") or {}
    last = datetime.fromisoformat(str(data.get("last_staff") or now.isoformat()))
    return now - last > limit


def time_out(state: State, ctx: Context) -> Result:
    """The bot takes the conversation back from silent staff, and says so."""
    note = ctx.t("No staff member has been able to answer yet, so I am with you again. "
                 "Your messages are kept and staff will follow up.")
    return release(state, ctx, by="timeout", note=note)


def step(state: State, ctx: Context, inp: Input) -> Result:
    """While staff handle the conversation: stay quiet, unless staff have been silent too long."""
    if timed_out(state, ctx.now, ctx.handoff_silence):
        return time_out(state, ctx)
    if (state.get("data") or {}).get("alert"):
        loc = inp.location
        said = " ".join((inp.text or "").split())[:500]
        if said or loc is not None:
            described = DescribeUrgentAlert(said or None, loc.lat if loc else None, loc.lon if loc else None)
            if is_plea(said) or keyword_intent(said) == "urgent_help":
                # A new cry for help is never met with silence: it reached staff, and the numbers again.
                note = ctx.t("Your message has reached the staff.") + "\n" + numbers(ctx)
                return Result(state, (Reply(note),), (described,))
            return Result(state, effects=(described,))
    return Result(state)


def release(state: State, ctx: Context, by: str, note: str = "") -> Result:
    """Close the handoff and return to where the conversation was, repeating its last question."""
    data = state.get("data") or {}
    resume: State = dict(data.get("resume") or {})
    text = note or ctx.t("The staff member has finished. I am the assistant of the association, with you again.")
    from bot import flows  # the registry imports this module

    pending = flows.reprompt(resume, ctx) if resume.get("flow") and resume.get("expects") else ()
    new_state, replies = flows.carry_on(resume, ctx, pending)
    event = {"type": "handoff_closed", "by": by}
    return Result(new_state, (Reply(text), *replies), (CloseHandoff(by),), (event,))
