"""Channel settings from the environment (names fixed by the design) and log redaction.

    PUBLIC_BASE_URL=https://bot.example.org  TWILIO_ACCOUNT_SID=AC...  TWILIO_AUTH_TOKEN=...
    TWILIO_WHATSAPP_FROM=whatsapp:+9665...  TWILIO_SMS_FROM=+9665...  TELEGRAM_BOT_TOKEN=123:ABC
    TELEGRAM_WEBHOOK_SECRET=...  TAWASUL_ORG=esrar  TWILIO_API_BASE_URL / TELEGRAM_API_BASE_URL (tests)

Secrets never reach a log line: `install_redaction` masks their values in every record, and the
HTTP client loggers (which print URLs, and Telegram URLs carry the bot token) are kept at WARNING.
"""

from __future__ import annotations

import logging
import os
from dataclasses import dataclass, field
from pathlib import Path

from bot.messages import Directory, NoOrgs

MEDIA_MAX_BYTES = 5 * 1024 * 1024
MEDIA_TYPES = frozenset(
    {"image/jpeg", "image/png", "image/webp", "image/heic", "application/pdf", "audio/ogg", "audio/mpeg",
     "audio/amr", "video/mp4", "text/vcard", "text/x-vcard"}
)


def _env(name: str) -> str | None:
    value = os.environ.get(name, "").strip()
    return value or None


@dataclass(frozen=True)
class Settings:
    public_base_url: str | None = None
    twilio_account_sid: str | None = None
    twilio_auth_token: str | None = field(default=None, repr=False)
    twilio_whatsapp_from: str | None = None
    twilio_sms_from: str | None = None
    twilio_api_base_url: str | None = None
    telegram_bot_token: str | None = field(default=None, repr=False)
    telegram_webhook_secret: str | None = field(default=None, repr=False)
    telegram_api_base_url: str | None = None
    default_org: str = "esrar"
    media_dir: Path = Path("data/media")
    media_max_bytes: int = MEDIA_MAX_BYTES
    media_types: frozenset[str] = MEDIA_TYPES
    directory: Directory = field(default_factory=NoOrgs, repr=False)  # the associations; set by the app
    send_timeout: float = 15.0  # seconds a provider has to answer a send (then: Ambiguous, reconciled)

    @classmethod
    def from_env(cls, directory: Directory | None = None) -> Settings:
        data_dir = Path(os.environ.get("TAWASUL_DATA_DIR", "data"))
        return cls(
            public_base_url=(_env("PUBLIC_BASE_URL") or "").rstrip("/") or None,
            twilio_account_sid=_env("TWILIO_ACCOUNT_SID"),
            twilio_auth_token=_env("TWILIO_AUTH_TOKEN"),
            twilio_whatsapp_from=_env("TWILIO_WHATSAPP_FROM"),
            twilio_sms_from=_env("TWILIO_SMS_FROM"),
            twilio_api_base_url=(_env("TWILIO_API_BASE_URL") or "").rstrip("/") or None,
            telegram_bot_token=_env("TELEGRAM_BOT_TOKEN"),
            telegram_webhook_secret=_env("TELEGRAM_WEBHOOK_SECRET"),
            telegram_api_base_url=(_env("TELEGRAM_API_BASE_URL") or "").rstrip("/") or None,
            default_org=_env("TAWASUL_ORG") or "esrar",
            media_dir=data_dir / "media",
            media_max_bytes=int(os.environ.get("TAWASUL_MEDIA_MAX_BYTES", MEDIA_MAX_BYTES)),
            directory=directory or NoOrgs(),
            send_timeout=float(os.environ.get("TAWASUL_SEND_TIMEOUT_SECONDS", "15")),
        )

    def secrets(self) -> list[str]:
        return [s for s in (self.twilio_auth_token, self.telegram_bot_token, self.telegram_webhook_secret) if s]


class RedactSecrets(logging.Filter):
    """Replaces each secret in a record's final message (and exception text) with '***'."""

    def __init__(self, secrets: list[str]) -> None:
        super().__init__()
        self._secrets = [s for s in secrets if len(s) >= 6]

    def filter(self, record: logging.LogRecord) -> bool:
        if not self._secrets:
            return True
        message = record.getMessage()
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        for secret in self._secrets:
            message = message.replace(secret, "***")
            if record.exc_text:
                record.exc_text = record.exc_text.replace(secret, "***")
        record.msg, record.args = message, ()
        return True


def install_redaction(settings: Settings) -> None:
    """Mask secrets on every root handler and quiet the loggers that print request URLs."""
    for name in ("httpx", "httpcore", "telegram.Bot", "telegram.ext", "twilio.http_client"):
        logging.getLogger(name).setLevel(logging.WARNING)
    redact = RedactSecrets(settings.secrets())
    root = logging.getLogger()
    for handler in root.handlers:
        if not any(isinstance(f, RedactSecrets) for f in handler.filters):
            handler.addFilter(redact)
