"""SMS length: GSM-7 or UCS-2 segments, and splitting a long text into a few-segment parts.

GSM-7 text fits 160 characters in one segment (153 per segment when concatenated); anything else,
Arabic included, is UCS-2: 70 characters alone, 67 per segment when concatenated. A message is
kept within MAX_SEGMENTS segments; a longer text is split at line or word boundaries.

    >>> segments("مرحبا")
    1
    >>> segments("ا" * 71)
    2
    >>> [segments(p) for p in split("كلمة " * 100)]
    [4, 4]
"""

from __future__ import annotations

GSM7_BASIC = set(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§"
    "¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
GSM7_EXTENDED = set("^{}\\[~]|€\f")
MAX_SEGMENTS = 4


def is_gsm7(text: str) -> bool:
    return all(ch in GSM7_BASIC or ch in GSM7_EXTENDED for ch in text)


def units(text: str) -> tuple[int, bool]:
    """(length in encoding units, is GSM-7)."""
    if is_gsm7(text):
        return sum(2 if ch in GSM7_EXTENDED else 1 for ch in text), True
    # UCS-2 counts UTF-16 code units: characters outside the BMP (emoji) take two.
    return sum(2 if ord(ch) > 0xFFFF else 1 for ch in text), False


def segments(text: str) -> int:
    length, gsm = units(text)
    single, multi = (160, 153) if gsm else (70, 67)
    if length <= single:
        return 1
    return -(-length // multi)


def split(text: str, max_segments: int = MAX_SEGMENTS) -> list[str]:
    """Parts of `text`, each within `max_segments` segments, cut at lines, then words, then chars."""
    if segments(text) <= max_segments:
        return [text]
    parts: list[str] = []
    current = ""
    for token in _tokens(text):
        candidate = current + token
        if segments(candidate.strip()) <= max_segments:
            current = candidate
            continue
        if current.strip():
            parts.append(current.strip())
        current = token
        while segments(current.strip()) > max_segments:  # one token longer than a part: hard cut
            cut = _fit(current, max_segments)
            parts.append(current[:cut].strip())
            current = current[cut:]
    if current.strip():
        parts.append(current.strip())
    return parts


def _tokens(text: str) -> list[str]:
    tokens: list[str] = []
    for line in text.splitlines(keepends=True):
        words = line.split(" ")
        tokens.extend(w + " " for w in words[:-1])
        tokens.append(words[-1])
    return [t for t in tokens if t]


def _fit(text: str, max_segments: int) -> int:
    lo, hi = 1, len(text)
    while lo < hi:
        mid = (lo + hi + 1) // 2
        if segments(text[:mid]) <= max_segments:
            lo = mid
        else:
            hi = mid - 1
    return lo
