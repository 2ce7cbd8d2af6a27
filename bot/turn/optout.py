"""STOP / إلغاء الاشتراك: a contact's opt-out, honoured before any flow sees the message.

Installed as the runtime's `intercept` hook for Twilio channels (SMS and WhatsApp). The opt-out,
the inbound's processed mark and the one confirmation commit together in the turn's transaction;
the outbox worker sends nothing else to an opted-out contact (Twilio's error 21610 sets the flag too).
START (or اشتراك) subscribes again. Messages from an opted-out contact get no answer.

    >>> keyword("  Stop ")
    'stop'
    >>> keyword("إلغاء الاشتراك")
    'stop'
    >>> keyword("ابغى اسجل") is None
    True
"""

from __future__ import annotations

import re
from typing import Any

from bot.flows.base import Reply, Result
from storage.models import Contact
from storage.turnrows import PendingMessage

# Not "cancel"/"إلغاء" alone: those cancel a form in progress (the flows' cancel intent).
STOP_WORDS = {"stop", "stopall", "unsubscribe", "optout", "الغاء الاشتراك", "إلغاء الاشتراك",
              "ايقاف الرسائل", "إيقاف الرسائل"}
START_WORDS = {"start", "unstop", "subscribe", "اشتراك", "الاشتراك"}
CHANNELS = {"sms", "whatsapp"}
CONFIRM = {
    "stop": {
        "ar": "تم إلغاء اشتراكك، ولن تصلك رسائل أخرى منا. للعودة أرسل: اشتراك (START).",
        "en": "You have been unsubscribed and will receive no further messages. Reply START to resubscribe.",
    },
    "start": {
        "ar": "أهلًا بعودتك، تم تفعيل اشتراكك من جديد. اكتب أي رسالة لنبدأ.",
        "en": "Welcome back: you are subscribed again. Send any message to start.",
    },
}


def keyword(text: str) -> str | None:
    """'stop', 'start' or None for a message that is exactly an opt-out/opt-in keyword."""
    norm = re.sub(r"\s+", " ", text.strip().lower().strip(".!؟?"))
    if norm in STOP_WORDS:
        return "stop"
    if norm in START_WORDS:
        return "start"
    return None


def intercept(contact: Contact, pending: PendingMessage, state: dict[str, Any]) -> Result | None:
    """A Result that replaces the turn, or None to let the flows run."""
    if contact.channel not in CHANNELS:
        return None
    word = keyword(pending.text or "")
    lang = "ar" if (contact.language or "ar") == "ar" else "en"
    if word == "stop":
        contact.opted_out = True
        reply = Reply(CONFIRM["stop"][lang], meta={"opt_out_confirmation": True})
        return Result(state, (reply,), (), ({"type": "opted_out"},))
    if word == "start":
        contact.opted_out = False
        return Result(state, (Reply(CONFIRM["start"][lang]),), (), ({"type": "opted_in"},))
    if contact.opted_out:
        return Result(state)  # processed, unanswered
    return None
