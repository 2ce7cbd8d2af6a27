"""Information (R13), answered from the org profile, which staff update without a deploy (TAWASUL_ORGS_DIR).

    start ─┬─ the question matches an FAQ item or a topic word ─► answer
           └─ topics menu (expects topic) ─► services+requirements | hours | locations | contacts |
                                             reply deadline | FAQ questions ─► answer
Example: "وش ساعات الدوام" -> "من الأحد إلى الخميس ..."; "info" -> topics -> "4" -> contacts.
"""

from __future__ import annotations

from collections.abc import Callable

from bot.flows.base import Context, Input, Reply, Result, State, ask, done
from bot.lang.i18n import N_
from bot.lang.words import canon, digit_choice
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
    "hours": ("دوام", "الدوام", "ساعات", "مواعيد", "hours", "open", "jam", "اوقات"),
    "locations": ("عنوان", "العنوان", "موقع", "موقعكم", "مكانكم", "وين", "address", "where", "location", "alamat", "پتہ"),
    "contacts": ("رقم", "ارقام", "تواصل", "جوال", "ايميل", "phone", "email", "contact", "kontak", "telepon", "رابطہ"),
    "services": ("خدمات", "الخدمات", "شروط", "متطلبات", "services", "requirements", "layanan", "syarat", "خدمات"),
    "deadline": ("متى", "مده", "المده", "deadline", "how long", "kapan", "کب"),
}


def _topics(ctx: Context) -> list[tuple[str, str]]:
    items = [(key, ctx.t(title)) for key, title in TOPICS]
    items += [(f"faq:{f.id}", ctx.local(f.question)) for f in ctx.org.faq]
    return items


def _match(ctx: Context, text: str) -> str | None:
    words = f" {canon(text)} "
    if not words.strip():
        return None
    for faq in ctx.org.faq:
        if any(f" {canon(k)} " in words for k in faq.keywords):
            return f"faq:{faq.id}"
    for key, keywords in _TOPIC_WORDS.items():
        if any(f" {canon(k)} " in words for k in keywords):
            return key
    return None


def start(ctx: Context, inp: Input) -> Result:
    topic = _match(ctx, inp.text)
    if topic is not None:
        return answer(ctx, topic)
    return _ask_topic(ctx)


def _ask_topic(ctx: Context, prefix: str = "") -> Result:
    items = _topics(ctx)
    text = (prefix + "\n" if prefix else "") + ctx.t("What would you like to know? Choose a number:")
    buttons = tuple(Button(str(i), title) for i, (_, title) in enumerate(items, 1))
    return ask(NAME, "topic", "topic", {}, Reply(text, buttons))


def prompt(state: State, ctx: Context) -> tuple[Reply, ...]:
    return _ask_topic(ctx).replies


def step(state: State, ctx: Context, inp: Input) -> Result:
    items = _topics(ctx)
    pick = digit_choice(inp.button or inp.text, len(items))
    topic = items[pick - 1][0] if pick else _match(ctx, inp.text)
    if topic is None:
        return _ask_topic(ctx, ctx.t("Please choose a number from the list."))
    return answer(ctx, topic)


def answer(ctx: Context, topic: str) -> Result:
    if topic.startswith("faq:"):
        faq = next(f for f in ctx.org.faq if f.id == topic[4:])
        text = ctx.local(faq.answer)
    else:
        text = _ANSWERS[topic](ctx)
    hint = ctx.t("For more information write: info. For the main menu write: menu.")
    return done(Reply(text + "\n\n" + hint), events=({"type": "info_given", "topic": topic},))


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
