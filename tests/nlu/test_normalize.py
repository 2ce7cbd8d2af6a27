"""The Arabic normaliser: letters, marks, digits, punctuation, stretched letters, offsets."""

from __future__ import annotations

import pytest

from nlu.normalize import arabizi_word, normalize, normalize_with_map, span_to_original, to_ascii_digits


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("أحمد إبراهيم آمنة ٱلله", "احمد ابراهيم امنه الله"),
        ("مستشفى على", "مستشفي علي"),
        ("جمعيّة خيريّة", "جمعيه خيريه"),
        ("مسؤول شئون", "مسوول شيون"),
        ("شكـــــرا", "شكرا"),
        ("السَّلامُ عَلَيْكُمْ", "السلام عليكم"),
        ("السلاموووو عليكمممم", "السلامو عليكم"),
        ("شكرااااا كثيييير", "شكرا كثير"),
        ("ممكن", "ممكن"),  # a real double letter stays
        ("اللغة", "اللغه"),
        ("وش صار ؟ طيب ، تمام ؛", "وش صار ? طيب , تمام ;"),
        ("٥٠٪", "50%"),
        ("ی ک", "ي ك"),  # Persian-keyboard yeh/kaf
        ("helloooo", "hello"),
        ("0555", "0555"),  # digits are never collapsed
        ("", ""),
    ],
)
def test_normalize(raw: str, expected: str) -> None:
    assert normalize(raw) == expected


def test_to_ascii_digits_keeps_length() -> None:
    raw = "جوالي ٠٥٥١٢٣٤٥٦٧ و۱۲۳۴۵۶۷۸۹۰"
    out = to_ascii_digits(raw)
    assert out == "جوالي 0551234567 و1234567890"
    assert len(out) == len(raw)


def test_mixed_scripts_and_emoji_pass_through() -> None:
    assert normalize("أبغى help please 🙏 ١٢") == "ابغي help please 🙏 12"


def test_map_points_into_original() -> None:
    raw = "أهلاً بـــك يا أحمـــد"
    out, index = normalize_with_map(raw)
    assert out == "اهلا بك يا احمد"
    assert len(index) == len(out)
    assert index == sorted(set(index))
    for i, ch in enumerate(out):
        assert normalize(raw[index[i]]) in ("", ch) or raw[index[i]] == ch or normalize(raw[index[i]]) == ch
    start = out.index("احمد")
    s, e = span_to_original(index, start, start + len("احمد"), len(raw))
    assert raw[s:e] == "أحمـــد"


def test_stretched_letter_span_covers_whole_word() -> None:
    raw = "شكراااا جزيلا"
    out, index = normalize_with_map(raw)
    s, e = span_to_original(index, 0, out.index(" "), len(raw))
    assert raw[s:e] == "شكراااا"


def test_very_long_input_is_linear_enough() -> None:
    raw = ("السلاموووو عليكم ورحمة الله ١٢٣ " * 5000)[:150_000]
    out, index = normalize_with_map(raw)
    assert len(out) == len(index) < len(raw)
    assert "السلامو عليكم" in out


def test_only_marks() -> None:
    assert normalize("ـــ َُ") == " "
    assert span_to_original([], 0, 0, 0) == (0, 0)


@pytest.mark.parametrize(
    ("variants", "canonical"),
    [
        (("mosa3ada", "musa3ada", "musa3adah", "mosa3adah"), "musa3ada"),
        (("shukran", "shokran", "chukran"), "shukran"),
        (("mashkoor", "mashkur", "mashkour"), "mashkur"),
        (("khalas", "5alas", "KHALAS"), "5alas"),
        (("wesh", "wish"), "wish"),
    ],
)
def test_arabizi_spellings_meet(variants: tuple[str, ...], canonical: str) -> None:
    assert {arabizi_word(v) for v in variants} == {canonical}


def test_arabizi_word_keeps_digits_and_short_words() -> None:
    assert arabizi_word("3") == "3"
    assert arabizi_word("ah") == "ah"
    assert arabizi_word("") == ""
