"""Which information answer a question asks for: a small BM25 ranking (pure, no I/O).

Each candidate is one of the profile's FAQ items (its question in ar/en/ur/id plus its keywords) or a
built-in topic (its title in the four languages plus its topic words). A question is ranked against
all of them at once, so "متى تفتحون؟" goes to the working hours although "متى" is also a word of the
reply-deadline question: the words that tell the candidates apart weigh most (inverse document
frequency), and the best answer must stand clearly ahead of the next one to be given outright.

    >>> from orgs import load_org
    >>> found = candidates(load_org("alhuda"), {"hours": ["ساعات الدوام", "working hours", "open"]})
    >>> rank_of = lambda q: [k for k, _, _ in rank(found, q)][:1]
    >>> rank_of("is my data kept confidential?"), rank_of("ايش ساعات الدوام عندكم")
    (['faq:confidentiality'], ['hours'])
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import lru_cache

from bot.lang.words import canon
from orgs.schema import OrgProfile

__all__ = ["Candidate", "best", "candidates", "rank", "rank_terms", "terms"]

K1 = 1.2
B = 0.75
KEYWORD_WEIGHT = 2  # a keyword the association gave counts as two words of a question
CLEAR_LEAD = 1.35  # the best answer is given outright when it scores this much more than the next
MIN_SCORE = 1.0  # below this nothing matched enough: the topics menu
MIN_COVERAGE = 0.5  # ... and the best must share at least half of the question's words to be given outright

# Words that ask but do not say what about (four languages, after `canon`).
_STOP_WORDS = (
    "هل ما ماذا وش ايش شو ايه كيف كيفية ممكن يمكن لو سمحت من في على عن الى الي إلى و او أو يا انا أنا انتم"
    " أنتم عندكم لكم لديكم عندك ابي ابغى ابغي اريد أريد بدي عايز ودي اعرف أعرف ابا هذا هذه اللي الذي التي"
    " كم مع معكم معاكم معك وياكم ان إن كان يكون تكون فيه فيها ليش لماذا الجمعية جمعية جمعيتكم معلومات معلومة معلومه استفسار سؤال"
    " association society charity organisation organization info information question yayasan lembaga"
    " informasi pertanyaan انجمن معلومات سوال"
    " do does did you your yours is are am was be i me my we our us the a an to of in on for at and or"
    " anyone anybody someone somebody anything all any one"
    " can could would will please tell about what how which who whom with it this that there any have has get"
    " apa saya anda kamu di ke dari untuk dan atau yang ini itu bisa bagaimana mohon tolong ada mau ingin jadi"
    " menjadi gimana cara caranya kalau want like need know become اقدر حاب نفسي اصير اكون chahta chahti hoon"
    " kya hai hain ka ki ke ko se mein mujhe mera meri aap ap کیا ہے ہیں کا کی کے کو سے میں مجھے میرا میری آپ"
    " رہے رہا رہی گا گی گے ہو ہوں ہوگا ہوگی کر کریں کرنا تھا تھی ہم ہمارا ہماری جا جائے"
)
_STOP = frozenset(canon(w) for w in _STOP_WORDS.split())
_AR_PREFIX = re.compile(r"^(?:وال|بال|فال|كال|لل|ال)(?=\w{2,})")
# The imperfect prefix of form V/VI verbs: «اتواصل», «نتطوع», «يتعامل» -> «تواصل», «تطوع», «تعامل».
_AR_VERB = re.compile(r"^[انيت](?=ت\w{3,})")
_AR_SUFFIX = re.compile(r"(?<=\w{3})(?:كم|كن|هم|ها|نا|ات|ون|ين|ه|ي)$")


@dataclass(frozen=True)
class Candidate:
    key: str  # "faq:<id>" or a built-in topic ("hours", "contacts", ...)
    terms: Counter[str]


def _stem_latin(word: str) -> str:
    """English endings folded ("shared", "sharing", "shares" -> "shar"; "visits", "visited" -> "visit")."""
    for ending, keep in (("ing", 5), ("ies", 4), ("ed", 4), ("es", 4)):
        if word.endswith(ending) and len(word) - len(ending) >= keep - 1:
            word = word[: -len(ending)] + ("y" if ending == "ies" else "")
            break
    else:
        if len(word) > 3 and word.endswith("s") and not word.endswith(("ss", "us", "is")):
            word = word[:-1]
    return word[:-1] if len(word) > 4 and word.endswith("e") else word


def _stem(word: str) -> str:
    if word.isascii():
        return _stem_latin(word)
    return _AR_SUFFIX.sub("", _AR_VERB.sub("", _AR_PREFIX.sub("", word)))


@lru_cache(maxsize=16384)
def terms(text: str) -> tuple[str, ...]:
    """The words of a text that say what it is about, in one spelling (remembered: the profiles' questions,
    names and descriptions are ranked on every message that asks something)."""
    return tuple(_stem(w) for w in canon(text).split() if w not in _STOP and not w.isdigit())


_MEMO: dict[tuple[str, tuple[int, ...]], tuple[tuple[object, ...], list[Candidate]]] = {}


def memo(kind: str, owners: tuple[object, ...], make: Callable[[], list[Candidate]]) -> list[Candidate]:
    """`make()`, remembered while the same objects (a profile, its services) are asked about again: profiles
    are loaded once per version and never changed in place, so their candidates are built once, not on every
    message that asks something."""
    key = (kind, tuple(map(id, owners)))
    hit = _MEMO.get(key)
    if hit is not None and all(a is b for a, b in zip(hit[0], owners, strict=True)):
        return hit[1]
    if len(_MEMO) > 512:
        _MEMO.clear()
    found = make()
    _MEMO[key] = (owners, found)
    return found


def candidates(org: OrgProfile, topics: Mapping[str, list[str]]) -> list[Candidate]:
    """One candidate per distinct answer: each FAQ item (its questions and keywords) and each built-in
    topic (`topics`: key -> its titles and words, all languages). A FAQ item that duplicates a topic
    (`topic:` in the profile) takes that topic's words too and stands for it."""
    found = []
    covered = set()
    for faq in org.faq:
        bag: Counter[str] = Counter()
        for question in faq.question.values():
            bag.update(terms(question))
        for keyword in faq.keywords:
            for term in terms(keyword):
                bag[term] += KEYWORD_WEIGHT
        if faq.topic is not None and faq.topic in topics:
            covered.add(faq.topic)
            for text in topics[faq.topic]:
                bag.update(terms(text))
        found.append(Candidate(f"faq:{faq.id}", bag))
    for key, texts in topics.items():
        if key in covered:
            continue
        bag = Counter()
        for text in texts:
            bag.update(terms(text))
        found.append(Candidate(key, bag))
    return found


def rank(found: list[Candidate], question: str) -> list[tuple[str, float, float]]:
    """(key, BM25 score, share of the question's words it has) for each candidate with a score above 0,
    best first."""
    return rank_terms(found, set(terms(question)))


def rank_terms(found: list[Candidate], words: set[str]) -> list[tuple[str, float, float]]:
    """`rank` for a question already made into terms."""
    if not words or not found:
        return []
    n = len(found)
    avg = sum(sum(c.terms.values()) for c in found) / n or 1.0
    df = Counter(term for c in found for term in c.terms)
    scored = []
    for c in found:
        length = sum(c.terms.values()) or 1
        score, matched = 0.0, 0
        for term in words:
            tf = c.terms.get(term, 0)
            if tf:
                matched += 1
                idf = math.log(1 + (n - df[term] + 0.5) / (df[term] + 0.5))
                score += idf * tf * (K1 + 1) / (tf + K1 * (1 - B + B * length / avg))
        if score > 0:
            scored.append((c.key, score, matched / len(words)))
    return sorted(scored, key=lambda item: -item[1])


def best(ranked: list[tuple[str, float, float]]) -> tuple[str | None, list[str]]:
    """(the answer to give outright, or None; the close answers to offer as "did you mean").

    Outright: the best scores at least MIN_SCORE, leads the next by CLEAR_LEAD and shares at least
    MIN_COVERAGE of the question's words ("do you serve people in urdu?" is not the volunteering
    question because both say "serve")."""
    if not ranked or ranked[0][1] < MIN_SCORE:
        return None, []
    key, top, coverage = ranked[0]
    clear = len(ranked) == 1 or top >= CLEAR_LEAD * ranked[1][1]
    if clear and coverage >= MIN_COVERAGE:
        return key, []
    return None, [k for k, score, _ in ranked[:3] if score * CLEAR_LEAD >= top]
