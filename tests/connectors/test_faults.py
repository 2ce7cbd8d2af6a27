"""The fault suite itself (`make faults`, bot/bench/faults.py), one small scenario end to end: the REAL
`tawasul serve`, the provider fakes accepting messages and answering after the client's timeout, signed
webhooks; every message processed once and every reply with the provider exactly once, in order."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from cryptography.fernet import Fernet

from bot.bench import faults
from storage import sealed


@pytest.fixture
def data_key(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setenv("TAWASUL_DATA_KEY", Fernet.generate_key().decode())  # the suite reads sealed texts
    sealed.reset()
    yield
    sealed.reset()


def test_provider_timeout_scenario_loses_and_repeats_nothing(data_key: None) -> None:
    counts = faults.run("sqlite", "provider-timeout", messages=20)
    assert counts["accepted"] == 20 and counts["processed"] == 20, counts
    assert {k: counts[k] for k in ("lost", "duplicated", "sent_twice", "never_sent", "refused", "disordered")} == {
        "lost": 0, "duplicated": 0, "sent_twice": 0, "never_sent": 0, "refused": 0, "disordered": 0}


def test_the_order_check_tells_a_repeat_from_disorder() -> None:
    assert faults._in_order(["a", "b", "b"], ["a", "b"])  # a repeat is counted as sent twice, not disorder
    assert not faults._in_order(["b", "a"], ["a", "b"])
