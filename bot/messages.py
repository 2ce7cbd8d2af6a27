"""The one channel-neutral message model. Only connectors translate to and from providers.

Example inbound from WhatsApp: InboundMessage(channel="whatsapp", address="+966501234567",
provider_id="SM0123...", text="ابغى اسجل طلب", org_slug="esrar").
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Button:
    id: str  # what comes back when pressed (a digit or an intent/choice id)
    title: str

    def as_dict(self) -> dict[str, str]:
        return {"id": self.id, "title": self.title}


@dataclass(frozen=True)
class Location:
    lat: float
    lon: float


@dataclass(frozen=True)
class Media:
    path: str | None = None  # local copy (downloaded by the connector) or None
    url: str | None = None
    content_type: str = "application/octet-stream"
    size: int | None = None
    name: str | None = None

    def as_dict(self) -> dict[str, Any]:
        return {k: v for k, v in self.__dict__.items() if v is not None}


@dataclass(frozen=True)
class InboundMessage:
    channel: str  # console | whatsapp | sms | telegram | web
    address: str  # who wrote: E.164 phone, Telegram chat id, console contact name
    provider_id: str  # the provider's message id; (channel, provider_id) is unique
    text: str = ""
    org_slug: str | None = None
    location: Location | None = None
    media: tuple[Media, ...] = ()
    button: str | None = None  # id of a pressed button, when the channel has real buttons
    phone: str | None = None  # a phone number the channel vouches for (shared contact, SMS sender)
    raw: dict[str, Any] = field(default_factory=dict)  # provider payload, kept for audit, never logged


@dataclass(frozen=True)
class OutboundMessage:
    text: str
    buttons: tuple[Button, ...] = ()
    meta: dict[str, Any] = field(default_factory=dict)  # e.g. {"template": "status_update"}
