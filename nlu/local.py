"""The NLU a command uses: NLU_URL when set, else a local Rasa server it starts and stops itself.

`chat` starts the server on the first message that needs it (a field answer never does);
`serve` starts it in the background so /healthz and the webhooks answer at once, the bot serving
through menus, digits and regex entities until the model is loaded.
"""

from __future__ import annotations

import contextlib
import logging
import os
import threading

from nlu.client import NLUClient, NLUResult

log = logging.getLogger("tawasul.nlu")


class LocalNLU:
    """An `Understander` over NLU_URL or a server of its own, closed with the given ExitStack."""

    def __init__(self, stack: contextlib.ExitStack, *, background: bool = False) -> None:
        self._stack = stack
        self._lock = threading.Lock()
        self._fallback = NLUClient(None)
        self._client: NLUClient | None = None
        self._starting = False
        url = os.environ.get("NLU_URL")
        if url:
            self._client = NLUClient(url)
        elif background:
            self._start_async()

    @property
    def url(self) -> str | None:
        return self._client.url if self._client else None

    @property
    def starting(self) -> bool:
        return self._starting

    def _start(self) -> NLUClient:
        from nlu.server import ServerError, running_server

        try:
            url: str | None = self._stack.enter_context(running_server())
        except ServerError as exc:
            log.warning("local NLU server not started (%s); serving with menus, digits and regex entities", exc)
            url = None
        return NLUClient(url)

    def _start_async(self) -> None:
        self._starting = True

        def run() -> None:
            client = self._start()
            with self._lock:
                self._client, self._starting = client, False
            log.info("local NLU server ready at %s", client.url)

        threading.Thread(target=run, name="nlu-start", daemon=True).start()

    def parse(self, text: str) -> NLUResult:
        with self._lock:
            client, starting = self._client, self._starting
        if client is None and starting:
            return self._fallback.parse(text)
        if client is None:
            with self._lock:
                if self._client is None:
                    self._client = self._start()
                client = self._client
        return client.parse(text)
