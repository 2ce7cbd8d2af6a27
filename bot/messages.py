"""The one channel-neutral message model, and the one protocol every channel implements.

Only connectors (connectors/<channel>/) translate to and from providers; the runtime, the outbox and the
web app speak only these types.

Example inbound from WhatsApp: InboundMessage(channel="whatsapp", address="+966501234567",
provider_id="SM0123...", text="ابغى اسجل طلب", org_slug="esrar").
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol


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


# ---- the channel protocol: verify, parse, send ------------------------------------------------------
# A webhook arrives as a `WebhookRequest` (raw bytes, lower-cased headers). The web app calls `verify`
# FIRST (signature or secret; `SignatureError` -> 403, nothing parsed, nothing stored), then `parse`
# (-> `Inbound`: messages for the runtime and/or a delivery-status update), then answers with `ack_body`.
# The outbox worker calls `send` with an `Outgoing` and records the `SendResult`.
# Example: a Telegram text update becomes
#     Inbound(messages=(InboundMessage(channel="telegram", address="5550001", provider_id="9001",
#                                      text="السلام عليكم"),))


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
    accepted: tuple[str, ...] = ()  # provider ids of the first parts of a long SMS already accepted: not resent


@dataclass(frozen=True)
class SendResult:
    provider_id: str
    channel: str  # the channel actually used (a WhatsApp message may fall back to SMS)
    parts: int = 1  # messages the provider received (a long SMS is split)


@dataclass(frozen=True)
class Reconciled:
    """What a provider holds of a send whose answer never came (asked before any resend).

    `parts`: per part of the message, in order, the provider's id of it, or None when the provider has no
    such message; `channel`: the channel it was found on (a WhatsApp message may have gone out as SMS).
    """

    parts: tuple[str | None, ...]
    channel: str

    @property
    def complete(self) -> bool:
        return bool(self.parts) and all(self.parts)


class Channel(Protocol):
    name: str  # webhook name: "twilio", "telegram"
    serves: tuple[str, ...]  # InboundMessage.channel values it sends for
    pace_seconds: float  # minimum gap between two messages to one chat
    ack_body: tuple[str, str]  # (content type, body) of a successful webhook answer

    def verify(self, request: WebhookRequest) -> None: ...

    def parse(self, request: WebhookRequest) -> Inbound: ...

    def send(self, out: Outgoing) -> SendResult: ...

    # What the provider holds of `out` sent at or after `since`; None when the provider cannot be asked
    # (Telegram has no list of sent messages).
    def reconcile(self, out: Outgoing, since: datetime) -> Reconciled | None: ...

    def fetch_media(self, url: str, content_type: str, dest_stem: str) -> tuple[str, int]: ...

    def close(self) -> None: ...


def for_message_channel(channels: Mapping[str, Channel], channel: str) -> Channel | None:
    """The connector that sends messages of `channel` ("whatsapp", "sms", "telegram")."""
    for connector in channels.values():
        if channel in connector.serves:
            return connector
    return None


class Directory(Protocol):
    """What a channel may know of the associations (given to it by the app; connectors never read profiles).

    `orgs/directory.py` answers from the profiles; `NoOrgs` knows none (every message goes to the default).
    """

    def slugs(self) -> Collection[str]: ...

    def numbers(self) -> Mapping[str, str]: ...  # a sender number (E.164) -> the org it belongs to

    def sender(self, org: str, kind: str) -> str | None: ...  # the org's own "whatsapp" or "sms" number

    def template(self, org: str, purpose: str) -> str | None: ...  # an approved WhatsApp ContentSid

    def has_field_site(self, org: str, site: str) -> bool: ...


class NoOrgs:
    """A directory that knows no association."""

    def slugs(self) -> Collection[str]:
        return ()

    def numbers(self) -> Mapping[str, str]:
        return {}

    def sender(self, org: str, kind: str) -> str | None:
        return None

    def template(self, org: str, purpose: str) -> str | None:
        return None

    def has_field_site(self, org: str, site: str) -> bool:
        return False
