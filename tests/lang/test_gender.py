"""Issue 10 item 7: a woman who says so is addressed in the feminine; only what one says of oneself counts."""

from __future__ import annotations

import pytest

from bot.lang.gender import FEMALE, MALE, feminine, gender_said


@pytest.mark.parametrize(("text", "gender"), [
    ("انا ارملة وعندي ٤ عيال", FEMALE),
    ("السلام عليكم انا بنتها واكتب عن امي", FEMALE),
    ("I'm a single mother of three", FEMALE),
    ("میں اپنی ماں کے لیے درخواست دے رہی ہوں", FEMALE),
    ("saya janda dengan dua anak", FEMALE),
    ("انا ابوها واقدم عنها", MALE),
    ("میں اپنے گروپ سے بچھڑ گیا ہوں", MALE),
    ("امي مريضة بالسرطان", None),  # about the mother, not the writer
    ("my wife is sick", None),
    ("السلام عليكم", None),
])
def test_gender_only_from_what_one_says_of_oneself(text: str, gender: str | None) -> None:
    assert gender_said(text) == gender


def test_feminine_arabic_changes_the_words_that_address_the_reader_only() -> None:
    assert feminine("فضلًا اكتب اسمك. ما الخدمة التي تود طلبها؟ اختر رقمًا:") == (
        "فضلًا اكتبي اسمك. ما الخدمة التي تودين طلبها؟ اختاري رقمًا:")
    assert feminine("أُقرّ وأرسل الطلب") == "أُقرّ وأرسل الطلب"  # the person's own words (a button) stay
