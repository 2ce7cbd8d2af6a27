"""The bot-side NLU client, against a mock transport: parsing, fallback, outage logging, privacy."""

from __future__ import annotations

import json
import logging

import httpx
import pytest

from nlu.client import (
    CONFIDENCE_THRESHOLD,
    NLUClient,
    NLUResult,
    clarification_options,
    needs_clarification,
    needs_danger_check,
)

RASA_ANSWER = {
    "text": "x",
    "intent": {"name": "check_status", "confidence": 0.91},
    "entities": [],
    "intent_ranking": [
        {"name": "check_status", "confidence": 0.91},
        {"name": "file_complaint", "confidence": 0.05},
        {"name": "ask_info", "confidence": 0.04},
    ],
}


def _client(handler: httpx.MockTransport) -> NLUClient:
    return NLUClient("http://nlu.test", timeout=0.5, transport=handler)


def test_parse_uses_server_intent_and_local_entities() -> None:
    seen: list[dict[str, str]] = []

    def handler(request: httpx.Request) -> httpx.Response:
        assert request.url.path == "/model/parse"
        seen.append(json.loads(request.content))
        return httpx.Response(200, json=RASA_ANSWER)

    with _client(httpx.MockTransport(handler)) as client:
        r = client.parse("وش صار على طلبي ESR-1234-56782")
    assert seen == [{"text": "وش صار على طلبي ESR-1234-56782"}]
    assert (r.intent, r.confidence, r.language) == ("check_status", 0.91, "ar")
    assert r.ranking[:2] == [("check_status", 0.91), ("file_complaint", 0.05)]
    assert r.entities == [{"entity": "reference", "value": "ESR-1234-56782", "start": 16, "end": 30}]
    assert r.as_predict_json() == {
        "text": "وش صار على طلبي ESR-1234-56782",
        "intent": "check_status",
        "confidence": 0.91,
        "language": "ar",
        "entities": [{"entity": "reference", "value": "ESR-1234-56782"}],
    }


def test_server_down_falls_back_and_warns_once_without_the_text(caplog: pytest.LogCaptureFixture) -> None:
    up = {"value": False}

    def handler(request: httpx.Request) -> httpx.Response:
        if not up["value"]:
            raise httpx.ConnectError("refused", request=request)
        return httpx.Response(200, json=RASA_ANSWER)

    secret = "رقمي 0551234567 وهويتي 1000000008"
    with caplog.at_level(logging.INFO, logger="nlu.client"), _client(httpx.MockTransport(handler)) as client:
        first = client.parse(secret)
        client.parse(secret)
        up["value"] = True
        back = client.parse("وش صار على طلبي")
        up["value"] = False
        client.parse(secret)
    assert first.intent is None and first.confidence == 0.0
    assert first.language == "ar"
    assert {e["entity"] for e in first.entities} == {"phone", "national_id"}
    assert back.intent == "check_status"
    warnings = [r for r in caplog.records if r.levelno == logging.WARNING]
    assert len(warnings) == 2  # one per outage, not one per message
    assert any("answers again" in r.getMessage() for r in caplog.records)
    for record in caplog.records:
        assert "0551234567" not in record.getMessage() and "رقمي" not in record.getMessage()


@pytest.mark.parametrize(
    "response",
    [httpx.Response(500, json={"status": "failure"}), httpx.Response(200, content=b"not json")],
)
def test_bad_answers_fall_back(response: httpx.Response) -> None:
    with _client(httpx.MockTransport(lambda request: response)) as client:
        assert client.parse("hello").intent is None


def test_timeout_falls_back() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        raise httpx.ReadTimeout("slow", request=request)

    with _client(httpx.MockTransport(handler)) as client:
        r = client.parse("I need help")
    assert (r.intent, r.language) == (None, "en")


def test_no_url_means_fallback_only() -> None:
    r = NLUClient(None).parse("٥")
    assert r.intent is None
    assert r.entities == [{"entity": "number", "value": 5, "start": 0, "end": 1}]


def test_empty_text_is_not_sent() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        raise AssertionError("empty text must not reach the server")

    with _client(httpx.MockTransport(handler)) as client:
        r = client.parse("   ")
    assert (r.intent, r.language, r.entities) == (None, "other", [])


def test_clarification_helpers() -> None:
    unsure = NLUResult(
        "x",
        "check_status",
        0.4,
        [("check_status", 0.4), ("file_complaint", 0.3), ("out_of_scope", 0.2), ("ask_info", 0.1)],
        "ar",
        [],
    )
    assert needs_clarification(unsure)
    assert clarification_options(unsure) == ["check_status", "file_complaint", "ask_info"]
    sure = NLUResult("x", "greet", CONFIDENCE_THRESHOLD + 0.1, [("greet", 0.9)], "ar", [])
    assert not needs_clarification(sure)
    assert not needs_clarification(NLUResult("x", None, 0.0))


def test_urgent_and_novelty_from_the_gate() -> None:
    answer = {
        **RASA_ANSWER,
        "intent": {"name": "urgent_help", "confidence": 0.41},
        "tawasul": {"urgent": {"score": 0.41, "confident": False}, "novelty": 0.08},
    }

    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, json=answer)

    with _client(httpx.MockTransport(handler)) as client:
        r = client.parse("x")
    assert (r.urgent_score, r.urgent_confident, r.novelty) == (0.41, False, 0.08)
    assert needs_danger_check(r)
    assert not needs_danger_check(NLUResult("x", "urgent_help", 0.9, urgent_score=0.9, urgent_confident=True))
    assert not needs_danger_check(NLUResult("x", "greet", 0.9, urgent_score=0.01, urgent_confident=False))
    assert not needs_danger_check(NLUResult("x", "greet", 0.9))  # an older model: nothing to say


def test_answer_without_gate_fields_still_parses() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, json=RASA_ANSWER)

    with _client(httpx.MockTransport(handler)) as client:
        r = client.parse("x")
    assert (r.urgent_score, r.urgent_confident, r.novelty) == (None, None, None)
