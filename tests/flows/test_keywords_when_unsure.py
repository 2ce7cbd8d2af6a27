"""When the NLU is unsure, an explicit phrase still opens its flow unless the NLU leans to off-topic:
"ابغى اقدم طلب" read as cancel at 0.42 must still start the request, "what's the exchange rate" read as
out_of_scope at 0.41 must not start a rating."""

from __future__ import annotations

from datetime import UTC, datetime

from bot.flows.base import ContactView, Context, Input
from bot.turn import router
from orgs import load_org

NOW = datetime(2026, 11, 24, 9, 0, tzinfo=UTC)


def _ctx() -> Context:
    return Context(org=load_org("esrar"), now=NOW, lang="ar", contact=ContactView(1, "whatsapp"))


def _unsure(text: str, top: str, confidence: float, second: str) -> Input:
    ranking = ((top, confidence), (second, round(1 - confidence, 3)))
    return Input(text=text, intent=top, confidence=confidence, ranking=ranking, language="ar")


def test_an_explicit_request_phrase_opens_the_form_when_the_nlu_is_unsure() -> None:
    result = router.decide({}, _ctx(), _unsure("ابغى اقدم طلب", "cancel", 0.42, "request_service"))
    assert result.state.get("flow") == "intake"


def test_a_word_in_an_off_topic_message_does_not_start_a_form() -> None:
    for text, word_intent in (("what's the exchange rate usd to sar", "give_rating"),
                              ("i want to apply for a job at the bank", "request_service")):
        result = router.decide({}, _ctx(), _unsure(text, "out_of_scope", 0.41, word_intent))
        assert not result.state.get("flow"), (text, result.state)
        assert not result.effects
