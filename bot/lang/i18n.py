"""User-facing text from gettext catalogues (`bot/locale/<lang>/LC_MESSAGES/tawasul.po`).

The .po files are compiled in memory with Babel at first use, so a fresh clone needs no build step.
Message ids are English; Arabic is the first language and the fallback of every other.
"""

from __future__ import annotations

import gettext
import io
from functools import cache
from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

LOCALE_DIR = Path(__file__).parents[1] / "locale"
DOMAIN = "tawasul"
LANGUAGES = ("ar", "en", "ur", "id")
DEFAULT_LANGUAGE = "ar"
RTL_LANGUAGES = {"ar", "ur"}


def _supported(lang: str) -> str:
    return lang if lang in LANGUAGES else DEFAULT_LANGUAGE


@cache
def _translations(lang: str) -> gettext.NullTranslations:
    po = LOCALE_DIR / lang / "LC_MESSAGES" / f"{DOMAIN}.po"
    if not po.exists():
        return gettext.NullTranslations()
    with po.open("rb") as fh:
        catalog = read_po(fh, locale=lang)
    buf = io.BytesIO()
    write_mo(buf, catalog, use_fuzzy=False)
    buf.seek(0)
    translations = gettext.GNUTranslations(buf)
    if lang not in ("en", DEFAULT_LANGUAGE):
        # Set once, on the cached object: Urdu or Indonesian text missing falls back to Arabic.
        translations.add_fallback(_translations(DEFAULT_LANGUAGE))
    return translations


class Translator:
    """`t` for a message, `nt` for a message with plural forms; both format `{name}` fields."""

    def __init__(self, lang: str) -> None:
        self.lang = _supported(lang)
        self._tr = _translations(self.lang)

    def t(self, message: str, **fields: object) -> str:
        text = self._tr.gettext(message)
        return text.format(**fields) if fields else text

    def nt(self, singular: str, plural: str, n: int, **fields: object) -> str:
        text = self._tr.ngettext(singular, plural, n)
        return text.format(n=n, **fields)


@cache
def translator(lang: str) -> Translator:
    return Translator(lang)


def is_rtl(lang: str) -> bool:
    return lang in RTL_LANGUAGES


def N_(message: str) -> str:
    """Marks a message for extraction where it is translated later (tables of labels)."""
    return message
