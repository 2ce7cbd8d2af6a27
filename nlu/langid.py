"""Language of a message: 'ar', 'en', 'ur', 'id' or 'other'.

Arabic script: letters only Urdu has (ے ں ٹ ڈ ڑ ھ ہ ۓ) decide at once; otherwise a naive Bayes
over our Arabic and Urdu sentences decides, with the Persian-keyboard letters ی ک as extra evidence
for Urdu but not proof (some Arabic keyboards type them). Persian is 'other'.
Latin script: see `nlu.latin_model` (Arabizi counts as Arabic, Roman Urdu as Urdu).
Text without letters (digits, emoji) is 'other': callers should then keep the contact's language.

The models are trained on first use from `nlu/data/` (tens of milliseconds); a call then takes
well under a millisecond.
"""

from __future__ import annotations

import functools
import re

from nlu.langid_nb import NaiveBayes, load_corpus
from nlu.normalize import normalize

__all__ = ["LANGUAGES", "detect_language"]

LANGUAGES = ("ar", "en", "ur", "id", "other")

_URDU_ONLY = set("ےۓںٹڈڑھہۂۃ")
_PERSIAN_KEYBOARD = set("یکگپچژ")
_PERSIAN_WORDS = frozenset(
    [
        "است",
        "می\u200cخواهم",
        "میخواهم",
        "را",
        "این",
        "برای",
        "چه",
        "نیست",
        "هست",
        "خیلی",
        "ممنون",
        "لطفا",
        "سلام،",
        "درود",
    ]
)
_LETTER = re.compile(r"[^\W\d_]", re.UNICODE)
_WORD = re.compile(r"[^\W\d_][\w'\u200c]*", re.UNICODE)
_ARABIC_WORD = re.compile(r"[\u0600-\u06FF\u0750-\u077F\uFB50-\uFEFF\u200c]+")
# Log-odds added towards Urdu per Persian-keyboard letter: evidence, not proof.
_KEYBOARD_LETTER_WEIGHT = 2.5
# Urdu written without any of its own or Persian-keyboard letters is rare: lean to Arabic then.
_NO_URDU_LETTER_BIAS = -4.0


@functools.lru_cache(maxsize=1)
def _arabic_model() -> NaiveBayes:
    samples = [(normalize(text), lang) for text, lang in load_corpus()["arabic"]]
    return NaiveBayes(samples)


def _arabic_script(text: str) -> str:
    """'ar', 'ur' or 'other' (Persian) for text written mostly in Arabic letters."""
    if any(ch in _URDU_ONLY for ch in text):
        return "ur"
    words = set(re.findall(r"[\u0600-\u06FF\u200c]+", text))
    keyboard = sum(ch in _PERSIAN_KEYBOARD for ch in text)
    if keyboard and len(words & _PERSIAN_WORDS) >= 1:
        return "other"
    scores = _arabic_model().log_scores(normalize(text))
    log_odds = scores.get("ur", 0.0) - scores.get("ar", 0.0)
    log_odds += _KEYBOARD_LETTER_WEIGHT * min(keyboard, 4) if keyboard else _NO_URDU_LETTER_BIAS
    return "ur" if log_odds > 0 else "ar"


def detect_language(text: str) -> str:
    """Return 'ar', 'en', 'ur', 'id' or 'other' for one message.

    >>> [detect_language(t) for t in ("وش صار على طلبي", "mujhe madad chahiye", "abgha a3raf talabi")]
    ['ar', 'ur', 'ar']
    >>> [detect_language(t) for t in ("مجھے مدد چاہیے", "I need help", "saya butuh bantuan", "123")]
    ['ur', 'en', 'id', 'other']
    """
    arabic = latin = other = 0
    arabic_words = latin_words = 0
    for word in _WORD.findall(text[:2000]):
        first = word[0]
        if _is_arabic_letter(first):
            arabic_words += 1
        elif ord(first) < 0x250:
            latin_words += 1
    for ch in text[:2000]:
        if not _LETTER.match(ch):
            continue
        o = ord(ch)
        if _is_arabic_letter(ch):
            arabic += 1
        elif o < 0x250:
            latin += 1
        else:
            other += 1
    if arabic == 0 and latin == 0:
        return "other"
    # An Arabic (or Urdu) sentence with Latin-script names or a few English words is Arabic (Urdu):
    # decided by words, not letters, and names do not outvote the sentence around them.
    if arabic_words and 2 * arabic_words >= latin_words and arabic >= other:
        return _arabic_script(" ".join(_ARABIC_WORD.findall(text[:2000])))
    if arabic >= latin and arabic >= other:
        return _arabic_script(text[:2000])
    if other > latin:
        return "other"
    from nlu.latin_model import classify_latin

    return classify_latin(text[:2000])


def _is_arabic_letter(ch: str) -> bool:
    o = ord(ch)
    return 0x0600 <= o <= 0x06FF or 0x0750 <= o <= 0x077F or 0xFB50 <= o <= 0xFEFF
