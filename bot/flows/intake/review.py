"""The end of intake: documents, the summary with the acknowledgement, edits, and the submission (R3-R5).

    documents… ─► summary + acknowledgement ─┬─ acknowledge ─► CreateRequest, reference, committee, deadline
                                             ├─ edit ─► which field? ─► field (bot/flows/intake/form.py) ─► summary
                                             ├─ cancel
                                             └─ anything else ─► "choose 1, 2 or 3" (the summary itself on request)
"""

from __future__ import annotations

from datetime import date
from typing import Any

from bot.flows.base import Context, Input, Reply, Result, ask, done
from bot.flows.effects import CreateRequest
from bot.flows.intake import applicant
from bot.flows.intake.common import NAME, for_other, question, service
from bot.flows.validators import FIELD_LABELS
from bot.lang.calendar import both_calendars
from bot.lang.words import canon, digit_choice, is_done, is_edit, is_no, is_skip, is_yes
from bot.messages import Button

MAX_DOCUMENT_BYTES = 10 * 1024 * 1024
DOCUMENT_TYPES = ("image/", "application/pdf")
SUMMARY_IDS = ("acknowledge", "edit", "cancel")
# Asking to see the summary again ("الملخص", "show me"): the full text, not the short reminder.
_SHOW = {canon(w) for w in (
    "الملخص", "ملخص", "اعرض", "اعرض الملخص", "اعرض الطلب", "وريني", "ورني", "summary", "show", "show me",
    "ringkasan", "tampilkan", "خلاصہ", "دکھائیں",
)}


def _document_text(ctx: Context, doc: Any) -> str:
    text = ctx.t("Please send: {document}", document=ctx.local(doc.name))
    if not doc.required:
        text += "\n" + ctx.t("(optional: write skip if you do not have it)")
    return text


def next_document(ctx: Context, data: dict[str, Any], prefix: tuple[Reply, ...] = ()) -> Result:
    svc = service(ctx, data)
    docs = data.setdefault("documents", {})
    for doc in svc.documents:
        if doc.id not in docs:
            return ask(NAME, "document", "attachments", {**data, "document": doc.id}, *prefix,
                       Reply(_document_text(ctx, doc)))
    return summary(ctx, data, prefix)


def _buttons(ctx: Context) -> tuple[Button, ...]:
    return (
        Button("acknowledge", ctx.t("I confirm and submit")),
        Button("edit", ctx.t("Edit")),
        Button("cancel", ctx.t("Cancel")),
    )


# Review item 14: an ID number is never echoed whole on any channel (an SMS sits in the phone's inbox
# and on the operator's side); its last digits are enough for the beneficiary to check it.
MASKED_FIELDS = frozenset({"national_id", "passport_number"})
SHOWN_DIGITS = 4


def shown(name: str, value: Any) -> str:
    """A field's value as the summary shows it: an ID number as its last digits ("••••••5678")."""
    text = str(value)
    if name in MASKED_FIELDS and len(text) > SHOWN_DIGITS:
        return "•" * (len(text) - SHOWN_DIGITS) + text[-SHOWN_DIGITS:]
    return text


def summary(ctx: Context, data: dict[str, Any], prefix: tuple[Reply, ...] = ()) -> Result:
    svc = service(ctx, data)
    lines = [ctx.t("Please review your request:"), ctx.t("Service: {service}", service=ctx.local(svc.name))]
    if for_other(data):
        lines.append(ctx.t("Applying for: {person}", person=applicant.label(ctx, str(data["on_behalf"]))))
    for name, value in data.get("fields", {}).items():
        lines.append(f"{ctx.t(FIELD_LABELS.get(name, name))}: {shown(name, value)}")
    received = [d for d in data.get("documents", {}).values() if d]
    if svc.documents:
        lines.append(ctx.nt("{n} document attached", "{n} documents attached", len(received)))
    lines.append("")
    lines.append(ctx.local(ctx.org.acknowledgement))
    return ask(NAME, "summary", "acknowledge", data, *prefix, Reply("\n".join(lines), _buttons(ctx)))


def ask_edit(ctx: Context, data: dict[str, Any]) -> Result:
    svc = service(ctx, data)
    buttons = tuple(Button(str(i), ctx.t(FIELD_LABELS.get(f, f))) for i, f in enumerate(svc.fields, 1))
    return ask(NAME, "edit", "field_to_edit", data, Reply(ctx.t("Which item do you want to change?"), buttons))


def on_document(ctx: Context, data: dict[str, Any], inp: Input) -> Result:
    svc = service(ctx, data)
    doc = next(d for d in svc.documents if d.id == data["document"])
    docs = dict(data.get("documents", {}))
    if inp.media:
        media = inp.media[0]
        if not media.content_type.startswith(DOCUMENT_TYPES):
            return ask(NAME, "document", "attachments", data, Reply(ctx.t("Please send a photo or a PDF file.")))
        if media.size is not None and media.size > MAX_DOCUMENT_BYTES:
            return ask(NAME, "document", "attachments", data, Reply(ctx.t("The file is too large (10 MB at most).")))
        docs[doc.id] = media.as_dict()
    elif not doc.required and (is_skip(inp.text) or is_no(inp.text) or is_done(inp.text)):
        docs[doc.id] = None
    else:
        text = _document_text(ctx, doc)
        if doc.required and inp.text.strip():
            # A required document cannot be skipped; the conversation waits for it as long as needed.
            text += "\n" + ctx.t(
                "This document is required. Send it whenever you have it: your answers so far are kept. "
                "To talk to a staff member, write: staff."
            )
        return ask(NAME, "document", "attachments", data, Reply(text))
    return next_document(ctx, {**data, "documents": docs})


def _choice(inp: Input) -> str | None:
    if inp.button in SUMMARY_IDS:
        return inp.button
    pick = digit_choice(inp.text, len(SUMMARY_IDS))
    if pick:
        return SUMMARY_IDS[pick - 1]
    if is_yes(inp.text):
        return "acknowledge"
    if is_no(inp.text):
        return "cancel"
    return "edit" if is_edit(inp.text) else None


def on_summary(ctx: Context, data: dict[str, Any], inp: Input) -> Result:
    choice = _choice(inp)
    if choice == "acknowledge":
        return submit(ctx, data)
    if choice == "edit":
        return ask_edit(ctx, data)
    if choice == "cancel":
        return done(Reply(ctx.t("The request was cancelled and nothing was submitted.")))
    if canon(inp.text) in _SHOW:
        return summary(ctx, data)
    # Not the whole summary again for every stray answer: a short reminder with the same buttons.
    text = ctx.t("Please choose 1 to confirm, 2 to edit or 3 to cancel.") + "\n" + ctx.t(
        "To see your request again, write: summary.")
    return ask(NAME, "summary", "acknowledge", data, Reply(text, _buttons(ctx)))


def on_edit(ctx: Context, data: dict[str, Any], inp: Input) -> Result:
    svc = service(ctx, data)
    pick = digit_choice(inp.button or inp.text, len(svc.fields))
    if pick is None:
        return summary(ctx, data)
    name = svc.fields[pick - 1]
    return ask(NAME, "field", name, {**data, "field": name, "attempts": 0, "editing": True},
               Reply(question(ctx, name, data)))


def studied_by(ctx: Context, committees: list[str] | tuple[str, ...]) -> str:
    """The bodies that study a request, joined as a sentence joins them ("A and B"), not with a "+"."""
    names = [ctx.local(ctx.org.committees[c]) for c in committees]
    text = names[0]
    for name in names[1:]:
        text = ctx.t("{first} and {second}", first=text, second=name)
    return text


def deadline_lines(ctx: Context, due: date | None) -> list[str]:
    """What the beneficiary is told of the reply period: only as much as the policy commits to.

    A deadline (at most N days) is told with its last day; a minimum (not less than N days) stays a
    minimum, with no date; where the policy states no period the bot promises to tell of each decision.
    """
    rule = ctx.org.deadline
    span = ""
    if rule.days is not None:
        if rule.kind == "working_days":
            span = ctx.nt("{n} working day", "{n} working days", rule.days)
        else:
            span = ctx.nt("{n} day", "{n} days", rule.days)
    if rule.bound == "at_most" and due is not None:
        return [ctx.t("You will receive a reply within {span}, by {date}.", span=span,
                      date=both_calendars(due, ctx.lang))]
    if rule.bound == "at_least":
        return [ctx.t("The reply on your request takes a period of not less than {span}.", span=span),
                ctx.t("We will tell you here of each decision on your request, without you having to ask.")]
    return [ctx.t("We will tell you here of each decision on your request, without you having to ask.")]


def field_visit_line(ctx: Context) -> str:
    return ctx.t("The study of your request may include a field visit; we will agree its time with you here "
                 "before any visit.")


def submit(ctx: Context, data: dict[str, Any]) -> Result:
    svc = service(ctx, data)
    reference = ctx.new_reference(ctx.org.reference_prefix)
    due = ctx.due_date()
    lines = [
        ctx.t("Your request has been submitted. Reference number: {reference}", reference=reference),
        ctx.t("It will be studied by: {committee}", committee=studied_by(ctx, svc.committees)),
        *deadline_lines(ctx, due),
    ]
    if svc.field_visit:
        lines.append(field_visit_line(ctx))
    lines.append(ctx.t("To ask about it at any time, send the reference number."))
    text = "\n".join(lines)
    on_behalf = str(data["on_behalf"]) if for_other(data) else None
    effect = CreateRequest(
        reference=reference,
        service_id=svc.id,
        committees=tuple(svc.committees),
        data=dict(data.get("fields", {})),
        documents=tuple(d for d in data.get("documents", {}).values() if d),
        due_date=due,
        acknowledgement=ctx.local(ctx.org.acknowledgement),
        on_behalf_of=on_behalf,
    )
    event: dict[str, Any] = {"type": "request_submitted", "reference": reference, "service": svc.id,
                             "due_date": due.isoformat() if due else None}
    if on_behalf:
        event["on_behalf_of"] = on_behalf
    return done(Reply(text), effects=(effect,), events=(event,))
