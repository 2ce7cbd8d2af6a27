"""Applying on behalf of someone (R15): a relative ("ابغى اقدم لابوي") or a field representative at a site.

Nobody gets an extra question for it: the opening message says so ("I am applying for my father"), or,
for a service whose profile allows it (`on_behalf: true`), the first question of the form carries a hint
and the answer to it may say so instead ("لابوي", "as a field representative"): the same question is then
asked about the beneficiary. The relation is stored as ServiceRequest.on_behalf_of; the acknowledgement
stays the applicant's own.

    >>> relation_in("ابغى اقدم لأبوي")
    'father'
    >>> relation_in("ابي اقدم طلب") is None
    True
"""

from __future__ import annotations

from bot.flows.base import Context
from bot.lang.i18n import N_
from bot.lang.words import canon

RELATIONS = {
    "father": N_("your father"),
    "mother": N_("your mother"),
    "parent": N_("your parent"),
    "spouse": N_("your spouse"),
    "child": N_("your son or daughter"),
    "sibling": N_("your brother or sister"),
    "relative": N_("a relative"),
    "field_representative": N_("a beneficiary, as a field representative"),
    "other": N_("another person"),
}
# Whole words or phrases of the canonical text (bot.lang.words.canon) that name the person applied for.
_WORDS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("field_representative", (
        "مندوب", "مندوبه", "مندوب ميداني", "ممثل ميداني", "مندوب الجمعيه", "field representative", "field rep",
        "petugas lapangan", "فیلڈ نمائندہ",
    )),
    ("father", (
        "لابوي", "لابويه", "لابي", "لوالدي", "لبوي", "عن ابوي", "عن والدي", "حق ابوي", "بدل ابوي",
        "for my father", "for my dad", "my father", "untuk ayah saya", "untuk bapak saya", "ayah saya",
        "والد کے لیے", "میرے والد", "ابو کے لیے",
    )),
    ("mother", (
        "لامي", "لوالدتي", "عن امي", "عن والدتي", "حق امي", "لماما", "for my mother", "for my mom",
        "my mother", "untuk ibu saya", "ibu saya", "والدہ کے لیے", "میری والدہ", "امی کے لیے",
    )),
    ("parent", ("لاهلي", "لوالديني", "for my parents", "orang tua saya")),
    ("spouse", (
        "لزوجي", "لزوجتي", "لمرتي", "لحرمتي", "عن زوجي", "عن زوجتي", "for my wife", "for my husband",
        "untuk istri saya", "untuk suami saya", "بیوی کے لیے", "شوہر کے لیے",
    )),
    ("child", (
        "لولدي", "لابني", "لبنتي", "لابنتي", "لعيالي", "for my son", "for my daughter", "for my child",
        "untuk anak saya", "بیٹے کے لیے", "بیٹی کے لیے",
    )),
    ("sibling", (
        "لاخوي", "لاخي", "لاختي", "لخوي", "for my brother", "for my sister", "untuk adik saya", "untuk kakak saya",
        "بھائی کے لیے", "بہن کے لیے",
    )),
    ("relative", (
        "لجدي", "لجدتي", "لعمي", "لخالي", "لعمتي", "لخالتي", "لقريبي", "لقريبتي", "for my grandfather",
        "for my grandmother", "for my uncle", "for my aunt", "for a relative", "untuk kakek saya",
        "untuk nenek saya", "رشتہ دار",
    )),
    ("other", (
        "نيابه عن", "بالنيابه عن", "عن شخص", "لشخص اخر", "لغيري", "on behalf of", "for someone else",
        "for another person", "atas nama", "untuk orang lain", "کی طرف سے", "کسی اور کے لیے",
    )),
)
_CANON = tuple((key, tuple(f" {canon(w)} " for w in words)) for key, words in _WORDS)
def relation_in(text: str) -> str | None:
    """The person an opening message applies for ("father", "field_representative", ...), or None."""
    padded = f" {canon(text)} "
    for key, words in _CANON:
        if any(w in padded for w in words):
            return key
    return None


def label(ctx: Context, relation: str) -> str:
    return ctx.t(RELATIONS.get(relation, RELATIONS["other"]))


def intro(ctx: Context, relation: str) -> str:
    """Said once, when the request turns out to be for someone else."""
    return ctx.t("You are applying for {person}: the questions are about the beneficiary, and you confirm "
                 "the data as the applicant.", person=label(ctx, relation))


def hint(ctx: Context) -> str:
    """Added to the first question of a service that may be requested for someone else."""
    return ctx.t("Applying for someone else (a relative, or as a field representative)? Write who it is for, "
                 "for example: for my father.")
