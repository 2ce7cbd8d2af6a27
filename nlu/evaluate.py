"""Held-out evaluation: per-intent precision/recall/F1, macro-F1, accuracy per language and variety,
language-id accuracy, calibration and the most frequent confusions (`tawasul nlu eval`); and the
robustness report over real-traffic-like messages (`nlu/tests/robustness.yml`): off-topic messages
that would start an action, urgent false alarms, emergency recall, language id and calibration.

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

__all__ = [
    "NON_ACTING",
    "VARIETIES",
    "Example",
    "Prediction",
    "Report",
    "RobustnessReport",
    "evaluate",
    "expected_calibration_error",
    "format_report",
    "format_robustness",
    "load_examples",
    "load_heldout",
    "load_robustness",
    "robustness_of",
]

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
    ece: float = 0.0


def load_examples(path: Path) -> list[Example]:
    """`intent: [{text, lang, variety}, ...]` (variety optional; lang `any` = no language to check)."""
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    return [
        Example(str(e["text"]), str(intent), str(e.get("lang", "any")), str(e.get("variety", e.get("lang", ""))))
        for intent, examples in data.items()
        for e in examples or []
    ]


def load_heldout(path: Path = paths.HELDOUT) -> list[Example]:
    return load_examples(path)


def load_robustness(path: Path = paths.ROBUSTNESS) -> list[Example]:
    return load_examples(path)


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
        langid_accuracy=_langid(predictions),
        confusions=confusions,
        ece=expected_calibration_error(predictions),
    )


def _langid(predictions: list[Prediction]) -> float:
    """Language-id accuracy over the examples that have a language (`lang: any` is skipped)."""
    return _share([p.language == p.example.lang for p in predictions if p.example.lang != "any"])[0]


def expected_calibration_error(predictions: list[Prediction], bins: int = 10) -> float:
    """ECE of the top intent's confidence: sum over equal-width bins of |accuracy - mean confidence|,
    weighted by the share of predictions in the bin (0 = confidences mean what they say)."""
    if not predictions:
        return 0.0
    total = 0.0
    for b in range(bins):
        lo, hi = b / bins, (b + 1) / bins
        inside = [p for p in predictions if lo < p.confidence <= hi or (b == 0 and p.confidence <= 0)]
        if not inside:
            continue
        acc = sum(p.intent == p.example.intent for p in inside) / len(inside)
        conf = sum(p.confidence for p in inside) / len(inside)
        total += len(inside) / len(predictions) * abs(acc - conf)
    return total


# Intents that do not start an action: small talk, answers to a question, information, "can't help".
# Any other intent at or above the acting threshold opens a flow (bot/engine.py).
NON_ACTING = frozenset({"greet", "goodbye", "thanks", "affirm", "deny", "ask_info", "out_of_scope"})


@dataclass(frozen=True)
class RobustnessReport:
    predictions: list[Prediction]
    threshold: float
    offtopic: int  # examples labelled out_of_scope
    offtopic_acted: list[Prediction]  # ... that would start an action
    false_alarms: list[Prediction]  # not emergencies, urgent_help at or above the threshold
    urgent_top_nonemergency: list[Prediction]  # not emergencies, urgent_help on top at any confidence
    emergencies: int
    emergencies_acted: int  # urgent_help at or above the threshold
    emergencies_top: int  # urgent_help on top at any confidence (the bot can ask "is anyone in danger?")
    in_domain_accuracy: float
    langid_accuracy: float
    langid_n: int
    ece: float
    offtopic_by_language: dict[str, tuple[float, int]]

    @property
    def offtopic_action_rate(self) -> float:
        return len(self.offtopic_acted) / self.offtopic if self.offtopic else 0.0

    @property
    def emergency_recall(self) -> float:
        return self.emergencies_acted / self.emergencies if self.emergencies else 0.0


def robustness_of(predictions: list[Prediction], threshold: float) -> RobustnessReport:
    def acts(p: Prediction) -> bool:
        return p.intent is not None and p.intent not in NON_ACTING and p.confidence >= threshold

    offtopic = [p for p in predictions if p.example.intent == "out_of_scope"]
    emergencies = [p for p in predictions if p.example.intent == "urgent_help"]
    others = [p for p in predictions if p.example.intent != "urgent_help"]
    in_domain = [p for p in predictions if p.example.intent != "out_of_scope"]
    with_lang = [p for p in predictions if p.example.lang != "any"]
    by_lang: dict[str, list[bool]] = defaultdict(list)
    for p in offtopic:
        by_lang[p.example.lang].append(acts(p))
    return RobustnessReport(
        predictions=predictions,
        threshold=threshold,
        offtopic=len(offtopic),
        offtopic_acted=[p for p in offtopic if acts(p)],
        false_alarms=[p for p in others if p.intent == "urgent_help" and p.confidence >= threshold],
        urgent_top_nonemergency=[p for p in others if p.intent == "urgent_help"],
        emergencies=len(emergencies),
        emergencies_acted=sum(p.intent == "urgent_help" and p.confidence >= threshold for p in emergencies),
        emergencies_top=sum(p.intent == "urgent_help" for p in emergencies),
        in_domain_accuracy=_share([p.intent == p.example.intent for p in in_domain])[0],
        langid_accuracy=_langid(predictions),
        langid_n=len(with_lang),
        ece=expected_calibration_error(predictions),
        offtopic_by_language={k: _share(v) for k, v in sorted(by_lang.items())},
    )


def format_robustness(r: RobustnessReport, show_errors: bool = True) -> str:
    n = len(r.predictions)
    lines = [
        (
            f"{n} messages ({r.offtopic} off-topic, {r.emergencies} emergencies), "
            f"acting threshold {r.threshold:.2f}"
        ),
        f"off-topic into action: {len(r.offtopic_acted)}/{r.offtopic} = {r.offtopic_action_rate:.1%}   by language: "
        + "  ".join(f"{k} {a:.1%} ({m})" for k, (a, m) in r.offtopic_by_language.items()),
        (
            f"urgent false alarms (not an emergency, urgent_help >= threshold): {len(r.false_alarms)}"
            f"   (urgent_help on top at any confidence: {len(r.urgent_top_nonemergency)})"
        ),
        (
            f"emergency recall: {r.emergencies_acted}/{r.emergencies} = {r.emergency_recall:.3f}"
            f"   (urgent_help on top at any confidence: {r.emergencies_top}/{r.emergencies})"
        ),
        f"in-domain accuracy: {r.in_domain_accuracy:.3f}",
        f"language-id accuracy: {r.langid_accuracy:.3f} ({r.langid_n} messages with a language)",
        f"ECE (10 bins): {r.ece:.3f}",
    ]
    if show_errors:
        for title, items in (
            ("off-topic that would act", r.offtopic_acted),
            ("urgent false alarms", r.false_alarms),
            (
                "emergencies not acted on",
                [p for p in r.predictions if p.example.intent == "urgent_help"
                 and not (p.intent == "urgent_help" and p.confidence >= r.threshold)],
            ),
            ("language id wrong", [p for p in r.predictions
                                   if p.example.lang != "any" and p.language != p.example.lang]),
        ):
            if items:
                lines.append(f"{title}:")
                for p in items:
                    lines.append(
                        f"   [{p.example.lang}] {p.example.intent} -> {p.intent} ({p.confidence:.2f}, "
                        f"lang {p.language}): {p.example.text}"
                    )
    return "\n".join(lines)


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
    lines.append(f"ECE (10 bins): {report.ece:.3f}")
    wrong_lang = [p for p in report.predictions if p.example.lang != "any" and p.language != p.example.lang]
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
