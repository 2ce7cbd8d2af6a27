"""Held-out quality targets through the real server (issue 3's "done means")."""

from __future__ import annotations

import pytest

from nlu.client import NLUClient
from nlu.evaluate import Report, evaluate, format_report, load_heldout


@pytest.fixture(scope="module")
def report(nlu_url: str) -> Report:
    with NLUClient(nlu_url, timeout=30.0) as client:

        def classify(text: str) -> tuple[str | None, float]:
            r = client.parse(text)
            return r.intent, r.confidence

        result = evaluate(load_heldout(), classify)
    print(format_report(result))
    return result


def test_heldout_covers_every_intent_and_variety(report: Report) -> None:
    assert len(report.per_intent) == 16
    assert set(report.by_variety) == {
        "msa",
        "gulf",
        "egyptian",
        "levantine",
        "arabizi",
        "en",
        "ur",
        "ur_latn",
        "id",
    }


def test_macro_f1(report: Report) -> None:
    assert report.macro_f1 >= 0.95


def test_every_intent_recall(report: Report) -> None:
    low = {intent: v[1] for intent, v in report.per_intent.items() if v[1] < 0.90}
    assert not low


def test_language_id_accuracy(report: Report) -> None:
    assert report.langid_accuracy >= 0.97
