"""Intake of a service request (R3-R5): complete, validated, acknowledged, then referenced.

    start ─► service? ─► requirements + consent ─► [health consent] ─► field… (for whom? see below)
          ─► documents, summary, acknowledgement, submission (bot/flows/intake/review.py)
Applying for someone else adds no question: the opening message says so ("ابغى اقدم لابوي"), or the answer
to the first question does (hinted for services whose profile has `on_behalf: true`); then the questions
are about the beneficiary. See bot/flows/intake/applicant.py.
Example: "ابغى اقدم طلب" -> expects service -> "1" -> expects consent -> "نعم" -> expects full_name ...
"""

from __future__ import annotations

from typing import Any

from bot.flows import handoff
from bot.flows.base import Context, Input, Reply, Result, State, ask, done
from bot.flows.effects import RecordConsent
from bot.flows.intake import applicant, choose, review
from bot.flows.intake.common import NAME, question, service, services, yes_no
from bot.flows.validators import FIELD_LABELS, check_field
from bot.lang.i18n import N_
from bot.lang.words import digit_choice, is_no, is_yes, only_answer_words
from bot.messages import Button

ENTRY_INTENTS = ("request_service",)
MAX_ATTEMPTS = 3
MAX_DOCUMENT_BYTES = review.MAX_DOCUMENT_BYTES
DOCUMENT_TYPES = review.DOCUMENT_TYPES


def _match_service(ctx: Context, text: str) -> Any | None:
    offered = services(ctx)
    pick = digit_choice(text, len(offered))
    if pick:
        return offered[pick - 1]
    for svc in offered:
        if svc.id == text.strip():
            return svc
    # Its name, or a plea in one's own words ("ما عندنا اكل", "a ride to my chemo"): the service that serves
    # the need, ranked (bot/flows/intake/choose.py).
    return choose.choose(offered, text)


def _with_told(svc: Any, data: dict[str, Any], text: str) -> dict[str, Any]:
    """What the message already said for the form (details, family size, city) is kept, not asked again;
    the summary shows it for the person to confirm or edit."""
    found = choose.told(svc, text) if text else {}
    if not found:
        return data
    return {**data, "fields": {**data.get("fields", {}), **found}, "told": sorted(found)}


def start(ctx: Context, inp: Input) -> Result:
    data: dict[str, Any] = {}
    relation = applicant.relation_in(inp.text) if inp.text else None
    if relation is not None:
        data["on_behalf"] = relation
    offered = services(ctx)
    chosen = _match_service(ctx, inp.text) if inp.text and len(inp.text) > 3 else None
    if len(offered) == 1:
        chosen = offered[0]
    if chosen is None:
        return _ask_service(ctx, data)
    return _after_service(ctx, _with_told(chosen, {**data, "service": chosen.id}, inp.text))


def _ask_service(ctx: Context, data: dict[str, Any], prefix: str = "") -> Result:
    lines = [prefix] if prefix else []
    if data.get("on_behalf") and not prefix:
        lines.append(applicant.intro(ctx, str(data["on_behalf"])))
    lines.append(ctx.t("Which service would you like to request?"))
    buttons = tuple(Button(str(i), ctx.local(s.name)) for i, s in enumerate(services(ctx), 1))
    return ask(NAME, "service", "service", data, Reply("\n".join(lines), buttons))


def _after_service(ctx: Context, data: dict[str, Any]) -> Result:
    svc = service(ctx, data)
    intro = ctx.t("Requirements for {service}:", service=ctx.local(svc.name)) + "\n" + ctx.local(svc.requirements)
    if svc.documents:
        intro += "\n" + ctx.t("Documents:") + "\n" + "\n".join(
            f"- {ctx.local(d.name)}" + ("" if d.required else " " + ctx.t("(optional)")) for d in svc.documents
        )
    told = [name for name in data.get("told", []) if name in data.get("fields", {})]
    if told:
        noted = "\n".join(f"- {ctx.t(FIELD_LABELS[name])}: {data['fields'][name]}" for name in told
                          if name in FIELD_LABELS)
        intro += "\n\n" + ctx.t("From your message I noted (you can correct it before sending):") + "\n" + noted
    consent = ctx.local(ctx.org.consent)
    return ask(NAME, "consent", "consent", data, Reply(intro), Reply(consent, yes_no(ctx)))


def _next_field(ctx: Context, data: dict[str, Any], prefix: tuple[Reply, ...] = ()) -> Result:
    svc = service(ctx, data)
    fields = data.setdefault("fields", {})
    for name in svc.fields:
        if name == "phone" and name not in fields and ctx.contact.phone and data.get("on_behalf") != (
                "field_representative"):
            # The channel vouches for this number (WhatsApp, SMS, a shared Telegram contact); the summary
            # shows it and it can be edited there. A field representative's own number is not the pilgrim's.
            fields[name] = ctx.contact.phone
        if name not in fields:
            text = question(ctx, name, data)
            if getattr(svc, "on_behalf", False) and "on_behalf" not in data and not data.get("hinted"):
                text += "\n" + applicant.hint(ctx)
                data = {**data, "hinted": True}
            return ask(NAME, "field", name, {**data, "field": name, "attempts": 0}, *prefix, Reply(text))
    return review.next_document(ctx, data, prefix)


def prompt(state: State, ctx: Context) -> tuple[Reply, ...]:
    """The question of the current step, rendered in ctx's language (see bot.flows.reprompt)."""
    data: dict[str, Any] = dict(state.get("data") or {})
    current = state.get("step")
    if current == "service":
        return _ask_service(ctx, data).replies
    if current == "consent":
        return _after_service(ctx, data).replies
    if current == "health_consent":
        return (Reply(ctx.local(ctx.org.health_consent), yes_no(ctx)),)
    if current == "field":
        return (Reply(question(ctx, str(data.get("field") or state.get("expects")), data)),)
    if current == "document":
        return review.next_document(ctx, {k: v for k, v in data.items() if k != "document"}).replies
    if current == "summary":
        return review.summary(ctx, data).replies
    if current == "edit":
        return review.ask_edit(ctx, data).replies
    return ()


def step(state: State, ctx: Context, inp: Input) -> Result:
    data: dict[str, Any] = dict(state.get("data") or {})
    handler = {
        "service": _on_service,
        "consent": _on_consent,
        "health_consent": _on_health_consent,
        "field": _on_field,
        "document": review.on_document,
        "summary": review.on_summary,
        "edit": review.on_edit,
    }.get(state.get("step") or "")
    if handler is None:
        return start(ctx, inp)
    return handler(ctx, data, inp)


def _on_service(ctx: Context, data: dict[str, Any], inp: Input) -> Result:
    svc = _match_service(ctx, inp.button or inp.text)
    if svc is None:
        return _ask_service(ctx, data, ctx.t("Please choose one of the services by its number."))
    kept = {"on_behalf": data["on_behalf"]} if data.get("on_behalf") else {}
    said = "" if inp.button or digit_choice(inp.text, len(services(ctx))) else inp.text
    return _after_service(ctx, _with_told(svc, {**kept, "service": svc.id}, said))


def _on_consent(ctx: Context, data: dict[str, Any], inp: Input) -> Result:
    answer = inp.button or inp.text
    if inp.button == "yes" or is_yes(answer):
        consent = RecordConsent(purpose="request_processing", granted=True, text=ctx.local(ctx.org.consent))
        event = {"type": "consent_recorded", "purpose": "request_processing", "granted": True}
        svc = service(ctx, data)
        if svc.health_data and ctx.org.health_consent is not None:
            result = ask(NAME, "health_consent", "consent", data, Reply(ctx.local(ctx.org.health_consent), yes_no(ctx)))
        else:
            result = _next_field(ctx, data)
        return Result(result.state, result.replies, (consent,), (event,))
    if inp.button == "no" or is_no(answer):
        consent = RecordConsent(purpose="request_processing", granted=False, text=ctx.local(ctx.org.consent))
        msg = ctx.t("Without your consent we cannot take the request. You can come back at any time.")
        return done(Reply(msg), effects=(consent,), events=({"type": "consent_recorded", "granted": False},))
    return ask(NAME, "consent", "consent", data, Reply(ctx.t("Please answer yes or no."), yes_no(ctx)))


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
    return ask(NAME, "health_consent", "consent", data, Reply(ctx.t("Please answer yes or no."), yes_no(ctx)))


def _on_field(ctx: Context, data: dict[str, Any], inp: Input) -> Result:
    name = data["field"]
    raw = inp.text
    if name == "phone" and not raw and ctx.contact.phone:
        raw = ctx.contact.phone
    if name == "location" and inp.location is not None:
        raw = f"{inp.location.lat:.6f},{inp.location.lon:.6f}"
    first = set(data.get("fields", {})) <= {"phone"}  # only the first answer may say it is for someone else
    relation = applicant.relation_in(raw) if first and "on_behalf" not in data and not inp.media else None
    if relation is not None:
        # "لابوي": the request is for someone else; the same question, now about the beneficiary.
        data = {**data, "on_behalf": relation}
        return ask(NAME, "field", name, data, Reply(applicant.intro(ctx, relation)), Reply(question(ctx, name, data)))
    value, error = check_field(name, raw)
    if name == "full_name" and only_answer_words(raw):
        value, error = None, N_("Please write your full name (at least two names, letters only).")
    if value is None:
        attempts = int(data.get("attempts", 0)) + 1
        if attempts >= MAX_ATTEMPTS:
            # R8: the procedure is unclear to the beneficiary: a human takes over, and afterwards the
            # conversation resumes at this same question.
            resume = {"flow": NAME, "step": "field", "expects": name, "data": {**data, "attempts": 0},
                      "prompt": {"text": question(ctx, name, data), "buttons": []}}
            intro = ctx.t("It seems this step is not clear. I am passing you to a staff member who will help.")
            return handoff.open_handoff(ctx, "unclear_procedure", resume=resume, intro=intro)
        return ask(NAME, "field", name, {**data, "attempts": attempts}, Reply(ctx.t(error or "")))
    fields = {**data.get("fields", {}), name: value}
    data = {k: v for k, v in data.items() if k not in ("field", "attempts")}
    data["fields"] = fields
    if data.pop("editing", False):
        return review.summary(ctx, data)
    return _next_field(ctx, data)
