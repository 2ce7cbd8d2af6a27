"""Drives a conversation through the real runtime, answering whatever field the bot expects."""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlmodel import Session, col, select

from bot.messages import InboundMessage, Media
from bot.turn.runtime import Runtime
from storage.models import OutboundRecord

VALID_ANSWERS: dict[str, str] = {
    "service": "1",
    "consent": "نعم",
    "full_name": "سارة محمد العتيبي",
    "national_id": "١٠٠٠٠٠٠٠٠٨",  # Arabic-Indic digits, valid check digit
    "phone": "٠٥٥ ١٢٣ ٤٥٦٧",
    "city": "الأحساء",
    "district": "المبرز",
    "family_size": "٥",
    "monthly_income": "3000",
    "date_of_birth": "15/3/1985",
    "details": "أحتاج دعما لمشروعي المنزلي في الخياطة",
    "diagnosis": "سرطان الثدي، مرحلة ثانية",
    "nationality": "باكستاني",
    "passport_number": "AB1234567",
    "visit_address": "حي الشهداء، شارع الملك فهد",
    "location": "ميقات رابغ",
    "acknowledge": "1",
}
_ids = itertools.count(1)


@dataclass
class Chat:
    runtime: Runtime
    org: str
    address: str
    channel: str = "console"
    transcript: list[tuple[str, list[OutboundRecord]]] = field(default_factory=list)

    def say(self, text: str = "", media: tuple[Media, ...] = (), provider_id: str | None = None) -> list[OutboundRecord]:
        msg = InboundMessage(
            channel=self.channel,
            address=self.address,
            provider_id=provider_id or f"m{next(_ids)}",
            text=text,
            org_slug=self.org,
            media=media,
        )
        replies = self.runtime.handle(msg)
        self.transcript.append((text, replies))
        return replies

    @staticmethod
    def expects(replies: list[OutboundRecord]) -> str | None:
        return replies[-1].session.get("expects") if replies else None

    @staticmethod
    def events(replies: list[OutboundRecord]) -> list[dict[str, Any]]:
        return [e for r in replies for e in r.events]


def document(tmp: Path) -> Media:
    path = tmp / "id-copy.png"
    path.write_bytes(b"\x89PNG\r\n\x1a\n" + b"\0" * 64)
    return Media(path=str(path), content_type="image/png", size=path.stat().st_size, name=path.name)


def walk_intake(chat: Chat, tmp: Path, first: str = "1", limit: int = 40) -> list[OutboundRecord]:
    """From the menu pick `first`, then answer every expected field validly until submitted."""
    replies = chat.say(first)
    for _ in range(limit):
        expects = chat.expects(replies)
        if expects is None:
            return replies
        if expects == "attachments":
            replies = chat.say("", media=(document(tmp),))
        else:
            replies = chat.say(VALID_ANSWERS[expects])
    raise AssertionError(f"intake did not finish in {limit} turns: {chat.transcript[-3:]}")


def outbox(session: Session, contact_id: int) -> list[OutboundRecord]:
    return list(
        session.exec(
            select(OutboundRecord).where(OutboundRecord.contact_id == contact_id).order_by(col(OutboundRecord.id))
        ).all()
    )
