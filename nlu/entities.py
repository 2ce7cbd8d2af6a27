"""Deterministic entities: phone, national_id, reference, number.

Pure standard library (Python 3.10 in the Rasa environment, 3.11 in the app). Every parser accepts
Arabic-Indic and Persian digits, spaces, dashes and parentheses inside numbers.

    >>> extract("رقمي ٠٥٥ ١٢٣ ٤٥٦٧ وطلبي esr 1234 56782")  # doctest: +NORMALIZE_WHITESPACE
    [{'entity': 'phone', 'value': '+966551234567', 'start': 5, 'end': 17},
     {'entity': 'reference', 'value': 'ESR-1234-56782', 'start': 24, 'end': 38}]

Offsets are in the ORIGINAL text. Values: phone in E.164 ("+9665XXXXXXXX"), national_id as its
10 ASCII digits, reference canonical ("ESR-1234-56782", or "1234-56782" when no prefix was written),
number as an int. A bare 9-digit run starting with 5 is a Saudi mobile for `extract`; `parse_reference`
still reads it as a reference when its check digit holds.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from nlu.entity_words import NOT_PREFIX as _NOT_PREFIX
from nlu.entity_words import NUMBER_WORDS
from nlu.normalize import normalize_with_map, to_ascii_digits

__all__ = [
    "NUMBER_WORDS",
    "extract",
    "format_reference",
    "luhn_valid",
    "parse_national_id",
    "parse_number",
    "parse_phone",
    "parse_reference",
    "reference_check_digit",
    "valid_national_id",
]

Entity = dict[str, Any]

# A run of digit groups: "+966 55 123-4567", "(055) 1234567", "1234 56782".
_CHUNK = re.compile(r"(?<![A-Za-z\d+])(?:\+|00)?\(?\d+(?:(?:[ \-–.]{1,2}|\) ?|[ ]?\()\d+)*(?![A-Za-z\d])")
_GROUP = re.compile(r"\d+")
_PREFIXED_REF = re.compile(r"(?<![A-Za-z])([A-Za-z]{3})[ \-–_.]{0,3}(\d{4})[ \-–.]{0,3}(\d{5})(?!\d)")
_RATING = re.compile(r"(?<!\d)(\d{1,2})\s*(?:/|من|out of|of|dari)\s*(\d{1,2})(?!\d)", re.IGNORECASE)

# Number words only count in short replies ("خمسة", "اختار الثاني"), not inside long sentences.
_MAX_WORDS_FOR_NUMBER_WORDS = 4
_WORD = re.compile(r"\w+")


def luhn_valid(digits: str) -> bool:
    """The Luhn checksum (used by the Saudi NIN/iqama number and by our reference numbers)."""
    if not digits.isdigit() or not digits.isascii():
        return False
    total = 0
    for pos, ch in enumerate(reversed(digits)):
        d = int(ch)
        if pos % 2 == 1:
            d = d * 2 - 9 if d > 4 else d * 2
        total += d
    return total % 10 == 0


def valid_national_id(s: str) -> bool:
    """10 digits, first 1 (citizen) or 2 (iqama), Luhn check digit. Spaces/dashes are ignored.

    >>> valid_national_id("1000000008"), valid_national_id("١٠٠٠٠٠٠٠٠٨"), valid_national_id("1000000009")
    (True, True, False)
    """
    digits = re.sub(r"[\s\-]", "", to_ascii_digits(s))
    return len(digits) == 10 and digits[0] in "12" and luhn_valid(digits)


def reference_check_digit(body8: str) -> str:
    """The Luhn check digit that completes an 8-digit reference body."""
    body8 = to_ascii_digits(body8)
    if len(body8) != 8 or not body8.isdigit():
        raise ValueError("a reference body is 8 digits")
    for d in "0123456789":
        if luhn_valid(body8 + d):
            return d
    raise AssertionError("unreachable: one Luhn digit always fits")


def format_reference(prefix: str, body8: str) -> str:
    """("ESR", "12345678") -> "ESR-1234-56782" (prefix: 3 Latin letters, upper-cased)."""
    if not re.fullmatch(r"[A-Za-z]{3}", prefix):
        raise ValueError("a reference prefix is 3 Latin letters")
    body8 = to_ascii_digits(body8)
    digits = body8 + reference_check_digit(body8)
    return f"{prefix.upper()}-{digits[:4]}-{digits[4:]}"


def _phone_from_digits(plus: bool, digits: str) -> str | None:
    """E.164 for a digit string (plus: written with + or 00 before it), or None."""
    if plus:
        if digits.startswith("966"):
            rest = digits[3:]
            rest = rest.removeprefix("0")
            return "+966" + rest if re.fullmatch(r"5\d{8}", rest) else None
        if 8 <= len(digits) <= 15 and digits[0] != "0":
            return "+" + digits
        return None
    if re.fullmatch(r"05\d{8}", digits):
        return "+966" + digits[1:]
    if re.fullmatch(r"5\d{8}", digits):
        return "+966" + digits
    if re.fullmatch(r"9660?5\d{8}", digits):
        return "+966" + digits[-9:]
    return None


def _classify(raw: str, kinds: tuple[str, ...]) -> tuple[str, Any] | None:
    """Try `raw` (a written run of digits, maybe with + and separators) as each kind in order."""
    plus = raw.lstrip("(").startswith(("+", "00"))
    digits = "".join(_GROUP.findall(raw))
    if raw.lstrip("(").startswith("00"):
        digits = digits[2:]
    for kind in kinds:
        if kind == "phone":
            phone = _phone_from_digits(plus, digits)
            if phone:
                return ("phone", phone)
        elif kind == "national_id" and not plus:
            if len(digits) == 10 and valid_national_id(digits):
                return ("national_id", digits)
        elif kind == "reference" and not plus:
            groups = [len(g) for g in _GROUP.findall(raw)]
            if len(digits) == 9 and groups in ([9], [4, 5]) and luhn_valid(digits):
                return ("reference", f"{digits[:4]}-{digits[4:]}")
    return None


def _scan_numbers(t: str, kinds: tuple[str, ...]) -> Iterator[tuple[int, int, str, Any]]:
    """Yield (start, end, kind, value) over an ASCII-digit text, longest match first per position."""
    for chunk in _CHUNK.finditer(t):
        groups = list(_GROUP.finditer(chunk.group()))
        base = chunk.start()
        i = 0
        while i < len(groups):
            found = None
            for j in range(len(groups) - 1, i - 1, -1):
                s = base if i == 0 else base + groups[i].start()
                e = base + groups[j].end()
                kind_value = _classify(t[s:e], kinds)
                if kind_value:
                    found = (s, e, j, kind_value)
                    break
            if found:
                s, e, j, (kind, value) = found
                yield s, e, kind, value
                i = j + 1
            else:
                g = groups[i]
                if "number" in kinds and len(g.group()) <= 3 and len(groups) == 1:
                    yield base + g.start(), base + g.end(), "number", int(g.group())
                i += 1


def _number_words(text: str) -> Iterator[tuple[int, int, int]]:
    """(start, end, value) of number words in the original text, for short replies only."""
    norm, index = normalize_with_map(text)
    words = list(_WORD.finditer(norm.lower()))
    if len(words) > _MAX_WORDS_FOR_NUMBER_WORDS:
        return
    for w in words:
        value = NUMBER_WORDS.get(w.group())
        if value is not None:
            end = index[w.end()] if w.end() < len(index) else len(text)
            yield index[w.start()], end, value


def extract(text: str) -> list[Entity]:
    """All deterministic entities of `text`, ordered by start, never overlapping."""
    t = to_ascii_digits(text)
    found: list[Entity] = []
    taken: list[tuple[int, int]] = []

    def add(entity: str, value: Any, start: int, end: int) -> None:
        if all(end <= s or start >= e for s, e in taken):
            taken.append((start, end))
            found.append({"entity": entity, "value": value, "start": start, "end": end})

    for m in _PREFIXED_REF.finditer(t):
        prefix, body = m.group(1).upper(), m.group(2) + m.group(3)
        if prefix not in _NOT_PREFIX and luhn_valid(body):
            add("reference", f"{prefix}-{body[:4]}-{body[4:]}", m.start(), m.end())
    for m in _RATING.finditer(t):
        add("number", int(m.group(1)), m.start(1), m.end(1))
        taken.append((m.start(2), m.end(2)))  # "5/5": the scale is not a second number
    for start, end, kind, value in _scan_numbers(t, ("phone", "national_id", "reference", "number")):
        add(kind, value, start, end)
    for start, end, value in _number_words(text):
        add("number", value, start, end)
    found.sort(key=lambda e: e["start"])
    return found


def _first(text: str, kinds: tuple[str, ...]) -> str | None:
    for _, _, kind, value in _scan_numbers(to_ascii_digits(text), kinds):
        if kind == kinds[0]:
            return str(value)
    return None


def parse_phone(text: str) -> str | None:
    """The first phone number in `text` as E.164, or None.

    >>> parse_phone("جوالي ٠٥٠١٢٣٤٥٦٧"), parse_phone("+966 55 123 4567"), parse_phone("00201001234567")
    ('+966501234567', '+966551234567', '+201001234567')
    """
    return _first(text, ("phone",))


def parse_national_id(text: str) -> str | None:
    """The first valid Saudi national ID / iqama number in `text` (10 ASCII digits), or None."""
    return _first(text, ("national_id",))


def parse_reference(text: str) -> str | None:
    """The first reference in `text` in canonical form, or None (a wrong check digit is rejected).

    >>> parse_reference("esr 1234 56782"), parse_reference("١٢٣٤٥٦٧٨٢"), parse_reference("ESR-1234-56783")
    ('ESR-1234-56782', '1234-56782', None)
    """
    t = to_ascii_digits(text)
    for m in _PREFIXED_REF.finditer(t):
        prefix, body = m.group(1).upper(), m.group(2) + m.group(3)
        if luhn_valid(body):
            if prefix in _NOT_PREFIX:
                return f"{body[:4]}-{body[4:]}"
            return f"{prefix}-{body[:4]}-{body[4:]}"
    return _first(t, ("reference",))


def parse_number(text: str) -> int | None:
    """The one number of a short reply (a rating, a menu pick), in any digits or as a word; else None.

    >>> parse_number("٤"), parse_number("اختار الثاني"), parse_number("5/5"), parse_number("1 or 2")
    (4, 2, 5, None)
    """
    numbers = [e["value"] for e in extract(text) if e["entity"] == "number"]
    return numbers[0] if len(numbers) == 1 else None
