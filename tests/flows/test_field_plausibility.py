"""What a form's step accepts as its value (bot/flows/validators.py) and what takes an answer back
(bot/lang/words.py: is_correction): issue 10, understanding at every step."""

from __future__ import annotations

import pytest

from bot.flows.validators import check_field
from bot.lang.words import is_correction


@pytest.mark.parametrize(
    ("text", "value"),
    [("3k", "3000"), ("٣ الاف", "3000"), ("3 آلاف ريال", "3000"), ("2.5k", "2500"), ("٢٫٥ ألف", "2500"),
     ("4 thousand", "4000"), ("3 ribu", "3000"), ("3000", "3000"), ("3,500 ريال", "3500"),
     ("ثلاثة آلاف وخمسمية", "3500"), ("about three thousand", "3000")],
)
def test_amounts_in_thousands(text: str, value: str) -> None:
    assert check_field("monthly_income", text) == (value, None)


def test_a_count_is_not_multiplied() -> None:
    assert check_field("family_size", "6")[0] == "6"


@pytest.mark.parametrize("text", ["أبو خالد", "ام محمد", "Abu Khalid", "نعم", "نعم اقر", "شكرا", "السلام عليكم"])
def test_not_a_full_name(text: str) -> None:
    value, error = check_field("full_name", text)
    assert value is None and error


@pytest.mark.parametrize("text", ["نوره محمد العتيبي", "أبو بكر الصديق محمد الغامدي", "Siti Aminah", "Muhammad Imran"])
def test_full_names(text: str) -> None:
    assert check_field("full_name", text)[0] == text


@pytest.mark.parametrize(("field", "text"), [("diagnosis", "نعم"), ("details", "شكرا"), ("location", "ok"),
                                             ("city", "السلام عليكم"), ("details", "thank you"),
                                             ("visit_address", "ايوه")])
def test_yes_thanks_or_a_greeting_is_not_a_value(field: str, text: str) -> None:
    value, error = check_field(field, text)
    assert value is None and error == "Please answer the question in a few words."


@pytest.mark.parametrize("text", ["لا لحظة غلطت", "wait, wrong", "sorry", "maaf salah", "استنى غلطت في الرقم"])
def test_a_short_correction_takes_the_answer_back(text: str) -> None:
    assert is_correction(text)


@pytest.mark.parametrize("text", ["الموظف عطاني معلومة غلط وتأخر علي ساعتين", "نوره محمد", "الاحساء", ""])
def test_other_answers_are_not_corrections(text: str) -> None:
    assert not is_correction(text)
