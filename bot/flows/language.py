"""Choosing the reply language: detected from the first messages, then remembered; changeable at any time.

    "English" / "عربي" / "اردو" / "Bahasa Indonesia" ─► SetLanguage, confirm in the new language
    "اللغة" / "language" / "زبان" / "bahasa" ─► pick (expects language) ─► 1-4 ─► SetLanguage
A change in the middle of a flow keeps the flow and asks its question again, in the new language.
Example: "English" -> "Done: I will write to you in English." (events: language_changed)
"""

from __future__ import annotations

from bot.flows.base import Context, Input, Reply, Result, State, ask
from bot.flows.effects import SetLanguage
from bot.lang.words import canon, digit_choice
from bot.messages import Button

NAME = "language"
ENTRY_INTENTS: tuple[str, ...] = ()
ASK = "ask"
NAMES = {"ar": "العربية", "en": "English", "ur": "اردو", "id": "Bahasa Indonesia"}
_WORDS = {
    "ar": ("عربي", "العربيه", "بالعربي", "عربيه", "arabic", "in arabic", "bahasa arab", "عربی"),
    "en": ("english", "in english", "انجليزي", "بالانجليزي", "الانجليزيه", "انگریزی", "bahasa inggris"),
    "ur": ("urdu", "in urdu", "اردو", "بالاردو", "الارديه", "اردو میں"),
    "id": ("bahasa indonesia", "indonesia", "indonesian", "اندونيسي", "الاندونيسيه", "انڈونیشین"),
    ASK: ("اللغه", "لغه", "تغيير اللغه", "language", "change language", "زبان", "زبان تبدیل کریں", "bahasa",
          "ganti bahasa", "/language"),
}
_CANON = {key: {canon(w) for w in words} for key, words in _WORDS.items()}


def command(text: str) -> str | None:
    """'ar'/'en'/'ur'/'id' when the whole message names a language, 'ask' for 'language', else None."""
    c = canon(text)
    for key, words in _CANON.items():
        if c in words:
            return key
    return None


def start(ctx: Context, inp: Input) -> Result:
    return switch({}, ctx, ASK)


def prompt(state: State, ctx: Context) -> tuple[Reply, ...]:
    buttons = tuple(Button(str(i), name) for i, name in enumerate(NAMES.values(), 1))
    return (Reply(ctx.t("Which language do you prefer?"), buttons),)


def switch(state: State, ctx: Context, lang: str) -> Result:
    """Ask which language (lang == ASK), or change to `lang` and repeat the pending question in it."""
    from bot import flows  # the registry imports this module
    if lang == ASK:
        data = {"resume": {k: v for k, v in state.items() if k != "lang"}}
        return ask(NAME, "pick", "language", data, *prompt(state, ctx))
    new = ctx.with_lang(lang)
    done = Reply(new.t("Done: I will write to you in {language}.", language=NAMES[lang]))
    pending = flows.reprompt(state, new) if state.get("flow") else ()
    next_state, replies = flows.carry_on(state, new, pending)
    event = {"type": "language_changed", "language": lang}
    return Result(next_state, (done, *replies), (SetLanguage(lang),), (event,))


def step(state: State, ctx: Context, inp: Input) -> Result:
    codes = list(NAMES)
    pick = digit_choice(inp.button or inp.text, len(codes))
    chosen = codes[pick - 1] if pick else command(inp.text)
    resume: State = dict((state.get("data") or {}).get("resume") or {})
    if chosen is None or chosen == ASK:
        return switch(resume, ctx, ASK)
    return switch(resume, ctx, chosen)
