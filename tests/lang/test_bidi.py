"""Issue 10 item 7: phone numbers, references and Latin words keep their order inside Arabic and Urdu replies."""

from __future__ import annotations

import doctest

import pytest

from bot.lang import bidi
from bot.lang.bidi import FSI, PDI, isolate_ltr


@pytest.mark.parametrize(("text", "isolated"), [
    ("رقم طلبك ESR-4827-19356.", ["ESR-4827-19356"]),
    ("اتصل على +966 55 123 4567 الآن", ["+966 55 123 4567"]),
    ("آپ کا حوالہ نمبر ALH-1234-56789 ہے", ["ALH-1234-56789"]),
    ("موعدك 15/3/2026 في مستشفى King Fahd Hospital", ["15/3/2026", "King Fahd Hospital"]),
    ("راسلنا info@esrar.org.sa", ["info@esrar.org.sa"]),
])
def test_left_to_right_runs_are_isolated_in_right_to_left_text(text: str, isolated: list[str]) -> None:
    out = isolate_ltr(text)
    assert [part.split(PDI)[0] for part in out.split(FSI)[1:]] == isolated
    assert out.replace(FSI, "").replace(PDI, "") == text  # nothing else changes


@pytest.mark.parametrize("text", [
    "Your reference is ESR-4827-19356",  # no right-to-left letters
    "1. طلب جديد\n2. حالة طلب",  # menu numbers
    "الهلال الأحمر: 997",  # a short number reads the same both ways
])
def test_text_that_needs_no_isolates_is_unchanged(text: str) -> None:
    assert isolate_ltr(text) == text


def test_isolating_twice_changes_nothing() -> None:
    once = isolate_ltr("رقم طلبك ESR-4827-19356")
    assert isolate_ltr(once) == once


def test_doctests() -> None:
    assert doctest.testmod(bidi).failed == 0
