"""What every emergency reply shares: the association's emergency numbers, and whether a message is only a
cry for help (no place in it). Used by the urgent flow and by a conversation handed to staff after an alert."""

from __future__ import annotations

from bot.flows.base import Context
from bot.lang.i18n import N_
from bot.lang.words import canon

LABELS = {
    "red_crescent": N_("Saudi Red Crescent (ambulance)"),
    "health": N_("Ministry of Health"),
    "police": N_("Police"),
    "civil_defense": N_("Civil Defense"),
    "unified": N_("Unified emergency number"),
}

# Words of a plea for help that say nothing about where the person is: such a message is not a location.
_PLEA = {canon(w) for w in (
    "ساعدوني", "ساعدونا", "ساعدني", "الحقوني", "الحقونا", "انقذوني", "النجده", "نجده", "مساعده", "اسعاف", "طوارئ",
    "عاجل", "ضايع", "ضايعه", "تايه", "تايهه", "ضعت", "تهت", "انا", "احد", "يا", "ارجوكم", "ارجوك", "الله", "يالله",
    "بسرعه", "ابي", "ابغى", "ابغي", "مساعدة", "help", "me", "please", "i", "am", "im", "lost", "urgent", "emergency",
    "sos", "someone", "anyone", "tolong", "saya", "bantu", "bantuan", "hilang", "tersesat", "darurat", "cepat",
    "میں", "کھو", "گیا", "گئی", "ہوں", "مدد", "کریں", "کرو", "پلیز", "مجھے", "بچاؤ", "جلدی",
)}


def is_plea(text: str) -> bool:
    """ "ساعدوني", "میں کھو گیا ہوں، مدد کریں": a cry for help with no place in it."""
    words = canon(text).split()
    return bool(words) and all(w in _PLEA for w in words)


def numbers(ctx: Context) -> str:
    """The association's emergency numbers, one a line."""
    lines = [ctx.t("If a life is in danger, call now:")]
    for key, number in ctx.org.emergency_numbers.items():
        label = ctx.t(LABELS[key]) if key in LABELS else key.replace("_", " ")
        lines.append(f"- {label}: {number}")
    return "\n".join(lines)


