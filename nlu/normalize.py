"""Arabic text normalisation for matching and for the NLU pipeline.

Pure standard library (runs on Python 3.10 inside the Rasa environment and on 3.11 in the app).

What `normalize` does, in this order, character by character:

- Arabic-Indic (٠-٩) and Persian/Urdu (۰-۹) digits -> 0-9
- alef forms أ إ آ ٱ -> ا ; ى -> ي ; ة -> ه ; ؤ -> و ; ئ -> ي ;
  Persian-keyboard ی ک and Urdu ہ ۃ -> ي ك ه ه (so one word has one spelling)
- Arabic punctuation ، ؛ ؟ ٪ ٫ ٬ -> , ; ? % . ,
- tatweel (ـ), harakat and Quranic marks, zero-width and direction marks are removed
- a letter repeated 3+ times in a row is written once ("شكراااا" -> "شكرا", "السلاموووو" -> "السلامو")

Digits are never collapsed ("0555" stays), and case is not changed (featurizers lowercase).

`normalize_with_map` also returns, for each output character, the index of the input character it came
from, so spans found on the normalised text can be mapped back to the original (entity offsets).

    >>> normalize("أهلاً وسهلاً ، أبغى أعرف طلبي رقم ١٢٣؟")
    'اهلا وسهلا , ابغي اعرف طلبي رقم 123?'
"""

from __future__ import annotations

__all__ = ["arabizi_word", "normalize", "normalize_with_map", "span_to_original", "to_ascii_digits"]

_DIGITS = {**{0x0660 + i: str(i) for i in range(10)}, **{0x06F0 + i: str(i) for i in range(10)}}
_DIGIT_TABLE = str.maketrans(_DIGITS)

# One character in -> one character out.
_CHAR_MAP: dict[str, str] = {
    "أ": "ا",
    "إ": "ا",
    "آ": "ا",
    "ٱ": "ا",
    "ٲ": "ا",
    "ٳ": "ا",
    "ى": "ي",
    "ی": "ي",
    "ې": "ي",
    "ئ": "ي",
    "ة": "ه",
    "ۃ": "ه",
    "ہ": "ه",
    "ە": "ه",
    "ؤ": "و",
    "ک": "ك",
    "ڪ": "ك",
    "،": ",",
    "؛": ";",
    "؟": "?",
    "٪": "%",
    "٫": ".",
    "٬": ",",
    "۔": ".",
    "\u00a0": " ",
    "\u2007": " ",
    "\u202f": " ",
}
_CHAR_MAP.update({chr(k): v for k, v in _DIGITS.items()})


def _is_removed(ch: str) -> bool:
    """Tatweel, harakat, Quranic annotation marks, zero-width and bidi control characters."""
    o = ord(ch)
    return (
        o == 0x0640  # tatweel
        or 0x064B <= o <= 0x065F  # harakat, shadda, sukun, ...
        or o == 0x0670  # superscript alef
        or 0x0610 <= o <= 0x061A  # honorifics and small marks
        or 0x06D6 <= o <= 0x06DC
        or 0x06DF <= o <= 0x06E8
        or 0x06EA <= o <= 0x06ED
        or o in (0x200B, 0x200C, 0x200D, 0x200E, 0x200F, 0xFEFF, 0x061C)
        or 0x202A <= o <= 0x202E
        or 0x2066 <= o <= 0x2069
    )


def to_ascii_digits(text: str) -> str:
    """Replace Arabic-Indic and Persian/Urdu digits by ASCII digits; the length is unchanged.

    >>> to_ascii_digits("٠٥٥١٢٣ ۴۵")
    '055123 45'
    """
    return text.translate(_DIGIT_TABLE)


def normalize_with_map(text: str) -> tuple[str, list[int]]:
    """Normalise `text` and return (normalised, index_map).

    `index_map[i]` is the index in `text` of the character that produced output character `i`,
    so `len(index_map) == len(normalised)` and the map is strictly increasing.
    """
    chars: list[str] = []
    index: list[int] = []
    for i, ch in enumerate(text):
        if not _is_removed(ch):
            chars.append(_CHAR_MAP.get(ch, ch))
            index.append(i)
    out: list[str] = []
    out_index: list[int] = []
    n = len(chars)
    k = 0
    while k < n:
        ch = chars[k]
        run = k + 1
        while run < n and chars[run] == ch:
            run += 1
        if ch.isalpha() and run - k >= 3:
            out.append(ch)  # a stretched letter: written once
            out_index.append(index[k])
        else:
            out.extend(chars[k:run])
            out_index.extend(index[k:run])
        k = run
    return "".join(out), out_index


def normalize(text: str) -> str:
    """Full Arabic normalisation (see the module docstring). Safe on any script and on ''."""
    return normalize_with_map(text)[0]


def span_to_original(index_map: list[int], start: int, end: int, original_length: int) -> tuple[int, int]:
    """Map the span [start, end) of a normalised string back to the original string.

    The end is extended over characters that normalisation removed (harakat, tatweel, the extra
    copies of a stretched letter), so the original span covers the whole written word.
    """
    if start >= end or not index_map:
        return (0, 0)
    o_start = index_map[start]
    o_end = index_map[end] if end < len(index_map) else original_length
    return (o_start, o_end)


_ARABIZI_RULES = (
    ("kh", "5"),
    ("ch", "sh"),
    ("ee", "i"),
    ("ii", "i"),
    ("oo", "u"),
    ("ou", "u"),
    ("ei", "ai"),
    ("e", "i"),
    ("o", "u"),
)


def arabizi_word(word: str) -> str:
    """One canonical spelling for an Arabizi word, so writers' variants meet.

    Lower case; kh -> 5 (the digit most writers use), ch -> sh; e/i and o/u merged (Arabic has three
    vowels); doubled letters written once; a final -ah/-eh (taa marbuta) -> -a. Only for words of a
    message already known to be Arabizi: it would mangle English.

    >>> [arabizi_word(w) for w in ("mosa3ada", "musa3adah", "wesh", "mashkoor", "Khalas", "sallah")]
    ['musa3ada', 'musa3ada', 'wish', 'mashkur', '5alas', 'sala']
    """
    w = word.lower()
    for old, new in _ARABIZI_RULES:
        w = w.replace(old, new)
    w = "".join(c for i, c in enumerate(w) if i == 0 or c != w[i - 1])
    if len(w) > 3 and w.endswith(("ah", "ih")):
        w = w[:-2] + "a"
    return w or word
