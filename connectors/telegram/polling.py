"""The Telegram long-polling loop `serve` uses (the `tawasul telegram` command is in bot/app.py).

    tawasul telegram set-webhook     # registers PUBLIC_BASE_URL/webhooks/telegram with TELEGRAM_WEBHOOK_SECRET
    tawasul telegram poll            # no public URL needed: getUpdates in a loop (a laptop, a demo)

`tawasul serve` polls by itself when TELEGRAM_BOT_TOKEN is set and TELEGRAM_WEBHOOK_SECRET is not.
Polled updates take the same path as webhook ones: parse -> Runtime.accept -> turn runner -> outbox.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from functools import partial

from telegram import Bot, Update

from bot.errors import InputError
from connectors.telegram.channel import TelegramChannel

log = logging.getLogger("tawasul.telegram")
ALLOWED_UPDATES = ["message", "edited_message", "callback_query"]


async def _get_updates(bot: Bot, *, offset: int | None, timeout: int) -> tuple[Update, ...]:
    return await bot.get_updates(offset=offset, timeout=timeout, allowed_updates=ALLOWED_UPDATES)


class Poller:
    """getUpdates in a thread; each message goes to `accept` (which returns a contact id or None)."""

    def __init__(self, channel: TelegramChannel, accept: Callable[[object], int | None],
                 submit: Callable[[int], None], timeout: int = 25,
                 may_poll: Callable[[], bool] = lambda: True) -> None:
        self.channel, self.accept, self.submit, self.timeout = channel, accept, submit, timeout
        # Several `serve` processes on one database: only the one holding the poller role polls (Telegram
        # answers a second getUpdates with 409 Conflict); the others wait and take over if it goes.
        self.may_poll = may_poll
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
            if not self.may_poll():
                self._stop.wait(5)
                continue
            try:
                updates = self.channel.call(partial(_get_updates, offset=offset, timeout=self.timeout),
                                            timeout=self.timeout + 30)
            except Exception as exc:  # noqa: BLE001 - network trouble: wait and poll again
                log.warning("telegram: getUpdates failed (%s); retrying", type(exc).__name__)
                self._stop.wait(3)
                continue
            for update in updates:
                try:
                    inbound = self.channel.parse_update(update.to_dict())
                    for msg in inbound.messages:
                        contact_id = self.accept(msg)
                        if contact_id is not None:
                            self.submit(contact_id)
                except InputError as exc:
                    log.info("telegram: update ignored: %s", exc)
                except Exception as exc:  # noqa: BLE001 - e.g. the database is away: Telegram keeps the update
                    # The offset stays before this update, so the next getUpdates delivers it again (a message
                    # of it already stored is dropped by its id); the thread lives on.
                    log.warning("telegram: update not stored (%s); polling it again", type(exc).__name__)
                    self._stop.wait(3)
                    break
                offset = update.update_id + 1
