"""Validation of intake fields at entry (R3). Each returns (value, error message id or None)."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date

from bot.lang.amountwords import amount_in_words
from bot.lang.i18n import N_
from bot.lang.numwords import count_in_words
from bot.lang.words import canon, is_greeting, only_answer_words
from nlu.entities import parse_national_id, parse_phone, valid_national_id
from nlu.normalize import to_ascii_digits

Check = Callable[[str], tuple[str | None, str | None]]
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f\u200b-\u200f\u202a-\u202e\u2066-\u2069]")
MAX_TEXT = 1000


def clean(text: str) -> str:
    """Drop control and direction-override characters; fold white space."""
    return " ".join(_CONTROL.sub("", text or "").split())


# A kunya ("أبو خالد", "أم محمد", "Abu Khalid") names a person by their child: not the name on an ID.
_KUNYA = frozenset(canon(w) for w in ("ابو", "أبو", "ابا", "أبا", "ابي", "ام", "أم", "abu", "abou", "umm", "um", "om"))


def _is_kunya(value: str) -> bool:
    words = canon(value).split()
    return len(words) <= 2 and bool(words) and words[0] in _KUNYA


def not_a_value(text: str) -> bool:
    """Yes/no words, thanks, a greeting or a correction: something said to the bot, not an answer to store."""
    from bot.lang.courtesy import in_kind

    return only_answer_words(text) or is_greeting(text) or in_kind(text) is not None or canon(text) in _THANKS


_THANKS = frozenset(canon(w) for w in ("شكرا", "شكراً", "شكرا لك", "شكرا لكم", "مشكور", "مشكورين", "يعطيك العافيه",
                                       "thanks", "thank you", "thx", "terima kasih", "makasih", "شکریہ", "shukriya"))


MAX_NAME_WORDS = 7  # «محمد بن عبدالله بن سعد آل سعود» has six
_SENTENCE_MARKS = frozenset("!?؟,،:؛()")


def _name(text: str) -> tuple[str | None, str | None]:
    value = clean(text)
    letters = [c for c in value if c.isalpha()]
    if not_a_value(value) or _is_kunya(value):
        return None, N_("Please write your full name as it is on your ID (at least two names, not a kunya).")
    if len(value.split()) < 2 or len(letters) < 4 or any(c.isdigit() for c in to_ascii_digits(value)):
        return None, N_("Please write your full name (at least two names, letters only).")
    if len(value.split()) > MAX_NAME_WORDS or any(c in _SENTENCE_MARKS for c in value):
        # "Help! my friend fell and is bleeding": a sentence, not a name.
        return None, N_("Please write your full name (at least two names, letters only).")
    if len(value) > 120:
        return None, N_("That name is too long; please write it in at most 120 letters.")
    return value, None


def _national_id(text: str) -> tuple[str | None, str | None]:
    digits = re.sub(r"\D", "", to_ascii_digits(text))
    if len(digits) != 10 or digits[0] not in "12":
        return None, N_("The ID number has 10 digits and starts with 1 (citizens) or 2 (residents). Please check it.")
    if not valid_national_id(digits):
        return None, N_("This ID number does not pass the check digit; please check it and write it again.")
    return parse_national_id(digits) or digits, None


def _phone(text: str) -> tuple[str | None, str | None]:
    value = parse_phone(text)
    if value is None:
        return None, N_("Please write a mobile number such as 05XXXXXXXX.")
    return value, None


def _text(min_len: int, max_len: int = MAX_TEXT) -> Check:
    def check(text: str) -> tuple[str | None, str | None]:
        value = clean(text)
        if not_a_value(value):
            return None, N_("Please answer the question in a few words.")
        if len(value) < min_len:
            return None, N_("That is too short; please write a little more.")
        if len(value) > max_len:
            return None, N_("That is too long; please shorten it.")
        return value, None

    return check


def _place(min_len: int, max_len: int) -> Check:
    """A city, district or nationality: words, not a phone number ("+62 812 3456 7890" is refused)."""
    text_check = _text(min_len, max_len)

    def check(text: str) -> tuple[str | None, str | None]:
        value, error = text_check(text)
        if value is not None and sum(c.isalpha() for c in value) < 2:
            return None, N_("Please write it in words.")
        return value, error

    return check


# "3k", "٣ الاف", "2.5 ألف", "3 thousand", "3 ribu", "3 ہزار": a number of thousands.
_THOUSANDS = re.compile(
    r"(\d+(?:[.,٫]\d+)?)\s*(?:k|K|الف|ألف|آلاف|الاف|ألاف|الآف|thousand|ribu|rb|ہزار|hazar|hazaar)(?![^\W\d_])")


def _thousands(text: str) -> str | None:
    m = _THOUSANDS.search(to_ascii_digits(clean(text)))
    if m is None:
        return None
    return str(round(float(m.group(1).replace(",", ".").replace("٫", ".")) * 1000))


def _integer(low: int, high: int) -> Check:
    def check(text: str) -> tuple[str | None, str | None]:
        thousands = _thousands(text) if high > 1000 else None
        if thousands is not None:
            text = thousands
        # "3000 ريال", "٥ افراد", "3,500": one number, units and separators around it are fine.
        numbers = re.findall(r"\d[\d,٬]*", to_ascii_digits(clean(text)))
        digits = re.sub(r"[,٬]", "", numbers[0]) if len(numbers) == 1 else ""
        if not numbers and high <= 100:
            # A count written as a word: "ستة", "خمسه", "five" (bot/lang/numwords.py).
            counted = count_in_words(text)
            digits = str(counted) if counted is not None else ""
        elif not numbers:
            # An amount written in words: "ثلاثة آلاف", "الفين وخمسمية" (bot/lang/amountwords.py).
            amount = amount_in_words(text)
            digits = str(amount) if amount is not None else ""
        if not digits.isdigit() or not low <= int(digits) <= high:
            return None, N_("Please write a number, in digits.")
        return str(int(digits)), None

    return check


def _birth_date(text: str) -> tuple[str | None, str | None]:
    m = re.search(r"(\d{1,4})[/\-. ](\d{1,2})[/\-. ](\d{1,4})", to_ascii_digits(clean(text)))
    if m:
        a, b, c = (int(x) for x in m.groups())
        y, mo, d = (a, b, c) if a > 31 else (c, b, a)
        try:
            born = date(y, mo, d)
        except ValueError:
            born = None
        if born and 1900 <= born.year <= date.today().year:
            return born.isoformat(), None
    return None, N_("Please write the date as day/month/year, for example 15/3/1985.")


FIELD_CHECKS: dict[str, Check] = {
    "full_name": _name,
    "national_id": _national_id,
    "phone": _phone,
    "city": _place(2, 60),
    "district": _place(2, 60),
    "nationality": _place(2, 40),
    "passport_number": _text(5, 20),
    "family_size": _integer(1, 40),
    "monthly_income": _integer(0, 1_000_000),
    "date_of_birth": _birth_date,
    "details": _text(5),
    "diagnosis": _text(3),
    "visit_address": _text(5, 300),
    "location": _text(2, 300),
}


def check_field(field: str, text: str) -> tuple[str | None, str | None]:
    return FIELD_CHECKS.get(field, _text(1))(text)


# Questions and labels, translated at use.
FIELD_QUESTIONS = {
    "full_name": N_("What is your full name (as in your ID)?"),
    "national_id": N_("What is your national ID or iqama number (10 digits)?"),
    "phone": N_("What mobile number can we reach you on?"),
    "city": N_("Which city do you live in?"),
    "district": N_("Which district?"),
    "nationality": N_("What is your nationality?"),
    "passport_number": N_("What is your passport number?"),
    "family_size": N_("How many people are in your family?"),
    "monthly_income": N_("What is the family's monthly income in riyals?"),
    "date_of_birth": N_("What is your date of birth (day/month/year)?"),
    "details": N_("Please describe your request in a few words."),
    "diagnosis": N_("What is the diagnosis (as in the medical report)?"),
    "visit_address": N_("What address should a field visit go to?"),
    "location": N_("Where are you now? You can share your location."),
}
FIELD_LABELS = {
    "full_name": N_("Name"),
    "national_id": N_("ID number"),
    "phone": N_("Mobile"),
    "city": N_("City"),
    "district": N_("District"),
    "nationality": N_("Nationality"),
    "passport_number": N_("Passport"),
    "family_size": N_("Family size"),
    "monthly_income": N_("Monthly income"),
    "date_of_birth": N_("Date of birth"),
    "details": N_("Details"),
    "diagnosis": N_("Diagnosis"),
    "visit_address": N_("Visit address"),
    "location": N_("Location"),
}
