"""Recognising short answers (yes/no, cancel, menu, back) in every language and spelling."""

from __future__ import annotations

import re
from functools import lru_cache

from nlu.normalize import normalize, to_ascii_digits

_YES = {
    "نعم", "ايوه", "ايوا", "ايه", "اي", "اوك", "اوكي", "موافق", "اوافق", "اقر", "اكيد", "تمام", "طيب", "صح",
    "يب", "اجل", "بلى", "ماشي", "حاضر", "yes", "y", "yeah", "yep", "ok", "okay", "sure", "agree", "i agree",
    "confirm", "ha", "haan", "جی ہاں", "ji haan", "han", "ji", "jee", "ہاں", "جی", "ya", "iya", "setuju", "benar", "aywa", "na3am",
}
_NO = {
    "لا", "لأ", "لاء", "مو", "ماابغى", "ما ابغى", "ما ابي", "مابي", "لا شكرا", "لا ابغى", "رفض", "ارفض", "no",
    "n", "nope", "nah", "decline", "nahi", "nahin", "نہیں", "tidak", "nggak", "gak", "ga", "tak", "la",
}
_CANCEL = {
    "الغاء", "إلغاء", "الغ", "الغي", "الغيه", "الغي الطلب", "خلاص الغي", "وقف", "توقف", "cancel", "stop it",
    "quit", "batal", "batalkan", "منسوخ", "cancel karo", "khatam",
}
_MENU = {"القائمه", "قائمه", "القائمه الرئيسيه", "menu", "main menu", "مينيو", "منيو", "main", "مینو", "#"}
_BACK = {"رجوع", "ارجع", "السابق", "back", "previous", "kembali", "واپس"}
_RESTART = {"ابدا من جديد", "من جديد", "اعاده", "restart", "start over", "mulai lagi", "/start"}
_HUMAN = {
    "موظف", "ابي موظف", "ابغى موظف", "ابغي موظف", "اكلم موظف", "ابي اكلم موظف", "ابغى اكلم موظف", "كلمني موظف",
    "عايز اكلم حد", "بدي احكي مع موظف", "staff", "human", "agent", "talk to staff", "operator", "petugas",
    "staff se baat", "عملہ",
}
_SKIP = {"تخطي", "تخطى", "لاحقا", "بعدين", "لا يوجد", "ما عندي", "ماعندي", "ما عندي هو", "ما عندنا", "ماعندنا",
         "مافي", "ما في", "مش معايا", "معنديش", "ما معي", "مامعي", "i dont have", "i don't have", "tidak ada", "skip", "later", "none", "lewati", "nanti", "چھوڑیں", "چھوڑ دیں"}
_DONE = {"تم", "خلصت", "انتهيت", "خلاص", "done", "finished", "selesai", "ho gaya", "ہو گیا", "بس"}

_EDIT = {"تعديل", "عدل", "ابي اعدل", "ابغى اعدل", "ابغي اعدل", "عايز اعدل", "بدي عدل", "تعديل البيانات", "edit",
         "change", "ubah", "ترمیم", "تبدیلی"}
_GREETINGS = (
    "السلام عليكم ورحمه الله وبركاته", "السلام عليكم ورحمه الله", "السلام عليكم", "سلام عليكم", "السلام علیکم",
    "وعليكم السلام", "هلا والله", "مرحبا", "مرحبتين", "اهلين", "اهلا", "هلا", "هاي", "صباح الخير", "مساء الخير",
    "assalamualaikum", "assalamu alaikum", "assalam o alaikum", "salam", "hello", "hi", "hey", "halo",
    "good morning", "selamat pagi",
)
_PUNCT = re.compile(r"[\s\.,!?؟،؛:;\-_*]+")


@lru_cache(maxsize=8192)
def canon(text: str) -> str:
    """Normalised, lower-cased, punctuation folded to single spaces.

    Pure and asked many times a turn of the same few strings (the message, the lists' words, a profile's
    keywords): remembered, so a turn normalises each string once.
    """
    return _PUNCT.sub(" ", normalize(to_ascii_digits(text or "")).lower()).strip()


def _canon_set(words: set[str]) -> frozenset[str]:
    return frozenset(canon(w) for w in words)


def _in(text: str, canonical: frozenset[str]) -> bool:
    return canon(text) in canonical


# Each word list normalised once, at import, not on every call.
_YES_C, _NO_C, _CANCEL_C, _MENU_C, _BACK_C = map(_canon_set, (_YES, _NO, _CANCEL, _MENU, _BACK))
_RESTART_C, _HUMAN_C, _SKIP_C, _DONE_C, _EDIT_C = map(_canon_set, (_RESTART, _HUMAN, _SKIP, _DONE, _EDIT))


def is_yes(text: str) -> bool:
    return _in(text, _YES_C) or canon(text) == "1"


def is_no(text: str) -> bool:
    return _in(text, _NO_C)


def is_cancel(text: str) -> bool:
    return _in(text, _CANCEL_C)


def is_menu(text: str) -> bool:
    return _in(text, _MENU_C)


def is_back(text: str) -> bool:
    return _in(text, _BACK_C)


def is_restart(text: str) -> bool:
    return _in(text, _RESTART_C)


def is_human(text: str) -> bool:
    """An explicit, whole-message request for a person (works at any step of any flow)."""
    return _in(text, _HUMAN_C)


def is_skip(text: str) -> bool:
    return _in(text, _SKIP_C)


def is_done(text: str) -> bool:
    return _in(text, _DONE_C)


def is_edit(text: str) -> bool:
    return _in(text, _EDIT_C)


_GREETINGS_LONGEST_FIRST = tuple(sorted({canon(g) for g in _GREETINGS}, key=len, reverse=True))


def is_greeting(text: str) -> bool:
    """A greeting with at most two more words ("السلام عليكم، وين وصلنا؟"), not an answer that starts with one
    ("اهلا انا ساكنه في حي المزروعيه" is a district)."""
    padded = f" {canon(text)} "
    found = False
    for greeting in _GREETINGS_LONGEST_FIRST:
        if f" {greeting} " in padded:
            padded, found = padded.replace(f" {greeting} ", " "), True
    return found and len(padded.split()) <= 2


_ANSWER_WORDS = frozenset(w for phrase in _YES | _NO for w in canon(phrase).split())


def only_answer_words(text: str) -> bool:
    """Every word is a yes/no word ("ايوه موافق"): an answer, not a name or a description."""
    words = canon(text).split()
    return bool(words) and all(w in _ANSWER_WORDS for w in words)


# Words that take back what was just said ("لا لحظة غلطت", "sorry, wrong", "maaf salah").
_CORRECTION_WORDS = frozenset(canon(w) for w in (
    "غلطت", "غلطانه", "غلطان", "اخطات", "أخطأت", "خطا", "خطأ", "غلط", "لحظه", "لحظة", "ثواني", "استنى", "انتظر",
    "wait", "mistake", "wrong", "oops", "sorry", "salah", "keliru", "tunggu", "غلطی", "رکیں", "ruko",
))
_CORRECTION_MAX_WORDS = 5


def is_correction(text: str) -> bool:
    """A short message taking back the last answer ("لا لحظة غلطت", "wait, wrong one"): go back, not a value.

    Only short messages count: "the employee gave me wrong information" is a complaint's details."""
    words = canon(text).split()
    return 0 < len(words) <= _CORRECTION_MAX_WORDS and any(w in _CORRECTION_WORDS for w in words)


def digit_choice(text: str, count: int) -> int | None:
    """A 1-based menu pick written in any digits ("٢", "2", " 2. "), or None."""
    c = canon(text)
    if c.isdigit() and 1 <= int(c) <= count:
        return int(c)
    return None


# Words too common in requests to tell one service from another.
_STOP = {
    "ابغى", "ابغي", "ابي", "اريد", "عايز", "بدي", "طلب", "خدمه", "خدمة", "على", "في", "من", "الى", "عن", "لو",
    "سمحت", "ممكن", "اقدم", "تقديم", "service", "request", "want", "need", "apply", "for", "the", "and", "mau",
    "ingin", "layanan", "untuk", "mujhe", "chahiye", "کی", "کے", "مجھے", "چاہیے", "help", "please",
    "محتاج", "احتاج", "ساعدوني",
}


def _stem(word: str) -> str:
    """A light Arabic stem: no article or attached conjunction, no final taa marbuta (already ه)."""
    for prefix in ("وال", "بال", "فال", "لل", "ال"):
        if word.startswith(prefix) and len(word) - len(prefix) >= 3:
            word = word[len(prefix):]
            break
    if word.endswith("ه") and len(word) > 3:
        word = word[:-1]
    return word


@lru_cache(maxsize=4096)
def content_words(text: str) -> frozenset[str]:
    """The stemmed words of `text` that can tell one service from another (remembered: a profile's service
    names are asked on every message that names a service)."""
    return frozenset(_stem(w) for w in canon(text).split() if len(w) > 2 and w not in _STOP)


def _alike(a: str, b: str) -> bool:
    # "تدريبيه" ~ "تدريب", "منتجاتي" ~ "منتجات": one word begins with the other (4 letters at least).
    return a == b or (min(len(a), len(b)) >= 4 and (a.startswith(b) or b.startswith(a)))


def _overlap(words: frozenset[str], name_words: frozenset[str]) -> int:
    return sum(1 for w in words if any(_alike(w, n) for n in name_words))


def best_match(text: str, names: dict[str, list[str]]) -> str | None:
    """The key whose names share the most content words with `text`; None when none or a tie."""
    words = content_words(text)
    if not words:
        return None
    scores: dict[str, int] = {}
    for key, variants in names.items():
        scores[key] = max((_overlap(words, content_words(v)) for v in variants), default=0)
    ranked = sorted(scores.items(), key=lambda kv: -kv[1])
    if not ranked or ranked[0][1] == 0 or (len(ranked) > 1 and ranked[1][1] == ranked[0][1]):
        return None
    return ranked[0][0]
