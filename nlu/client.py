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

    `url` is the server's base URL (e.g. "http://127.0.0.1:5005"), or None for fallback only.
    """

    def __init__(self, url: str | None, timeout: float = 2.0, transport: httpx.BaseTransport | None = None,
                 token: str | None = None):
        self.url = url.rstrip("/") if url else None
        self._params = token_params(token)  # the server's API token (nlu/auth.py), never logged
        hide_token_in_logs()
        self.timeout = timeout
        self._http = httpx.Client(timeout=timeout, transport=transport) if self.url else None
        self._lock = threading.Lock()
        self._down = False

    def close(self) -> None:
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
        try:
            response = self._http.post(f"{self.url}/model/parse", params=self._params,
                                       json={"text": text[:MAX_NLU_CHARS]})
            response.raise_for_status()
            data = response.json()
        except (httpx.HTTPError, ValueError) as exc:
            self._mark(down=True, reason=type(exc).__name__)
            return None
        self._mark(down=False)
        return data if isinstance(data, dict) else None

    def _mark(self, down: bool, reason: str = "") -> None:
        with self._lock:
            if down and not self._down:
                log.warning(
                    "NLU server %s unavailable (%s): serving with menus, digits and regex "
                    "entities until it answers again",
                    self.url,
                    reason,
                )
            elif not down and self._down:
                log.info("NLU server %s answers again", self.url)
            self._down = down
