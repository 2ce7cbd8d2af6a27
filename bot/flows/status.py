"""Status inquiry (R6, R9): answers only about the contact's own requests and complaints.

    start ─┬─ reference given ─► own request or complaint? ─► status  |  "none with this number for you"
           ├─ one request or complaint ─► status
           ├─ several ─► which one? (expects reference) ─► status
           └─ none ─► "you have no requests" + menu
Example: "وش صار على طلبي" -> "طلبك ESR-1234-56789: قيد الدراسة ..."; "CMP-1234-56782" ->
"شكواك CMP-1234-56782: ... النتيجة: ..." (events: status_reported {"kind": "complaint"})
"""

from __future__ import annotations

from bot.flows import moreinfo
from bot.flows.base import ComplaintView, Context, Input, Reply, RequestView, Result, State, ask, done
from bot.lang.calendar import both_calendars
from bot.lang.i18n import N_
from bot.lang.words import digit_choice
from bot.messages import Button
from nlu.entities import parse_reference

NAME = "status"
ENTRY_INTENTS = ("check_status",)
MAX_CHOICES = 9

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
COMPLAINT_LABELS = {
    "open": N_("received; the {committee} is studying it"),
    "in_progress": N_("being handled by the {committee}"),
    "investigating": N_("under investigation by the {committee}"),
    "resolved": N_("resolved"),
}


NO_COMPLAINT = N_("I found no complaint with this number for you. Please check the number.")
COMPLAINT_PREFIX = "CMP"


def status_label(ctx: Context, status: str) -> str:
    return ctx.t(STATUS_LABELS.get(status, status))


def _digits(reference: str) -> str:
    return reference.split("-", 1)[-1] if reference[:3].isalpha() else reference


def find_own(ctx: Context, reference: str) -> RequestView | ComplaintView | None:
    """The contact's own request or complaint with this number (the prefix may be left out)."""
    digits = _digits(reference)
    mine: list[RequestView | ComplaintView] = [*ctx.requests, *ctx.complaints]
    for item in mine:
        if item.reference == reference:
            return item
    # Only the contact's own items are searched, so a mistyped prefix can still find them by their digits.
    return next((item for item in mine if item.reference.endswith(digits)), None)


def report(ctx: Context, req: RequestView) -> Result:
    service = next((s for s in ctx.org.services if s.id == req.service_id), None)
    lines = [
        ctx.t("Request {reference} ({service}): {status}.", reference=req.reference,
              service=ctx.local(service.name) if service else req.service_id, status=status_label(ctx, req.status)),
    ]
    if req.last_note:
        lines.append(ctx.t("Note: {note}", note=req.last_note))
    # Only a deadline is told as a date; a minimum period or none stated promises no date.
    if req.due_date and ctx.org.deadline.is_deadline and req.status in ("submitted", "under_study", "needs_info"):
        lines.append(ctx.t("Expected reply by {date}.", date=both_calendars(req.due_date, ctx.lang)))
    event = {"type": "status_reported", "reference": req.reference, "status": req.status}
    reported = done(Reply("\n".join(lines)), events=(event,))
    if req.status == "needs_info":
        # The contact asks where their request stands: the answer is the information it waits for.
        return reported.then(moreinfo.reply_here(ctx, req))
    return reported


def report_complaint(ctx: Context, complaint: ComplaintView) -> Result:
    committees = ctx.org.committees
    committee = ctx.local(committees[complaint.committee]) if complaint.committee in committees else ""
    label = ctx.t(COMPLAINT_LABELS.get(complaint.status, N_("received; the {committee} is studying it")),
                  committee=committee)
    lines = [ctx.t("Complaint {reference}: {status}.", reference=complaint.reference, status=label)]
    if complaint.outcome:
        lines.append(ctx.t("Outcome: {outcome}", outcome=complaint.outcome))
    else:
        lines.append(ctx.t("We will tell you the outcome here."))
    event = {"type": "status_reported", "kind": "complaint", "reference": complaint.reference,
             "status": complaint.status}
    return done(Reply("\n".join(lines)), events=(event,))


def _report_any(ctx: Context, item: RequestView | ComplaintView) -> Result:
    return report_complaint(ctx, item) if isinstance(item, ComplaintView) else report(ctx, item)


def _choices(ctx: Context) -> list[RequestView | ComplaintView]:
    mine: list[RequestView | ComplaintView] = [*ctx.requests, *ctx.complaints]
    return mine[:MAX_CHOICES]


def _ask_which(ctx: Context, text: str) -> Result:
    buttons = tuple(Button(str(i), item.reference) for i, item in enumerate(_choices(ctx), 1))
    return ask(NAME, "which", "reference", {}, Reply(text, buttons))


def prompt(state: State, ctx: Context) -> tuple[Reply, ...]:
    return _ask_which(ctx, ctx.t("Which request do you mean?")).replies


def start(ctx: Context, inp: Input) -> Result:
    reference = inp.entity("reference") or parse_reference(inp.text)
    if reference:
        return _by_reference(ctx, reference)
    choices = _choices(ctx)
    if not choices:
        return done(Reply(ctx.t("You have no requests with us yet. To submit one, choose 'Request a service'.")))
    if len(choices) == 1:
        return _report_any(ctx, choices[0])
    return _ask_which(ctx, ctx.t("Which request do you mean?"))


def _by_reference(ctx: Context, reference: str) -> Result:
    found = find_own(ctx, reference)
    if found is None:
        # The same answer whether the number does not exist or belongs to someone else.
        if reference.startswith(COMPLAINT_PREFIX):
            return done(Reply(ctx.t(NO_COMPLAINT)))
        return done(Reply(ctx.t("I found no request with this number for you. Please check the number.")))
    return _report_any(ctx, found)


def step(state: State, ctx: Context, inp: Input) -> Result:
    choices = _choices(ctx)
    pick = digit_choice(inp.button or inp.text, len(choices))
    if pick:
        return _report_any(ctx, choices[pick - 1])
    reference = parse_reference(inp.text)
    if reference:
        return _by_reference(ctx, reference)
    return _ask_which(ctx, ctx.t("Please choose a request by its number."))
