"""Left-to-right islands in right-to-left text: a phone number, a reference or an English word in an
Arabic or Urdu reply is wrapped in Unicode isolates (FSI U+2068 ... PDI U+2069), so that a phone shows
"+966 55 123 4567" and not its groups reversed, and a reference's dashes stay in place.

    >>> isolate_ltr("رقم طلبك ESR-4827-19356.") == "رقم طلبك \\u2068ESR-4827-19356\\u2069."
    True
    >>> isolate_ltr("Your reference is ESR-4827-19356")  # no right-to-left letters: as it is
    'Your reference is ESR-4827-19356'
"""

from __future__ import annotations

import re

FSI, PDI = "\u2068", "\u2069"
_RTL = re.compile(r"[\u0590-\u08ff\ufb1d-\ufdff\ufe70-\ufefc]")
# A run of Latin letters, ASCII digits and the marks inside numbers, references, e-mail and web addresses,
# words joined by single spaces; it ends on a letter or digit.
_RUN = re.compile(r"\+?[A-Za-z0-9](?:[A-Za-z0-9+\-./@:_]*[A-Za-z0-9])?(?: \+?[A-Za-z0-9](?:[A-Za-z0-9+\-./@:_]*[A-Za-z0-9])?)*")


def _worth(run: str) -> bool:
    """A run that a right-to-left paragraph would draw wrongly: letters, a '+', or digits in groups."""
    return any(c.isalpha() for c in run) or "+" in run or sum(c.isdigit() for c in run) >= 5 or (
        any(c in "-./: " for c in run) and sum(c.isdigit() for c in run) >= 3)


def isolate_ltr(text: str) -> str:
    """`text` with its left-to-right runs isolated, when it has right-to-left letters (else unchanged)."""
    if not _RTL.search(text) or FSI in text:
        return text
    return _RUN.sub(lambda m: f"{FSI}{m.group(0)}{PDI}" if _worth(m.group(0)) else m.group(0), text)
