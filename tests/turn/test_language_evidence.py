"""The reply language changes only on evidence (bot/turn/read.py: choose_language)."""

from __future__ import annotations

import pytest

from bot.flows.base import Input
from bot.turn.read import choose_language
from storage.models import Contact


def _contact(language: str | None, locked: bool = False) -> Contact:
    return Contact(org_slug="esrar", channel="console", address="x", language=language, language_locked=locked)


@pytest.mark.parametrize(
    ("current", "text", "intent", "detected", "expected"),
    [
        # The first real message sets the language, even one word.
        (None, "hello", "greet", "en", "en"),
        (None, "مرحبا", "greet", "ar", "ar"),
        # One word, or a courtesy, does not switch an established language.
        ("ar", "ok", "affirm", "en", "ar"),
        ("ar", "thanks", "thanks", "en", "ar"),
        ("en", "شكرا", "thanks", "ar", "en"),
        ("en", "Pakistan", "out_of_scope", "other", "en"),
        ("ur", "Indonesia", "out_of_scope", "id", "ur"),
        ("en", "Assalamu alaikum brother", "greet", "ar", "en"),
        ("ar", "ok thank you", "thanks", "en", "ar"),
        # A mixed message is not a sentence in the other language.
        ("ar", "ابي اعرف status طلبي", "check_status", "en", "ar"),
        # A sentence in another supported language switches it.
        ("ar", "I want to check my request", "check_status", "en", "en"),
        ("en", "ابي اعرف وش صار على طلبي", "check_status", "ar", "ar"),
        ("ar", "mujhe apni darkhwast ka status batao", "check_status", "ur", "ur"),
        ("ar", "saya mau tanya status permohonan", "check_status", "id", "id"),
        # Two words that ask for something the bot understood are enough.
        ("ar", "check status", "check_status", "en", "en"),
        # Without an intent, three words make a sentence.
        ("en", "وين وصل الموضوع", None, "ar", "ar"),
        ("en", "وين وصل", None, "ar", "en"),
    ],
)
def test_language_switches_only_on_evidence(
    current: str | None, text: str, intent: str | None, detected: str, expected: str
) -> None:
    contact = _contact(current)
    assert choose_language(contact, Input(text=text, intent=intent, language=detected)) == expected
    assert contact.language == expected


def test_a_chosen_language_is_kept() -> None:
    contact = _contact("ar", locked=True)
    assert choose_language(contact, Input(text="I want to check my request", intent="check_status",
                                          language="en")) == "ar"


def test_a_reference_alone_is_not_english() -> None:
    contact = _contact("ar")
    assert choose_language(contact, Input(text="ESR 1234 56782", intent="check_status", language="en")) == "ar"
