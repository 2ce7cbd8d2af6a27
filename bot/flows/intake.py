"""Intake of a service request (R3-R5): complete, validated, acknowledged, then referenced.

    start ─► service? ─► requirements + consent ─► [health consent] ─► field… ─► documents…
          ─► summary + acknowledgement ─┬─ acknowledge ─► CreateRequest, reference, committee, deadline
                                        ├─ edit ─► which field? ─► field ─► summary
                                        └─ cancel
Example: "ابغى اقدم طلب" -> expects service -> "1" -> expects consent -> "نعم" -> expects full_name ...
"""

from __future__ import annotations

from typing import Any

from bot.calendar import both_calendars
from bot.effects import CreateRequest, RecordConsent
from bot.flows import handoff
from bot.flows.base import Context, Input, Reply, Result, State, ask, done
from bot.flows.words import (
    best_match,
    digit_choice,
    is_done,
    is_edit,
    is_no,
    is_skip,
    is_yes,
    only_answer_words,
)
from bot.i18n import N_
from bot.messages import Button
from bot.validators import FIELD_LABELS, FIELD_QUESTIONS, check_field

NAME = "intake"
ENTRY_INTENTS = ("request_service",)
MAX_ATTEMPTS = 3
MAX_DOCUMENT_BYTES = 10 * 1024 * 1024
DOCUMENT_TYPES = ("image/", "application/pdf")
ASK_FIELD = N_("Please write the {field}.")


def _services(ctx: Context) -> list[Any]:
    return list(ctx.org.services)


def _service(ctx: Context, data: dict[str, Any]) -> Any:
    return next(s for s in ctx.org.services if s.id == data["service"])


def _yes_no(ctx: Context) -> tuple[Button, ...]:
    return (Button("yes", ctx.t("Yes, I agree")), Button("no", ctx.t("No")))


def _match_service(ctx: Context, text: str) -> Any | None:
    services = _services(ctx)
    pick = digit_choice(text, len(services))
    if pick:
        return services[pick - 1]
    for svc in services:
        if svc.id == text.strip():
            return svc
    key = best_match(text, {s.id: list(s.name.values()) for s in services})
    if key is None:
        key = best_match(text, {s.id: [*s.name.values(), *s.description.values()] for s in services})
    return next((s for s in services if s.id == key), None)


def start(ctx: Context, inp: Input) -> Result:
    data: dict[str, Any] = {}
    services = _services(ctx)
    chosen = _match_service(ctx, inp.text) if inp.text and len(inp.text) > 3 else None
    if len(services) == 1:
        chosen = services[0]
    if chosen is None:
        return _ask_service(ctx, data)
    return _after_service(ctx, {**data, "service": chosen.id})


def _ask_service(ctx: Context, data: dict[str, Any], prefix: str = "") -> Result:
    lines = [prefix] if prefix else []
    lines.append(ctx.t("Which service would you like to request?"))
    buttons = tuple(Button(str(i), ctx.local(s.name)) for i, s in enumerate(_services(ctx), 1))
    return ask(NAME, "service", "service", data, Reply("\n".join(lines), buttons))


def _after_service(ctx: Context, data: dict[str, Any]) -> Result:
    svc = _service(ctx, data)
    intro = ctx.t("Requirements for {service}:", service=ctx.local(svc.name)) + "\n" + ctx.local(svc.requirements)
    if svc.documents:
        intro += "\n" + ctx.t("Documents:") + "\n" + "\n".join(
            f"- {ctx.local(d.name)}" + ("" if d.required else " " + ctx.t("(optional)")) for d in svc.documents
        )
    consent = ctx.local(ctx.org.consent)
    return ask(NAME, "consent", "consent", data, Reply(intro), Reply(consent, _yes_no(ctx)))


def _next_field(ctx: Context, data: dict[str, Any], prefix: tuple[Reply, ...] = ()) -> Result:
    svc = _service(ctx, data)
    fields = data.setdefault("fields", {})
    for name in svc.fields:
        if name == "phone" and name not in fields and ctx.contact.phone:
            # The channel vouches for this number (WhatsApp, SMS, a shared Telegram contact);
            # the summary shows it and it can be edited there.
            fields[name] = ctx.contact.phone
        if name not in fields:
            return ask(NAME, "field", name, {**data, "field": name, "attempts": 0}, *prefix,
                       Reply(_question(ctx, name)))
    return _next_document(ctx, data, prefix)


def _next_document(ctx: Context, data: dict[str, Any], prefix: tuple[Reply, ...] = ()) -> Result:
    svc = _service(ctx, data)
    docs = data.setdefault("documents", {})
    for doc in svc.documents:
        if doc.id not in docs:
            text = ctx.t("Please send: {document}", document=ctx.local(doc.name))
            if not doc.required:
                text += "\n" + ctx.t("(optional: write skip if you do not have it)")
            return ask(NAME, "document", "attachments", {**data, "document": doc.id}, *prefix, Reply(text))
    return _summary(ctx, data, prefix)


def _summary(ctx: Context, data: dict[str, Any], prefix: tuple[Reply, ...] = ()) -> Result:
    svc = _service(ctx, data)
    lines = [ctx.t("Please review your request:"), ctx.t("Service: {service}", service=ctx.local(svc.name))]
    for name, value in data.get("fields", {}).items():
        lines.append(f"{ctx.t(FIELD_LABELS.get(name, name))}: {value}")
    received = [d for d in data.get("documents", {}).values() if d]
    if svc.documents:
        lines.append(ctx.nt("{n} document attached", "{n} documents attached", len(received)))
    lines.append("")
    lines.append(ctx.local(ctx.org.acknowledgement))
    buttons = (
        Button("acknowledge", ctx.t("I confirm and submit")),
        Button("edit", ctx.t("Edit")),
        Button("cancel", ctx.t("Cancel")),
    )
    return ask(NAME, "summary", "acknowledge", data, *prefix, Reply("\n".join(lines), buttons))


def _choice(inp: Input, ids: tuple[str, ...]) -> str | None:
    if inp.button in ids:
        return inp.button
    pick = digit_choice(inp.text, len(ids))
    return ids[pick - 1] if pick else None


def _question(ctx: Context, name: str) -> str:
    return ctx.t(FIELD_QUESTIONS.get(name, ASK_FIELD), field=name)


def _ask_edit(ctx: Context, data: dict[str, Any]) -> Result:
    svc = _service(ctx, data)
    buttons = tuple(Button(str(i), ctx.t(FIELD_LABELS.get(f, f))) for i, f in enumerate(svc.fields, 1))
    return ask(NAME, "edit", "field_to_edit", data, Reply(ctx.t("Which item do you want to change?"), buttons))


def prompt(state: State, ctx: Context) -> tuple[Reply, ...]:
    """The question of the current step, rendered in ctx's language (see bot.flows.reprompt)."""
    data: dict[str, Any] = dict(state.get("data") or {})
    current = state.get("step")
    if current == "service":
        return _ask_service(ctx, data).replies
    if current == "consent":
        return _after_service(ctx, data).replies
    if current == "health_consent":
        return (Reply(ctx.local(ctx.org.health_consent), _yes_no(ctx)),)
    if current == "field":
        return (Reply(_question(ctx, str(data.get("field") or state.get("expects")))),)
    if current == "document":
        return _next_document(ctx, {k: v for k, v in data.items() if k != "document"}).replies
    if current == "summary":
        return _summary(ctx, data).replies
    if current == "edit":
        return _ask_edit(ctx, data).replies
    return ()


def step(state: State, ctx: Context, inp: Input) -> Result:
    data: dict[str, Any] = dict(state.get("data") or {})
    handler = {
        "service": _on_service,
        "consent": _on_consent,
        "health_consent": _on_health_consent,
        "field": _on_field,
        "document": _on_document,
        "summary": _on_summary,
        "edit": _on_edit,
    }.get(state.get("step") or "")
    if handler is None:
        return start(ctx, inp)
    return handler(ctx, data, inp)


def _on_service(ctx: Context, data: dict[str, Any], inp: Input) -> Result:
    svc = _match_service(ctx, inp.button or inp.text)
    if svc is None:
        return _ask_service(ctx, data, ctx.t("Please choose one of the services by its number."))
    return _after_service(ctx, {"service": svc.id})


def _on_consent(ctx: Context, data: dict[str, Any], inp: Input) -> Result:
    answer = inp.button or inp.text
    if inp.button == "yes" or is_yes(answer):
        consent = RecordConsent(purpose="request_processing", granted=True, text=ctx.local(ctx.org.consent))
        event = {"type": "consent_recorded", "purpose": "request_processing", "granted": True}
        svc = _service(ctx, data)
        if svc.health_data and ctx.org.health_consent is not None:
            result = ask(NAME, "health_consent", "consent", data, Reply(ctx.local(ctx.org.health_consent), _yes_no(ctx)))
        else:
            result = _next_field(ctx, data)
        return Result(result.state, result.replies, (consent,), (event,))
    if inp.button == "no" or is_no(answer):
        consent = RecordConsent(purpose="request_processing", granted=False, text=ctx.local(ctx.org.consent))
        msg = ctx.t("Without your consent we cannot take the request. You can come back at any time.")
        return done(Reply(msg), effects=(consent,), events=({"type": "consent_recorded", "granted": False},))
    return ask(NAME, "consent", "consent", data, Reply(ctx.t("Please answer yes or no."), _yes_no(ctx)))


def _on_health_consent(ctx: Context, data: dict[str, Any], inp: Input) -> Result:
    answer = inp.button or inp.text
    text = ctx.local(ctx.org.health_consent)
    if inp.button == "yes" or is_yes(answer):
        result = _next_field(ctx, data)
        event = {"type": "consent_recorded", "purpose": "health_data", "granted": True}
        return Result(result.state, result.replies, (RecordConsent("health_data", True, text),), (event,))
    if inp.button == "no" or is_no(answer):
        msg = ctx.t("This service needs your health information, so we cannot continue without your consent.")
        event = {"type": "consent_recorded", "purpose": "health_data", "granted": False}
        return done(Reply(msg), effects=(RecordConsent("health_data", False, text),), events=(event,))
    return ask(NAME, "health_consent", "consent", data, Reply(ctx.t("Please answer yes or no."), _yes_no(ctx)))


def _on_field(ctx: Context, data: dict[str, Any], inp: Input) -> Result:
    name = data["field"]
    raw = inp.text
    if name == "phone" and not raw and ctx.contact.phone:
        raw = ctx.contact.phone
    if name == "location" and inp.location is not None:
        raw = f"{inp.location.lat:.6f},{inp.location.lon:.6f}"
    value, error = check_field(name, raw)
    if name == "full_name" and only_answer_words(raw):
        value, error = None, N_("Please write your full name (at least two names, letters only).")
    if value is None:
        attempts = int(data.get("attempts", 0)) + 1
        if attempts >= MAX_ATTEMPTS:
            # R8: the procedure is unclear to the beneficiary: a human takes over, and afterwards the
            # conversation resumes at this same question.
            resume = {"flow": NAME, "step": "field", "expects": name, "data": {**data, "attempts": 0},
                      "prompt": {"text": _question(ctx, name), "buttons": []}}
            intro = ctx.t("It seems this step is not clear. I am passing you to a staff member who will help.")
            return handoff.open_handoff(ctx, "unclear_procedure", resume=resume, intro=intro)
        return ask(NAME, "field", name, {**data, "attempts": attempts}, Reply(ctx.t(error or "")))
    fields = {**data.get("fields", {}), name: value}
    data = {k: v for k, v in data.items() if k not in ("field", "attempts")}
    data["fields"] = fields
    if data.pop("editing", False):
        return _summary(ctx, data)
    return _next_field(ctx, data)


def _on_document(ctx: Context, data: dict[str, Any], inp: Input) -> Result:
    svc = _service(ctx, data)
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
        text = ctx.t("Please send: {document}", document=ctx.local(doc.name))
        if not doc.required:
            text += "\n" + ctx.t("(optional: write skip if you do not have it)")
        elif inp.text.strip():
            # A required document cannot be skipped; the conversation waits for it as long as needed.
            text += "\n" + ctx.t(
                "This document is required. Send it whenever you have it: your answers so far are kept. "
                "To talk to a staff member, write: staff."
            )
        return ask(NAME, "document", "attachments", data, Reply(text))
    return _next_document(ctx, {**data, "documents": docs})


def _on_summary(ctx: Context, data: dict[str, Any], inp: Input) -> Result:
    choice = _choice(inp, ("acknowledge", "edit", "cancel")) or (
        "acknowledge" if is_yes(inp.text) else "cancel" if is_no(inp.text) else "edit" if is_edit(inp.text) else None
    )
    if choice == "acknowledge":
        return _submit(ctx, data)
    if choice == "edit":
        return _ask_edit(ctx, data)
    if choice == "cancel":
        return done(Reply(ctx.t("The request was cancelled and nothing was submitted.")))
    return _summary(ctx, data, (Reply(ctx.t("Please choose 1 to confirm, 2 to edit or 3 to cancel.")),))


def _on_edit(ctx: Context, data: dict[str, Any], inp: Input) -> Result:
    svc = _service(ctx, data)
    pick = digit_choice(inp.button or inp.text, len(svc.fields))
    if pick is None:
        return _summary(ctx, data)
    name = svc.fields[pick - 1]
    return ask(NAME, "field", name, {**data, "field": name, "attempts": 0, "editing": True},
               Reply(_question(ctx, name)))


def _submit(ctx: Context, data: dict[str, Any]) -> Result:
    svc = _service(ctx, data)
    reference = ctx.new_reference(ctx.org.reference_prefix)
    due = ctx.due_date()
    bodies = " + ".join(ctx.local(ctx.org.committees[c]) for c in svc.committees)
    rule = ctx.org.deadline
    if rule.kind == "working_days":
        span = ctx.nt("{n} working day", "{n} working days", rule.days)
    else:
        span = ctx.nt("{n} day", "{n} days", rule.days)
    text = "\n".join(
        [
            ctx.t("Your request has been submitted. Reference number: {reference}", reference=reference),
            ctx.t("It will be studied by: {committee}", committee=bodies),
            ctx.t("You will receive a reply within {span}, by {date}.", span=span, date=both_calendars(due, ctx.lang)),
            ctx.t("To ask about it at any time, send the reference number."),
        ]
    )
    effect = CreateRequest(
        reference=reference,
        service_id=svc.id,
        committees=tuple(svc.committees),
        data=dict(data.get("fields", {})),
        documents=tuple(d for d in data.get("documents", {}).values() if d),
        due_date=due,
        acknowledgement=ctx.local(ctx.org.acknowledgement),
    )
    event = {"type": "request_submitted", "reference": reference, "service": svc.id, "due_date": due.isoformat()}
    return done(Reply(text), effects=(effect,), events=(event,))
