"""Latin-script language: Arabizi ('ar'), Roman Urdu ('ur'), English, Indonesian, or 'other'.

A naive Bayes over character n-grams and words, trained on our Latin-script sentences (Arabizi,
Roman Urdu, English, Indonesian) plus short lists of the commonest Arabizi and Roman Urdu words,
tells the four apart; Arabizi's letters-as-digits (3 = ع, 7 = ح, 5 = خ, 2 = ء, 9 = ق/ص, 6 = ط) are
strong evidence. The lingua detector (shipped with its models, nothing downloaded; optional) is asked
whether an English- or Indonesian-looking text is really another language (French, Turkish, ...).
"""

from __future__ import annotations

import functools
import re
from typing import Any

from nlu.langid_nb import NaiveBayes, load_corpus

__all__ = ["classify_latin"]

_LEXICON = {
    "ar": """abgha abi ana enta inta wesh wsh shlon kaif kif keef halak 3ala yalla na3am aiwa aywa shukran
        mashkoor mashallah inshallah wallah marhaba ahlan habibi ba3d mumkin momken 3ndi 3andi mafi leh
        lesh shu eish eysh shno 3ayez 3ayz bidi baddi biddi tayeb zain kwayes msh mish mesh bukra bokra
        talab talabi mosa3ada musaada jam3iya shakwa mushkila ra2m raqam a7ad mowazaf akalem 3shan
        3ashan khalas 5alas sa3dni 7aga haga ya3ni ma3 ma3a hatha hadi elli illi wain fein feen""",
    "ur": """mujhe mujhay madad chahiye chahie chahta chahti hai hain kya kia kyun kaise kahan kab mera meri
        mere mein main hum humein aap apka apki tum nahi nahin haan ji jee theek thik acha achha shukriya
        shukria bahut bohat bohot ka ki ke ko se aur karna karo karen karein raha rahi diya dijiye batao
        bhai sahab zaroorat masla shikayat darkhwast paise kaam koi kuch abhi phir wapas jaldi kaun liye
        wala wali hoga hua gaya tha thi samajh baat banda ghar bachay khuda hafiz bas mat dena lena""",
}
_ARABIZI_DIGITS = re.compile(r"(?<=[a-z])[235679](?=[a-z])|\b[23579](?=[a-z]{2})|(?<=[a-z]{2})[3579]\b")
# Words only Roman Urdu uses among our languages (not English, not Indonesian): a sentence built on them
# is Urdu even when its nouns are English ("mera subscription cancel kar do").
_URDU_FUNCTION_WORDS = """hain mera meri mere mujhe mujhay kya kia karo karna karein karen kar nahi nahin
    aap apna apni raha rahi rahe gaya gayi chahiye chahie chahta chahti kaise kahan kyun kyon hoga hogi"""
_URDU_FUNCTION = frozenset(_URDU_FUNCTION_WORDS.split())
# ... and Arabizi's ("bade order pizza" is Arabizi).
_ARABIZI_FUNCTION_WORDS = """ana enta inta abi abgha abgh bade badi bidi baddi biddi wesh wsh shu eish esh
    3and 3ndi 3andi ma3 msh mish mesh leh lesh ya3ni 3shan 3ashan hatha hadi momken mumkin"""
_ARABIZI_FUNCTION = frozenset(_ARABIZI_FUNCTION_WORDS.split())
_FUNCTION_WORD_WEIGHT = 4.0  # log-odds per function word (at most 3 counted)
_ARABIZI_DIGIT_WEIGHT = 3.0  # log-odds towards Arabizi per letter written as a digit
_OTHER_LINGUA = 0.75  # lingua's confidence in a non-English, non-Indonesian language to answer 'other'


@functools.lru_cache(maxsize=1)
def _model() -> NaiveBayes:
    samples = list(load_corpus()["latin"])
    for lang, words in _LEXICON.items():
        samples.extend((w, lang) for w in words.split())
    return NaiveBayes(samples)


@functools.lru_cache(maxsize=1)
def _lingua() -> Any:
    """A lingua detector for languages written in Latin letters, or None without lingua."""
    try:
        from lingua import Language, LanguageDetectorBuilder
    except ImportError:
        return None
    languages = [
        Language.ENGLISH,
        Language.INDONESIAN,
        Language.MALAY,
        Language.FRENCH,
        Language.SPANISH,
        Language.GERMAN,
        Language.TURKISH,
        Language.ITALIAN,
        Language.PORTUGUESE,
        Language.DUTCH,
        Language.TAGALOG,
        Language.SWAHILI,
        Language.SOMALI,
        Language.YORUBA,
    ]
    return LanguageDetectorBuilder.from_languages(*languages).build()


def _is_other_language(text: str) -> bool:
    """True when lingua is confident the text is a Latin-script language we do not serve."""
    detector = _lingua()
    if detector is None or len(text) < 15:
        return False
    values = detector.compute_language_confidence_values(text)
    if not values:
        return False
    best = values[0]
    return best.language.name not in ("ENGLISH", "INDONESIAN", "MALAY") and best.value >= _OTHER_LINGUA


def classify_latin(text: str) -> str:
    """'ar' (Arabizi), 'ur' (Roman Urdu), 'en', 'id' or 'other' for Latin-script text."""
    lowered = text.lower()
    scores = _model().log_scores(lowered)
    if not scores:
        return "en"
    digits = len(_ARABIZI_DIGITS.findall(lowered))
    scores["ar"] = scores.get("ar", 0.0) + _ARABIZI_DIGIT_WEIGHT * min(digits, 3)
    words = re.findall(r"[a-z0-9']+", lowered)
    urdu = sum(w in _URDU_FUNCTION for w in words)
    arabizi = sum(w in _ARABIZI_FUNCTION for w in words)
    scores["ur"] = scores.get("ur", 0.0) + _FUNCTION_WORD_WEIGHT * min(urdu, 3)
    scores["ar"] = scores.get("ar", 0.0) + _FUNCTION_WORD_WEIGHT * min(arabizi, 3)
    best = max(scores, key=lambda k: scores[k])
    # English and Indonesian look like many languages; text mostly of words we never saw may be one.
    unfamiliar = _model().known_word_share(lowered) < 0.5 and not digits
    if (best in ("en", "id") or unfamiliar) and _is_other_language(text):
        return "other"
    return best
