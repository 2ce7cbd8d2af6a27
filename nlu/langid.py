"""Language of a message: 'ar', 'en', 'ur', 'id' or 'other'.

Arabic script: Urdu letters (ے ں ٹ ڈ ڑ ھ ہ ۓ) and Urdu function words tell Urdu from Arabic; the
Persian-keyboard letters ی ک (and پ چ گ, which Gulf Arabic borrows) alone do not.
Latin script: Arabizi ("abgha a3raf talabi") counts as Arabic and Roman Urdu ("mujhe madad chahiye")
as Urdu, scored by `nlu.latin_model` (a small naive Bayes over character n-grams trained on our own
labelled data); English vs Indonesian vs other languages comes from that model and, when installed,
the lingua detector (it ships its models, nothing is downloaded).

Text without letters (digits, emoji) is 'other': callers should then keep the contact's language.
Pure standard library apart from the optional lingua; typical call well under 1 ms.
"""

from __future__ import annotations

import re

from nlu.normalize import normalize

__all__ = ["detect_language", "LANGUAGES"]

LANGUAGES = ("ar", "en", "ur", "id", "other")

_URDU_STRONG = set("ےۓںٹڈڑھہۂۃ")
_PERSIAN_WEAK = set("یکگپچژ")
_URDU_WORDS = frozenset(
    "میں ہے ہیں کا کی کے کو سے نہیں اور یہ وہ آپ مجھے میرا میری میرے ہم کیا کیسے کہاں کب "
    "چاہیے چاہئے چاہتا چاہتی مدد شکریہ ٹھیک جی ہاں بھائی کر کریں کرنا تھا تھی گیا رہا".split()
)
_PERSIAN_WORDS = frozenset("است می را این با از برای چه نیست هست خیلی ممنون لطفا".split())
_LETTER = re.compile(r"[^\W\d_]", re.UNICODE)


def _arabic_script(text: str) -> str:
    """ar / ur / other for text written mostly in Arabic script."""
    strong = sum(ch in _URDU_STRONG for ch in text)
    weak = sum(ch in _PERSIAN_WEAK for ch in text)
    words = re.findall(r"[\u0600-\u06FF]+", text)
    urdu_words = sum(w in _URDU_WORDS for w in words)
    persian_words = sum(w in _PERSIAN_WORDS for w in words)
    if strong or urdu_words:
        if persian_words > urdu_words and not strong:
            return "other"
        return "ur"
    if weak and persian_words:
        return "other"
    return "ar"


def detect_language(text: str) -> str:
    """Return 'ar', 'en', 'ur', 'id' or 'other' for one message.

    >>> [detect_language(t) for t in ("وش صار على طلبي", "mujhe madad chahiye", "abgha a3raf talabi")]
    ['ar', 'ur', 'ar']
    >>> [detect_language(t) for t in ("مجھے مدد چاہیے", "I need help", "saya butuh bantuan", "123")]
    ['ur', 'en', 'id', 'other']
    """
    arabic = latin = other = 0
    for ch in text:
        if not _LETTER.match(ch):
            continue
        o = ord(ch)
        if 0x0600 <= o <= 0x06FF or 0x0750 <= o <= 0x077F or 0xFB50 <= o <= 0xFEFF:
            arabic += 1
        elif o < 0x250:
            latin += 1
        else:
            other += 1
    if arabic == 0 and latin == 0:
        return "other"
    if arabic >= latin and arabic >= other:
        return _arabic_script(text)
    if other > latin:
        return "other"
    from nlu.latin_model import classify_latin  # deferred: loads the small model on first use

    return classify_latin(normalize(text))
