"""The conversation probes (nlu/tests/chat_probes.yml) through `tawasul probe chat`: the real chat command
as a subprocess per probe, against the session's real NLU server (tests/nlu/conftest.py, which skips
loudly without the NLU environment). Every probe must pass."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from bot.bench import chatprobe

REPO = Path(__file__).resolve().parents[2]


def test_probe_file_is_well_formed_and_broad() -> None:
    probes = chatprobe.load(chatprobe.DEFAULT_FILE)
    assert len(probes) >= 60
    classes = {p.cls for p in probes}
    assert {"courtesy", "language", "rating", "info", "form", "urgent", "off_topic"} <= classes
    assert len({p.org for p in probes}) >= 3


def test_a_wrong_expectation_fails_with_its_reason(nlu_url: str, tmp_path: Path) -> None:
    """The runner can fail: an expectation the bot does not meet is reported, and the exit code is 1."""
    wrong = tmp_path / "wrong.yml"
    wrong.write_text(
        "- name: hours-not-a-form\n  class: info\n  org: esrar\n  messages: ['hours?']\n"
        "  expect: {expects: full_name, contains: ['no such words']}\n",
        encoding="utf-8",
    )
    done = _probe(nlu_url, "--file", str(wrong))
    assert done.returncode == 1, done.stdout + done.stderr
    assert "FAIL [info] hours-not-a-form" in done.stdout
    assert "'no such words' not in the reply" in done.stdout
    assert "probes: 1, passed: 0, failed: 1" in done.stdout


@pytest.mark.timeout(1200)  # about 90 whole conversations through `tawasul chat`, 3 at a time, on 2 cores
def test_every_probe_passes(nlu_url: str) -> None:
    done = _probe(nlu_url)
    print(done.stdout)
    failed = [line for line in done.stdout.splitlines() if line.startswith("FAIL")]
    assert done.returncode == 0 and not failed, "\n".join(failed) or done.stderr[-2000:]
    assert "failed: 0" in done.stdout


def _probe(nlu_url: str, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "NLU_URL": nlu_url}
    return subprocess.run(
        [sys.executable, "-m", "bot.cli", "probe", "chat", *args],
        capture_output=True, text=True, env=env, cwd=REPO, timeout=1100, check=False,
    )


BAD_FILES = (
    "- name: x\n",
    "just text\n",
    "- {name: a, class: b, org: esrar, messages: [hi], expect: {turn: 3}}\n",
    "- {name: a, class: b, org: esrar, messages: [hi], expect: {says: hi}}\n",
)


@pytest.mark.parametrize("content", BAD_FILES)
def test_a_bad_probe_file_is_refused(tmp_path: Path, content: str) -> None:
    bad = tmp_path / "bad.yml"
    bad.write_text(content, encoding="utf-8")
    assert chatprobe.main(["--file", str(bad)]) == 2
