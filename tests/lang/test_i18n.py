"""The gettext catalogues: complete in every language, placeholders intact, Arabic plurals right."""

from __future__ import annotations

import re
import string
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

from bot.lang.i18n import LANGUAGES, LOCALE_DIR, translator

POT = LOCALE_DIR / "tawasul.pot"
AR_PLURALS = "nplurals=6; plural=(n==0 ? 0 : n==1 ? 1 : n==2 ? 2 : n%100>=3 && n%100<=10 ? 3 : n%100>=11 ? 4 : 5);"


def _catalog(lang: str):  # type: ignore[no-untyped-def]
    with (LOCALE_DIR / lang / "LC_MESSAGES" / "tawasul.po").open("rb") as fh:
        return read_po(fh, locale=lang)


def _fields(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


def _ids(catalog) -> set[str]:  # type: ignore[no-untyped-def]
    return {m.id if isinstance(m.id, str) else m.id[0] for m in catalog if m.id}


@pytest.mark.parametrize("lang", LANGUAGES)
def test_catalogue_is_complete_and_not_fuzzy(lang: str) -> None:
    catalog = _catalog(lang)
    with POT.open("rb") as fh:
        template = read_po(fh)
    assert _ids(template) <= _ids(catalog), f"run scripts/i18n.sh: {sorted(_ids(template) - _ids(catalog))[:5]}"
    untranslated = [m.id for m in catalog if m.id and (not m.string or not all(m.string if isinstance(m.string, tuple) else [m.string]))]
    fuzzy = [m.id for m in catalog if m.id and m.fuzzy]
    assert not untranslated, f"{lang}: untranslated {untranslated[:5]}"
    assert not fuzzy, f"{lang}: fuzzy {fuzzy[:5]}"


@pytest.mark.parametrize("lang", LANGUAGES)
def test_placeholders_are_kept(lang: str) -> None:
    for message in _catalog(lang):
        if not message.id:
            continue
        ids = [message.id] if isinstance(message.id, str) else list(message.id)
        strings = [message.string] if isinstance(message.string, str) else list(message.string)
        expected = set().union(*(_fields(i) for i in ids))
        for text in strings:
            # A plural form may say "one" or "two" in words instead of {n}; every other field must stay.
            assert _fields(text) - expected == set(), f"{lang}: unknown field in {text!r}"
            assert expected - {"n"} <= _fields(text), f"{lang}: {message.id!r} lost a field in {text!r}"


def test_templates_agree_with_sources() -> None:
    """Every literal passed to ctx.t / ctx.nt / N_ in bot/ is in the template (scripts/i18n.sh was run)."""
    with POT.open("rb") as fh:
        known = _ids(read_po(fh))
    pattern = re.compile(r"""(?:\.t|\bN_|\.nt)\(\s*"((?:[^"\\]|\\.)*)"\s*[,)]""")
    missing = set()
    for path in Path("bot").rglob("*.py"):
        for literal in pattern.findall(path.read_text(encoding="utf-8")):
            text = literal.encode().decode("unicode_escape").encode("latin-1").decode("utf-8")
            if text not in known:
                missing.add(text)
    assert not missing, f"run scripts/i18n.sh; not extracted: {sorted(missing)[:5]}"


def test_arabic_plural_header() -> None:
    text = (LOCALE_DIR / "ar" / "LC_MESSAGES" / "tawasul.po").read_text(encoding="utf-8")
    assert f'"Plural-Forms: {AR_PLURALS}\\n"' in text


@pytest.mark.parametrize(
    ("n", "working", "plain"),
    [
        (1, "يوم عمل واحد", "يوم واحد"),
        (2, "يوما عمل", "يومان"),
        (3, "3 أيام عمل", "3 أيام"),
        (10, "10 أيام عمل", "10 أيام"),
        (11, "11 يوم عمل", "11 يومًا"),
        (15, "15 يوم عمل", "15 يومًا"),
        (100, "100 يوم عمل", "100 يوم"),
        (103, "103 أيام عمل", "103 أيام"),
    ],
)
def test_arabic_plural_forms(n: int, working: str, plain: str) -> None:
    ar = translator("ar")
    assert ar.nt("{n} working day", "{n} working days", n) == working
    assert ar.nt("{n} day", "{n} days", n) == plain


def test_other_languages_plurals() -> None:
    assert translator("en").nt("{n} day", "{n} days", 1) == "1 day"
    assert translator("en").nt("{n} day", "{n} days", 14) == "14 days"
    assert translator("id").nt("{n} day", "{n} days", 14) == "14 hari"
    assert translator("ur").nt("{n} day", "{n} days", 14) == "14 دن"
