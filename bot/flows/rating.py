"""Rating (R11): a right of the beneficiary, a tool for improvement and not for punishment or shaming.

    start ("ابغى اقيم", menu) ─┐
    after delivery (staff) ────┼─► score 1-5 (any digits, words, stars) ─► comment or skip ─► RecordRating
    periodic survey (staff) ───┘        └─ decline ─► RecordRating(score=None)   └─ "stop" ─► SetOptOut
Example: "ابغى اقيم" -> expects rating -> "٤" -> expects comment -> "تخطي" -> "شكرًا لتقييمك"
(events: rating_recorded {"score": 4}). "تقييمي ٣ نجوم" opens the same question: the score is only ever
the answer to it, never a number in the message that opened the flow.
"""

from __future__ import annotations

from typing import Any

from bot.flows.base import Context, Input, Reply, RequestView, Result, State, ask, done
from bot.flows.effects import RecordRating, SetOptOut
from bot.flows.validators import clean
from bot.lang.words import canon, is_no, is_skip
from bot.messages import Button
from nlu.entities import parse_number

NAME = "rating"
ENTRY_INTENTS = ("give_rating",)
MAX_ATTEMPTS = 3
MAX_COMMENT = 1000
_STOP = {canon(w) for w in ("stop", "stop surveys", "ايقاف", "إيقاف", "لا ترسلوا", "berhenti", "بند کریں")}
_STARS = "⭐★"


def _rated_request(ctx: Context) -> RequestView | None:
    return next((r for r in ctx.requests if r.status in ("delivered", "closed")), None)


def _service_name(ctx: Context, reference: str | None) -> str | None:
    req = next((r for r in ctx.requests if r.reference == reference), None)
    svc = next((s for s in ctx.org.services if req and s.id == req.service_id), None)
    return ctx.local(svc.name) if svc else None


def _buttons(ctx: Context) -> tuple[Button, ...]:
    return (*(Button(str(i), "⭐" * i) for i in range(1, 6)), Button("decline", ctx.t("I prefer not to rate")))


def score_of(text: str) -> int | None:
    """1-5 from "٤", "4/5", "four", "أربعة", "⭐⭐⭐⭐"; None otherwise."""
    stars = sum(text.count(s) for s in _STARS)
    value = stars if stars else parse_number(text or "")
    return value if value is not None and 1 <= value <= 5 else None


def start(ctx: Context, inp: Input) -> Result:
    """The rating question. A number in the message that opened the flow is not taken as the score
    ("5" after an answer, "rate this film 5 stars"): a rating is only ever the answer to the question."""
    req = _rated_request(ctx)
    data: dict[str, Any] = {"request": req.reference if req else None}
    return _ask_score(ctx, data)


def after_delivery(ctx: Context, reference: str) -> Result:
    """The one polite question after a request reaches 'delivered' (queued by staff actions)."""
    return _ask_score(ctx, {"request": reference, "asked": True})


def survey(ctx: Context, survey_id: int, question: str) -> Result:
    """A periodic survey question (queued by `tawasul staff survey`)."""
    lines = [question, ctx.t("Please answer from 1 (poor) to 5 (excellent), or write stop to receive no more surveys.")]
    data = {"survey": survey_id, "question": question}
    return ask(NAME, "score", "rating", data, Reply("\n".join(lines), _buttons(ctx)))


def _ask_score(ctx: Context, data: dict[str, Any], prefix: str = "") -> Result:
    name = _service_name(ctx, data.get("request"))
    lines = [prefix] if prefix else []
    if name:
        lines.append(ctx.t("How would you rate the service \"{service}\" (request {reference})?",
                           service=name, reference=data["request"]))
    else:
        lines.append(ctx.t("How would you rate our service?"))
    lines.append(ctx.t("Choose from 1 (poor) to 5 (excellent). Your rating is a tool for improvement, "
                       "not for punishment or shaming, and you may decline."))
    return ask(NAME, "score", "rating", data, Reply("\n".join(lines), _buttons(ctx)))


def _ask_comment(ctx: Context, data: dict[str, Any]) -> Result:
    text = ctx.t("Thank you. Would you like to add a comment? Write it, or write skip.")
    return ask(NAME, "comment", "comment", data, Reply(text, (Button("skip", ctx.t("Skip")),)))


def prompt(state: State, ctx: Context) -> tuple[Reply, ...]:
    data: dict[str, Any] = dict(state.get("data") or {})
    if state.get("step") == "comment":
        return _ask_comment(ctx, data).replies
    if data.get("survey"):
        # The survey question is staff's own text; without it the stored prompt is repeated.
        return survey(ctx, int(data["survey"]), str(data["question"])).replies if data.get("question") else ()
    return _ask_score(ctx, data).replies


def step(state: State, ctx: Context, inp: Input) -> Result:
    data: dict[str, Any] = dict(state.get("data") or {})
    if state.get("step") == "comment":
        skip = inp.button == "skip" or is_skip(inp.text) or is_no(inp.text)
        comment = None if skip else clean(inp.text)[:MAX_COMMENT] or None
        return _record(ctx, data, int(data["score"]), comment)
    if data.get("survey") and canon(inp.text) in _STOP:
        return done(Reply(ctx.t("Done. You will receive no more surveys from us.")),
                    effects=(SetOptOut(True),), events=({"type": "opted_out"},))
    if inp.button == "decline" or is_no(inp.text) or is_skip(inp.text):
        effect = RecordRating(None, None, data.get("request"), data.get("survey"))
        event = {"type": "rating_declined", "reference": data.get("request")}
        return done(Reply(ctx.t("No problem. Thank you, and we are always glad to serve you.")),
                    effects=(effect,), events=(event,))
    score = score_of(inp.button or inp.text)
    if score is None:
        attempts = int(data.get("attempts", 0)) + 1
        if attempts >= MAX_ATTEMPTS:
            return done(Reply(ctx.t("You can rate our service at any time by writing: rating.")))
        return _ask_score(ctx, {**data, "attempts": attempts}, ctx.t("Please choose a number from 1 to 5."))
    return _ask_comment(ctx, {**data, "score": score})


def _record(ctx: Context, data: dict[str, Any], score: int, comment: str | None) -> Result:
    effect = RecordRating(score, comment, data.get("request"), data.get("survey"))
    lines = [ctx.t("Thank you for your rating. It helps us improve our services.")]
    if score <= 2:
        lines.append(ctx.t("We are sorry we fell short. If you wish to file a complaint, write: complaint."))
    event = {"type": "rating_recorded", "score": score, "reference": data.get("request"),
             "survey": data.get("survey")}
    return done(Reply("\n".join(lines)), effects=(effect,), events=(event,))
