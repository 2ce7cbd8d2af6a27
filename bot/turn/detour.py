"""An answer to a pending question that is not its answer: a question about the step, or a change of subject.

At a step waiting for a value (a form's field, a choice, yes/no), the flow gets the text first (router),
except for:
- a question about the step ("ليش تبون رقم هويتي؟", "why do you need my ID?", "kenapa perlu nomor KTP?"):
  it is answered (from the association's FAQ when one answers it, else why we ask and how the answer is
  kept), then the same question is asked again, nothing stored;
- an emergency the NLU is sure of, or a confident change of subject (a complaint, a status inquiry, a privacy
  request) that the value cannot be: that flow opens and the unfinished form is kept (`PAUSED`); when that
  flow is over, the conversation comes back to the same question ("let us continue your request").
Pure: no I/O.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from bot import flows
from bot.flows import info, urgent
from bot.flows.base import Context, Input, Reply, Result, State
from bot.flows.validators import FIELD_CHECKS, FIELD_LABELS, check_field
from bot.lang.i18n import N_
from bot.lang.keywords import keyword_intent
from bot.lang.words import canon
from bot.turn.menu import open_flow

PAUSED = "paused"
# Flows that are never paused for another (an emergency, a person, a language menu own the conversation).
_NOT_PAUSED = frozenset({"urgent", "handoff", "language", "moreinfo", "info"})
# Intents that may take the conversation away from a form; the person's "staff" and "cancel" are router words.
_SUBJECTS = frozenset({"file_complaint", "check_status", "privacy_request"})
# Steps answered in a person's own words: a question mark there may be part of the answer.
_FREE_TEXT = frozenset({"details", "diagnosis", "visit_address", "location", "comment", "description", "skills",
                        "text", "attachments", "document"})

_WHY_STARTS = tuple(canon(w) for w in (
    "ليش", "ليه", "لماذا", "لمه", "علاش", "ليش تبون", "ليش تبغون", "ليش تحتاجون", "وش تبون فيه", "وش تسوون",
    "ايش تسوون", "لماذا تحتاجون", "why", "what for", "what do you need", "what will you do", "kenapa", "mengapa",
    "untuk apa", "buat apa", "کیوں", "kyun", "kyon", "kyu", "کس لیے", "kis liye",
))
_QUESTION_STARTS = frozenset(canon(w) for w in (
    "هل", "كيف", "متى", "وين", "اين", "أين", "ايش", "وش", "شو", "ماذا", "مين", "من", "كم", "ليش", "لماذا", "ليه",
    "what", "why", "how", "when", "where", "who", "is", "are", "do", "does", "can", "will", "should", "apakah",
    "kenapa", "mengapa", "bagaimana", "kapan", "dimana", "siapa", "berapa", "کیا", "کیوں", "کب", "کہاں", "کیسے",
    "کون", "کتنا", "kya", "kab", "kahan", "kaise",
))

# Why a field is asked, where the general reason is not enough.
_REASONS: dict[str, str] = {
    "national_id": N_("We ask for your ID number to confirm who the request is for, to check eligibility and "
                      "that the same request is not made twice."),
    "monthly_income": N_("We ask about income because the committee decides support by the family's need."),
    "family_size": N_("We ask about the family's size because the committee decides support by the family's need."),
    "diagnosis": N_("We ask for the diagnosis so that the medical committee can study the right support for you."),
    "phone": N_("We ask for a mobile number so that we can tell you about your request."),
    "consent": N_("We need your consent before we keep your data: the Personal Data Protection Law requires it, "
                  "and without it we cannot study a request."),
}
_GENERAL_REASON = N_("We ask for this only to study your request and to reach you about it.")
_WHY_FIELD = N_("We ask for the {field} only to study your request and to reach you about it.")
_KEPT = N_("Your data stays confidential: only the staff who study your request see it, and you can ask "
           "for a copy of it or for its deletion at any time.")
_NO_ANSWER = N_("I do not have the answer to that here; a staff member can answer you (write 'staff' at any "
                "time).")
_CONTINUE = N_("Your request is not finished yet; let us continue where we stopped.")


def _starts_with(words: list[str], starts: tuple[str, ...] | frozenset[str]) -> bool:
    joined = " ".join(words)
    return any(joined == s or joined.startswith(s + " ") for s in starts)


# "Why" alone, wherever it stands in a short message ("میرا نام کیوں چاہیے؟", "اسمي ليش تبونه؟").
_WHY_WORDS = frozenset(canon(w) for w in ("ليش", "ليه", "لماذا", "لمه", "علاش", "why", "kenapa", "mengapa", "کیوں",
                                          "kyun", "kyon", "kyu"))
_WHY_MAX_WORDS = 8


def asks_why(text: str) -> bool:
    """ "ليش تبون اسمي؟", "why do you need this", "untuk apa KTP saya?", "میرا نام کیوں چاہیے؟": a question
    about the step itself."""
    words = canon(text).split()
    return _starts_with(words, _WHY_STARTS) or (len(words) <= _WHY_MAX_WORDS and any(w in _WHY_WORDS for w in words))


def _question_at(state: State, text: str) -> bool:
    """A question where the step waits for a value. At a field of few words (a name, a city, a number) a
    question's shape is enough; at a free-text step only "why ..." counts, since "هل يمكن مساعدتي في الإيجار؟"
    is a request's details."""
    words = canon(text).split()
    if not words:
        return False
    if asks_why(text):
        return True
    expects = str(state.get("expects") or "")
    if expects in _FREE_TEXT:
        return False
    asked = text.rstrip().endswith(("?", "؟"))
    if words[0] in _QUESTION_STARTS and (asked or len(words) >= 3):
        return True
    if asked and expects in FIELD_CHECKS:
        return check_field(expects, text)[0] is None
    return asked and expects not in FIELD_CHECKS and len(words) >= 2


def _answered(state: State, ctx: Context, text: str) -> Result:
    """The answer to a question asked at a step, then the step's question again; nothing else moves."""
    expects = str(state.get("expects") or "")
    again = flows.reprompt(state, ctx)
    topic = None if asks_why(text) else info.faq_for(ctx, text)
    if topic is not None:
        given = info.answer(ctx, topic, hint=False)
        return Result(state, (*given.replies, *again), events=given.events)
    if asks_why(text):
        reason = _REASONS.get(expects)
        if reason is None:
            label = FIELD_LABELS.get(expects)
            reason = _GENERAL_REASON
            line = ctx.t(reason) if label is None else ctx.t(_WHY_FIELD, field=ctx.t(label))
        else:
            line = ctx.t(reason)
        return Result(state, (Reply(line + "\n" + ctx.t(_KEPT)), *again), events=({"type": "step_explained"},))
    return Result(state, (Reply(ctx.t(_NO_ANSWER)), *again))


def _value_fits(state: State, text: str) -> bool:
    """The text could be the value the step waits for (only known for a form's fields)."""
    expects = str(state.get("expects") or "")
    if state.get("step") == "field" and expects in FIELD_CHECKS:
        return check_field(expects, text)[0] is not None
    return False


def wants_nlu(state: State, text: str) -> bool:
    """Whether the NLU may read a message typed at a pending step. Never a value the step accepts (a name,
    an ID number) nor a free-text answer (a request's details, a diagnosis): personal data stays out of the
    NLU; words alone tell an emergency or a complaint there. A choice, a yes/no or a value the field refuses
    may be a change of subject, which the NLU tells."""
    expects = str(state.get("expects") or "")
    if str(state.get("flow") or "") in _NOT_PAUSED or expects in _FREE_TEXT:
        return False
    return not _value_fits(state, text)


def aside(state: State, ctx: Context, inp: Input, sure_of_danger: bool, confident: bool) -> Result | None:
    """A question about the pending step, an emergency or a change of subject; None: the flow's answer.
    `confident`: the NLU read the message and is sure of its intent (without the NLU, only words count)."""
    flow = str(state.get("flow") or "")
    text = inp.text or ""
    if flow in _NOT_PAUSED or not text.strip() or inp.button is not None or inp.location is not None:
        return None
    explicit = keyword_intent(text)
    read = bool(inp.ranking)
    said = inp.intent if read and confident else None if read else explicit
    if said == "urgent_help" and (explicit == "urgent_help" or sure_of_danger):
        # "ساعدوني ابوي طاح" typed at a form's question: never stored as an answer. Staff are alerted at
        # once only when both the NLU and the words say so; otherwise one yes/no question first.
        sure = read and explicit == "urgent_help" and sure_of_danger
        return pause(state, urgent.start(ctx, inp) if sure else urgent.confirm(ctx, inp))
    why = asks_why(text)
    question = why or _question_at(state, text)
    if question and not why and info.faq_for(ctx, text) is not None:
        # "is my data shared with anyone?": the association's own answer, not its privacy menu.
        return _answered(state, ctx, text)
    if question and said == "privacy_request":
        # "is my data kept secret?" asked at a step: how we keep it, and the same question again.
        return Result(state, (Reply(ctx.t(_KEPT)), *flows.reprompt(state, ctx)), events=({"type": "step_explained"},))
    if not why and said in _SUBJECTS and said not in _entry_intents(flow) and _leaves(state, inp, said, explicit):
        opened = open_flow(str(said), ctx, replace(inp, intent=said))
        if opened is not None:
            return pause(state, opened)
    if question:
        return _answered(state, ctx, text)
    return None


_SURE = 0.9
_SHORT = 5


def _leaves(state: State, inp: Input, said: str | None, explicit: str | None) -> bool:
    """The intent is a change of subject, not the answer: at a field of few words the answer does not fit;
    at a free-text step only a short message that says so in words ("ابي اشتكي على الموظف"); at a choice or
    a yes/no, the words say so or the NLU is very sure."""
    text = inp.text or ""
    expects = str(state.get("expects") or "")
    if expects in _FREE_TEXT:
        return explicit == said and len(canon(text).split()) <= _SHORT
    if state.get("step") == "field" and expects in FIELD_CHECKS:
        return not _value_fits(state, text)
    return explicit == said or (bool(inp.ranking) and inp.confidence >= _SURE)


def _entry_intents(flow: str) -> tuple[str, ...]:
    module = flows.FLOWS.get(flow)
    return tuple(getattr(module, "ENTRY_INTENTS", ()))


def _kept(state: State) -> State:
    return {k: v for k, v in state.items() if k not in ("lang", PAUSED)}


def pause(state: State, opened: Result) -> Result:
    """`opened` runs now; the form in `state` waits for it to finish (see `carry`)."""
    return Result({**opened.state, PAUSED: _kept(state)}, opened.replies, opened.effects, opened.events)


def _without(result: Result) -> Result:
    state = {k: v for k, v in result.state.items() if k != PAUSED}
    return Result(state, result.replies, result.effects, result.events)


def carry(before: State, ctx: Context, result: Result, dropped: bool) -> tuple[Result, bool]:
    """Keep the paused form while another flow runs; return to its question when that flow is over
    (then True). `dropped`: the person cancelled, asked for the menu or started again: the form is let go."""
    paused: dict[str, Any] = dict(result.state.get(PAUSED) or before.get(PAUSED) or {})
    if not paused:
        return result, False
    new = result.state
    if dropped or new.get("flow") == paused.get("flow") or new.get("flow") in _NOT_PAUSED - {"urgent"}:
        # Let go, started afresh, or handed to staff (the handoff keeps its own place to come back to).
        return _without(result), False
    if new.get("flow"):
        return Result({**new, PAUSED: paused}, result.replies, result.effects, result.events), False
    again = flows.reprompt(paused, ctx)
    if not again:
        return _without(result), False
    back = (Reply(ctx.t(_CONTINUE)), *again)
    return Result(paused, (*result.replies, *back), result.effects, result.events), True
