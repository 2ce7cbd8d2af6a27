"""Bot-side client of the Rasa NLU server (`POST /model/parse`), with a fallback when it is down.

Deterministic entities (`nlu.entities.extract`) and the language (`nlu.langid.detect_language`) are
always computed here, in the bot's process, so they are there even when the server is not: then
`intent` is None and `confidence` 0.0, and the bot keeps serving through menus and digits.

    >>> client = NLUClient(None)          # no server configured: fallback only
    >>> r = client.parse("رقمي 0551234567")
    >>> (r.intent, r.language, r.entities[0]["value"])
    (None, 'ar', '+966551234567')

A warning is logged once per outage (and an info line when the server answers again); the text of a
message is never logged: it is personal data.
"""

from __future__ import annotations

import logging
import os
import threading
from dataclasses import dataclass, field
from typing import Any, Self

import httpx

from nlu.auth import hide_token_in_logs, token_params
from nlu.entities import extract
from nlu.langid import detect_language

__all__ = [
    "CONFIDENCE_THRESHOLD",
    "INTENTS",
    "NLUClient",
    "NLUResult",
    "clarification_options",
    "needs_clarification",
    "needs_danger_check",
]

log = logging.getLogger(__name__)

INTENTS = [
    "greet",
    "goodbye",
    "thanks",
    "affirm",
    "deny",
    "request_service",
    "check_status",
    "file_complaint",
    "give_rating",
    "human_handoff",
    "ask_info",
    "volunteer",
    "cancel",
    "urgent_help",
    "privacy_request",
    "out_of_scope",
]

# Below this top-intent confidence the bot asks which of the top intents was meant (measured on the
# held-out file with `tawasul nlu eval`: wrong predictions sit mostly below it, right ones above).
CONFIDENCE_THRESHOLD = 0.5
# urgent_help with at least this probability, but not confident, is a case for asking "is anyone in
# danger now?" rather than either raising an alert or ignoring it (the server says what is confident).
DANGER_CHECK_FLOOR = 0.15
# Intents at least this confident are offered as "did you mean" choices.
OPTION_FLOOR = 0.08
# The NLU sees at most this many characters: enough for any intent, bounded latency.
MAX_NLU_CHARS = 1000


@dataclass(frozen=True)
class NLUResult:
    """What the NLU made of one message. `intent` is None when the server could not be asked."""

    text: str
    intent: str | None
    confidence: float
    ranking: list[tuple[str, float]] = field(default_factory=list)
    language: str = "other"
    entities: list[dict[str, Any]] = field(default_factory=list)
    # From the server's E5IntentGate (None with an older model or no server): the calibrated
    # probability of urgent_help, whether it is high enough to act on, and how unlike every in-scope
    # training example the message is (0 = like one of them).
    urgent_score: float | None = None
    urgent_confident: bool | None = None
    novelty: float | None = None

    def as_predict_json(self) -> dict[str, Any]:
        """The `tawasul nlu predict` line: text, intent, confidence, language, entities[entity, value]."""
        return {
            "text": self.text,
            "intent": self.intent,
            "confidence": round(self.confidence, 4),
            "language": self.language,
            "entities": [{"entity": e["entity"], "value": e["value"]} for e in self.entities],
        }


def needs_clarification(result: NLUResult) -> bool:
    """True when the bot should ask "did you mean ...?" instead of opening a flow.

    Not when the server was unavailable (intent None: the bot shows its menu) and not for a
    confident out_of_scope (the bot says politely it cannot help, with the menu).
    """
    return result.intent is not None and result.confidence < CONFIDENCE_THRESHOLD


def needs_danger_check(result: NLUResult) -> bool:
    """True when the message may be an emergency but the NLU is not sure: ask "is anyone in danger now?".

    A confident urgent_help is acted on directly; a small urgent_help probability is ignored.
    """
    if result.urgent_score is None or result.urgent_confident:
        return False
    return result.urgent_score >= DANGER_CHECK_FLOOR


def clarification_options(result: NLUResult, n: int = 3) -> list[str]:
    """The top 2-3 intents to offer as buttons (out_of_scope is never offered)."""
    options = [name for name, conf in result.ranking if name != "out_of_scope" and conf >= OPTION_FLOOR]
    if len(options) < 2:
        options = [name for name, _ in result.ranking if name != "out_of_scope"]
    return options[:n]


class NLUClient:
    """Ask the NLU server for the intent; compute entities and language locally.

    `url` is the server's base URL (e.g. "http://127.0.0.1:5005"), a comma-separated list of servers
    ("http://nlu1:5005,http://nlu2:5005": requests go round the healthy ones, a server that fails is skipped
    and the request tried on the next; a health check brings it back when it answers again), or None for
    fallback only. `timeout` is TAWASUL_NLU_TIMEOUT seconds by default.
    """

    def __init__(self, url: str | None, timeout: float | None = None, transport: httpx.BaseTransport | None = None,
                 token: str | None = None, check_every: float = 2.0):
        self.urls = [u.strip().rstrip("/") for u in (url or "").split(",") if u.strip()]
        self.url = ",".join(self.urls) if self.urls else None
        self._params = token_params(token)  # the server's API token (nlu/auth.py), never logged
        hide_token_in_logs()
        self.timeout = timeout if timeout is not None else float(os.environ.get("TAWASUL_NLU_TIMEOUT", "2"))
        self._http = httpx.Client(timeout=self.timeout, transport=transport) if self.urls else None
        self._lock = threading.Lock()
        self._down_servers: set[str] = set()
        self._turn = 0
        self._check_every = check_every
        self._checker: threading.Thread | None = None
        self._closed = threading.Event()

    @property
    def _down(self) -> bool:
        """Every server is down (the bot serves through menus and digits)."""
        return bool(self.urls) and len(self._down_servers) == len(self.urls)

    def servers(self) -> dict[str, str]:
        """Each server and what the client thinks of it: 'up' or 'down'."""
        with self._lock:
            return {u: "down" if u in self._down_servers else "up" for u in self.urls}

    def close(self) -> None:
        self._closed.set()
        if self._http is not None:
            self._http.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def parse(self, text: str) -> NLUResult:
        """Intent, ranking, language and entities of `text`; never raises for a server problem."""
        language = detect_language(text)
        entities = extract(text)
        data = self._ask(text) if text.strip() else None
        if data is None:
            return NLUResult(text, None, 0.0, [], language, entities)
        intent = data.get("intent") or {}
        ranking = [
            (str(r["name"]), float(r["confidence"]))
            for r in data.get("intent_ranking") or []
            if r.get("name")
        ]
        name = intent.get("name")
        extra_raw = data.get("tawasul")
        extra: dict[str, Any] = extra_raw if isinstance(extra_raw, dict) else {}
        urgent_raw = extra.get("urgent")
        urgent: dict[str, Any] = urgent_raw if isinstance(urgent_raw, dict) else {}
        score = urgent.get("score")
        novelty = extra.get("novelty")
        return NLUResult(
            text,
            name,
            float(intent.get("confidence") or 0.0),
            ranking,
            language,
            entities,
            urgent_score=float(score) if score is not None else None,
            urgent_confident=bool(urgent["confident"]) if "confident" in urgent else None,
            novelty=float(novelty) if novelty is not None else None,
        )

    def _ask(self, text: str) -> dict[str, Any] | None:
        if self._http is None:
            return None
        for server in self._order():
            try:
                response = self._http.post(f"{server}/model/parse", params=self._params,
                                           json={"text": text[:MAX_NLU_CHARS]})
                response.raise_for_status()
                data = response.json()
            except (httpx.HTTPError, ValueError) as exc:
                self._mark(server, down=True, reason=type(exc).__name__)
                continue  # the next server, with the same message
            self._mark(server, down=False)
            return data if isinstance(data, dict) else None
        return None

    def _order(self) -> list[str]:
        """The healthy servers, starting one further each request (load spread); none when all are down."""
        with self._lock:
            up = [u for u in self.urls if u not in self._down_servers]
            if len(self.urls) == 1:
                return list(self.urls)  # one server: always asked (it is its own health check)
            self._turn += 1
            return up[self._turn % len(up):] + up[:self._turn % len(up)] if up else []

    def _mark(self, server: str, down: bool, reason: str = "") -> None:
        with self._lock:
            was_down = server in self._down_servers
            if down and not was_down:
                self._down_servers.add(server)
                log.warning(
                    "NLU server %s unavailable (%s): %s", server, reason,
                    "serving with menus, digits and regex entities until one answers again" if self._down
                    else "asking the others",
                )
                if len(self.urls) > 1 and (self._checker is None or not self._checker.is_alive()):
                    self._checker = threading.Thread(target=self._check_loop, name="nlu-health", daemon=True)
                    self._checker.start()
            elif not down and was_down:
                self._down_servers.discard(server)
                log.info("NLU server %s answers again", server)

    def _check_loop(self) -> None:
        """While a server is down, look at it every `check_every` seconds; it is back when it parses again."""
        while not self._closed.wait(self._check_every):
            with self._lock:
                down = list(self._down_servers)
            if not down:
                return
            for server in down:
                try:
                    response = httpx.post(f"{server}/model/parse", params=self._params, json={"text": "ping"},
                                          timeout=min(self.timeout, 2.0))
                    response.raise_for_status()
                except httpx.HTTPError:
                    continue
                self._mark(server, down=False)
