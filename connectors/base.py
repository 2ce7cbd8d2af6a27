"""What channels share: numbered choices for channels without buttons, and the BaseChannel defaults.

The protocol itself (Channel, WebhookRequest, Inbound, Outgoing, SendResult) is in bot/messages.py.
"""

from __future__ import annotations

from datetime import datetime

from bot.messages import Button, Outgoing, Reconciled


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

    def reconcile(self, out: Outgoing, since: datetime) -> Reconciled | None:
        """None: this provider cannot be asked what it received."""
        return None

    def fetch_media(self, url: str, content_type: str, dest_stem: str) -> tuple[str, int]:
        raise NotImplementedError(f"{self.name} does not fetch media")

    def close(self) -> None:
        return None
