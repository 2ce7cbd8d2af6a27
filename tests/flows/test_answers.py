"""Short answers as people write them: greetings after a pause, yes-words, places in words."""

from __future__ import annotations

import pytest

from bot.flows.validators import check_field
from bot.lang.words import is_edit, is_greeting, is_skip, only_answer_words


@pytest.mark.parametrize("text", ["السلام عليكم", "السلام عليكم ورحمة الله، وين وصلنا؟", "هلا والله", "hi", "Assalamualaikum"])
def test_greetings(text: str) -> None:
    assert is_greeting(text)


@pytest.mark.parametrize("text", ["اهلا انا ساكنه في حي المزروعيه", "مرحبا، أحتاج فرن كبير للمشروع", "hi my name is ali khan",
                                  "نورة", ""])
def test_answers_that_start_with_a_greeting_are_answers(text: str) -> None:
    assert not is_greeting(text)


def test_yes_words_are_not_a_name() -> None:
    assert only_answer_words("ايوه موافق") and only_answer_words("نعم اوافق")
    assert not only_answer_words("نوره محمد العتيبي")


def test_skip_and_edit_spellings() -> None:
    assert is_skip("ماعندي") and is_skip("مش معايا") and is_skip("tidak ada")
    assert is_edit("تعديل") and is_edit("ابي اعدل") and not is_edit("نعم")


@pytest.mark.parametrize("field", ["city", "district", "nationality"])
def test_places_are_words_not_numbers(field: str) -> None:
    assert check_field(field, "+62 812 3456 7890") == (None, "Please write it in words.")
    assert check_field(field, "حي 5")[0] == "حي 5"
