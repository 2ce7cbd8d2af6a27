"""Counts written as words ("ستة", "خمسه", "احنا عشرة", "five", "lima", "پانچ"), for fields such as family_size.

The NLU's deterministic entities (nlu/entities.py) know one to ten in Arabic and English; this adds the
teens and twenty, and the Urdu and Indonesian words, for a short answer that is one number.

    >>> count_in_words("ستة افراد"), count_in_words("خمسه"), count_in_words("twelve"), count_in_words("tujuh orang")
    (6, 5, 12, 7)
    >>> count_in_words("ثلاثة عشر"), count_in_words("اثنين او ثلاثة") is None
    (13, True)
"""

from __future__ import annotations

import re

from nlu.entities import parse_number
from nlu.normalize import normalize

_UNITS = {"ثلاث": 3, "ثلاثه": 3, "اربع": 4, "اربعه": 4, "خمس": 5, "خمسه": 5, "ست": 6, "سته": 6, "سبع": 7,
          "سبعه": 7, "ثمان": 8, "ثماني": 8, "ثمانيه": 8, "تسع": 9, "تسعه": 9}
_EXTRA = {
    "احدعش": 11, "حداش": 11, "حدعش": 11, "اثنعش": 12, "اطنعش": 12, "ثنعش": 12, "ثلطعش": 13, "اربعطعش": 14,
    "خمسطعش": 15, "ستطعش": 16, "سبعطعش": 17, "ثمنطعش": 18, "تسعطعش": 19, "عشرين": 20, "عشرون": 20,
    "eleven": 11, "twelve": 12, "thirteen": 13, "fourteen": 14, "fifteen": 15, "sixteen": 16, "seventeen": 17,
    "eighteen": 18, "nineteen": 19, "twenty": 20,
    "satu": 1, "dua": 2, "tiga": 3, "empat": 4, "lima": 5, "enam": 6, "tujuh": 7, "delapan": 8, "sembilan": 9,
    "sepuluh": 10, "sebelas": 11,
}
_URDU = {"ایک": 1, "دو": 2, "تین": 3, "چار": 4, "پانچ": 5, "چھ": 6, "سات": 7, "آٹھ": 8, "نو": 9, "دس": 10,
         "گیارہ": 11, "بارہ": 12}
_TEEN = {"عشر", "عشره"}
_WORD = re.compile(r"\w+")


def _table() -> dict[str, int]:
    table = dict(_EXTRA)
    for word, value in _URDU.items():
        table[normalize(word)] = value
    return table


_TABLE = _table()


def count_in_words(text: str) -> int | None:
    """The one count a short answer writes in words, or None (no number, or more than one)."""
    words = _WORD.findall(normalize(text or "").lower())
    values: list[int] = []
    i = 0
    while i < len(words):
        word, following = words[i], words[i + 1] if i + 1 < len(words) else ""
        if word in _UNITS and following in _TEEN:
            values.append(_UNITS[word] + 10)
            i += 2
            continue
        if word in ("اثنا", "اثني", "احد", "احدى") and following in _TEEN:
            values.append(12 if word.startswith("اثن") else 11)
            i += 2
            continue
        if word in _TABLE:
            values.append(_TABLE[word])
        i += 1
    if len(values) > 1:
        return None
    if values:
        return values[0]
    return parse_number(text)
