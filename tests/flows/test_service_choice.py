"""Issue 10 item 5: the service is chosen from the whole free-text request; what it says is kept for the form."""

from __future__ import annotations

import pytest
import yaml

from bot.bench.services import FOLDER, SETS, outcome
from bot.flows.intake.choose import choose, plea, told
from orgs import load_org


def _chosen(org: str, text: str) -> str | None:
    svc = choose(load_org(org).services, text)
    return svc.id if svc is not None else None


@pytest.mark.parametrize(("org", "text", "service"), [
    ("namaa", "انا ارملة وعندي ٤ عيال وما عندنا اكل", "food_basket"),
    ("namaa", "the water at home is cut and the kids are thirsty", "family_water"),
    ("aleman", "ابي احد يوديني جلسات الكيماوي", "treatment_transport"),
    ("aleman", "saya butuh tempat menginap selama pengobatan di Jeddah", "patient_accommodation"),
    ("alhuda", "میں اپنے گروپ سے بچھڑ گیا ہوں اور میرے پیسے چوری ہو گئے", "relief_help"),
    ("esrar", "ابغى دورة خياطة", "training"),
])
def test_a_need_in_own_words_finds_its_service(org: str, text: str, service: str) -> None:
    assert _chosen(org, text) == service


@pytest.mark.parametrize(("org", "text"), [
    ("esrar", "ابغى اقدم طلب"),
    ("baseera", "ابغى اقدم طلب"),  # «طلب» is a word of its service's name, not a choice
    ("namaa", "محتاجين ماء لو سمحتوا"),  # water for a family's home, or for pilgrims: ask
    ("namaa", "I need help please"),
])
def test_no_service_is_guessed_when_the_message_names_none(org: str, text: str) -> None:
    assert _chosen(org, text) is None


def test_one_need_word_is_not_a_request() -> None:
    services = load_org("aleman").services
    assert plea(services, "I need a ride to the airport tomorrow") is None
    found = plea(services, "I need a ride to my chemo sessions")
    assert found is not None and found.id == "treatment_transport"


def test_what_the_request_says_is_kept_for_the_form() -> None:
    svc = next(s for s in load_org("namaa").services if s.id == "food_basket")
    kept = told(svc, "انا ارملة وعندي ٤ عيال وما عندنا اكل، احنا ٥ افراد ساكنين في مكة")
    assert kept["family_size"] == "5" and kept["city"] == "مكة المكرمة"
    assert "ارملة" in kept["details"]
    assert told(svc, "ابغى سلة غذائية") == {}  # the service's own name is not its details


def test_heldout_set_chooses_rarely_wrong() -> None:
    examples = yaml.safe_load((FOLDER / SETS["heldout"]).read_text(encoding="utf-8"))
    kinds = [outcome(ex)[0] for ex in examples]
    assert len(kinds) >= 100
    assert kinds.count("wrong") <= 0.1 * len(kinds), "a wrong service is offered too often"
    assert kinds.count("right") >= 0.5 * len(kinds)
