"""A small multinomial naive Bayes over character n-grams and words (stdlib only).

Used by `nlu.langid` to tell apart languages that share a script (Arabic vs Urdu in Arabic letters;
Arabizi vs Roman Urdu vs English vs Indonesian in Latin letters). Trained in a few tens of
milliseconds from our own labelled sentences, so there is no model file to ship or download.
"""

from __future__ import annotations

import math
import re
from collections import Counter, defaultdict
from collections.abc import Iterable

__all__ = ["NaiveBayes", "features"]

_WORD = re.compile(r"[^\W_]+", re.UNICODE)


def features(text: str, max_n: int = 4) -> Counter[str]:
    """Character 1..max_n-grams of each word padded with spaces, plus the words themselves."""
    feats: Counter[str] = Counter()
    for word in _WORD.findall(text.lower()):
        feats["w:" + word] += 2  # whole words carry more weight than any one n-gram
        padded = f" {word} "
        for n in range(1, max_n + 1):
            for i in range(len(padded) - n + 1):
                gram = padded[i : i + n]
                if gram.strip():
                    feats[gram] += 1
    return feats


class NaiveBayes:
    """Multinomial naive Bayes with Laplace smoothing and uniform class priors."""

    def __init__(self, samples: Iterable[tuple[str, str]], alpha: float = 0.5, max_n: int = 4):
        self.max_n = max_n
        counts: dict[str, Counter[str]] = defaultdict(Counter)
        for text, label in samples:
            counts[label].update(features(text, max_n))
        self.labels = sorted(counts)
        vocabulary = set().union(*counts.values()) if counts else set()
        size = len(vocabulary) + 1
        self._log: dict[str, dict[str, float]] = {}
        self._unseen: dict[str, float] = {}
        for label, c in counts.items():
            total = sum(c.values()) + alpha * size
            self._log[label] = {f: math.log((k + alpha) / total) for f, k in c.items()}
            self._unseen[label] = math.log(alpha / total)
        self._known = vocabulary

    def log_scores(self, text: str) -> dict[str, float]:
        """Log-likelihood of `text` under each label (features never seen in training are skipped)."""
        feats = features(text, self.max_n)
        scores = dict.fromkeys(self.labels, 0.0)
        for f, k in feats.items():
            if f not in self._known:
                continue
            for label in self.labels:
                scores[label] += k * self._log[label].get(f, self._unseen[label])
        return scores

    def known_word_share(self, text: str) -> float:
        """Share of the words of `text` seen in training (0.0 when it has no words)."""
        words = _WORD.findall(text.lower())
        return sum(("w:" + w) in self._known for w in words) / len(words) if words else 0.0

    def posteriors(self, text: str) -> dict[str, float]:
        """Normalised probabilities per label (uniform when nothing in `text` is known)."""
        scores = self.log_scores(text)
        top = max(scores.values())
        exp = {label: math.exp(s - top) for label, s in scores.items()}
        total = sum(exp.values())
        return {label: v / total for label, v in exp.items()}


# --- The corpus: our own training sentences, labelled by the data file they come from. ---------------

# Data file stem prefix -> (script, language). Longest prefix wins ("ur_latn" before "ur").
FILE_LANGUAGES = {
    "ar_": ("arabic", "ar"),
    "arabizi": ("latin", "ar"),
    "en": ("latin", "en"),
    "ur_latn": ("latin", "ur"),
    "ur": ("arabic", "ur"),
    "id": ("latin", "id"),
}


def file_language(stem: str) -> tuple[str, str] | None:
    for prefix in sorted(FILE_LANGUAGES, key=len, reverse=True):
        if stem.startswith(prefix):
            return FILE_LANGUAGES[prefix]
    return None


def load_corpus(data_dir: object = None) -> dict[str, list[tuple[str, str]]]:
    """{"arabic": [(text, lang)], "latin": [(text, lang)]} from the Rasa YAML files of nlu/data/."""
    from pathlib import Path

    import yaml

    from nlu import paths

    directory = Path(str(data_dir)) if data_dir else paths.DATA_DIR
    corpus: dict[str, list[tuple[str, str]]] = {"arabic": [], "latin": []}
    for path in sorted(directory.glob("*.yml")):
        kind = file_language(path.stem)
        if kind is None:
            continue
        script, lang = kind
        for block in (yaml.safe_load(path.read_text(encoding="utf-8")) or {}).get("nlu", []):
            for line in str(block.get("examples", "")).splitlines():
                text = line.strip().removeprefix("- ").strip()
                if text:
                    corpus[script].append((text, lang))
    return corpus
