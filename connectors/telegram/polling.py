"""`tawasul telegram set-webhook | delete-webhook | poll`, and the long-polling loop `serve` uses.

    tawasul telegram set-webhook     # registers PUBLIC_BASE_URL/webhooks/telegram with TELEGRAM_WEBHOOK_SECRET
    tawasul telegram poll            # no public URL needed: getUpdates in a loop (a laptop, a demo)

`tawasul serve` polls by itself when TELEGRAM_BOT_TOKEN is set and TELEGRAM_WEBHOOK_SECRET is not.
Polled updates take the same path as webhook ones: parse -> Runtime.accept -> turn runner -> outbox.
"""

from __future__ import annotations

import argparse
import logging
import signal
import threading
import time
from collections.abc import Callable
from functools import partial

from telegram import Bot, Update

from bot.errors import InputError
from connectors.config import Settings, install_redaction
from connectors.telegram.channel import TelegramChannel

log = logging.getLogger("tawasul.telegram")
ALLOWED_UPDATES = ["message", "edited_message", "callback_query"]


async def _get_updates(bot: Bot, *, offset: int | None, timeout: int) -> tuple[Update, ...]:
    return await bot.get_updates(offset=offset, timeout=timeout, allowed_updates=ALLOWED_UPDATES)


class Poller:
    """getUpdates in a thread; each message goes to `accept` (which returns a contact id or None)."""

    def __init__(self, channel: TelegramChannel, accept: Callable[[object], int | None],
                 submit: Callable[[int], None], timeout: int = 25) -> None:
        self.channel, self.accept, self.submit, self.timeout = channel, accept, submit, timeout
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        self.channel.call(lambda bot: bot.delete_webhook(drop_pending_updates=False))
        self._thread = threading.Thread(target=self.run, name="telegram-poll", daemon=True)
        self._thread.start()
        log.info("telegram: long polling started")

    def stop(self) -> None:
        self._stop.set()

    def run(self) -> None:
        offset: int | None = None
        while not self._stop.is_set():
            try:
                updates = self.channel.call(partial(_get_updates, offset=offset, timeout=self.timeout),
                                            timeout=self.timeout + 30)
            except Exception as exc:  # noqa: BLE001 - network trouble: wait and poll again
                log.warning("telegram: getUpdates failed (%s); retrying", type(exc).__name__)
                self._stop.wait(3)
                continue
            for update in updates:
                offset = update.update_id + 1
                try:
                    inbound = self.channel.parse_update(update.to_dict())
                except InputError as exc:
                    log.info("telegram: update ignored: %s", exc)
                    continue
                for msg in inbound.messages:
                    contact_id = self.accept(msg)
                    if contact_id is not None:
                        self.submit(contact_id)


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="tawasul telegram")
    sub = parser.add_subparsers(dest="action", required=True)
    sub.add_parser("set-webhook", help="point Telegram at PUBLIC_BASE_URL/webhooks/telegram")
    sub.add_parser("delete-webhook", help="stop webhook delivery (before polling elsewhere)")
    sub.add_parser("poll", help="run the bot by long polling (no public URL needed)")
    args = parser.parse_args(argv)
    settings = Settings.from_env()
    install_redaction(settings)
    if not settings.telegram_bot_token:
        print("TELEGRAM_BOT_TOKEN is not set")
        return 2
    channel = TelegramChannel(settings)
    try:
        if args.action == "set-webhook":
            if not (settings.public_base_url and settings.telegram_webhook_secret):
                print("PUBLIC_BASE_URL and TELEGRAM_WEBHOOK_SECRET must both be set")
                return 2
            url = f"{settings.public_base_url}/webhooks/telegram"
            channel.call(lambda bot: bot.set_webhook(url, secret_token=settings.telegram_webhook_secret,
                                                     allowed_updates=ALLOWED_UPDATES))
            print(f"webhook set to {url}")
            return 0
        if args.action == "delete-webhook":
            channel.call(lambda bot: bot.delete_webhook())
            print("webhook deleted")
            return 0
        return _poll_forever(settings)
    finally:
        channel.close()


def _poll_forever(settings: Settings) -> int:
    from bot.app import build_service

    service = build_service(settings=settings, poll=True)
    for start in service.started:
        start()
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    try:
        while not stop.is_set():
            time.sleep(0.5)
    except KeyboardInterrupt:
        pass
    for halt in service.stopped:
        halt()
    return 0
