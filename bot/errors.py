"""Errors of the runtime and the channels.

    BotError
    ├── InputError            bad input from outside: answered (400 / ignored), logged, never raised past a connector
    │   ├── SignatureError    a webhook whose signature or secret does not verify (403, nothing stored)
    │   └── MediaRefused(reason)  a file a user sent that is not kept: "type", "size" or "failed" (download)
    ├── ConfigError           a setting that is missing or wrong (fail at start, say which)
    └── ChannelError
        └── SendError(retryable, code)
            ├── Throttled(retry_after)       429, Telegram retry_after, Twilio 20429/63018
            ├── Ambiguous                    the request left but no answer came (read timeout, dropped
            │                                connection): the provider may have it; reconcile, never resend blindly
            ├── ContactStopped               the contact opted out (Twilio 21610, STOP)
            └── OutsideSessionWindow         WhatsApp 24-hour window closed (Twilio 63016)

Our own bugs are not BotErrors: they propagate.
"""

from __future__ import annotations


class BotError(Exception):
    pass


class InputError(BotError):
    pass


class SignatureError(InputError):
    pass


class MediaRefused(InputError):
    def __init__(self, message: str, *, reason: str) -> None:
        super().__init__(message)
        self.reason = reason  # what the beneficiary is told: "type", "size" or "failed"


class ConfigError(BotError):
    pass


class ChannelError(BotError):
    pass


class SendError(ChannelError):
    # Provider ids of the parts of a multi-part message accepted before this error (a long SMS): kept by the
    # outbox so that a retry sends only the rest.
    accepted: tuple[str, ...] = ()

    def __init__(self, message: str, *, retryable: bool, code: str | None = None) -> None:
        super().__init__(message)
        self.retryable = retryable
        self.code = code


class Throttled(SendError):
    def __init__(self, message: str, *, retry_after: float = 1.0, code: str | None = None) -> None:
        super().__init__(message, retryable=True, code=code)
        self.retry_after = retry_after


class Ambiguous(SendError):
    """The request reached the provider (or may have) and its answer never came: sent or not is unknown."""

    def __init__(self, message: str, *, code: str | None = None) -> None:
        super().__init__(message, retryable=True, code=code)


class ContactStopped(SendError):
    def __init__(self, message: str = "contact opted out", *, code: str | None = None) -> None:
        super().__init__(message, retryable=False, code=code)


class OutsideSessionWindow(SendError):
    def __init__(self, message: str = "outside the WhatsApp session window", *, code: str | None = None) -> None:
        super().__init__(message, retryable=False, code=code)
