"""The service a free-text request asks for, and what the message already says for the form (pure).

    «انا ارملة وعندي ٤ عيال وما عندنا اكل» -> the food basket (not home water), with the family's need kept as
    the request's details; "I need a ride to my chemo sessions in Jeddah" -> transport to treatment, city
    Jeddah.

Services are ranked by BM25 (bot/flows/info_search.py) over each one's name and synonyms (counted three times),
its description, in the four languages, and the needs they speak of (bot/lang/needs.py), so a plea that
names no service still meets the one that serves its need. A service is chosen outright only when it
stands clearly ahead of the next; otherwise the person is asked, as before.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from typing import Any

from bot.flows.info_search import CLEAR_LEAD, Candidate, memo, rank_terms, terms
from bot.flows.validators import clean
from bot.lang.needs import needs_in
from bot.lang.numwords import count_in_words
from bot.lang.words import canon, content_words
from nlu.normalize import to_ascii_digits

NAME_WEIGHT = 3
NEED_WEIGHT = 3
MIN_SCORE = 1.5
# A request's own words beyond the request and the service's name: this many make it the request's details.
DETAILS_MIN_WORDS = 4


# Words of asking and greeting: they say that something is asked, not what.
_ASKING = (
    "طلب طلبات اقدم أقدم تقديم خدمه خدمات مساعده مساعدة ساعدوني محتاج محتاجه احتاج ابي ابغى ابغي اريد أريد عايز بدي"
    " ودي لو سمحت السلام عليكم سلام مرحبا هلا اهلا الله يعطيكم العافيه جزاكم خير"
    " request apply application service services help assistance need want please hello hi dear sir madam"
    " permohonan mengajukan ajukan layanan bantuan bantu butuh minta mohon tolong halo assalamualaikum"
    " درخواست مدد خدمت چاہیے چاہئے ضرورت براہ کرم السلام علیکم"
)
_ASKING_TERMS = frozenset(t for w in _ASKING.split() for t in terms(w))
_ASKING_WORDS = frozenset(w for word in _ASKING.split() for w in content_words(word))


def _need_terms(text: str) -> list[str]:
    return [f"need:{n}" for n in sorted(needs_in(text))]


def _candidates(services: Sequence[Any]) -> list[Candidate]:
    return memo("services", tuple(services), lambda: _build(services))


def _build(services: Sequence[Any]) -> list[Candidate]:
    found = []
    for svc in services:
        bag: Counter[str] = Counter()
        named = [*svc.name.values(), *svc.synonyms]
        for text in named:
            for _ in range(NAME_WEIGHT):
                bag.update(terms(text))
            bag.update(_need_terms(text) * NEED_WEIGHT)
        for text in svc.description.values():
            bag.update(terms(text))
            bag.update(_need_terms(text))
        found.append(Candidate(svc.id, bag))
    return found


def _query(text: str) -> set[str]:
    # A city says where, not what: "in Jeddah" is not the service named "accommodation outside Jeddah".
    return {w for w in terms(text) if w not in _CITY_TERMS and w not in _ASKING_TERMS} | set(_need_terms(text))


def rank(services: Sequence[Any], text: str) -> list[tuple[str, float]]:
    """(service id, score) best first, for the services the text may ask for."""
    return [(key, score) for key, score, _ in rank_terms(_candidates(services), _query(text))]


def choose(services: Sequence[Any], text: str) -> Any | None:
    """The service the text asks for outright, or None (no service named, or two about as likely)."""
    found = _candidates(services)
    words = _query(text)
    ranked = rank_terms(found, words)
    if not ranked or ranked[0][1] < MIN_SCORE:
        return None
    if len(ranked) > 1:
        if ranked[0][1] < CLEAR_LEAD * ranked[1][1]:
            return None
        chosen = next(s for s in services if s.id == ranked[0][0])
        runner = next(s for s in services if s.id == ranked[1][0])
        met = needs_in(text) & _needs_of(chosen)
        named = set().union(*(terms(n) for n in (*chosen.name.values(), *chosen.synonyms)))
        if met and met <= _needs_of(runner) and not (words & named):
            # «ما عندنا موية»: every need it names, the next service meets too, and it names neither: ask which.
            return None
        return chosen
    return next((s for s in services if s.id == ranked[0][0]), None)


def _needs_of(svc: Any) -> frozenset[str]:
    if svc is None:
        return frozenset()
    return frozenset().union(*(needs_in(t) for t in (*svc.name.values(), *svc.synonyms, *svc.description.values())))


# "اسرة من ٦ افراد", "we are 5 people", "keluarga 4 orang", "ہم 6 افراد ہیں": the family's size.
_MEMBERS = ("افراد", "أفراد", "اشخاص", "أشخاص", "نفر", "انفار", "people", "persons", "members", "orang", "jiwa",
            "anggota", "افراد", "لوگ")
_FAMILY_SIZE = re.compile(r"(\d{1,2})\s*(?:" + "|".join(re.escape(w) for w in _MEMBERS) + r")(?![^\W\d_])")
_FAMILY_OF = re.compile(r"(?:family of|عددنا|عدد افراد الاسره|عدد أفراد الأسرة|عدد الاسره)\s*(\d{1,2})")

# Cities of the associations' regions, as people write them: the value the form keeps, in Arabic and Latin.
_CITIES = {
    "مكة المكرمة": ("مكه", "مكه المكرمه", "makkah", "mecca", "makka", "mekah", "مکہ"),
    "جدة": ("جده", "jeddah", "jiddah", "jedda", "jidda", "جدہ"),
    "الرياض": ("الرياض", "رياض", "riyadh"),
    "المدينة المنورة": ("المدينه", "المدينه المنوره", "madinah", "medina", "madina", "مدینہ"),
    "الطائف": ("الطائف", "طائف", "taif"),
    "الأحساء": ("الاحساء", "الحسا", "الاحسا", "al ahsa", "alahsa", "ahsa", "hasa"),
    "الهفوف": ("الهفوف", "hofuf"),
    "المبرز": ("المبرز", "mubarraz"),
    "الدمام": ("الدمام", "dammam"),
    "الخبر": ("الخبر", "khobar"),
    "رابغ": ("رابغ", "rabigh"),
    "ينبع": ("ينبع", "yanbu"),
    "تبوك": ("تبوك", "tabuk"),
    "أبها": ("ابها", "abha"),
    "جازان": ("جازان", "جيزان", "jazan", "jizan"),
    "بريدة": ("بريده", "buraidah", "buraydah"),
}
_CITY_WORDS = {canon(w): city for city, words in _CITIES.items() for w in words}
_CITY_TERMS = frozenset(t for w in _CITY_WORDS for t in terms(w))


def without_cities(text: str) -> str:
    """The text without the cities it names (a city says where, not which service)."""
    return " ".join(w for w in canon(text).split() if w not in _CITY_WORDS)


def _city_in(text: str) -> str | None:
    padded = f" {canon(text)} "
    for word, city in sorted(_CITY_WORDS.items(), key=lambda kv: -len(kv[0])):
        for prefix in ("", "ب", "في ", "من ", "ف"):
            if f" {prefix}{word} " in padded:
                return city
    return None


def _family_size(text: str) -> str | None:
    ascii_text = to_ascii_digits(canon(text))
    m = _FAMILY_SIZE.search(ascii_text) or _FAMILY_OF.search(ascii_text)
    if m is None:
        for member in _MEMBERS:
            at = ascii_text.find(f" {canon(member)}")
            if at > 0:
                counted = count_in_words(ascii_text[:at].split()[-1])
                if counted is not None:
                    return str(counted) if 1 <= counted <= 40 else None
        return None
    size = int(m.group(1))
    return str(size) if 1 <= size <= 40 else None


def told(svc: Any, text: str) -> dict[str, str]:
    """The form's answers the opening message already gives: the request's details (the person's own
    words, when they say more than the request), the family's size and the city, for the fields `svc` asks."""
    found: dict[str, str] = {}
    said = clean(text)
    if "details" in svc.fields:
        named = set().union(*(content_words(n) for n in (*svc.name.values(), *svc.synonyms)))
        own = content_words(said) - named - _ASKING_WORDS
        if len(own) >= DETAILS_MIN_WORDS:
            found["details"] = said[:1000]
    if "family_size" in svc.fields:
        size = _family_size(said)
        if size is not None:
            found["family_size"] = size
    if "city" in svc.fields:
        city = _city_in(said)
        if city is not None:
            found["city"] = city
    return found


def plea(services: Sequence[Any], text: str) -> Any | None:
    """The service a message asks for although it reads as no request (the NLU found it off-topic or was
    unsure): only when two of its needs are the service's ("a ride to my chemo": transport and treatment) or
    it names the service in two words ("paket sembako"), since one word of need ("a ride to the airport") is
    not a request to an association."""
    svc = choose(services, text)
    if svc is None:
        return None
    named = set().union(*(terms(n) for n in (*svc.name.values(), *svc.synonyms)))
    return svc if len(needs_in(text) & _needs_of(svc)) >= 2 or len(_query(text) & named) >= 2 else None
