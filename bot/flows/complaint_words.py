"""Reading a complaint's opening message: does it already say what happened, and about what?

    >>> opening_details("بدي اشتكي على موظف كان يصرخ علينا")
    'بدي اشتكي على موظف كان يصرخ علينا'
    >>> category_in("بدي اشتكي على موظف كان يصرخ علينا"), opening_details("ابغى اشتكي") is None
    ('staff', True)
"""

from __future__ import annotations

from bot.flows.validators import clean
from bot.lang.words import canon

MIN_CONTENT_WORDS = 2
MIN_CHARS = 12
MAX_CHARS = 2000
# Words that only say "I want to complain" (in any language), not what happened.
_FILLER = {canon(w) for w in (
    "ابغى", "ابغي", "ابي", "اريد", "عايز", "عاوز", "بدي", "ودي", "حابب", "ممكن", "لو", "سمحت", "اشتكي", "اشتكى",
    "اقدم", "اسجل", "ارفع", "شكوى", "شكوي", "شكوه", "شكواي", "بلاغ", "عندي", "عندنا", "على", "علي", "عن", "من",
    "في", "ضد", "اني", "انا", "السلام", "عليكم", "مرحبا", "لو سمحت", "يا", "جماعه", "الجمعيه", "i", "want", "to",
    "would", "like", "make", "file", "a", "an", "complaint", "complain", "about", "against", "have", "please",
    "hello", "hi", "saya", "mau", "ingin", "keluhan", "mengadu", "komplain", "tentang", "ada", "مجھے", "شکایت",
    "کرنی", "ہے", "کے", "کی", "بارے", "میں", "خلاف", "hai", "karni", "mujhe", "ادا",
)}
_CATEGORIES: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("staff", ("موظف", "موظفه", "الموظف", "الموظفه", "موظفين", "الموظفين", "موظفة", "الموظفة", "employee",
               "staff", "officer", "karyawan", "pegawai", "petugas", "ملازم", "عملہ", "اہلکار")),
    ("delay", ("تاخير", "تاخر", "تاخرت", "متاخر", "التاخير", "تأخير", "بطء", "ما ردوا", "ماردوا", "delay", "delayed",
               "late", "slow", "no reply", "terlambat", "lambat", "تاخیر", "دیر")),
    ("suggestion", ("اقتراح", "اقترح", "مقترح", "suggest", "suggestion", "saran", "usul", "تجویز")),
)
_CANON_CATEGORIES = tuple((key, tuple(f" {canon(w)} " for w in words)) for key, words in _CATEGORIES)


def opening_details(text: str) -> str | None:
    """The opening message itself when it already tells what happened (enough words beyond "I complain")."""
    value = clean(text)
    content = [w for w in canon(value).split() if w not in _FILLER and not w.isdigit()]
    if len(content) < MIN_CONTENT_WORDS or len(value) < MIN_CHARS:
        return None
    return value[:MAX_CHARS]


def category_in(text: str) -> str | None:
    """The one complaint category the text names ("موظف" -> staff); None when none or several."""
    padded = f" {canon(text)} "
    found = [key for key, words in _CANON_CATEGORIES if any(w in padded for w in words)]
    return found[0] if len(found) == 1 else None


# Stems of asking for compensation ("ابغى تعويض", "compensate me", "ganti rugi"), matched inside words.
_COMPENSATION = tuple(canon(w) for w in (
    "تعويض", "يعوض", "تعوض", "عوضوني", "يعوضني", "تعوضوني", "compensat", "damages", "معاوضہ", "ہرجانہ", "ازالہ",
    "ganti rugi", "kompensasi", "pampasan",
))


def asks_compensation(text: str) -> bool:
    """Whether a complaint asks for compensation.

    >>> asks_compensation("ضاعت بضاعتي بسببكم وابغى تعويض"), asks_compensation("الموظف تأخر")
    (True, False)
    """
    padded = f" {canon(text)} "
    return any(stem in padded for stem in _COMPENSATION)
