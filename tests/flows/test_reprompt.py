"""A pending question is asked again in the contact's current language, for every flow that asks one."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest

from bot import flows
from bot.flows import complaint, info, language, privacy, rating, status, urgent, volunteer
from bot.flows.base import ContactView, Context, Input, RequestView, Result
from bot.flows.intake import form as intake
from orgs import load_org

ARABIC = re.compile(r"[\u0600-\u06ff]")
NOW = datetime(2026, 11, 24, 9, 0, tzinfo=UTC)


def _ctx(org: str = "esrar", lang: str = "ar") -> Context:
    req = RequestView("ESR-1234-56782", load_org(org).services[0].id, "delivered", NOW, None)
    return Context(org=load_org(org), now=NOW, lang=lang, contact=ContactView(1, "console"), requests=(req, req))


def _walk(result: Result, ctx: Context, *answers: str) -> Result:
    for text in answers:
        module = flows.FLOWS[result.state["flow"]]
        result = module.step(result.state, ctx, Input(text=text))
    return result


def _states(ctx: Context) -> list[Result]:
    opened = intake.start(ctx, Input())
    return [
        opened,
        _walk(opened, ctx, "1"),
        _walk(opened, ctx, "1", "نعم"),
        _walk(opened, ctx, "1", "نعم", "نورة محمد العتيبي", "1087654321", "0551234567", "الاحساء", "الهفوف", "5",
              "3000", "ابغى فرن كبير للمشروع"),
        complaint.start(ctx, Input()),
        _walk(complaint.start(ctx, Input()), ctx, "1"),
        _walk(complaint.start(ctx, Input()), ctx, "4", "اقتراح بتمديد الدوام"),
        status.start(ctx, Input()),
        rating.start(ctx, Input()),
        _walk(rating.start(ctx, Input()), ctx, "4"),
        volunteer.start(ctx, Input()),
        urgent.start(ctx, Input(text="ساعدوني")),
        urgent.confirm(ctx, Input(text="امي تعبانة مره")),
        privacy.start(ctx, Input()),
        _walk(privacy.start(ctx, Input()), ctx, "3"),
        info.start(ctx, Input()),
        language.start(ctx, Input()),
    ]


@pytest.mark.parametrize("lang", ["en", "id"])
def test_every_pending_question_is_rendered_in_the_new_language(lang: str) -> None:
    ctx = _ctx()
    for result in _states(ctx):
        state = result.state
        assert state.get("expects"), state
        again = flows.reprompt(state, ctx.with_lang(lang))
        assert again, state
        text = "\n".join(r.text for r in again) + "".join(b.title for r in again for b in r.buttons)
        assert not ARABIC.search(text.replace("العربية", "").replace("اردو", "")), (state, text)


def test_the_same_question_in_arabic_as_first_asked() -> None:
    ctx = _ctx()
    for result in _states(ctx):
        if result.state["flow"] == urgent.NAME:
            continue  # re-asked in a shorter form: staff were already alerted
        assert flows.reprompt(result.state, ctx)[-1].text == result.replies[-1].text, result.state


def test_a_survey_question_written_by_staff_is_kept_in_its_words() -> None:
    ctx = _ctx()
    asked = rating.survey(ctx, 7, "كيف وجدت خدمة التوصيل؟")
    again = flows.reprompt(asked.state, ctx.with_lang("en"))
    assert "كيف وجدت خدمة التوصيل؟" in again[0].text and "Please answer from 1" in again[0].text
