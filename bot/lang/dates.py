"""Dates as staff type them: Gregorian or Hijri (Umm al-Qura), Western or Arabic-Indic digits.

    >>> parse_day("2026-11-29"), parse_day("١٤٤٨-٠٦-١٠ هـ"), parse_day("10/06/1448")
    (datetime.date(2026, 11, 29), datetime.date(2026, 11, 20), datetime.date(2026, 11, 20))

A year from 1300 to 1599 is a Hijri year (no Gregorian date staff handle is that old); any other is
Gregorian. A suffix (هـ, AH, H; م, AD) makes the calendar explicit. Day-month-year (the Saudi order)
and year-month-day are both accepted; the month-day-year order is not (it is ambiguous).
"""

from __future__ import annotations

import re
from datetime import date

from hijridate import Gregorian, Hijri

DIGITS = str.maketrans("٠١٢٣٤٥٦٧٨٩۰۱۲۳۴۵۶۷۸۹", "01234567890123456789")
_HIJRI_MARK = re.compile(r"\s*(هـ|ه|AH|A\.H\.|H)\s*$", re.IGNORECASE)
_GREG_MARK = re.compile(r"\s*(م|AD|CE)\s*$", re.IGNORECASE)
_PARTS = re.compile(r"^(\d{1,4})[-/.](\d{1,2})[-/.](\d{1,4})$")


class BadDate(ValueError):
    """The text is not a date in either calendar; the message is Arabic, for staff."""


def parse_day(text: str) -> date:
    """The Gregorian date written in `text` (Hijri dates converted by the Umm al-Qura calendar)."""
    raw = (text or "").translate(DIGITS).strip().replace("\u200f", "").replace("\u200e", "")
    hijri_mark, greg_mark = bool(_HIJRI_MARK.search(raw)), bool(_GREG_MARK.search(raw))
    raw = _GREG_MARK.sub("", _HIJRI_MARK.sub("", raw)).strip()
    found = _PARTS.match(raw)
    if not found:
        raise BadDate("اكتب التاريخ بالأرقام: سنة-شهر-يوم، مثل 2026-11-29 أو 1448-06-10 هـ")
    a, b, c = (int(x) for x in found.groups())
    year, month, day = (a, b, c) if len(found.group(1)) == 4 else (c, b, a)
    hijri = hijri_mark or (not greg_mark and 1300 <= year < 1600)
    try:
        if hijri:
            return Hijri(year, month, day, validate=True).to_gregorian()
        return date(year, month, day)
    except (ValueError, OverflowError) as exc:
        raise BadDate(f"تاريخ غير صحيح: {text}") from exc


def hijri_iso(day: date) -> str:
    """'1448-06-10' (Umm al-Qura), the short form a date field shows beside the Gregorian one."""
    h = Gregorian(day.year, day.month, day.day).to_hijri()
    return f"{h.year:04d}-{h.month:02d}-{h.day:02d}"
