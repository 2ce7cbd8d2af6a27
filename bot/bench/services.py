"""`tawasul probe services`: which service the bot chooses from a free-text request, against a labelled set.

    tawasul probe services [--set dev|heldout|PATH] [--show]

Each example is an association, a message and the service meant (null: no single one, the bot should ask).
Prints per language and in all: chosen right, asked (no service chosen: the person picks from the list),
chosen wrong. A wrong choice costs more than a question: the widow offered water instead of food.
`nlu/tests/service_choice.yml` is the set the lexicon (bot/lang/needs.py) was developed on;
`nlu/tests/service_choice_heldout.yml` was written apart and never used for tuning.
"""

from __future__ import annotations

import argparse
import sys
from collections import Counter
from pathlib import Path
from typing import Any

import yaml

from bot.flows.intake.choose import choose
from orgs import load_org

SETS = {"dev": "service_choice.yml", "heldout": "service_choice_heldout.yml"}
FOLDER = Path(__file__).resolve().parents[2] / "nlu" / "tests"


def outcome(example: dict[str, Any]) -> tuple[str, str | None]:
    """("right" | "asked" | "wrong", the service chosen) for one labelled example."""
    chosen = choose(load_org(example["org"]).services, str(example["text"]))
    got = chosen.id if chosen is not None else None
    if got == example.get("service"):
        return "right", got
    return ("asked" if got is None else "wrong"), got


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="tawasul probe services")
    parser.add_argument("--set", default="heldout", help="dev, heldout or a YAML file (default: heldout)")
    parser.add_argument("--show", action="store_true", help="print each example that was not chosen right")
    args = parser.parse_args(argv)
    path = FOLDER / SETS[args.set] if args.set in SETS else Path(args.set)
    try:
        examples = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        print(f"tawasul probe services: {path}: {exc}", file=sys.stderr)
        return 2
    counts: Counter[tuple[str, str]] = Counter()
    for ex in examples:
        kind, got = outcome(ex)
        for lang in (str(ex.get("lang", "?")), "all"):
            counts[(lang, kind)] += 1
        if args.show and kind != "right":
            print(f"{kind:5} [{ex['org']}/{ex.get('lang')}] wanted {ex.get('service')}, got {got}: {ex['text']}")
    print(f"{path.name}: {len(examples)} requests")
    print(f"{'language':10} {'right':>6} {'asked':>6} {'wrong':>6}")
    for lang in sorted({lang for lang, _ in counts}, key=lambda x: (x == "all", x)):
        row = [counts[(lang, k)] for k in ("right", "asked", "wrong")]
        print(f"{lang:10} {row[0]:6d} {row[1]:6d} {row[2]:6d}")
    return 0
