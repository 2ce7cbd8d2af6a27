"""Amounts written in words ("ثلاثة آلاف", "الفين وخمسمية", "خمسطعش الف", "two thousand"), for monthly_income.

bot/lang/numwords.py reads a small count (family_size); an income is hundreds and thousands, written the way
people say them. Arabic puts units before tens ("خمسة وعشرين") and joins parts with "و"; a second number
without "و" ("ثلاث او اربع الاف") is a range, not an amount, and is refused rather than guessed.

    >>> amount_in_words("ثلاثة آلاف"), amount_in_words("الفين"), amount_in_words("ألف وخمسمائة ريال")
    (3000, 2000, 1500)
    >>> amount_in_words("two thousand five hundred"), amount_in_words("ثلاث او اربع الاف") is None
    (2500, True)
"""

from __future__ import annotations

import re

from nlu.normalize import normalize

_ONES = {
    "صفر": 0, "zero": 0, "واحد": 1, "وحده": 1, "اثنين": 2, "اثنان": 2, "ثنين": 2, "ثلاث": 3, "ثلاثه": 3, "اربع": 4, "اربعه": 4,
    "خمس": 5, "خمسه": 5, "ست": 6, "سته": 6, "سبع": 7, "سبعه": 7, "ثمان": 8, "ثماني": 8, "ثمانيه": 8,
    "تسع": 9, "تسعه": 9, "عشر": 10, "عشره": 10,
    "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9, "ten": 10,
}
_OTHER = {
    "احدعش": 11, "حداش": 11, "حدعش": 11, "اثنعش": 12, "اطنعش": 12, "ثنعش": 12, "ثلطعش": 13, "اربعطعش": 14,
    "خمسطعش": 15, "ستطعش": 16, "سبعطعش": 17, "ثمنطعش": 18, "تسعطعش": 19,
    "عشرين": 20, "ثلاثين": 30, "اربعين": 40, "خمسين": 50, "ستين": 60, "سبعين": 70, "ثمانين": 80, "تسعين": 90,
    "eleven": 11, "twelve": 12, "thirteen": 13, "fourteen": 14, "fifteen": 15, "sixteen": 16, "seventeen": 17,
    "eighteen": 18, "nineteen": 19, "twenty": 20, "thirty": 30, "forty": 40, "fifty": 50, "sixty": 60,
    "seventy": 70, "eighty": 80, "ninety": 90,
}
_OTHER.update({word[:-2] + "ون": value for word, value in list(_OTHER.items()) if word.endswith("ين")})
_HUNDRED = ("ميه", "مايه", "hundred")
_TWO_HUNDRED = ("ميتين", "مايتين", "ميتان", "مايتان")
_THOUSAND = ("الف", "thousand")
_TWO_THOUSAND = ("الفين", "الفان")
_THOUSANDS = ("الاف", "تالاف", "الوف")
_MILLION = ("مليون", "million")
_WORD = re.compile(r"\w+")


def _small(word: str) -> int | None:
    """A number word below a thousand on its own: "خمسه", "عشرين", "خمسميه", "ميتين"."""
    if word in _ONES:
        return _ONES[word]
    if word in _OTHER:
        return _OTHER[word]
    if word in _TWO_HUNDRED:
        return 200
    for hundred in _HUNDRED[:2]:
        unit = word[: -len(hundred)]
        if word.endswith(hundred) and unit in _ONES and _ONES[unit] < 10:
            return _ONES[unit] * 100
    return None


def _known(word: str) -> bool:
    return _small(word) is not None or word in _HUNDRED + _THOUSAND + _TWO_THOUSAND + _THOUSANDS + _MILLION


def amount_in_words(text: str) -> int | None:
    """The one amount a short answer writes in words, or None (no number words, or two numbers)."""
    total = current = 0
    seen = False
    for raw in _WORD.findall(normalize(text or "").lower()):
        joined = raw.startswith("و") and not _known(raw) and _known(raw[1:])
        word = raw[1:] if joined else raw
        if not _known(word):
            continue
        seen = True
        if total % 1_000_000 and word in _THOUSAND + _TWO_THOUSAND + _THOUSANDS:
            return None  # thousands twice ("الفين الفين"): not one amount
        if word in _HUNDRED:
            current = (current or 1) * 100
        elif word in _THOUSAND:
            total, current = total + (current or 1) * 1000, 0
        elif word in _MILLION:
            total, current = total + (current or 1) * 1_000_000, 0
        elif word in _TWO_THOUSAND:
            if current:
                return None
            total += 2000
        elif word in _THOUSANDS:
            if not 3 <= current <= 10:
                return None
            total, current = total + current * 1000, 0
        else:
            value = _small(word) or 0
            if word in ("عشر", "عشره") and 0 < current < 10 and not joined:
                current += 10  # "خمسة عشر"
                continue
            # Without "و" a second part is another number ("ثلاث او اربع"), unless it follows a scale word.
            if current and not joined:
                return None
            current += value
    return total + current if seen else None
