"""Robustness targets through the real server (issue 9's "done means"), on nlu/tests/robustness.yml:
messages written apart from the training data, like real traffic (off-topic, near misses, emergencies,
hardship, four languages). Never trained on."""

from __future__ import annotations

import pytest

from nlu.client import CONFIDENCE_THRESHOLD, NLUClient
from nlu.evaluate import (
    RobustnessReport,
    evaluate,
    format_robustness,
    load_robustness,
    robustness_of,
)


@pytest.fixture(scope="module")
def robust(nlu_url: str) -> RobustnessReport:
    with NLUClient(nlu_url, timeout=30.0) as client:

        def classify(text: str) -> tuple[str | None, float]:
            r = client.parse(text)
            return r.intent, r.confidence

        report = robustness_of(evaluate(load_robustness(), classify).predictions, CONFIDENCE_THRESHOLD)
    print(format_robustness(report))
    return report


def test_robustness_set_is_big_and_varied(robust: RobustnessReport) -> None:
    assert len(robust.predictions) >= 400
    assert robust.offtopic >= 0.4 * len(robust.predictions)
    assert {p.example.lang for p in robust.predictions} >= {"ar", "en", "ur", "id"}


def test_offtopic_rarely_starts_an_action(robust: RobustnessReport) -> None:
    assert robust.offtopic_action_rate <= 0.02


def test_no_urgent_false_alarm(robust: RobustnessReport) -> None:
    assert not robust.false_alarms


def test_emergencies_recognised(robust: RobustnessReport) -> None:
    assert robust.emergency_recall >= 0.95


def test_language_id(robust: RobustnessReport) -> None:
    assert robust.langid_accuracy >= 0.97
