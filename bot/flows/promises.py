"""Every promise a profile makes to beneficiaries, the sentences that make it, and its source (issue 13).

A promise (the reply period, a studying body, the complaint route, compensation, a contact officer, a
channel, office hours, confidentiality, satisfaction measurement, a field visit) is rendered here with
the very functions the flows use, in each beneficiary language, and set beside its provenance: the
clauses of the association's policy and/or an explicit assumption. `check` finds every sentence that
states more than its source: a last day on a minimum period, a period where none is stated, a body the
source does not name. Pure: no I/O (`tawasul orgs check` prints it, bot/orgcheck.py).

    >>> [p.key for p in promises_of(load_org("esrar"))][:2]  # doctest: +SKIP
    ['deadline', 'studying_body.support_committee']
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from bot.flows import complaint, info
from bot.flows.base import ContactView, Context
from bot.flows.intake import review

if TYPE_CHECKING:
    from orgs.provenance import Provenance
    from orgs.schema import OrgProfile

LANGUAGES = ("ar", "en", "ur", "id")
_NOW = datetime(2026, 1, 4, 9, 0, tzinfo=UTC)  # any day: only the wording matters here

# Words that make a period a ceiling ("at the latest") or a floor ("at least"), per language.
AT_MOST_WORDS: dict[str, tuple[str, ...]] = {
    "ar": ("لا تتجاوز", "لا يتجاوز", "أقصاه", "أقصاها", "الأقصى", "على الأكثر", "حد أقصى", "بحلول"),
    "en": ("at the latest", "at most", "no more than", "no later than", "within", "by "),
    "ur": ("زیادہ سے زیادہ", "کے اندر", "تک جواب"),
    "id": ("paling lambat", "selambat-lambatnya", "paling lama", "tidak lebih dari", "dalam waktu", "maksimal"),
}
AT_LEAST_WORDS: dict[str, tuple[str, ...]] = {
    "ar": ("لا تقل", "لا يقل", "على الأقل"),
    "en": ("at least", "not less than", "no less than"),
    "ur": ("کم از کم",),
    "id": ("tidak kurang dari", "sekurang-kurangnya", "paling sedikit", "minimal"),
}
# A period of any length: where the policy states none, no sentence may name one.
PERIOD_RE = re.compile(r"[0-9٠-٩]|يوم|أيام|أسبوع|\bdays?\b|\bweeks?\b|\bdin\b|دن|ہفت|\bhari\b|\bminggu\b", re.IGNORECASE)
TOP_MANAGEMENT_WORDS: dict[str, tuple[str, ...]] = {
    "ar": ("الإدارة العليا",), "en": ("top management",), "ur": ("اعلیٰ انتظامیہ",), "id": ("manajemen puncak",),
}
_EN_COMMITTEE_BY = re.compile(r"studied by:", re.IGNORECASE)  # "studied by:" names a body, not a date


@dataclass(frozen=True)
class Promise:
    key: str
    sentences: dict[str, tuple[str, ...]]  # language -> what the bot says
    provenance: Provenance | None


@dataclass(frozen=True)
class Finding:
    """A sentence (or a profile entry) that states more than its source."""

    key: str
    lang: str | None
    problem: str


def context(org: OrgProfile, lang: str) -> Context:
    return Context(org=org, now=_NOW, lang=lang, contact=ContactView(0, "console"))


def _faq(ctx: Context, faq_id: str) -> list[str]:
    return [ctx.local(f.answer) for f in ctx.org.faq if f.id == faq_id]


def _sentences(org: OrgProfile, key: str, ctx: Context) -> list[str]:
    kind, _, name = key.partition(".")
    if key == "deadline":
        lines = [ctx.local(org.deadline.text), *review.deadline_lines(ctx, ctx.due_date()), *_faq(ctx, "deadline")]
        if org.deadline.is_deadline:
            lines.append(ctx.t("Expected reply by {date}.", date="…"))
        return lines
    if kind == "studying_body":
        bodies = dict.fromkeys(review.studied_by(ctx, s.committees) for s in org.services if name in s.committees)
        return [ctx.t("It will be studied by: {committee}", committee=b) for b in bodies]
    if key == "complaint_route":
        return [*complaint.route_lines(ctx), *_faq(ctx, "complaint")]
    if key == "compensation":
        return complaint.compensation_lines(ctx)
    if kind == "officer":
        officer = org.officer_for(name)
        lines = [ctx.t("I have passed your conversation to the {officer}.", officer=ctx.local(officer.title))]
        if officer.phone:
            lines.append(ctx.t("You can also call {phone}.", phone=officer.phone))
        return lines
    if kind == "channels":
        return [line for channel, line in info.contact_lines(ctx) if channel == name] or [
            f"{name}: {getattr(org.channels, name)}"]
    if key == "hours":
        return [ctx.local(org.hours)]
    if key == "confidentiality":
        return [ctx.local(org.consent), *([ctx.local(org.health_consent)] if org.health_consent else [])]
    if key == "satisfaction":
        return [ctx.local(org.satisfaction.survey_note)]
    if key == "field_visit":
        return [review.field_visit_line(ctx), *_faq(ctx, "field_visit")]
    return []


def promises_of(org: OrgProfile) -> list[Promise]:
    """Each promise of the profile with its sentences in every beneficiary language and its provenance."""
    found = []
    for key in org.promised():
        sentences = {lang: tuple(_sentences(org, key, context(org, lang))) for lang in LANGUAGES}
        found.append(Promise(key, sentences, org.promises.get(key)))
    return found


def unused_provenance(org: OrgProfile) -> list[str]:
    """Provenance entries for promises the profile no longer makes (harmless, but worth tidying)."""
    made = set(org.promised())
    return [key for key in org.promises if key not in made]


def _has(text: str, words: tuple[str, ...]) -> bool:
    low = text.lower()
    return any(w.lower() in low for w in words)


def _period_findings(org: OrgProfile, promise: Promise) -> list[Finding]:
    prov = promise.provenance
    stated = (prov.period() if prov else None) or "none"
    bound = org.deadline.bound
    found = []
    if bound != stated:
        found.append(Finding("deadline", None, f"the profile's period is {bound!r} but its source states {stated!r}"))
    for lang, sentences in promise.sentences.items():
        for sentence in sentences:
            at_most = _has(_EN_COMMITTEE_BY.sub("", sentence), AT_MOST_WORDS[lang])
            at_least = _has(sentence, AT_LEAST_WORDS[lang])
            names_period = at_most or bool(PERIOD_RE.search(sentence))
            if stated == "at_least" and at_most:
                found.append(Finding("deadline", lang, f"a minimum period told as a last day: {sentence!r}"))
            elif stated == "at_least" and names_period and not at_least:
                found.append(Finding("deadline", lang, f"a minimum period told without 'at least': {sentence!r}"))
            elif stated == "at_most" and at_least:
                found.append(Finding("deadline", lang, f"a deadline told as a minimum: {sentence!r}"))
            elif stated == "none" and (at_most or at_least or PERIOD_RE.search(sentence)):
                found.append(Finding("deadline", lang, f"a period where the source states none: {sentence!r}"))
    return found


def _named(prov: Provenance | None) -> set[str]:
    return prov.names() if prov else set()


def _route_findings(org: OrgProfile, promise: Promise) -> list[Finding]:
    route, prov, found = org.complaint_route, promise.provenance, []
    names = _named(prov)
    committee_id = org.complaints_committee
    if route.name_committee and committee_id not in names:
        found.append(Finding(promise.key, None, f"names the {committee_id!r} committee where its source names none"))
    if route.top_management and "top_management" not in names:
        found.append(Finding(promise.key, None, "says top management follows complaints; its source does not"))
    for lang, sentences in promise.sentences.items():
        committee = org.committees[committee_id].get(lang)
        for sentence in sentences:
            if committee_id not in names and committee in sentence:
                found.append(Finding(promise.key, lang, f"names {committee!r}, which its source does not: {sentence!r}"))
            if "top_management" not in names and _has(sentence, TOP_MANAGEMENT_WORDS[lang]):
                found.append(Finding(promise.key, lang, f"speaks of top management; its source does not: {sentence!r}"))
    return found


def check(org: OrgProfile) -> list[Finding]:
    """Everything in the profile that states more than its source (empty: the profile is faithful)."""
    found: list[Finding] = []
    for promise in promises_of(org):
        prov = promise.provenance
        kind, _, name = promise.key.partition(".")
        if prov is None:
            found.append(Finding(promise.key, None, "a promise without a policy clause or an explicit assumption"))
        if promise.key == "deadline":
            found += _period_findings(org, promise)
        elif promise.key == "complaint_route":
            found += _route_findings(org, promise)
        elif promise.key == "compensation" and prov is not None and not prov.source:
            found.append(Finding(promise.key, None, "compensation is offered, but no clause of the policy offers it"))
        elif (kind in ("studying_body", "officer") and prov is not None and prov.assumption is None
              and name not in prov.names()):
            found.append(Finding(promise.key, None, f"names {name!r} where its source names none"))
    return found
