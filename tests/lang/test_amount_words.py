"""Monthly income written in words, as people answer on WhatsApp (bot/lang/amountwords.py)."""

from __future__ import annotations

import pytest

from bot.flows.validators import check_field
from bot.lang.amountwords import amount_in_words


@pytest.mark.parametrize(("text", "value"), [
    ("ثلاثة آلاف", "3000"), ("الفين", "2000"), ("ألفين وخمسمية", "2500"), ("ألف", "1000"),
    ("خمسطعش الف", "15000"), ("خمسة عشر ألف ريال", "15000"), ("عشرة آلاف وخمسمائة", "10500"),
    ("خمسة وعشرين ألف", "25000"), ("تقريبا اربعة الاف ريال", "4000"), ("ثلاثمائة", "300"), ("صفر", "0"),
    ("three thousand", "3000"), ("two thousand five hundred", "2500"), ("3000 ريال", "3000"), ("٣٥٠٠", "3500"),
])
def test_income_in_words_is_accepted(text: str, value: str) -> None:
    assert check_field("monthly_income", text) == (value, None)


@pytest.mark.parametrize("text", ["ثلاث او اربع الاف", "ما ادري", "اثنين مليون", "الفين الفين"])
def test_ranges_and_non_amounts_are_asked_again(text: str) -> None:
    value, error = check_field("monthly_income", text)
    assert value is None and error


def test_no_number_words_is_none() -> None:
    assert amount_in_words("راتب الضمان") is None


def test_family_size_still_reads_counts() -> None:
    assert check_field("family_size", "ستة") == ("6", None)
