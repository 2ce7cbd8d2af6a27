"""`tawasul probe`: each message of an evaluation set, sent as a new contact's first message through the
real runtime and NLU, and what the bot then DID: started a form or flow, raised an urgent alert, asked
"is anyone in danger now?", or only answered (menu, "did you mean", small talk, information).

    tawasul probe                                    # nlu/tests/robustness.yml, association esrar
    tawasul probe --set blind --org alhuda --show alert    # a set by name, or any YAML file
    tawasul probe chat [--file F] [--only NAME] [--show]    # whole conversations checked (bot.bench.chatprobe)
    tawasul probe services [--set dev|heldout|FILE] [--show]  # the service chosen from free text (bot.bench.services)

The NLU figures (`tawasul nlu eval`) say what the classifier thinks; these say what a person would see.
Not a test: it prints figures. Without NLU_URL a local NLU server is started (and stopped).
"""

from __future__ import annotations

import argparse
import contextlib
import os
import sys
import tempfile
import uuid
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from bot.messages import InboundMessage

REPO = Path(__file__).resolve().parents[2]
SOCIAL = {"greet", "goodbye", "thanks", "affirm", "deny", "ask_info", "out_of_scope"}
# Intents whose flow answers at once and keeps no state for a first-time contact (no request to report on,
# no form to cancel): "reached a flow" is not measured for them.
ANSWER_AT_ONCE = {"check_status", "cancel"}
# Flows that only inform: opening them for an off-topic message is a wrong answer, not a wrong action.
INFORMING = {"info", None}
HARDSHIP_HINTS = ("no food", "rent", "cancer", "treatment", "طعام", "أكل", "اكل", "ايجار", "إيجار", "علاج",
                  "سرطان", "کھانا", "کرایہ", "makan", "sewa", "kanker", "pengobatan")


@dataclass(frozen=True)
class Outcome:
    text: str
    intent: str  # the label in the set
    flow: str | None  # the flow the conversation is in after the message
    expects: str | None
    alert: bool
    handoff: bool

    @property
    def acted(self) -> bool:
        """The bot began something the person did not ask for if the message was off-topic."""
        asked_danger = self.flow == "urgent" and self.expects == "danger"
        return self.alert or self.handoff or (self.flow not in INFORMING and not asked_danger)

    @property
    def kind(self) -> str:
        if self.alert:
            return "alert"
        if self.flow == "urgent" and self.expects == "danger":
            return "asked_danger"
        if self.handoff:
            return "handoff"
        return f"flow:{self.flow}" if self.flow else "answer"


def set_path(name: str) -> Path | None:
    """A set given by name ("blind" -> nlu/tests/blind.yml) or by path; None when neither exists."""
    for candidate in (Path(name), REPO / "nlu" / "tests" / f"{name}.yml"):
        if candidate.is_file():
            return candidate
    return None


def load_set(path: Path) -> list[tuple[str, str]]:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    return [(str(e["text"]), intent) for intent, examples in data.items() for e in examples]


def run(examples: list[tuple[str, str]], org: str, nlu: Any) -> list[Outcome]:
    from bot.turn.runtime import Runtime
    from storage.db import make_engine
    from storage.migrate import upgrade

    work = Path(tempfile.mkdtemp(prefix="tawasul-probe-"))
    url = f"sqlite:///{work}/probe.db"
    upgrade(url)
    runtime = Runtime(engine=make_engine(url), nlu=nlu, default_org=org)
    outcomes = []
    for i, (text, intent) in enumerate(examples):
        msg = InboundMessage("console", f"probe-{i}", str(uuid.uuid4()), text, org)
        rows = runtime.handle(msg)
        events = [e for row in rows for e in row.events]
        session = rows[-1].session if rows else {}
        outcomes.append(Outcome(text, intent, session.get("flow"), session.get("expects"),
                                any(e.get("type") == "urgent_alert" for e in events),
                                any(e.get("type") == "handoff_opened" for e in events)))
    return outcomes


def report(outcomes: list[Outcome]) -> str:
    off = [o for o in outcomes if o.intent == "out_of_scope"]
    urgent = [o for o in outcomes if o.intent == "urgent_help"]
    not_urgent = [o for o in outcomes if o.intent != "urgent_help"]
    hardship = [o for o in outcomes if o.intent == "request_service"
                and any(h in o.text.lower() for h in HARDSHIP_HINTS)]
    in_domain = [o for o in outcomes if o.intent not in SOCIAL | ANSWER_AT_ONCE | {"urgent_help"}]

    def share(part: list[Outcome], whole: list[Outcome]) -> str:
        return f"{len(part)}/{len(whole)} ({100 * len(part) / max(1, len(whole)):.1f}%)"

    urgent_line = (f"emergencies alerted at once: {share([o for o in urgent if o.alert], urgent)}; "
                   f"asked 'is anyone in danger?' first: "
                   f"{share([o for o in urgent if o.kind == 'asked_danger'], urgent)}; "
                   f"missed: {share([o for o in urgent if o.kind not in ('alert', 'asked_danger')], urgent)}")
    lines = [
        f"messages: {len(outcomes)}",
        f"off-topic that started an action (form, flow, handoff or alert): {share([o for o in off if o.acted], off)}",
        f"off-topic outcomes: {dict(Counter(o.kind for o in off).most_common())}",
        f"urgent alerts raised for non-emergencies: {share([o for o in not_urgent if o.alert], not_urgent)}",
        f"  of them hardship without danger: {sum(o.alert for o in hardship)}/{len(hardship)}",
        urgent_line,
        "non-emergencies asked 'is anyone in danger?': "
        + share([o for o in not_urgent if o.kind == "asked_danger"], not_urgent),
        "in-domain requests that opened their form, flow or handoff (not status, cancel): " + share([o for o in in_domain if o.flow or o.handoff], in_domain),
    ]
    return "\n".join(lines)


def main(argv: list[str]) -> int:
    if argv[:1] == ["services"]:
        from bot.bench import services

        return services.main(argv[1:])
    if argv[:1] == ["chat"]:
        from bot.bench import chatprobe

        return chatprobe.main(argv[1:])
    parser = argparse.ArgumentParser(prog="tawasul probe", epilog="`tawasul probe chat --help`: conversation probes")
    parser.add_argument(
        "--set",
        default="robustness",
        help="a set of nlu/tests by name (robustness, blind, heldout) or a YAML file (default: robustness)",
    )
    parser.add_argument("--org", default="esrar")
    parser.add_argument("--show", choices=("acted", "alert", "missed", "unreached"), help="list those messages too")
    args = parser.parse_args(argv)
    path = set_path(args.set)
    if path is None:
        print(f"tawasul probe: no evaluation set {args.set!r} (a name in nlu/tests, or a YAML file)", file=sys.stderr)
        return 2
    try:
        examples = load_set(path)
    except (yaml.YAMLError, AttributeError, KeyError, TypeError) as exc:
        print(f"tawasul probe: {path} is not an evaluation set ({exc.__class__.__name__})", file=sys.stderr)
        return 2
    with contextlib.ExitStack() as stack:
        if os.environ.get("NLU_URL"):
            from nlu.client import NLUClient

            nlu: Any = NLUClient(os.environ["NLU_URL"])
        else:
            from nlu.local import LocalNLU

            nlu = LocalNLU(stack)
        outcomes = run(examples, args.org, nlu)
    print(f"probe: {path} through the runtime of {args.org}")
    print(report(outcomes))
    chosen = {
        "acted": [o for o in outcomes if o.intent == "out_of_scope" and o.acted],
        "alert": [o for o in outcomes if o.intent != "urgent_help" and o.alert],
        "missed": [o for o in outcomes if o.intent == "urgent_help" and o.kind not in ("alert", "asked_danger")],
        "unreached": [o for o in outcomes
                      if o.intent not in SOCIAL | ANSWER_AT_ONCE | {"urgent_help"} and not (o.flow or o.handoff)],
    }.get(args.show or "", [])
    for o in chosen:
        print(f"  [{o.intent} -> {o.kind}] {o.text}")
    return 0
