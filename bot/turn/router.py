"""Routing one input to one pure flow step: the decision half of a turn (no I/O).

Order: a conversation handed to staff stays quiet -> global words (cancel, menu, restart, back,
language) -> the flow waiting for input gets the text first -> a digit picks an item of the last
menu -> the NLU's intent (or an explicit keyword) opens a flow -> else clarify or menu.
After each step the question the bot asked is kept in the state ("prompt"), so that "back", a
language change, a greeting after a pause and the end of a handoff can repeat it.
"""

from __future__ import annotations

from dataclasses import replace

from bot import flows
from bot.flows import handoff, info, language, moreinfo, urgent
from bot.flows.base import Context, Input, Reply, Result, State
from bot.flows.intake import choose as intake_choice
from bot.flows.intake.applicant import relation_in
from bot.lang.courtesy import ANSWERS, EMPATHY, LANGUAGES_OFFER, empathy, in_kind, unsupported_script
from bot.lang.gender import gender_said
from bot.lang.keywords import keyword_intent
from bot.lang.words import (
    canon,
    digit_choice,
    is_back,
    is_cancel,
    is_correction,
    is_greeting,
    is_human,
    is_menu,
    is_restart,
)
from bot.turn import detour
from bot.turn.menu import clarify, menu, open_flow, refusal, small_talk
from nlu.client import CONFIDENCE_THRESHOLD as NLU_CONFIDENCE_THRESHOLD

CONFIDENCE_THRESHOLD = NLU_CONFIDENCE_THRESHOLD  # measured on the held-out set (nlu/client.py)
MAX_BACK = 4
# Explicit words that may act even when the NLU is unsure: they only answer (greeting, thanks, information).
HARMLESS = frozenset({"greet", "thanks", "ask_info"})
# Without the NLU's own word on it, urgent_help alerts staff at once only at this confidence; below it the
# bot first asks "is anyone in danger?"
URGENT_THRESHOLD = 0.8


def prompt_of(state: State, ctx: Context) -> tuple[Reply, ...]:
    """The question a flow state is waiting on, asked again in the contact's current language."""
    return flows.reprompt(state, ctx)


def _back(state: State, ctx: Context) -> Result:
    previous: State = dict(state.get("back") or {})
    if not previous.get("flow"):
        return menu(ctx)
    return Result(previous, prompt_of(previous, ctx))


def _typed_button(state: State, text: str) -> str | None:
    """The id of a button of the pending question whose title was typed ("تعديل" for the Edit button)."""
    typed = canon(text)
    buttons = (state.get("prompt") or {}).get("buttons") or []
    return next((b["id"] for b in buttons if typed and canon(b["title"]) == typed), None)


def _route(state: State, ctx: Context, inp: Input) -> Result:
    text = inp.text or ""
    in_flow = bool(state.get("flow"))
    if in_flow and inp.button is None:
        typed = _typed_button(state, text)
        if typed is not None:
            inp = replace(inp, button=typed)
    if is_cancel(text) or (inp.button == "cancel" and in_flow):
        if in_flow:
            return menu(ctx, prefix=ctx.t("Cancelled. Nothing was submitted."))
        return menu(ctx)
    if is_menu(text) or is_restart(text):
        return menu(ctx)
    if in_flow and (is_back(text) or (state.get("expects") and is_correction(text))):
        return _back(state, ctx)
    if in_flow and is_human(text):
        # "موظف" in the middle of a form: hand over, and come back to the same question afterwards.
        return handoff.open_handoff(ctx, "asked", resume=state)
    if moreinfo.asks_whats_needed(text) and state.get("flow") != moreinfo.NAME:
        # "وش المطلوب؟": the information staff asked for, even in the middle of another flow ("back" returns).
        waiting = moreinfo.waiting(ctx)
        if waiting is not None:
            return moreinfo.offer(ctx, waiting)
    switch = language.command(text)
    if switch is not None and in_flow and state.get("expects") in _PLACE_FIELDS and len(canon(text).split()) == 1:
        switch = None  # "Indonesia" as the nationality is an answer, not a wish to be written to in Indonesian
    if switch is not None and state.get("flow") != language.NAME:
        return language.switch(state, ctx, switch)
    if in_flow and state.get("expects"):
        module = flows.FLOWS.get(state["flow"])
        if module is not None:
            if is_greeting(text) and state.get("prompt"):
                # Back after a pause with a greeting: remind where we stopped, keep the answer slot.
                return Result(state, (Reply(ctx.t("Welcome back. Let us continue where we stopped.")),
                                      *prompt_of(state, ctx)))
            if state["flow"] == info.NAME and inp.button is None and not info.understands(ctx, state, text):
                return _route({}, ctx, inp)  # the topics menu is left by anything that is not a topic
            confident = bool(inp.ranking) and inp.confidence >= CONFIDENCE_THRESHOLD
            interrupted = detour.aside(state, ctx, inp, _sure_of_danger(inp), confident)
            if interrupted is not None:
                return interrupted
            stepped: Result = module.step(state, ctx, inp)
            return stepped
    last_menu: list[str] = list(state.get("menu") or [])
    pick = digit_choice(inp.button or text, len(last_menu)) if last_menu else None
    if pick is not None:
        picked = last_menu[pick - 1]
        opened = open_flow(picked, ctx, Input(intent=picked, language=inp.language, location=inp.location))
        if opened is not None:
            return opened
    intent = inp.intent
    confident = inp.confidence >= CONFIDENCE_THRESHOLD or not inp.ranking
    for_someone = relation_in(text) and keyword_intent(text) == "request_service"
    if for_someone:
        # "I am applying for my father": a request for someone else, whatever the word "father" suggests.
        confident = False
    if intent is None or not confident:
        explicit = keyword_intent(text)
        if explicit == "urgent_help" and inp.ranking:
            # A danger word in a message the NLU could not read with confidence ("the ambulance number?",
            # a film title): ask whether anyone is in danger before alerting staff.
            return urgent.confirm(ctx, inp)
        off_topic = bool(inp.ranking) and inp.ranking[0][0] == "out_of_scope"
        if explicit is not None and off_topic and not for_someone and explicit not in HARMLESS:
            # The NLU leans to off-topic and is unsure: one word ("rate", "apply", "status") does not start a
            # form ("the exchange rate", "apply for a job at the bank"); it is offered first in "did you mean".
            rest = tuple(r for r in inp.ranking if r[0] != explicit)
            inp = replace(inp, ranking=((explicit, inp.confidence), *rest))
        elif explicit is not None:
            intent, inp = explicit, _with_intent(inp, explicit)
    if intent in (None, "out_of_scope", "greet", "thanks") or (not confident and intent in _PLEA_INTENTS):
        # "I need a ride to my chemo sessions": no request in the NLU's eyes, but two needs one service meets
        # (a greeting before a plea, «السلام عليكم انا ارملة وما عندنا اكل», is a plea).
        plea = intake_choice.plea(ctx.org.services, text)
        if plea is not None and flows.flow_for_intent("request_service") is not None:
            return open_flow("request_service", ctx, _with_intent(inp, "request_service")) or menu(ctx)
    if intent is None:
        # The NLU is down or gave nothing: digits, menus and explicit words keep working.
        if inp.entity("reference"):
            return open_flow("check_status", ctx, inp) or menu(ctx)
        if inp.location is not None:
            return open_flow("urgent_help", ctx, inp) or menu(ctx)
        return menu(ctx)
    faq = _faq_question(ctx, text, intent, sure=inp.confidence >= CONFIDENCE_THRESHOLD or not inp.ranking)
    if faq is not None:
        return info.answer(ctx, faq)
    small = small_talk(intent, ctx, text)
    if small is not None:
        return small
    if intent == "urgent_help" and inp.ranking and not _sure_of_danger(inp):
        return urgent.confirm(ctx, inp)  # maybe an emergency: one yes/no question before staff are alerted
    if inp.confidence < CONFIDENCE_THRESHOLD and inp.ranking:
        return clarify(ctx, state, inp)
    opened = open_flow(intent, ctx, inp)
    if opened is not None:
        return opened
    return menu(ctx)


_PLACE_FIELDS = frozenset({"nationality"})
# What an unsure NLU may call a plea that names no service (never an emergency, a complaint or a status).
_PLEA_INTENTS = frozenset({"request_service", "ask_info", "greet", "thanks", "human_handoff"})
# A question about how to do what the flow does ("how do I complain?") is best answered by the flow.
_FLOW_FAQS = {"file_complaint": "faq:complaint", "give_rating": "faq:rating", "volunteer": "faq:volunteering"}
_FAQ_FIRST = frozenset({"privacy_request", "file_complaint", "request_service", "give_rating", "volunteer",
                        "out_of_scope", "ask_info"})
_QUESTION_STARTS = frozenset(canon(w) for w in ("هل", "is", "are", "do", "does", "can", "will", "apakah", "کیا", "kya"))


def _faq_question(ctx: Context, text: str, intent: str, sure: bool) -> str | None:
    """A question the association's FAQ answers ("is my data confidential?", "can I get compensation?")
    gets that answer, not the flow its words suggest (the privacy menu, a complaint form), nor "I cannot
    help with that" or "did you mean". Emergencies, status, cancel and a person are never held up."""
    if intent in ("urgent_help", "check_status", "cancel", "human_handoff"):
        return None
    if sure and intent not in _FAQ_FIRST:
        return None
    words = canon(text).split()
    if not words or not (text.rstrip().endswith(("?", "؟")) or words[0] in _QUESTION_STARTS):
        return None
    topic = info.faq_for(ctx, text)
    if topic is None or _FLOW_FAQS.get(intent) == topic:
        return None
    return topic


def _sure_of_danger(inp: Input) -> bool:
    """Staff may be alerted at once: the NLU says its urgent_help is confident (or, from an NLU that does
    not say, its confidence reaches URGENT_THRESHOLD)."""
    if inp.urgent_confident is not None:
        return inp.urgent_confident
    return inp.confidence >= URGENT_THRESHOLD


def _with_intent(inp: Input, intent: str) -> Input:
    return Input(text=inp.text, intent=intent, confidence=1.0, entities=inp.entities, button=inp.button,
                 location=inp.location, media=inp.media, language=inp.language)


def _with_refusal(state: State, ctx: Context, inp: Input) -> Result:
    notice = refusal(ctx, inp.refused)
    rest = replace(inp, refused=())
    if not (rest.text.strip() or rest.media or rest.location or rest.button):
        # Only a refused file: say so, and ask the pending question again (nothing moves).
        again = () if handoff.is_quiet(state) else prompt_of(state, ctx)
        return Result(state, (notice, *again))
    result = _decide(state, ctx, rest)
    return Result(result.state, (notice, *result.replies), result.effects, result.events)


def decide(state: State, ctx: Context, inp: Input) -> Result:
    """One step of the conversation for this input, addressed to a woman as a woman once she said she is
    one (kept in the state as "gender")."""
    gender = gender_said(inp.text or "") or state.get(GENDER)
    if gender is None:
        return _decide(state, ctx, inp)
    result = _decide(state, replace(ctx, gender=str(gender)), inp)
    if result.state.get(GENDER) == gender:
        return result
    return Result({**result.state, GENDER: gender}, result.replies, result.effects, result.events)


GENDER = "gender"


def _decide(state: State, ctx: Context, inp: Input) -> Result:
    if inp.refused:
        return _with_refusal(state, ctx, inp)
    if handoff.is_quiet(state):
        return _pending_info(state, ctx, handoff.step(state, ctx, inp))
    if state.get("flow") == moreinfo.NAME and not inp.media and moreinfo.leaves(inp.text or ""):
        # "ابغى اشتكي" instead of the information: go there; the request is offered again afterwards.
        state = {moreinfo.PENDING: (state.get("data") or {}).get("reference")}
    result = _opened(state, ctx, inp, _pending_info(state, ctx, _route(state, ctx, inp)))
    text = inp.text or ""
    dropped = is_cancel(text) or is_menu(text) or is_restart(text) or inp.button == "cancel"
    result, resumed = detour.carry(state, ctx, result, dropped)
    new = result.state
    went_back = bool(state.get("flow")) and (is_back(inp.text or "") or
                                             bool(state.get("expects")) and is_correction(inp.text or ""))
    if (new.get("flow") and new.get("expects") and result.replies and not handoff.is_quiet(new) and not went_back
            and not resumed):
        asked = result.replies[-1]
        new = {**new, "prompt": {"text": asked.text, "buttons": [b.as_dict() for b in asked.buttons]}}
        # The language menu is a detour, not a step: "back" after it goes to the form's previous question.
        side_trip = state.get("flow") == language.NAME
        if state.get("flow") and state.get("expects") and state is not new and _moved(state, new) and not side_trip:
            new["back"] = _trim(state)
        elif "back" in state and not _moved(state, new):
            new["back"] = state["back"]
        result = Result(new, result.replies, result.effects, result.events)
    return result


def _opened(state: State, ctx: Context, inp: Input, result: Result) -> Result:
    """The first reply opens (one message, not several) with, in this order:
    - the languages we write, to a message in a script none of them uses;
    - the courtesy returned in kind («السلام عليكم» -> «وعليكم السلام», «جزاكم الله خير» -> «وإياكم»),
      whatever else the message asked;
    - a line of empathy where hardship, illness or grief is told in a message of one's own (not in the
      answer to a form's question, which would repeat it at every step; never before an emergency's
      question).
    """
    if not result.replies:
        return result
    text, first = inp.text or "", result.replies[0]
    own = not (state.get("flow") and state.get("expects"))
    lines = [ctx.t(LANGUAGES_OFFER)] if own and unsupported_script(text) else []
    kind = in_kind(text)
    if kind is not None:
        lines.append(ctx.t(ANSWERS[kind]))
    told = empathy(text) if own and result.state.get("flow") != urgent.NAME else None
    if told is not None and ctx.t(EMPATHY[told]) not in first.text:
        lines.append(ctx.t(EMPATHY[told]))
    if not lines:
        return result
    opened = replace(first, text="\n".join((*lines, first.text)))
    return Result(result.state, (opened, *result.replies[1:]), result.effects, result.events)


def _pending_info(state: State, ctx: Context, result: Result) -> Result:
    """Staff asked for information while the contact was busy: ask for it once their flow is over."""
    pending = state.get(moreinfo.PENDING)
    req = moreinfo.waiting(ctx, str(pending)) if pending else None
    if req is None or result.state.get("flow") == moreinfo.NAME:
        return result
    if not result.state.get("flow") and not result.state.get("menu"):
        return result.then(moreinfo.offer(ctx, req))
    return Result({**result.state, moreinfo.PENDING: req.reference}, result.replies, result.effects, result.events)


def _moved(old: State, new: State) -> bool:
    return (old.get("flow"), old.get("step"), old.get("expects")) != (new.get("flow"), new.get("step"),
                                                                     new.get("expects"))


def _trim(state: State, depth: int = MAX_BACK) -> State:
    kept = {k: v for k, v in state.items() if k not in ("lang",)}
    if depth <= 1 or not isinstance(kept.get("back"), dict):
        kept.pop("back", None)
    else:
        kept["back"] = _trim(kept["back"], depth - 1)
    return kept
