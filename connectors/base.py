"""The one small protocol every channel connector implements: verify, parse, send.

A webhook arrives as a `WebhookRequest` (raw bytes, lower-cased headers). The web layer calls
`verify` FIRST (signature or secret; `SignatureError` -> 403, nothing parsed, nothing stored), then
`parse` (-> `Inbound`: messages for the runtime and/or a delivery-status update), then answers
with `ack`. The outbox worker calls `send` with an `Outgoing` and records the `SendResult`.

Example: a Telegram text update becomes
    Inbound(messages=(InboundMessage(channel="telegram", address="5550001", provider_id="9001",
                                     text="السلام عليكم"),))
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol

from bot.messages import Button, InboundMessage


@dataclass(frozen=True)
class WebhookRequest:
    path: str  # "/webhooks/twilio"
    query: str  # raw query string, "" when none
    headers: dict[str, str]  # lower-cased names
    body: bytes


@dataclass(frozen=True)
class DeliveryStatus:
    """A provider's word on one of our outbound messages (Twilio status callback)."""

    provider_id: str
    status: str  # queued | sent | delivered | read | failed | undelivered
    error_code: str | None = None
    outbox_id: int | None = None  # our id, echoed back in the callback URL


@dataclass(frozen=True)
class Inbound:
    messages: tuple[InboundMessage, ...] = ()
    status: DeliveryStatus | None = None


@dataclass(frozen=True)
class Outgoing:
    """One outbox row as a connector sees it."""

    outbox_id: int
    channel: str  # whatsapp | sms | telegram
    to: str
    text: str
    buttons: tuple[Button, ...] = ()
    meta: dict[str, Any] = field(default_factory=dict)
    org_slug: str = ""
    last_inbound_at: datetime | None = None  # the WhatsApp 24-hour window starts here


@dataclass(frozen=True)
class SendResult:
    provider_id: str
    channel: str  # the channel actually used (a WhatsApp message may fall back to SMS)
    parts: int = 1  # messages the provider received (a long SMS is split)


class Channel(Protocol):
    name: str  # webhook name: "twilio", "telegram"
    serves: tuple[str, ...]  # InboundMessage.channel values it sends for
    pace_seconds: float  # minimum gap between two messages to one chat
    ack_body: tuple[str, str]  # (content type, body) of a successful webhook answer

    def verify(self, request: WebhookRequest) -> None: ...

    def parse(self, request: WebhookRequest) -> Inbound: ...

    def send(self, out: Outgoing) -> SendResult: ...

    def fetch_media(self, url: str, content_type: str, dest_stem: str) -> tuple[str, int]: ...

    def close(self) -> None: ...


def numbered(text: str, buttons: tuple[Button, ...]) -> str:
    """Buttons degraded to numbered choices, for channels without real buttons.

    >>> numbered("اختر:", (Button("1", "طلب جديد"), Button("status", "حالة طلب")))
    'اختر:\\n\\n1. طلب جديد\\n2. حالة طلب'
    """
    if not buttons:
        return text
    lines = [f"{b.id if b.id.isdigit() else i}. {b.title}" for i, b in enumerate(buttons, 1)]
    return text + "\n\n" + "\n".join(lines)


class BaseChannel:
    """Defaults shared by channels: no real buttons (numbered text), no pacing, no media."""

    name = "base"
    serves: tuple[str, ...] = ()
    pace_seconds = 0.0
    ack_body = ("text/plain", "")

    def render(self, out: Outgoing) -> str:
        """The text to send; channels with real buttons override this to keep the text as is."""
        return numbered(out.text, out.buttons)

    def fetch_media(self, url: str, content_type: str, dest_stem: str) -> tuple[str, int]:
        raise NotImplementedError(f"{self.name} does not fetch media")

    def close(self) -> None:
        return None
