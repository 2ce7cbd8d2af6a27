"""Channel connectors: one package per channel behind the protocol of `bot.messages`.

Only this package imports `twilio` or `telegram`. The registry maps a webhook name to its
connector class; `build_channels` makes one instance of each from the settings:

    >>> sorted(REGISTRY)
    ['telegram', 'twilio']
"""

from __future__ import annotations

import importlib

from bot.messages import Channel, DeliveryStatus, Inbound, Outgoing, SendResult, WebhookRequest
from connectors.base import BaseChannel, numbered
from connectors.config import Settings

# name -> "module:Class"; imported on first use so that a command that needs no channel stays light.
REGISTRY: dict[str, str] = {
    "twilio": "connectors.twilio.channel:TwilioChannel",
    "telegram": "connectors.telegram.channel:TelegramChannel",
}


def channel_class(name: str) -> type:
    module, cls = REGISTRY[name].split(":")
    return getattr(importlib.import_module(module), cls)  # type: ignore[no-any-return]


def build_channels(settings: Settings) -> dict[str, Channel]:
    """Every registered channel; each one refuses webhooks (403) until its secret is configured."""
    return {name: channel_class(name)(settings) for name in REGISTRY}


__all__ = [
    "REGISTRY", "BaseChannel", "Channel", "DeliveryStatus", "Inbound", "Outgoing", "SendResult", "Settings",
    "WebhookRequest", "build_channels", "channel_class", "numbered",
]
