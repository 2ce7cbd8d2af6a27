"""Every key staff meet has an Arabic name (issue 14, item 10): committees, officers and their categories,
complaint categories, reasons, channels, languages and intents; numbers isolated left to right."""

from __future__ import annotations

import re

import pytest

from bot.staff.labels import category_label, committee_label, intent_label, label, ltr, officer_label
from orgs.loader import load_org

LATIN = re.compile(r"[A-Za-z_]")
ORGS = ("esrar", "namaa", "aleman", "alhuda", "baseera")


@pytest.mark.parametrize("org", ORGS)
def test_every_profile_key_has_an_arabic_name(org: str) -> None:
    profile = load_org(org)
    keys = [o.staff for o in profile.contact_officers] + [o.category for o in profile.contact_officers]
    names = [officer_label(org, k) for k in keys] + [committee_label(org, c) for c in profile.committees]
    names += [committee_label(org, k) for k in ("general", "follow_up")] + [label(org, "officer.communities")]
    assert all(n and not LATIN.search(n) for n in names), names


def test_generic_keys_and_their_arabic_names() -> None:
    assert officer_label("baseera", "officer.communities") == load_org("baseera").officer_for("communities").title["ar"]
    assert officer_label("esrar", "officer.communities") == "ضابط اتصال الجاليات"  # no such officer there
    assert committee_label("esrar", "general") == "اللجنة العامة"
    assert category_label("delay") == "تأخر في الرد" and label("esrar", "whatsapp") == "واتساب"
    assert intent_label("human_handoff") and not LATIN.search(intent_label("human_handoff") or "x")
    assert ltr("+966501234567") == "\u2066+966501234567\u2069"
