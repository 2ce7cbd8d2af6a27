"""Telegram through python-telegram-bot (`POST /webhooks/telegram`, or long polling).

Verify first: `X-Telegram-Bot-Api-Secret-Token` must equal TELEGRAM_WEBHOOK_SECRET (constant-time);
no secret configured, a missing or wrong header -> SignatureError (403) before the JSON is read.

An update as Telegram posts it:
    {"update_id": 9001, "message": {"message_id": 5, "date": 1767225600,
     "chat": {"id": 5550001, "type": "private"}, "from": {"id": 5550001, "is_bot": false, "first_name": "سارة"},
     "text": "/start esrar"}}
`update_id` is the provider id (a retried update is dropped). Text, captions, a pressed inline button
(callback_query.data), the user's own shared contact (-> phone), a location, photos and documents
(size-checked here, fetched later) are understood; `/start PAYLOAD` picks the org named by PAYLOAD,
and `/start ORG-SITE` also the field site (R15), kept as raw["field_site"].
Buttons are sent as an inline keyboard; a question for a phone number gets a "share my number" key.
"""

from __future__ import annotations

import asyncio
import hmac
import json
import logging
import os
import re
import threading
from collections.abc import Callable, Coroutine
from datetime import timedelta
from pathlib import Path
from typing import Any, TypeVar

import httpx

from bot.errors import (
    Ambiguous,
    ContactStopped,
    InputError,
    MediaRefused,
    SendError,
    SignatureError,
    Throttled,
)
from bot.messages import Inbound, InboundMessage, Location, Media, Outgoing, SendResult, WebhookRequest
from connectors.base import BaseChannel
from connectors.config import Settings

os.environ.setdefault("PTB_TIMEDELTA", "true")  # RetryAfter.retry_after as a timedelta, without a warning

from telegram import (
    Bot,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    KeyboardButton,
    ReplyKeyboardMarkup,
    Update,
)
from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter, TelegramError
from telegram.request import HTTPXRequest

log = logging.getLogger("tawasul.telegram")
T = TypeVar("T")
PAYLOAD_RE = re.compile(r"^/start(?:@\w+)?(?:\s+([A-Za-z0-9_-]{1,64}))?\s*$")


class TelegramChannel(BaseChannel):
    name = "telegram"
    serves = ("telegram",)
    pace_seconds = float(os.environ.get("TAWASUL_TELEGRAM_PACE_SECONDS", "1.0"))

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.org_of_chat: Callable[[str], str | None] = lambda _chat: None  # set by the service
        self._bot: Bot | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._requests: tuple[HTTPXRequest, ...] = ()
        self._lock = threading.Lock()
        self._orgs = set(settings.directory.slugs())

    # ---- the Bot, on a private event loop (PTB is async; the worker threads are not) -----------
    @property
    def bot(self) -> Bot:
        with self._lock:
            if self._bot is None:
                token = self.settings.telegram_bot_token
                if not token:
                    raise SendError("TELEGRAM_BOT_TOKEN is not configured", retryable=False)
                base = self.settings.telegram_api_base_url or "https://api.telegram.org"
                # Our own request objects, so that close() can shut them even if the Bot was never
                # initialize()d (Bot.shutdown() is a no-op then and would leak the connections).
                timeout = self.settings.send_timeout
                self._requests = (HTTPXRequest(connection_pool_size=16, read_timeout=timeout),
                                  HTTPXRequest(read_timeout=60.0))
                self._bot = Bot(token, base_url=f"{base}/bot", base_file_url=f"{base}/file/bot",
                                request=self._requests[0], get_updates_request=self._requests[1])
                self._loop = asyncio.new_event_loop()
                self._thread = threading.Thread(target=self._loop.run_forever, name="telegram-loop", daemon=True)
                self._thread.start()
            return self._bot

    def connect(self) -> None:
        """Make the bot, its HTTP pools and its event loop before the first send (the outbox calls it at start):
        a fresh process's first send then does not build them after its attempt was recorded, a window in
        which a crash leaves the outcome unknown (and Telegram cannot be asked)."""
        try:
            self.bot  # noqa: B018 - the property builds them
        except SendError:
            pass  # no token: every send says so

    def call(self, make: Callable[[Bot], Coroutine[Any, Any, T]], timeout: float = 60.0) -> T:
        bot = self.bot
        assert self._loop is not None
        return asyncio.run_coroutine_threadsafe(make(bot), self._loop).result(timeout)

    def close(self) -> None:
        loop, thread = self._loop, self._thread
        if self._bot is None or loop is None or thread is None:
            return
        try:
            requests = self._requests

            async def shut(_bot: Bot) -> None:
                await asyncio.gather(*(r.shutdown() for r in requests))

            self.call(shut, timeout=5)
        finally:
            loop.call_soon_threadsafe(loop.stop)
            thread.join(timeout=5)
            loop.close()
            self._bot = self._loop = self._thread = None

    # ---- inbound --------------------------------------------------------------------------------
    def verify(self, request: WebhookRequest) -> None:
        secret = self.settings.telegram_webhook_secret
        if not secret:
            raise SignatureError("TELEGRAM_WEBHOOK_SECRET is not configured")
        given = request.headers.get("x-telegram-bot-api-secret-token")
        if not given:
            raise SignatureError("missing X-Telegram-Bot-Api-Secret-Token")
        if not hmac.compare_digest(given.encode(), secret.encode()):
            raise SignatureError("X-Telegram-Bot-Api-Secret-Token does not match")

    def parse(self, request: WebhookRequest) -> Inbound:
        try:
            data = json.loads(request.body)
        except (ValueError, UnicodeDecodeError):
            raise InputError("body is not JSON") from None
        return self.parse_update(data)

    def parse_update(self, data: Any) -> Inbound:
        if not isinstance(data, dict) or not isinstance(data.get("update_id"), int):
            raise InputError("not a Telegram update")
        try:
            update = Update.de_json(data, None)
        except (KeyError, TypeError, ValueError) as exc:
            raise InputError(f"malformed update ({type(exc).__name__})") from None
        provider_id = str(update.update_id)
        query = update.callback_query
        if query is not None and query.message is not None:
            chat = str(query.message.chat.id)
            msg = InboundMessage("telegram", chat, provider_id, text=query.data or "",
                                 org_slug=self._org(chat, None), button=query.data or None)
            return Inbound(messages=(msg,))
        message = update.message or update.edited_message
        if message is None or message.chat.type != "private":
            return Inbound()  # channel posts, group messages, member updates: nothing to answer
        chat = str(message.chat.id)
        text = message.text or message.caption or ""
        payload = None
        start = PAYLOAD_RE.match(text)
        if start:
            payload, text = start.group(1), ""
        phone = None
        sender = message.from_user
        if message.contact is not None and sender is not None and message.contact.user_id == sender.id:
            # Only the user's own number (the "share my number" key) is vouched for.
            digits = re.sub(r"[^\d]", "", message.contact.phone_number)
            phone = "+" + digits if digits else None
        location = Location(message.location.latitude, message.location.longitude) if message.location else None
        media, refused = self._media(message, provider_id)
        org = self._org(chat, payload)
        raw: dict[str, Any] = {"refused_media": refused} if refused else {}
        if payload:
            raw["field_site"] = self._site(org, payload)  # None: a plain org link forgets an earlier site
        msg = InboundMessage("telegram", chat, provider_id, text=text, org_slug=org,
                             location=location, media=media, phone=phone, raw=raw)
        return Inbound(messages=(msg,))

    def _org(self, chat: str, payload: str | None) -> str:
        if payload:
            slug = payload.split("-", 1)[0].lower()
            if slug in self._orgs:
                return slug
        return self.org_of_chat(chat) or self.settings.default_org

    def _site(self, org: str, payload: str) -> str | None:
        """The field site of a deep link ("alhuda-juhfa_miqat" -> "juhfa_miqat") when the org lists it (R15)."""
        slug, _, site = payload.partition("-")
        if slug.lower() != org or not site:
            return None
        return site if self.settings.directory.has_field_site(org, site) else None

    def _media(self, message: Any, provider_id: str) -> tuple[tuple[Media, ...], list[dict[str, Any]]]:
        """The accepted files, and the refused ones (type, size) that the beneficiary must be told about."""
        found: list[tuple[str, int | None, str]] = []
        if message.photo:
            largest = message.photo[-1]
            found.append((largest.file_id, largest.file_size, "image/jpeg"))
        if message.document is not None:
            doc = message.document
            found.append((doc.file_id, doc.file_size, doc.mime_type or "application/octet-stream"))
        media, refused = [], []
        for i, (file_id, size, ctype) in enumerate(found):
            if ctype not in self.settings.media_types or (size or 0) > self.settings.media_max_bytes:
                log.info("telegram media refused (type %s, %s bytes)", ctype, size)
                reason = "type" if ctype not in self.settings.media_types else "size"
                refused.append({"content_type": ctype, "reason": reason, "max_bytes": self.settings.media_max_bytes})
                continue
            media.append(Media(url=f"tg-file:{file_id}", content_type=ctype, size=size, name=f"{provider_id}_{i}"))
        return tuple(media), refused

    def fetch_media(self, url: str, content_type: str, dest_stem: str) -> tuple[str, int]:
        import mimetypes

        from connectors.media import base_type

        file_id = url.removeprefix("tg-file:")
        ext = mimetypes.guess_extension(base_type(content_type)) or ".bin"
        path = self.settings.media_dir / Path(dest_stem + ext)
        path.parent.mkdir(parents=True, exist_ok=True)

        async def fetch(bot: Bot) -> Path:
            tg_file = await bot.get_file(file_id)
            if (tg_file.file_size or 0) > self.settings.media_max_bytes:
                raise MediaRefused("media is over the size limit", reason="size")
            return await tg_file.download_to_drive(path)

        try:
            saved = self.call(fetch)
        except TelegramError as exc:
            raise MediaRefused(f"media download failed ({type(exc).__name__})", reason="failed") from None
        return str(saved), saved.stat().st_size

    # ---- outbound -------------------------------------------------------------------------------
    def render(self, out: Outgoing) -> str:
        return out.text  # buttons are real here

    def markup(self, out: Outgoing) -> InlineKeyboardMarkup | ReplyKeyboardMarkup | None:
        if out.buttons:
            rows = [[InlineKeyboardButton(b.title, callback_data=b.id[:64])] for b in out.buttons]
            return InlineKeyboardMarkup(rows)
        if out.meta.get("expects") == "phone":
            key = KeyboardButton(out.meta.get("share_label") or "📱 مشاركة رقمي", request_contact=True)
            return ReplyKeyboardMarkup([[key]], one_time_keyboard=True, resize_keyboard=True)
        return None

    def send(self, out: Outgoing) -> SendResult:
        markup = self.markup(out)
        try:
            message = self.call(lambda bot: bot.send_message(chat_id=int(out.to), text=self.render(out)[:4096],
                                                             reply_markup=markup))
        except RetryAfter as exc:
            wait = exc.retry_after
            seconds = wait.total_seconds() if isinstance(wait, timedelta) else float(wait)
            raise Throttled(f"telegram flood control: retry in {seconds:.0f}s", retry_after=seconds,
                            code="429") from None
        except Forbidden:
            raise ContactStopped("the user blocked the bot", code="403") from None
        except BadRequest as exc:
            raise SendError(f"telegram refused the message: {exc.message}", retryable=False, code="400") from None
        except NetworkError as exc:  # includes TimedOut and 5xx answers
            if _after_request_left(exc):
                raise Ambiguous(f"no answer from telegram after the request left ({type(exc).__name__})") from None
            raise SendError(f"telegram unreachable ({type(exc).__name__})", retryable=True) from None
        except TelegramError as exc:
            raise SendError(f"telegram error ({type(exc).__name__})", retryable=True) from None
        return SendResult(str(message.message_id), "telegram")


def _after_request_left(exc: NetworkError) -> bool:
    """The request reached Telegram (or may have) and no answer came: a read timeout, a dropped connection.

    PTB wraps httpx's error (`__cause__`); a connect or pool timeout, or a refused connection, never sent
    anything. Telegram has no list of sent messages to ask afterwards: the outbox does not send it again.
    """
    cause = exc.__cause__
    if isinstance(cause, (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout)):
        return False
    return isinstance(cause, (httpx.ReadTimeout, httpx.WriteTimeout, httpx.RemoteProtocolError, httpx.ReadError))
