"""Deterministic entities: phones, national IDs, references, numbers, and extract() offsets."""

from __future__ import annotations

import pytest

from nlu.entities import (
    extract,
    format_reference,
    luhn_valid,
    parse_national_id,
    parse_number,
    parse_phone,
    parse_reference,
    reference_check_digit,
    valid_national_id,
)


@pytest.mark.parametrize(
    "written",
    [
        "0551234567",
        "551234567",
        "966551234567",
        "+966551234567",
        "00966551234567",
        "+966 55 123 4567",
        "+966 (55) 123-4567",
        "055-123-4567",
        "055 123 4567",
        "(055) 1234567",
        "+966 0551234567",
        "٠٥٥١٢٣٤٥٦٧",
        "+٩٦٦٥٥١٢٣٤٥٦٧",
        "۰۵۵۱۲۳۴۵۶۷",
        "رقمي ٠٥٥ ١٢٣ ٤٥٦٧ لو سمحت",
    ],
)
def test_saudi_mobile_any_way(written: str) -> None:
    assert parse_phone(written) == "+966551234567"


@pytest.mark.parametrize(
    ("written", "expected"),
    [
        ("+20 100 123 4567", "+201001234567"),
        ("0092 300 1234567", "+923001234567"),
        ("+62 812-3456-7890", "+6281234567890"),
        ("0112345678", None),  # a Riyadh landline is not a mobile
        ("12345", None),
        ("+966 11 234 5678", None),
        ("", None),
        ("no digits here", None),
    ],
)
def test_other_numbers(written: str, expected: str | None) -> None:
    assert parse_phone(written) == expected


def test_national_id_check_digit() -> None:
    assert luhn_valid("1000000008")
    assert valid_national_id("1000000008")
    assert valid_national_id("2000000006")  # iqama
    assert valid_national_id("١٠٠٠٠٠٠٠٠٨")
    assert valid_national_id("100 000 0008")
    assert not valid_national_id("1000000009")  # wrong check digit
    assert not valid_national_id("3000000004")  # Luhn-valid but neither citizen nor iqama
    assert not valid_national_id("100000008")  # 9 digits
    assert not valid_national_id("")


def test_parse_national_id_in_text() -> None:
    assert parse_national_id("هويتي رقم ١٠٠٠٠٠٠٠٠٨ وشكرا") == "1000000008"
    assert parse_national_id("iqama 2000000006") == "2000000006"
    assert parse_national_id("هويتي 1000000009") is None
    assert parse_national_id("0551234567") is None


def test_reference_format_and_check() -> None:
    assert reference_check_digit("12345678") == "2"
    assert format_reference("esr", "12345678") == "ESR-1234-56782"
    with pytest.raises(ValueError):
        format_reference("ES", "12345678")
    with pytest.raises(ValueError):
        reference_check_digit("1234")


@pytest.mark.parametrize(
    ("written", "expected"),
    [
        ("ESR-1234-56782", "ESR-1234-56782"),
        ("esr-1234-56782", "ESR-1234-56782"),
        ("esr 1234 56782", "ESR-1234-56782"),
        ("ESR123456782", "ESR-1234-56782"),
        ("رقم طلبي ESR-١٢٣٤-٥٦٧٨٢", "ESR-1234-56782"),
        ("1234-56782", "1234-56782"),
        ("١٢٣٤٥٦٧٨٢", "1234-56782"),
        ("ref 123456782", "1234-56782"),  # 'ref' is not an org prefix
        ("ESR-1234-56783", None),  # wrong check digit
        ("1234-5678", None),
    ],
)
def test_parse_reference(written: str, expected: str | None) -> None:
    assert parse_reference(written) == expected


def test_bare_reference_starting_with_5() -> None:
    body = "5" + "1234567"
    ref = format_reference("ABC", body)
    digits = ref.replace("ABC-", "").replace("-", "")
    assert parse_reference(digits) == ref.removeprefix("ABC-")
    assert extract(digits)[0]["entity"] == "phone"  # extract() reads a bare 5xxxxxxxx as a mobile


@pytest.mark.parametrize(
    ("written", "expected"),
    [
        ("5", 5),
        ("٥", 5),
        ("۴", 4),
        ("3 ", 3),
        ("خمسة", 5),
        ("خمسه", 5),
        ("ثلاث", 3),
        ("اربعة", 4),
        ("أربعة", 4),
        ("واحد", 1),
        ("اثنين", 2),
        ("الثاني", 2),
        ("five", 5),
        ("Two", 2),
        ("lima", 5),
        ("اختار ٣", 3),
        ("رقم 2 لو سمحت", 2),
        ("5/5", 5),
        ("٤ من ٥", 4),
        ("4 out of 5", 4),
        ("1 او 2", None),
        ("", None),
        ("مرحبا", None),
        ("0551234567", None),
        ("1000", None),
    ],
)
def test_parse_number(written: str, expected: int | None) -> None:
    assert parse_number(written) == expected


def test_number_words_ignored_in_long_sentences() -> None:
    assert parse_number("ابي اقدم على خدمة واحدة بس لو سمحتوا") is None
    assert parse_number("a3raf") is None  # Arabizi letters-as-digits are not numbers


def test_extract_offsets_in_original_text() -> None:
    text = "السلاموو عليكم، جوالي ٠٥٥ ١٢٣ ٤٥٦٧ وهويتي 1000000008 وطلبي esr-1234-56782"
    found = extract(text)
    assert [e["entity"] for e in found] == ["phone", "national_id", "reference"]
    for e in found:
        assert text[e["start"] : e["end"]].strip() == text[e["start"] : e["end"]]
    assert text[found[0]["start"] : found[0]["end"]] == "٠٥٥ ١٢٣ ٤٥٦٧"
    assert found[0]["value"] == "+966551234567"
    assert text[found[1]["start"] : found[1]["end"]] == "1000000008"
    assert text[found[2]["start"] : found[2]["end"]] == "esr-1234-56782"
    assert found[2]["value"] == "ESR-1234-56782"


def test_extract_number_word_offsets() -> None:
    text = "تقييمي خمسسسسة"
    (entity,) = extract(text)
    assert entity["value"] == 5
    assert text[entity["start"] : entity["end"]] == "خمسسسسة"


def test_extract_empty_and_long() -> None:
    assert extract("") == []
    long_text = "مرحبا " * 20000 + "0551234567"
    found = extract(long_text)
    assert found == [
        {"entity": "phone", "value": "+966551234567", "start": len(long_text) - 10, "end": len(long_text)}
    ]
