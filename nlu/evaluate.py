"""Held-out evaluation: per-intent precision/recall/F1, macro-F1, accuracy per language and variety,
language-id accuracy and the most frequent confusions (`tawasul nlu eval`).

The held-out file (`nlu/tests/heldout.yml`) maps each intent to examples tagged with the language the
bot should answer in and a variety label:

    greet:
      - {text: "هلا والله", lang: ar, variety: gulf}
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

import yaml

from nlu import paths
from nlu.langid import detect_language

__all__ = ["VARIETIES", "Example", "Prediction", "Report", "evaluate", "format_report", "load_heldout"]

VARIETIES = ("msa", "gulf", "egyptian", "levantine", "arabizi", "en", "ur", "ur_latn", "id")
DIALECT_ROWS = ("gulf", "egyptian", "levantine")


@dataclass(frozen=True)
class Example:
    text: str
    intent: str
    lang: str
    variety: str


@dataclass(frozen=True)
class Prediction:
    example: Example
    intent: str | None
    confidence: float
    language: str


@dataclass(frozen=True)
class Report:
    predictions: list[Prediction]
    per_intent: dict[str, tuple[float, float, float, int]]  # precision, recall, f1, support
    macro_f1: float
    accuracy: float
    by_variety: dict[str, tuple[float, int]]
    by_language: dict[str, tuple[float, int]]
    langid_accuracy: float
    confusions: list[tuple[tuple[str, str | None], int]]


def load_heldout(path: Path = paths.HELDOUT) -> list[Example]:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    return [
        Example(str(e["text"]), intent, str(e["lang"]), str(e["variety"]))
        for intent, examples in data.items()
        for e in examples
    ]


def _share(flags: list[bool]) -> tuple[float, int]:
    return (sum(flags) / len(flags) if flags else 0.0, len(flags))


def evaluate(examples: Iterable[Example], classify: Callable[[str], tuple[str | None, float]]) -> Report:
    """Run `classify(text) -> (intent, confidence)` over `examples` and compute the report."""
    predictions = []
    for ex in examples:
        intent, confidence = classify(ex.text)
        predictions.append(Prediction(ex, intent, confidence, detect_language(ex.text)))
    return report_of(predictions)


def report_of(predictions: list[Prediction]) -> Report:
    intents = sorted({p.example.intent for p in predictions})
    per_intent = {}
    for intent in intents:
        tp = sum(p.example.intent == intent and p.intent == intent for p in predictions)
        fp = sum(p.example.intent != intent and p.intent == intent for p in predictions)
        support = sum(p.example.intent == intent for p in predictions)
        precision = tp / (tp + fp) if tp + fp else 0.0
        recall = tp / support if support else 0.0
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
        per_intent[intent] = (precision, recall, f1, support)
    by_variety: dict[str, list[bool]] = defaultdict(list)
    by_language: dict[str, list[bool]] = defaultdict(list)
    for p in predictions:
        by_variety[p.example.variety].append(p.intent == p.example.intent)
        by_language[p.example.lang].append(p.intent == p.example.intent)
    confusions = Counter(
        (p.example.intent, p.intent) for p in predictions if p.intent != p.example.intent
    ).most_common()
    return Report(
        predictions=predictions,
        per_intent=per_intent,
        macro_f1=sum(v[2] for v in per_intent.values()) / len(per_intent) if per_intent else 0.0,
        accuracy=_share([p.intent == p.example.intent for p in predictions])[0],
        by_variety={k: _share(by_variety[k]) for k in VARIETIES if k in by_variety},
        by_language={k: _share(v) for k, v in sorted(by_language.items())},
        langid_accuracy=_share([p.language == p.example.lang for p in predictions])[0],
        confusions=confusions,
    )


def format_report(report: Report, show_errors: bool = True) -> str:
    lines = [f"{'intent':<16} {'prec':>6} {'recall':>6} {'f1':>6} {'n':>4}"]
    for intent, (prec, rec, f1, n) in report.per_intent.items():
        lines.append(f"{intent:<16} {prec:6.3f} {rec:6.3f} {f1:6.3f} {n:4d}")
    lines.append(f"{'macro-F1':<16} {report.macro_f1:20.3f}")
    lines.append(f"{'accuracy':<16} {report.accuracy:20.3f}  ({len(report.predictions)} examples)")
    lines.append("")
    lines.append(
        "accuracy by variety: " + "  ".join(f"{k} {a:.3f} ({n})" for k, (a, n) in report.by_variety.items())
    )
    lines.append(
        "accuracy by language: " + "  ".join(f"{k} {a:.3f} ({n})" for k, (a, n) in report.by_language.items())
    )
    lines.append(f"language-id accuracy: {report.langid_accuracy:.3f}")
    wrong_lang = [p for p in report.predictions if p.language != p.example.lang]
    for p in wrong_lang[:20]:
        lines.append(f"   lang {p.example.lang} -> {p.language}: {p.example.text}")
    lines.append("")
    lines.append("confusions (expected -> predicted, count):")
    for (gold, pred), count in report.confusions[:15]:
        lines.append(f"   {gold} -> {pred}: {count}")
    if show_errors:
        lines.append("")
        lines.append("misclassified:")
        for p in report.predictions:
            if p.intent != p.example.intent:
                lines.append(
                    f"   [{p.example.variety}] {p.example.intent} -> {p.intent} "
                    f"({p.confidence:.2f}): {p.example.text}"
                )
    return "\n".join(lines)
