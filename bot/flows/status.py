"""Status inquiry (R6): answers only about the contact's own requests.

    start ─┬─ reference given ─► own request? ─► status  |  "no request with this number on your contact"
           ├─ one request ─► status
           ├─ several ─► which one? (expects reference) ─► status
           └─ none ─► "you have no requests" + menu
Example: "وش صار على طلبي" -> "طلبك ESR-1234-56789: قيد الدراسة ..."
"""

from __future__ import annotations

from bot.calendar import both_calendars
from bot.flows.base import Context, Input, Reply, RequestView, Result, State, ask, done
from bot.flows.words import digit_choice
from bot.i18n import N_
from bot.messages import Button
from nlu.entities import parse_reference

NAME = "status"
ENTRY_INTENTS = ("check_status",)

STATUS_LABELS = {
    "draft": N_("draft"),
    "submitted": N_("received, waiting to be studied"),
    "under_study": N_("under study"),
    "needs_info": N_("needs more information from you"),
    "accepted": N_("accepted"),
    "rejected": N_("not accepted"),
    "delivered": N_("service delivered"),
    "closed": N_("closed"),
}


def status_label(ctx: Context, status: str) -> str:
    return ctx.t(STATUS_LABELS.get(status, status))


def _find(ctx: Context, reference: str) -> RequestView | None:
    digits = reference.split("-", 1)[-1] if reference[:3].isalpha() else reference
    for req in ctx.requests:
        if req.reference == reference or req.reference.endswith(digits):
            return req
    return None


def report(ctx: Context, req: RequestView) -> Result:
    service = next((s for s in ctx.org.services if s.id == req.service_id), None)
    lines = [
        ctx.t("Request {reference} ({service}): {status}.", reference=req.reference,
              service=ctx.local(service.name) if service else req.service_id, status=status_label(ctx, req.status)),
    ]
    if req.last_note:
        lines.append(ctx.t("Note: {note}", note=req.last_note))
    if req.due_date and req.status in ("submitted", "under_study", "needs_info"):
        lines.append(ctx.t("Expected reply by {date}.", date=both_calendars(req.due_date, ctx.lang)))
    event = {"type": "status_reported", "reference": req.reference, "status": req.status}
    return done(Reply("\n".join(lines)), events=(event,))


def start(ctx: Context, inp: Input) -> Result:
    reference = inp.entity("reference") or parse_reference(inp.text)
    if reference:
        return _by_reference(ctx, reference)
    if not ctx.requests:
        return done(Reply(ctx.t("You have no requests with us yet. To submit one, choose 'Request a service'.")))
    if len(ctx.requests) == 1:
        return report(ctx, ctx.requests[0])
    buttons = tuple(Button(str(i), r.reference) for i, r in enumerate(ctx.requests[:9], 1))
    return ask(NAME, "which", "reference", {}, Reply(ctx.t("Which request do you mean?"), buttons))


def _by_reference(ctx: Context, reference: str) -> Result:
    req = _find(ctx, reference)
    if req is None:
        # The same answer whether the number does not exist or belongs to someone else.
        return done(Reply(ctx.t("I found no request with this number for you. Please check the number.")))
    return report(ctx, req)


def prompt(state: State, ctx: Context) -> tuple[Reply, ...]:
    buttons = tuple(Button(str(i), r.reference) for i, r in enumerate(ctx.requests[:9], 1))
    return (Reply(ctx.t("Which request do you mean?"), buttons),)


def step(state: State, ctx: Context, inp: Input) -> Result:
    pick = digit_choice(inp.button or inp.text, min(len(ctx.requests), 9))
    if pick:
        return report(ctx, ctx.requests[pick - 1])
    reference = parse_reference(inp.text)
    if reference:
        return _by_reference(ctx, reference)
    buttons = tuple(Button(str(i), r.reference) for i, r in enumerate(ctx.requests[:9], 1))
    return ask(NAME, "which", "reference", {}, Reply(ctx.t("Please choose a request by its number."), buttons))
