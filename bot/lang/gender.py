"""Addressing a woman as a woman: whether a message says who writes it, and Arabic replies in the feminine.

Arabic addresses the reader with a gendered verb ("اكتب" to a man, "اكتبي" to a woman). The catalogues are
written to a man, as is usual when the reader is unknown; once a woman says so of herself («انا ارملة»,
«انا بنتها واكتب عنها», "I am a widow", «میں بیوہ ہوں»), replies are put in the feminine. Only what is said
of oneself counts: «امي مريضة» is about her mother, not the writer.
"""

from __future__ import annotations

import re

from bot.lang.words import canon

FEMALE, MALE = "female", "male"

# "I am ..." followed by a word that only a woman (or a man) says of herself.
_SELF = ("انا", "انى", "اني", "i am", "im", "i'm", "saya", "aku", "میں")
_FEMALE_WORDS = frozenset(canon(w) for w in (
    "ارمله", "أرملة", "مطلقه", "مطلقة", "محتاجه", "محتاجة", "مريضه", "مريضة", "تعبانه", "تعبانة", "ساكنه", "ساكنة",
    "موظفه", "طالبه", "حامل", "بنتها", "بنته", "بنتهم", "زوجته", "امه", "ام", "أم", "ربة", "ربه", "مقيمه", "عاطله",
    "وحيده", "مسكينه", "متزوجه", "widow", "divorcee", "housewife", "mother", "mom", "mum", "daughter", "wife",
    "pregnant", "janda", "ibu", "istri", "istrinya", "بیوہ", "ماں", "بیٹی", "بیوی",
))
_MALE_WORDS = frozenset(canon(w) for w in (
    "ارمل", "أرمل", "مطلق", "محتاج", "مريض", "تعبان", "ساكن", "موظف", "طالب", "ولدها", "ولده", "ابنها", "ابنه", "زوجها", "ابوها", "ابوه", "ابوهم", "أبوها",
    "ابو", "أبو", "متقاعد", "عاطل", "widower", "father", "dad", "son", "husband", "ayah", "bapak", "suami",
    "باپ", "بیٹا", "شوہر",
))
# Urdu verbs carry the speaker's gender: «میں جا رہی ہوں», «کر سکتی ہوں», «گئی ہوں».
_UR_FEMALE = re.compile(r"(?:رہی|سکتی|کرتی|چاہتی|گئی|ہوئی|لکھ رہی|آئی)\s+ہوں")
_UR_MALE = re.compile(r"(?:رہا|سکتا|کرتا|چاہتا|گیا|ہوا|آیا)\s+ہوں")


def gender_said(text: str) -> str | None:
    """FEMALE or MALE when the writer says it of themselves, else None."""
    if _UR_FEMALE.search(text or ""):
        return FEMALE
    if _UR_MALE.search(text or ""):
        return MALE
    words = canon(text).split()
    for i, word in enumerate(words):
        if word in _SELF or (i + 1 < len(words) and f"{word} {words[i + 1]}" in _SELF):
            after = words[i + 1:i + 4]
            for nxt in after:
                if nxt in _FEMALE_WORDS:
                    return FEMALE
                if nxt in _MALE_WORDS:
                    return MALE
    return None


# The catalogues' words that address the reader, and the same to a woman (whole words only).
_FEMININE = {
    "اكتب": "اكتبي", "فاكتب": "فاكتبي", "واكتب": "واكتبي", "اكتبه": "اكتبيه", "اكتبها": "اكتبيها",
    "واكتبه": "واكتبيه", "اختر": "اختاري", "أرسل": "أرسلي", "أرسله": "أرسليه", "أرسلها": "أرسليها",
    "فأرسلها": "فأرسليها", "شارك": "شاركي", "أجب": "أجيبي", "راجع": "راجعي", "راجعه": "راجعيه", "اذكر": "اذكري",
    "أعد": "أعيدي", "تحقق": "تحققي", "تود": "تودين", "تريد": "تريدين", "ترغب": "ترغبي", "تفضلها": "تفضلينها",
    "ابقَ": "ابقي", "فاتصل": "فاتصلي", "اتصل": "اتصلي", "تبحث": "تبحثين", "تنتهي": "تنتهين", "تقوم": "تقومين",
    "تعتذر": "تعتذري", "تكن": "تكوني", "راضيًا": "راضية", "تتقدّم": "تتقدّمين", "أنت": "أنتِ", "جهّز": "جهّزي",
    "تفضل": "تفضلي", "أخبرنا": "أخبرينا", "أرفق": "أرفقي", "تقدّم": "تقدّمين",
}
_WORD = re.compile(r"[\u0600-\u06ff\u064b-\u0652]+")


def feminine(text: str) -> str:
    """An Arabic reply addressed to a woman ("فضلًا اكتب رقمًا" -> "فضلًا اكتبي رقمًا")."""
    return _WORD.sub(lambda m: _FEMININE.get(m.group(0), m.group(0)), text)
