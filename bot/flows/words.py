"""Recognising short answers (yes/no, cancel, menu, back) in every language and spelling."""

from __future__ import annotations

import re

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
_SKIP = {"تخطي", "تخطى", "لاحقا", "بعدين", "لا يوجد", "ما عندي", "skip", "later", "none", "lewati", "nanti", "چھوڑیں", "چھوڑ دیں"}
_DONE = {"تم", "خلصت", "انتهيت", "خلاص", "done", "finished", "selesai", "ho gaya", "ہو گیا", "بس"}

_PUNCT = re.compile(r"[\s\.,!?؟،؛:;\-_*]+")


def canon(text: str) -> str:
    """Normalised, lower-cased, punctuation folded to single spaces."""
    return _PUNCT.sub(" ", normalize(to_ascii_digits(text or "")).lower()).strip()


def _in(text: str, words: set[str]) -> bool:
    c = canon(text)
    return c in {canon(w) for w in words}


def is_yes(text: str) -> bool:
    return _in(text, _YES) or canon(text) in {"1"}


def is_no(text: str) -> bool:
    return _in(text, _NO)


def is_cancel(text: str) -> bool:
    return _in(text, _CANCEL)


def is_menu(text: str) -> bool:
    return _in(text, _MENU)


def is_back(text: str) -> bool:
    return _in(text, _BACK)


def is_restart(text: str) -> bool:
    return _in(text, _RESTART)


def is_skip(text: str) -> bool:
    return _in(text, _SKIP)


def is_done(text: str) -> bool:
    return _in(text, _DONE)


def digit_choice(text: str, count: int) -> int | None:
    """A 1-based menu pick written in any digits ("٢", "2", " 2. "), or None."""
    c = canon(text)
    if c.isdigit() and 1 <= int(c) <= count:
        return int(c)
    return None
