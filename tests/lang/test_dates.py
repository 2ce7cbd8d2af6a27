"""Dates typed by staff in either calendar (issue 14, item 10)."""

from __future__ import annotations

from datetime import date

import pytest

from bot.lang.dates import BadDate, hijri_iso, parse_day


@pytest.mark.parametrize(("text", "expected"), [
    ("2026-11-29", date(2026, 11, 29)),
    ("29/11/2026", date(2026, 11, 29)),            # the Saudi day-month-year order
    ("٢٠٢٦-١١-٢٩", date(2026, 11, 29)),            # Arabic-Indic digits
    ("1448-06-10", date(2026, 11, 20)),            # a Hijri year (Umm al-Qura)
    ("١٤٤٨-٠٦-١٠ هـ", date(2026, 11, 20)),
    ("10/06/1448هـ", date(2026, 11, 20)),
    ("۱۴۴۸-۰۶-۱۰", date(2026, 11, 20)),            # Persian digits (Urdu keyboards)
    ("1448-06-10 AH", date(2026, 11, 20)),
    ("2026-11-29 م", date(2026, 11, 29)),
])
def test_either_calendar(text: str, expected: date) -> None:
    assert parse_day(text) == expected


@pytest.mark.parametrize("text", ["", "tomorrow", "2026-13-01", "1448-13-01", "2026-02-30", "11/29/2026", "1448-06-31"])
def test_refused_in_arabic(text: str) -> None:
    with pytest.raises(BadDate, match="التاريخ|تاريخ"):
        parse_day(text)


def test_round_trip() -> None:
    assert hijri_iso(date(2026, 11, 20)) == "1448-06-10"
    assert parse_day(hijri_iso(date(2027, 3, 1)) + " هـ") == date(2027, 3, 1)
