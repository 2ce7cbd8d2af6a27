"""The information staff asked for (R7 "needs more information"), sent back against the request.

    staff set needs_info (bot/turn/notify.py) ─┬─ contact idle ─► notice + "reply here" (expects details)
                                          └─ contact busy ─► notice only; offered when their flow ends,
                                             or on "وش المطلوب" / a status inquiry
    details: a message and/or files ─► AddRequestInfo (stored on the request, back to under_study),
             confirmation with the reference ─┬─ text ─► done
                                              └─ files only ─► more files? (expects attachments) ─► done
Example: staff note "نرجو إرسال صك الإعالة" -> "تحديث على طلبك ESR-…: يحتاج معلومات إضافية …" ->
photo -> "استلمنا الملف وأضفناه إلى طلبك ESR-…" (events: info_received) -> "تم" -> done.
"""

from __future__ import annotations

from typing import Any

from bot.flows.base import Context, Input, Reply, RequestView, Result, State, ask, done
from bot.flows.effects import AddRequestInfo
from bot.flows.intake.applicant import relation_in
from bot.flows.validators import clean
from bot.lang.keywords import keyword_intent
from bot.lang.words import canon, is_done, is_no, is_skip, only_answer_words

NAME = "more_info"
ENTRY_INTENTS: tuple[str, ...] = ()
MAX_BYTES = 10 * 1024 * 1024
FILE_TYPES = ("image/", "application/pdf")
PENDING = "pending_info"  # state key: a request waiting for information while the contact was busy
_WHATS_NEEDED = {canon(w) for w in (
    "وش المطلوب", "ايش المطلوب", "شو المطلوب", "ايه المطلوب", "ما المطلوب", "المطلوب", "وش المطلوب مني",
    "ايش المطلوب مني", "ايه المطلوب مني", "وش تبون", "وش تبون مني", "ايش الناقص", "وش الناقص", "وش ينقص",
    "what is needed", "what's needed", "what do you need", "what information", "what is missing",
    "apa yang dibutuhkan", "apa yang diperlukan", "kya chahiye", "کیا چاہیے", "کیا درکار ہے",
)}


# Not information: small talk, or a short message that opens another flow (the engine lets it leave).
_NOT_INFO = ("thanks", "greet", "goodbye", "check_status")
_LEAVES = ("file_complaint", "give_rating", "volunteer", "urgent_help")
MAX_LEAVING_WORDS = 8


def is_small_talk(text: str) -> bool:
    return (keyword_intent(text) in _NOT_INFO and len(canon(text).split()) <= 4) or only_answer_words(text)


_NEW_REQUEST = tuple(f" {canon(w)} " for w in (
    "اقدم طلب", "تقديم طلب", "طلب جديد", "طلب خدمه", "apply for", "new request", "ajukan", "mengajukan",
    "درخواست دینی",
))


def leaves(text: str) -> bool:
    """A short message that asks for another flow ("ابغى اشتكي", "I want to apply for my mother"): not the
    information; the contact moves on."""
    if len(canon(text).split()) > MAX_LEAVING_WORDS:
        return False
    if keyword_intent(text) in _LEAVES:
        return True
    padded = f" {canon(text)} "
    return keyword_intent(text) == "request_service" and (
        relation_in(text) is not None or any(w in padded for w in _NEW_REQUEST))


def asks_whats_needed(text: str) -> bool:
    """ "وش المطلوب؟": the contact asks what information is missing."""
    return canon(text) in _WHATS_NEEDED


def waiting(ctx: Context, reference: str | None = None) -> RequestView | None:
    """The contact's own request that needs information (this one, or the latest)."""
    for req in ctx.requests:
        if req.status == "needs_info" and (reference is None or req.reference == reference):
            return req
    return None


def _ask(ctx: Context, data: dict[str, Any], *prefix: Reply) -> Result:
    lines = [ctx.t("Request {reference} needs more information from you.", reference=data["reference"])]
    if data.get("note"):
        lines.append(ctx.t("Note: {note}", note=data["note"]))
    lines.append(ctx.t("Please reply here with the information requested: a message, photos or files."))
    return ask(NAME, "info", "details", data, *prefix, Reply("\n".join(lines)))


def offer(ctx: Context, req: RequestView, *prefix: Reply) -> Result:
    """Wait for the information `req` needs (its reference and the staff note are shown)."""
    return _ask(ctx, {"reference": req.reference, "note": req.last_note}, *prefix)


def reply_here(ctx: Context, req: RequestView) -> Result:
    """After a needs_info notice that already quoted the note: only the invitation to answer."""
    text = ctx.t("Please reply here with the information requested: a message, photos or files.")
    return ask(NAME, "info", "details", {"reference": req.reference, "note": req.last_note}, Reply(text))


def prompt(state: State, ctx: Context) -> tuple[Reply, ...]:
    data: dict[str, Any] = dict(state.get("data") or {})
    if state.get("step") == "more":
        return (_more(ctx, data),)
    return _ask(ctx, data).replies


def _more(ctx: Context, data: dict[str, Any]) -> Reply:
    return Reply(ctx.t("Received and added to request {reference}. Send more files or a message if you need to, "
                       "or write done.", reference=data["reference"]))


def _thanks(ctx: Context, data: dict[str, Any]) -> Reply:
    return Reply(ctx.t("Thank you. Your reply has been added to request {reference} and its study continues. "
                       "We will tell you here of any update.", reference=data["reference"]))


def step(state: State, ctx: Context, inp: Input) -> Result:
    data: dict[str, Any] = dict(state.get("data") or {})
    more = state.get("step") == "more"
    if not inp.media and (asks_whats_needed(inp.text) or is_small_talk(inp.text)):
        return _ask(ctx, data)
    bad = next((m for m in inp.media if not m.content_type.startswith(FILE_TYPES)), None)
    if bad is not None:
        return ask(NAME, state.get("step") or "info", state.get("expects"), data,
                   Reply(ctx.t("Please send a photo or a PDF file.")))
    if any(m.size is not None and m.size > MAX_BYTES for m in inp.media):
        return ask(NAME, state.get("step") or "info", state.get("expects"), data,
                   Reply(ctx.t("The file is too large (10 MB at most).")))
    text = clean(inp.text)[:2000]
    if more and not inp.media and (is_done(text) or is_skip(text) or is_no(text)):
        return done(_thanks(ctx, data))
    if not inp.media and len(text) < 2:
        return _ask(ctx, data)
    files = tuple(m.as_dict() for m in inp.media)
    effect = AddRequestInfo(reference=str(data["reference"]), text=text or None, documents=files)
    event = {"type": "info_received", "reference": data["reference"], "files": len(files), "text": bool(text)}
    if text:
        return done(_thanks(ctx, data), effects=(effect,), events=(event,))
    result = ask(NAME, "more", "attachments", data, _more(ctx, data))
    return Result(result.state, result.replies, (effect,), (event,))
