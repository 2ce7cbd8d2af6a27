"""Information (R13), answered from the org profile, which staff update without a deploy (TAWASUL_ORGS_DIR).

    start ─┬─ one FAQ question or topic clearly ranks first (info_search) ─► answer
           ├─ two or three rank close ─► "did you mean" (expects topic) ─► answer
           └─ topics menu (expects topic) ─► services+requirements | hours | locations | contacts |
                                             reply deadline | FAQ questions not already a topic ─► answer
Example: "وش ساعات الدوام" -> "من الأحد إلى الخميس ..."; "info" -> topics -> "4" -> contacts.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import lru_cache

from bot.flows import info_search
from bot.flows.base import Context, Input, Reply, Result, State, ask, done
from bot.lang.i18n import N_, translator
from bot.lang.words import digit_choice
from bot.messages import Button

NAME = "info"
ENTRY_INTENTS = ("ask_info",)
TOPICS: tuple[tuple[str, str], ...] = (
    ("services", N_("Our services and their requirements")),
    ("hours", N_("Working hours")),
    ("locations", N_("Our locations")),
    ("contacts", N_("How to contact us")),
    ("deadline", N_("When will I get a reply?")),
)
_TOPIC_WORDS = {
    "hours": ("دوام", "الدوام", "ساعات", "مواعيد", "اوقات", "متى", "when", "kapan", "کب", "تفتحون", "تقفلون", "تسكرون", "مفتوحين", "hours",
              "open", "opening", "close", "closing", "timings", "jam", "buka", "tutup", "jam kerja", "اوقات کار",
              "کھلتے", "بند"),
    "locations": ("عنوان", "العنوان", "موقع", "موقعكم", "مكانكم", "مقر", "مقركم", "فرع", "وين", "address", "where",
                  "location", "office", "branch", "map", "alamat", "lokasi", "kantor", "پتہ", "دفتر", "کہاں"),
    "contacts": ("رقم", "ارقام", "تواصل", "اتصل", "جوال", "هاتف", "واتساب", "ايميل", "phone", "number", "call",
                 "email", "whatsapp", "contact", "reach", "kontak", "telepon", "nomor", "hubungi", "رابطہ", "نمبر",
                 "فون"),
    "services": ("خدمات", "الخدمات", "شروط", "متطلبات", "مستندات", "اوراق", "وثائق", "تقدمون", "services",
                 "requirements", "documents", "papers", "offer", "provide", "layanan", "syarat", "dokumen", "خدمات",
                 "شرائط", "کاغذات"),
    "deadline": ("متى", "مده", "المده", "الرد", "رد", "deadline", "how long", "reply", "answer", "decision",
                 "kapan", "berapa lama", "jawaban", "کب", "جواب"),
}


@lru_cache(maxsize=1)
def _topic_texts() -> dict[str, list[str]]:
    """Each built-in topic's title in the four languages and its words, for the ranking."""
    return {key: [*(translator(lang).t(title) for lang in ("ar", "en", "ur", "id")), *_TOPIC_WORDS[key]]
            for key, title in TOPICS}


def _topics(ctx: Context) -> list[tuple[str, str]]:
    """The menu: the built-in topics, then the FAQ questions that are not one of them again."""
    items = [(key, ctx.t(title)) for key, title in TOPICS]
    items += [(f"faq:{f.id}", ctx.local(f.question)) for f in ctx.org.faq if f.topic is None]
    return items


def _match(ctx: Context, text: str) -> tuple[str | None, list[str]]:
    """(the answer the question asks for, or None; close answers to offer instead) by ranking every
    FAQ question and topic against it (bot/flows/info_search.py)."""
    found = info_search.memo("faq", (ctx.org,), lambda: info_search.candidates(ctx.org, _topic_texts()))
    ranked = info_search.rank(found, text)
    return info_search.best(ranked)


def faq_for(ctx: Context, text: str) -> str | None:
    """The FAQ item ("faq:<id>") a question asks for outright, or None (a topic, close answers, nothing)."""
    topic, _ = _match(ctx, text)
    return topic if topic is not None and topic.startswith("faq:") else None


def understands(ctx: Context, state: State, text: str) -> bool:
    """Whether the topics menu that `state` shows can take `text`: a number of it, or words of a topic.
    Anything else («شكرا», "I want to complain") is a new message, not a wrong pick."""
    if digit_choice(text, len(_items(ctx, state))):
        return True
    topic, close = _match(ctx, text)
    return topic is not None or bool(close)


def start(ctx: Context, inp: Input) -> Result:
    topic, close = _match(ctx, inp.text)
    if topic is not None:
        return answer(ctx, topic)
    if close:
        return _ask_topic(ctx, ctx.t("Did you mean one of these?"), close)
    return _ask_topic(ctx)


def _titles(ctx: Context, keys: list[str]) -> list[tuple[str, str]]:
    titles = dict(_topics(ctx)) | {f"faq:{f.id}": ctx.local(f.question) for f in ctx.org.faq}
    return [(key, titles[key]) for key in keys if key in titles]


def _ask_topic(ctx: Context, prefix: str = "", options: list[str] | None = None) -> Result:
    items = _titles(ctx, options) if options else _topics(ctx)
    if options:
        text = prefix
    else:
        text = (prefix + "\n" if prefix else "") + ctx.t("What would you like to know? Choose a number:")
    buttons = tuple(Button(str(i), title) for i, (_, title) in enumerate(items, 1))
    data = {"options": [key for key, _ in items]} if options else {}
    return ask(NAME, "topic", "topic", data, Reply(text, buttons))


def prompt(state: State, ctx: Context) -> tuple[Reply, ...]:
    options = list((state.get("data") or {}).get("options") or [])
    if options:
        return _ask_topic(ctx, ctx.t("Did you mean one of these?"), options).replies
    return _ask_topic(ctx).replies


def _items(ctx: Context, state: State) -> list[tuple[str, str]]:
    """The topics the menu in `state` shows: the "did you mean" options, else every topic."""
    options = list((state.get("data") or {}).get("options") or [])
    return _titles(ctx, options) if options else _topics(ctx)


def step(state: State, ctx: Context, inp: Input) -> Result:
    items = _items(ctx, state)
    pick = digit_choice(inp.button or inp.text, len(items))
    if pick:
        return answer(ctx, items[pick - 1][0])
    topic, close = _match(ctx, inp.text)
    if topic is not None:
        return answer(ctx, topic)
    if close:
        return _ask_topic(ctx, ctx.t("Did you mean one of these?"), close)
    return _ask_topic(ctx, ctx.t("Please choose a number from the list."))


def answer(ctx: Context, topic: str, hint: bool = True) -> Result:
    """The answer of a topic or FAQ item; `hint`: with the line on more information and the menu (not when
    the answer comes in the middle of a form, whose question follows it)."""
    if topic.startswith("faq:"):
        faq = next(f for f in ctx.org.faq if f.id == topic[4:])
        text = ctx.local(faq.answer)
    else:
        text = _ANSWERS[topic](ctx)
    if hint:
        text += "\n\n" + ctx.t("For more information write: info. For the main menu write: menu.")
    return done(Reply(text), events=({"type": "info_given", "topic": topic},))


def _services(ctx: Context) -> str:
    blocks = []
    for i, svc in enumerate(ctx.org.services, 1):
        lines = [f"{i}. {ctx.local(svc.name)}: {ctx.local(svc.description)}", ctx.local(svc.requirements)]
        if svc.documents:
            docs = "، ".join(ctx.local(d.name) for d in svc.documents) if ctx.lang == "ar" else ", ".join(
                ctx.local(d.name) for d in svc.documents)
            lines.append(ctx.t("Documents: {documents}", documents=docs))
        blocks.append("\n".join(lines))
    return "\n\n".join(blocks)


def _locations(ctx: Context) -> str:
    if not ctx.org.locations:
        return ctx.t("We serve you through this chat and our contact channels.") + "\n" + _contacts(ctx)
    lines = []
    for loc in ctx.org.locations:
        line = f"- {ctx.local(loc.name)}: {ctx.local(loc.address)}"
        lines.append(line + (f" {loc.map_url}" if loc.map_url else ""))
    return "\n".join(lines)


def contact_lines(ctx: Context) -> list[tuple[str, str]]:
    """The association's published contact channels as (channel, line): "Phone: +966..."."""
    ch = ctx.org.channels
    rows = [
        ("phone", N_("Phone"), ch.phone), ("whatsapp", N_("WhatsApp"), ch.whatsapp), ("email", N_("Email"), ch.email),
        ("website", N_("Website"), ch.website),
    ]
    return [(name, f"{ctx.t(label)}: {value}") for name, label, value in rows if value]


def _contacts(ctx: Context) -> str:
    lines = [line for _, line in contact_lines(ctx)]
    if lines:
        for officer in ctx.org.contact_officers:
            lines.append(f"- {ctx.local(officer.title)}" + (f": {officer.phone}" if officer.phone else ""))
        return "\n".join(lines)
    # No number or address is published: say so and give the way that works, not job titles alone.
    lines.append(ctx.t("We have no published phone number or email yet. You can write to us here at any time; "
                       "to talk to a staff member, write: staff."))
    lines += [f"- {ctx.local(o.title)}: {o.phone}" for o in ctx.org.contact_officers if o.phone]
    return "\n".join(lines)


_ANSWERS: dict[str, Callable[[Context], str]] = {
    "services": _services,
    "hours": lambda ctx: ctx.local(ctx.org.hours),
    "locations": _locations,
    "contacts": _contacts,
    "deadline": lambda ctx: ctx.local(ctx.org.deadline.text),
}
