"""Complaint (R9): filed from any channel, numbered, routed to the org's complaints committee.

    start ─► category ─► [about which request? (when the contact has requests)] ─► details
          ─► attachments (photos/files, or skip) ─► CreateComplaint, complaint number, committee
An opening message that already says what happened ("بدي اشتكي على موظف كان يصرخ علينا") is kept as the start
of the details (not asked again; the attachments step quotes it and takes additions), and names the
category when it is clear ("موظف" -> staff, "تأخير" -> delay).
The outcome is told later by staff (`tawasul staff resolve`, `tawasul staff investigate`, R10).
Example: "عايز أشتكي" -> expects category -> "2" -> expects details -> "الموظف ما رد علي" ->
expects attachments -> "تخطي" -> "استلمنا شكواك برقم CMP-1234-56782 ..." (events: complaint_filed)
"""

from __future__ import annotations

from typing import Any

from bot.flows import status
from bot.flows.base import ComplaintView, Context, Input, Reply, Result, State, ask, done
from bot.flows.complaint_words import asks_compensation, category_in, opening_details
from bot.flows.effects import CreateComplaint
from bot.flows.validators import check_field, clean
from bot.lang.i18n import N_
from bot.lang.words import digit_choice, is_done, is_no, is_skip, is_yes
from bot.messages import Button
from nlu.entities import parse_reference

NAME = "complaint"
ENTRY_INTENTS = ("file_complaint",)
PREFIX = "CMP"
MAX_ATTACHMENTS = 5
MAX_BYTES = 10 * 1024 * 1024
MAX_DETAILS = 2000
CATEGORIES: tuple[tuple[str, str], ...] = (
    ("service", N_("The service I received")),
    ("staff", N_("The conduct of a staff member")),
    ("delay", N_("A delay in answering my request")),
    ("suggestion", N_("A suggestion for improvement")),
    ("other", N_("Something else")),
)


def _own(ctx: Context, text: str) -> str | None:
    reference = parse_reference(text or "")
    if not reference:
        return None
    digits = reference.split("-", 1)[-1] if reference[:3].isalpha() else reference
    return next((r.reference for r in ctx.requests if r.reference.endswith(digits)), None)


def start(ctx: Context, inp: Input) -> Result:
    reference = inp.entity("reference") or parse_reference(inp.text or "")
    mine = status.find_own(ctx, reference) if reference else None
    if isinstance(mine, ComplaintView):
        # "شكواي CMP-… وش صار عليها": the contact asks about a complaint already filed, not a new one.
        return status.report_complaint(ctx, mine)
    if reference and mine is None and reference.startswith(PREFIX):
        return done(Reply(ctx.t(status.NO_COMPLAINT)))
    data: dict[str, Any] = {}
    own = _own(ctx, inp.text)
    if own:
        data["request"] = own
    told = opening_details(inp.text)
    if told:
        data["details"] = told
        category = category_in(inp.text)
        if category is not None:
            return _after_category(ctx, {**data, "category": category})
    return _ask_category(ctx, data)


def _ask_category(ctx: Context, data: dict[str, Any], prefix: str = "") -> Result:
    text = (prefix + "\n" if prefix else "") + ctx.t(
        "We are sorry for any trouble. Your complaint will be handled quickly and confidentially. What is it about?")
    buttons = tuple(Button(str(i), ctx.t(title)) for i, (_, title) in enumerate(CATEGORIES, 1))
    return ask(NAME, "category", "category", data, Reply(text, buttons))


def _ask_request(ctx: Context, data: dict[str, Any]) -> Result:
    refs = [r.reference for r in ctx.requests[:8]]
    buttons = (*(Button(str(i), ref) for i, ref in enumerate(refs, 1)),
               Button(str(len(refs) + 1), ctx.t("Not about a request")))
    return ask(NAME, "request", "reference", data, Reply(ctx.t("Is it about one of your requests?"), buttons))


def _ask_details(ctx: Context, data: dict[str, Any]) -> Result:
    return ask(NAME, "details", "details", data, Reply(ctx.t("Please describe what happened, with dates if you can.")))


def _ask_attachments(ctx: Context, data: dict[str, Any]) -> Result:
    if data.get("attachments"):
        text = ctx.t("Received. Send another file, or write done to file the complaint.")
    elif data.get("from_opening"):
        text = "\n".join([
            ctx.t("I have noted your complaint: «{details}»", details=data.get("details", "")),
            ctx.t("To add anything, write it now. If you have photos or documents about it, send them. "
                  "To file it as it is, write done."),
        ])
    else:
        text = ctx.t("If you have photos or documents about it, send them now. Otherwise write skip.")
    return ask(NAME, "attachments", "attachments", data, Reply(text))


def _after_category(ctx: Context, data: dict[str, Any]) -> Result:
    if "request" not in data and ctx.requests and data["category"] != "suggestion":
        return _ask_request(ctx, data)
    return _details_or_attachments(ctx, data)


def _details_or_attachments(ctx: Context, data: dict[str, Any]) -> Result:
    if data.get("details"):
        return _ask_attachments(ctx, {**data, "from_opening": True})
    return _ask_details(ctx, data)


def prompt(state: State, ctx: Context) -> tuple[Reply, ...]:
    """The question of the current step, in ctx's language (see bot.flows.reprompt)."""
    data: dict[str, Any] = dict(state.get("data") or {})
    asks = {"category": _ask_category, "request": _ask_request, "details": _ask_details,
            "attachments": _ask_attachments}
    render = asks.get(str(state.get("step")))
    return render(ctx, data).replies if render else ()


def step(state: State, ctx: Context, inp: Input) -> Result:
    data: dict[str, Any] = dict(state.get("data") or {})
    current = state.get("step")
    if current == "category":
        pick = digit_choice(inp.button or inp.text, len(CATEGORIES))
        if pick is None:
            return _ask_category(ctx, data, ctx.t("Please choose a number from the list."))
        return _after_category(ctx, {**data, "category": CATEGORIES[pick - 1][0]})
    if current == "request":
        refs = [r.reference for r in ctx.requests[:8]]
        pick = digit_choice(inp.button or inp.text, len(refs) + 1)
        own = _own(ctx, inp.text)
        if pick is None and own is None and not is_no(inp.text):
            return _ask_request(ctx, data)
        if own or (pick and pick <= len(refs)):
            data["request"] = own or refs[(pick or 1) - 1]
        return _details_or_attachments(ctx, data)
    if current == "details":
        value, error = check_field("details", inp.text)
        if value is None:
            return ask(NAME, "details", "details", data, Reply(ctx.t(error or "")))
        data["details"] = value
        text = ctx.t("If you have photos or documents about it, send them now. Otherwise write skip.")
        return ask(NAME, "attachments", "attachments", data, Reply(text))
    if current == "attachments":
        return _on_attachment(ctx, data, inp)
    return start(ctx, inp)


def _on_attachment(ctx: Context, data: dict[str, Any], inp: Input) -> Result:
    files: list[dict[str, Any]] = list(data.get("attachments") or [])
    if inp.media:
        for media in inp.media:
            if media.size is not None and media.size > MAX_BYTES:
                return ask(NAME, "attachments", "attachments", data,
                           Reply(ctx.t("The file is too large (10 MB at most).")))
            files.append(media.as_dict())
        data["attachments"] = files[:MAX_ATTACHMENTS]
        if len(files) < MAX_ATTACHMENTS:
            text = ctx.t("Received. Send another file, or write done to file the complaint.")
            return ask(NAME, "attachments", "attachments", data, Reply(text))
        return _file(ctx, data)
    if is_skip(inp.text) or is_done(inp.text) or is_no(inp.text) or (data.get("from_opening") and is_yes(inp.text)):
        return _file(ctx, data)
    added = clean(inp.text)
    if data.get("from_opening") and len(added) >= 5:
        # More about what happened, after the opening message: added to the details, then confirmed again.
        data["details"] = f"{data.get('details', '')}\n{added}"[:MAX_DETAILS]
        return _ask_attachments(ctx, data)
    if data.get("from_opening"):
        return _ask_attachments(ctx, data)
    text = ctx.t("If you have photos or documents about it, send them now. Otherwise write skip.")
    return ask(NAME, "attachments", "attachments", data, Reply(text))


def _file(ctx: Context, data: dict[str, Any]) -> Result:
    reference = ctx.new_reference(PREFIX)
    committee = ctx.org.complaints_committee
    effect = CreateComplaint(
        reference=reference,
        category=str(data.get("category", "other")),
        details=str(data.get("details", "")),
        committee=committee,
        attachments=tuple(data.get("attachments") or ()),
        request_reference=data.get("request"),
    )
    lines = [ctx.t("Your complaint has been received. Complaint number: {reference}", reference=reference),
             *route_lines(ctx)]
    if asks_compensation(str(data.get("details", ""))):
        lines += compensation_lines(ctx)
    lines.append(ctx.t("We will tell you the outcome here."))
    event = {"type": "complaint_filed", "reference": reference, "category": effect.category,
             "request": effect.request_reference}
    return done(Reply("\n".join(lines)), effects=(effect,), events=(event,))


def route_lines(ctx: Context) -> list[str]:
    """The route of a complaint as the association's policy states it, and no further.

    Only a policy that names the complaints committee (and top management's follow-up) has them told;
    elsewhere the association itself follows the complaint up.
    """
    route = ctx.org.complaint_route
    committee = ctx.local(ctx.org.committees[ctx.org.complaints_committee])
    if route.name_committee and route.top_management:
        return [ctx.t("It has been referred to the {committee}, which studies complaints quickly and seeks an "
                      "amicable solution; the association's top management follows every complaint.",
                      committee=committee)]
    if route.name_committee:
        return [ctx.t("It has been referred to the {committee}, which follows it up.", committee=committee)]
    return [ctx.t("The association will follow it up.")]


def compensation_lines(ctx: Context) -> list[str]:
    """The policy's compensation route, told to a complainant who asks for compensation (where there is one)."""
    route = ctx.org.complaint_route
    if not route.compensation:
        return []
    committee = ctx.local(ctx.org.committees[route.compensation_committee or ctx.org.complaints_committee])
    return [ctx.t("On compensation: under the association's policy, compensation is considered when it is "
                  "established that the association caused the harm. The {committee} states the harm, its size "
                  "and its causes in a dated record approved by its members (or a final ruling of the competent "
                  "authorities decides it), and the association then negotiates the compensation with you.",
                  committee=committee)]
