"""Which courtesy a message offers, so that it is returned in kind (bot/lang/courtesy.py)."""

from __future__ import annotations

import pytest

from bot.lang.courtesy import ANSWERS, in_kind
from bot.lang.i18n import translator


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("السلام عليكم", "salam"),
        ("السلام عليكم ورحمة الله وبركاته", "salam"),
        ("سلام عليكم يا جماعة", "salam"),
        ("السلامُ عليكُم، وش صار على طلبي؟", "salam"),
        ("السلام علیکم بھائی", "salam"),
        ("Assalamu alaikum brother", "salam"),
        ("assalamualaikum kak, mau tanya", "salam"),
        ("salam 3alaykom", "salam"),
        ("صباح الخير", "morning"),
        ("Good morning!", "morning"),
        ("selamat pagi", "morning"),
        ("مساء الخير يا اخوان", "evening"),
        ("جزاكم الله خير", "jazak"),
        ("جزاك الله خيرا", "jazak"),
        ("الله يجزاكم خير على تعاونكم", "jazak"),
        ("جزاک اللہ خیر", "jazak"),
        ("JazakAllah khair", "jazak"),
        ("الله يعطيكم العافية", "afiya"),
        ("يعطيك العافيه", "afiya"),
    ],
)
def test_courtesy_is_recognised(text: str, kind: str) -> None:
    assert in_kind(text) == kind


@pytest.mark.parametrize(
    "text",
    [
        "سلام",  # also "bye" in the Levant: not answered as a greeting of peace
        "شكرا",
        "ابي اعرف وش صار على طلبي",
        "I want to learn about Islam",
        "salary advance",
        "مساعدة",
        "",
    ],
)
def test_other_messages_offer_none(text: str) -> None:
    assert in_kind(text) is None


@pytest.mark.parametrize("lang", ["ar", "en", "ur", "id"])
def test_every_answer_is_translated(lang: str) -> None:
    t = translator(lang)
    for msgid in ANSWERS.values():
        answer = t.t(msgid)
        assert answer.strip()
        if lang != "en":
            assert answer != msgid, f"{lang}: {msgid!r} untranslated"


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("امي مريضة بالسرطان وتحتاج علاج كيماوي", "illness"),
        ("my father is in hospital and we need help", "illness"),
        ("میری بیوی بیمار ہے", "illness"),
        ("ibu saya sakit kanker", "illness"),
        ("زوجي توفي وعندي ايتام", "grief"),
        ("I am a widow with three children", "grief"),
        ("suami saya meninggal bulan lalu", "grief"),
        ("ما عندنا اكل في البيت والايجار متأخر", "hardship"),
        ("we cannot pay the rent this month", "hardship"),
        ("we have no food at home", "hardship"),
        ("ہمارے پاس کرایہ دینے کے پیسے نہیں، قرض بہت ہے", "hardship"),
        ("ابي اعرف وش صار على طلبي", None),
        ("I want to volunteer", None),
        ("what is the rent of a hall for a wedding", None),
    ],
)
def test_hardship_illness_and_grief_are_recognised(text: str, kind: str | None) -> None:
    from bot.lang.courtesy import empathy

    assert empathy(text) == kind


@pytest.mark.parametrize(
    ("text", "unsupported"),
    [
        ("আমার সাহায্য দরকার", True),  # Bengali
        ("मुझे मदद चाहिए", True),  # Hindi
        ("Мне нужна помощь", True),  # Russian
        ("ابي مساعدة", False),
        ("مجھے مدد چاہیے", False),
        ("I need help", False),
        ("Saya butuh bantuan", False),
        ("Kailangan ko ng tulong", False),  # Tagalog, in Latin letters: read as English or Indonesian
        ("ابي help please", False),
        ("ok 👍", False),
    ],
)
def test_unsupported_scripts(text: str, unsupported: bool) -> None:
    from bot.lang.courtesy import unsupported_script

    assert unsupported_script(text) is unsupported


@pytest.mark.parametrize("text", ["الله يجزيكم الخير", "جزاكم الله كل خير", "الله يجزاكم عنا الف خير", "يجزيك ربي خير"])
def test_every_way_of_saying_jazakallah_is_answered_in_kind(text: str) -> None:
    from bot.lang.courtesy import in_kind

    assert in_kind(text) == "jazak"


def test_reward_words_alone_are_not_thanks() -> None:
    from bot.lang.courtesy import in_kind

    assert in_kind("الجزاء من جنس العمل") is None
