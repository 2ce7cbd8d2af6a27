"""Courtesy returned in kind (pure): «السلام عليكم» is answered «وعليكم السلام», «جزاكم الله خير» with
«وإياكم»; "good morning" with its answer. The bot's own words come from the catalogues; this module only
says which answer a message calls for.

    >>> in_kind("السلام عليكم ورحمة الله، ابي اسأل عن طلبي"), in_kind("جزاك الله خير"), in_kind("شكرا")
    ('salam', 'jazak', None)
"""

from __future__ import annotations

import functools

from bot.lang.i18n import N_
from bot.lang.words import canon

__all__ = ["ANSWERS", "EMPATHY", "LANGUAGES_OFFER", "empathy", "in_kind", "unsupported_script"]

# Phrases as people write them (they are compared after `canon`: alef/yaa/taa-marbuta forms, case and
# punctuation do not matter). A bare «سلام» is left out: in the Levant it is also "bye".
_PHRASES: dict[str, tuple[str, ...]] = {
    "salam": (
        "السلام عليكم", "سلام عليكم", "السلام علیکم", "سلام علیکم", "السلام عليكم ورحمه الله",
        "assalamualaikum", "assalamu alaikum", "assalamu alaykum", "assalam alaikum", "assalam o alaikum",
        "asalam o alaikum", "salam alaikum", "salam alaykum", "salamu alaykum", "salamu alaikum", "slm 3likom",
        "salam 3alaykom", "salam 3likom", "assalamu'alaikum", "asalamualaikum", "assalamualaikum wr wb",
    ),
    "morning": ("صباح الخير", "صباح الخيرات", "صباح الفل", "sabah el kheir", "sabah al khair", "good morning",
                "selamat pagi"),
    "evening": ("مساء الخير", "مسا الخير", "مساء الخيرات", "masa el kheir", "good evening", "selamat malam",
                "selamat sore"),
    "jazak": (
        "جزاكم الله خير", "جزاك الله خير", "جزاكم الله خيرا", "جزاك الله خيرا", "الله يجزاكم خير",
        "الله يجزاك خير", "الله يجزيكم خير", "الله يجزيك خير", "الله يجزاكم الجنه", "جزاکم اللہ", "جزاک اللہ",
        "جزاک اللہ خیر", "jazakallah", "jazakallah khair", "jazakallahu khairan", "jazak allah", "jazakumullah",
        "jazakallah khoir", "jazakumullah khairan",
    ),
    "afiya": (
        "يعطيك العافيه", "يعطيكم العافيه", "الله يعطيك العافيه", "الله يعطيكم العافيه", "يعطيك الف عافيه",
        "يعطيكم الف عافيه", "الله يعافيكم", "ya3tik el3afye", "ya3teekom el3afya", "ya3tik al3afia",
    ),
}

# What each calls for, in the catalogues (translated per language, Arabic first).
ANSWERS: dict[str, str] = {
    "salam": N_("Wa alaykum as-salam wa rahmatullah."),
    "morning": N_("Good morning to you too."),
    "evening": N_("Good evening to you too."),
    "jazak": N_("Wa iyyakum, and may God reward you with good too."),
    "afiya": N_("May God keep you well."),
}


@functools.lru_cache(maxsize=1)
def _canonical() -> tuple[tuple[str, str], ...]:
    pairs = {(kind, canon(p)) for kind, phrases in _PHRASES.items() for p in phrases}
    return tuple(sorted(pairs, key=lambda pair: -len(pair[1])))  # the longest phrase first


def in_kind(text: str) -> str | None:
    """Which courtesy the message offers ('salam', 'morning', 'evening', 'jazak', 'afiya'), or None.

    A phrase counts as whole words anywhere in the message: «السلام عليكم، وين وصل طلبي؟» still greets.
    """
    padded = f" {canon(text)} "
    for kind, phrase in _canonical():
        if phrase and f" {phrase} " in padded:
            return kind
    words = padded.split()
    if any(w.startswith(("جزا", "يجزا", "يجزي", "يجزيك")) for w in words) and any(
            w in _REWARDS for w in words):
        return "jazak"  # «الله يجزيكم الخير», «جزاكم الله كل خير», «الله يجزاكم عنا الف خير»
    return None


_REWARDS = frozenset(canon(w) for w in ("خير", "الخير", "خيرا", "خيراً", "الجنه", "الجنة", "العافيه"))


# Hardship, illness or grief told in a message (whole words after `canon`; stems end in "*": a prefix).
_TOLD: dict[str, tuple[str, ...]] = {
    "grief": (
        "توفي", "توفى", "توفت", "توفيت", "وفاه", "وفاة", "مات", "ماتت", "المرحوم", "المرحومه", "ارمله", "أرملة",
        "يتيم", "ايتام", "أيتام", "عزاء", "died", "passed away", "death", "widow", "widowed", "orphan*", "funeral",
        "وفات", "انتقال", "بیوہ", "یتیم", "meninggal", "wafat", "janda", "yatim",
    ),
    "illness": (
        "مريض", "مريضه", "مرضي", "مرض", "المرض", "سرطان", "السرطان", "كانسر", "الكيماوي", "كيماوي", "غسيل كلى",
        "المستشفى", "مستشفى", "منوم", "عمليه", "sick", "ill", "illness", "cancer", "hospital*", "chemo*",
        "dialysis", "surgery", "disease", "بیمار", "بیماری", "کینسر", "ہسپتال", "sakit", "kanker", "rumah sakit",
        "kemoterapi", "cuci darah",
    ),
    "hardship": (
        "ما عندنا اكل", "ما عندي اكل", "مافي اكل", "جوعانين", "جوع", "ديون", "ديوني", "الايجار متاخر",
        "ما اقدر ادفع الايجار", "متاخرين في الايجار", "طردونا", "فقر", "فقراء", "محتاجين", "ما عندي فلوس", "no food", "hungry", "debt*", "pay rent", "pay the rent", "behind on rent",
        "evicted", "cannot afford", "can't afford", "poor", "بھوک", "قرض", "کرایہ", "غریب", "kelaparan",
        "utang", "hutang", "miskin", "tidak punya uang", "tidak ada makanan",
    ),
}
EMPATHY: dict[str, str] = {
    "grief": N_("Please accept our sincere condolences."),
    "illness": N_("We wish you and your loved ones a speedy recovery."),
    "hardship": N_("We are sorry for what you are going through; we are here to help you."),
}


@functools.lru_cache(maxsize=1)
def _told() -> tuple[tuple[str, str, bool], ...]:
    rows = {(kind, canon(w.rstrip("*")), w.endswith("*")) for kind, words in _TOLD.items() for w in words}
    return tuple(sorted(rows))


def empathy(text: str) -> str | None:
    """'grief', 'illness' or 'hardship' when the message tells of one (grief first), else None."""
    padded = f" {canon(text)} "
    found = set()
    for kind, word, prefix in _told():
        if word and (f" {word} " in padded or (prefix and f" {word}" in padded)):
            found.add(kind)
    return next((kind for kind in ("grief", "illness", "hardship") if kind in found), None)


# Said to a person writing in a script none of our languages uses (Bengali, Devanagari, Cyrillic, Thai, ...).
LANGUAGES_OFFER = N_("I can write to you in Arabic, English, Urdu or Indonesian. To talk to a staff member, "
                     "write: staff.")


def _supported_letter(ch: str) -> bool:
    code = ord(ch)
    return (code < 0x0250  # Latin, with its accented letters
            or 0x0600 <= code <= 0x06FF or 0x0750 <= code <= 0x077F  # Arabic, Urdu
            or 0xFB50 <= code <= 0xFDFF or 0xFE70 <= code <= 0xFEFF  # Arabic presentation forms
            or 0x1E00 <= code <= 0x1EFF)  # Latin extended additional


def unsupported_script(text: str) -> bool:
    """Mostly letters of a script none of ar/en/ur/id uses: "আমার সাহায্য দরকার", "मुझे मदद चाहिए"."""
    letters = [ch for ch in text if ch.isalpha()]
    if len(letters) < 3:
        return False
    foreign = sum(not _supported_letter(ch) for ch in letters)
    return foreign * 2 > len(letters)
