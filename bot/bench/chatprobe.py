"""`tawasul probe chat`: hand-written conversations run through the REAL `tawasul chat --org SLUG --json`
(a subprocess per probe, a fresh SQLite database each), with what a person must see checked per turn.

    tawasul probe chat                                   # nlu/tests/chat_probes.yml
    tawasul probe chat --only salam-gulf --show          # one probe, with every reply it got

A probe (YAML list item):

    - name: salam-gulf            # unique
      class: courtesy             # what it covers; counted per class
      org: esrar
      messages: ["السلام عليكم"]   # or {"text": ..., "location": {"lat", "lon"}}
      expect:                     # one check (on the last turn) or a list, each with `turn` (1-based, -1 last)
        contains: ["وعليكم السلام"]  # substrings of the turn's replies (all of them, joined)
        absent: [...]             # substrings that must not be there
        expects: null             # the session's `expects` after the turn (key present: checked, null too)
        flow: null                # likewise the session's flow
        language: ar              # the language of the turn's last reply
        events: [info_given]      # event types that must appear in the turn, or {type: ..., topic: ...}
        no_events: [urgent_alert] # event types that must not

The replies of each turn are told apart by a line the chat command rejects (`{}`, answered at once with
`{"error": ...}`) sent after each message: the command's contract, nothing added to it.
One NLU server serves the whole run: NLU_URL when set, else one started here (its token goes to the
subprocesses in TAWASUL_NLU_TOKEN, see nlu/auth.py). Exit 1 when a probe fails, 2 when the file is bad.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import subprocess
import sys
import tempfile
from collections import Counter
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

REPO = Path(__file__).resolve().parents[2]
DEFAULT_FILE = REPO / "nlu" / "tests" / "chat_probes.yml"
MARK = "{}"  # not a message: the chat command answers it with one {"error": ...} line, closing the turn
CHECK_KEYS = {"turn", "contains", "absent", "expects", "flow", "language", "events", "no_events"}
TIMEOUT = float(os.environ.get("TAWASUL_PROBE_TIMEOUT", "120"))


class ProbeFileError(ValueError):
    """The probe file is not a list of well-formed probes."""


@dataclass(frozen=True)
class Probe:
    name: str
    cls: str
    org: str
    messages: list[dict[str, Any]]
    checks: list[dict[str, Any]]


@dataclass
class Result:
    probe: Probe
    failures: list[str] = field(default_factory=list)
    turns: list[list[dict[str, Any]]] = field(default_factory=list)

    @property
    def passed(self) -> bool:
        return not self.failures


def _as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


def load(path: Path) -> list[Probe]:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    items = data.get("probes") if isinstance(data, dict) else data
    if not isinstance(items, list):
        raise ProbeFileError("expected a list of probes (or a mapping with `probes:`)")
    probes, names = [], set()
    for i, item in enumerate(items):
        where = f"probe #{i + 1}"
        if not isinstance(item, dict):
            raise ProbeFileError(f"{where} is not a mapping")
        missing = [k for k in ("name", "class", "org", "messages") if not item.get(k)]
        if missing:
            raise ProbeFileError(f"{where} lacks {', '.join(missing)}")
        name = str(item["name"])
        if name in names:
            raise ProbeFileError(f"probe name {name!r} is used twice")
        names.add(name)
        messages = [m if isinstance(m, dict) else {"text": str(m)} for m in _as_list(item["messages"])]
        checks = [c for c in _as_list(item.get("expect") or {})]
        for check in checks:
            if not isinstance(check, dict) or set(check) - CHECK_KEYS:
                raise ProbeFileError(f"probe {name!r}: unknown expectation {sorted(set(check) - CHECK_KEYS)}")
            turn = int(check.get("turn", -1))
            if not (1 <= turn <= len(messages) or -len(messages) <= turn <= -1):
                raise ProbeFileError(f"probe {name!r}: no turn {turn}")
        probes.append(Probe(name, str(item["class"]), str(item["org"]), messages, checks))
    return probes


def converse(probe: Probe, env: dict[str, str]) -> tuple[list[list[dict[str, Any]]], str | None]:
    """Every message of the probe through one `tawasul chat --json`; the replies of each turn, or an error."""
    with tempfile.TemporaryDirectory(prefix="tawasul-chatprobe-") as work:
        env = {**env, "DATABASE_URL": f"sqlite:///{work}/probe.db", "TAWASUL_DATA_DIR": work}
        lines = []
        for message in probe.messages:
            lines += [json.dumps({"contact": "probe-person", **message}, ensure_ascii=False), MARK]
        try:
            done = subprocess.run(
                [sys.executable, "-m", "bot.cli", "chat", "--org", probe.org, "--json"],
                input="\n".join(lines) + "\n", capture_output=True, text=True, env=env, cwd=REPO,
                timeout=TIMEOUT, check=False,
            )
        except subprocess.TimeoutExpired:
            return [], f"tawasul chat did not finish within {TIMEOUT:.0f} s"
    turns: list[list[dict[str, Any]]] = [[]]
    for line in done.stdout.splitlines():
        try:
            row = json.loads(line)
        except json.JSONDecodeError:
            return turns, f"not a JSON line on stdout: {line[:80]!r}"
        if set(row) == {"error"}:
            turns.append([])
        else:
            turns[-1].append(row)
    turns.pop()  # after the last mark
    if len(turns) != len(probe.messages):
        tail = done.stderr.strip().splitlines()[-1:] or [f"exit {done.returncode}"]
        return turns, f"{len(turns)} turns answered of {len(probe.messages)} ({tail[0][:160]})"
    return turns, None


def _event_matches(event: dict[str, Any], wanted: Any) -> bool:
    if isinstance(wanted, dict):
        return all(event.get(k) == v for k, v in wanted.items())
    return bool(event.get("type") == wanted)


def check(probe: Probe, turns: list[list[dict[str, Any]]]) -> list[str]:
    failures = []
    for spec in probe.checks:
        turn = int(spec.get("turn", -1))
        index = turn - 1 if turn > 0 else len(turns) + turn
        label = f"turn {index + 1}"
        replies = turns[index]
        if not replies:
            failures.append(f"{label}: no reply")
            continue
        text = "\n".join(str(r.get("text") or "") for r in replies)
        session = replies[-1].get("session") or {}
        events = [e for r in replies for e in r.get("events") or []]
        types = sorted({str(e.get("type")) for e in events})
        for needle in _as_list(spec.get("contains") or []):
            if str(needle) not in text:
                failures.append(f"{label}: {needle!r} not in the reply")
        for needle in _as_list(spec.get("absent") or []):
            if str(needle) in text:
                failures.append(f"{label}: {needle!r} is in the reply")
        for key in ("expects", "flow"):
            if key in spec and session.get(key) != spec[key]:
                failures.append(f"{label}: {key} is {session.get(key)!r}, not {spec[key]!r}")
        if "language" in spec and replies[-1].get("language") != spec["language"]:
            failures.append(f"{label}: language is {replies[-1].get('language')!r}, not {spec['language']!r}")
        for wanted in _as_list(spec.get("events") or []):
            if not any(_event_matches(e, wanted) for e in events):
                failures.append(f"{label}: no event {wanted!r} (events: {types})")
        for unwanted in _as_list(spec.get("no_events") or []):
            if any(_event_matches(e, unwanted) for e in events):
                failures.append(f"{label}: event {unwanted!r} happened")
    return failures


def run_probe(probe: Probe, env: dict[str, str]) -> Result:
    turns, error = converse(probe, env)
    result = Result(probe, turns=turns)
    result.failures = [error] if error else check(probe, turns)
    return result


@contextlib.contextmanager
def nlu_env() -> Iterator[dict[str, str]]:
    """The environment of the chat subprocesses: NLU_URL of one server for the run, and its token."""
    if os.environ.get("NLU_URL"):
        yield dict(os.environ)
        return
    from nlu.server import running_server

    with running_server() as url:  # puts the server's token in os.environ (TAWASUL_NLU_TOKEN)
        yield {**os.environ, "NLU_URL": url}


def _event_label(event: dict[str, Any]) -> str:
    details = [f"{k}={v}" for k, v in event.items() if k != "type" and isinstance(v, (str, int, float))]
    return f"{event.get('type')}({', '.join(details)})" if details else str(event.get("type"))


def summary(results: list[Result]) -> list[str]:
    passed = sum(r.passed for r in results)
    lines = [f"probes: {len(results)}, passed: {passed}, failed: {len(results) - passed}"]
    total, good = Counter(r.probe.cls for r in results), Counter(r.probe.cls for r in results if r.passed)
    lines += [f"  {cls}: {good[cls]}/{n}" for cls, n in sorted(total.items())]
    return lines


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="tawasul probe chat")
    parser.add_argument("--file", type=Path, default=DEFAULT_FILE, help="the probes (default: %(default)s)")
    parser.add_argument("--only", action="append", help="run only the probe of this name (repeatable)")
    parser.add_argument("--show", action="store_true", help="print every reply of each probe run")
    parser.add_argument("--jobs", type=int, default=3, help="probes run at once, 1 to 4 (default: 3)")
    args = parser.parse_args(argv)
    try:
        probes = load(args.file)
    except (OSError, yaml.YAMLError, ProbeFileError, TypeError, ValueError) as exc:
        print(f"tawasul probe chat: {args.file}: {exc}", file=sys.stderr)
        return 2
    if args.only:
        unknown = set(args.only) - {p.name for p in probes}
        if unknown:
            print(f"tawasul probe chat: no probe named {', '.join(sorted(unknown))}", file=sys.stderr)
            return 2
        probes = [p for p in probes if p.name in args.only]
    with nlu_env() as env, ThreadPoolExecutor(max(1, min(args.jobs, 4))) as pool:
        results = list(pool.map(lambda p: run_probe(p, env), probes))
    for r in results:
        print(f"{'PASS' if r.passed else 'FAIL'} [{r.probe.cls}] {r.probe.name}"
              + ("" if r.passed else ": " + "; ".join(r.failures)))
        if args.show:
            for i, (message, replies) in enumerate(zip(r.probe.messages, r.turns, strict=False), 1):
                print(f"  {i}> {message.get('text', '')}")
                for reply in replies:
                    s = reply.get("session") or {}
                    kinds = [_event_label(e) for e in reply.get("events") or []]
                    print(f"  < [{reply.get('language')} {s.get('flow')}/{s.get('expects')} {kinds}] "
                          + str(reply.get("text")).replace("\n", " / "))
    print("\n".join(summary(results)))
    return 0 if all(r.passed for r in results) else 1
