"""Staff are alerted at once only on a confident emergency; an uncertain one asks "is anyone in danger now?"."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from bot.flows.base import ContactView, Context, Input, Result
from bot.flows.effects import RaiseUrgentAlert
from bot.turn import router
from orgs import load_org

NOW = datetime(2026, 11, 24, 9, 0, tzinfo=UTC)


def _ctx(lang: str = "ar") -> Context:
    return Context(org=load_org("alhuda"), now=NOW, lang=lang, contact=ContactView(1, "whatsapp"))


def _parsed(text: str, intent: str, confidence: float, runner_up: str = "request_service") -> Input:
    ranking = ((intent, confidence), (runner_up, round(1 - confidence, 3)))
    return Input(text=text, intent=intent, confidence=confidence, ranking=ranking, language="ar")


def _alerts(result: Result) -> list[object]:
    return [e for e in result.effects if isinstance(e, RaiseUrgentAlert)]


def test_a_confident_emergency_alerts_staff_at_once() -> None:
    result = router.decide({}, _ctx(), _parsed("ابوي طاح وما يتنفس الحقونا", "urgent_help", 0.93))
    assert _alerts(result) and result.events[0]["type"] == "urgent_alert"


@pytest.mark.parametrize("answer, alerted", [("نعم", True), ("yes", True), ("1", True), ("لا", False), ("no", False),
                                             ("2", False), ("نہیں", False), ("iya", True)])
def test_an_uncertain_emergency_asks_first_and_alerts_only_on_yes(answer: str, alerted: bool) -> None:
    ctx = _ctx()
    asked = router.decide({}, ctx, _parsed("امي مريضة مره وتعبانة", "urgent_help", 0.55))
    assert not asked.effects, "no alert before the answer"
    assert asked.state["flow"] == "urgent" and asked.state["expects"] == "danger"
    assert [b.id for b in asked.replies[-1].buttons] == ["yes", "no"]
    answered = router.decide(asked.state, ctx, Input(text=answer))
    assert bool(_alerts(answered)) is alerted
    if alerted:  # the numbers are sent, then the location is asked for
        assert answered.state.get("expects") == "location"
        assert "امي مريضة" in (_alerts(answered)[0].text or "")  # staff read what was first written
    else:
        assert not answered.state.get("flow")
        assert answered.events[0]["type"] == "urgent_declined"


def test_a_yes_button_and_a_location_pin_both_confirm() -> None:
    ctx = _ctx("en")
    asked = router.decide({}, ctx, _parsed("my brother fainted i think", "urgent_help", 0.6))
    assert _alerts(router.decide(asked.state, ctx, Input(button="yes")))
    from bot.messages import Location

    pinned = router.decide(asked.state, ctx, Input(location=Location(21.42, 39.82)))
    assert pinned.effects and pinned.events[0]["location"] is True


def test_a_danger_word_in_an_unclear_message_asks_instead_of_alerting() -> None:
    # The NLU is unsure (a series title); the word "emergency" alone must not alert staff.
    inp = _parsed("emergency room season 2 where can i watch it", "out_of_scope", 0.41, runner_up="ask_info")
    result = router.decide({}, _ctx(), inp)
    assert not result.effects
    assert result.state.get("expects") == "danger"


def test_without_the_nlu_danger_words_still_alert_at_once() -> None:
    # The NLU is down (no ranking): explicit words keep the emergency path open, as before.
    result = router.decide({}, _ctx(), Input(text="ساعدوني ضايع"))
    assert _alerts(result)


def test_an_unclear_answer_repeats_the_question() -> None:
    ctx = _ctx()
    asked = router.decide({}, ctx, _parsed("وضعنا صعب", "urgent_help", 0.5))
    again = router.decide(asked.state, ctx, Input(text="والله ما ادري"))
    assert again.state["expects"] == "danger" and not again.effects


def test_the_nlu_word_on_danger_wins_over_the_raw_confidence() -> None:
    from dataclasses import replace

    sure = replace(_parsed("ولدي طاح من الدور الثاني", "urgent_help", 0.62), urgent_confident=True)
    assert _alerts(router.decide({}, _ctx(), sure))
    unsure = replace(_parsed("عندنا حالة صعبة في البيت", "urgent_help", 0.95), urgent_confident=False)
    asked = router.decide({}, _ctx(), unsure)
    assert not asked.effects and asked.state["expects"] == "danger"


def test_an_alert_hands_the_conversation_to_the_on_duty_officer_and_keeps_what_is_described() -> None:
    # Issue 10 item 6: urgent help as a conversation.
    from bot.flows.effects import DescribeUrgentAlert, OpenHandoff

    ctx = _ctx()
    raised = router.decide({}, ctx, _parsed("ابني ضايع مني في منى الحقوني", "urgent_help", 0.95))
    assert raised.state["expects"] == "location"
    placed = router.decide(raised.state, ctx, Input(text="مخيم ٣٥ قرب جسر الجمرات"))
    opened = [e for e in placed.effects if isinstance(e, OpenHandoff)]
    assert opened and opened[0].reason == "urgent_alert" and opened[0].category == "pilgrims"
    assert placed.state["flow"] == "handoff" and placed.state["data"]["alert"] is True
    described = router.decide(placed.state, ctx, Input(text="عمره ٨ سنين لابس ثوب ابيض وطاقية حمراء"))
    assert not described.replies, "with staff: no automatic reply"
    assert [e.description for e in described.effects if isinstance(e, DescribeUrgentAlert)] == [
        "عمره ٨ سنين لابس ثوب ابيض وطاقية حمراء"]
    cried = router.decide(placed.state, ctx, Input(text="ساعدوني"))
    assert cried.replies and "997" in cried.replies[0].text, "a new cry for help is never met with silence"
