"""The `tawasul chat --json` contract, run as a user runs it (a subprocess, state in DATABASE_URL)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from tests.walk import VALID_ANSWERS

TAWASUL = [sys.executable, "-m", "bot.cli"]


def run_chat(lines: list[dict[str, Any] | str], env: dict[str, str], org: str = "esrar") -> list[dict[str, Any]]:
    stdin = "\n".join(line if isinstance(line, str) else json.dumps(line, ensure_ascii=False) for line in lines)
    proc = subprocess.run(
        [*TAWASUL, "chat", "--org", org, "--json"],
        check=False,
        input=stdin + "\n",
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        cwd=Path(__file__).parent.parent,
    )
    out = [json.loads(line) for line in proc.stdout.splitlines() if line.strip()]
    assert proc.returncode in (0, 1), proc.stderr
    return out


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    e = dict(os.environ)
    e["DATABASE_URL"] = f"sqlite:///{tmp_path}/chat.db"
    e["NLU_URL"] = "http://127.0.0.1:9"  # nothing listens: the bot serves through menus and digits
    return e


def test_json_lines_contract_and_state_across_runs(env: dict[str, str], tmp_path: Path) -> None:
    out = run_chat([{"contact": "sara", "text": "مرحبا"}, {"contact": "sara", "text": "1"}], env)
    for line in out:
        assert set(line) == {"to", "text", "buttons", "language", "session", "events"}
        assert set(line["session"]) == {"flow", "step", "expects"}
        assert line["to"] == "sara"
    assert out[-1]["session"]["expects"] == "service"

    # A second run continues the same conversation from the database.
    expects = out[-1]["session"]["expects"]
    reference = None
    for _ in range(30):
        if expects is None:
            break
        if expects == "attachments":
            doc = tmp_path / "id.png"
            doc.write_bytes(b"\x89PNG\r\n\x1a\n")
            line: dict[str, Any] = {"contact": "sara", "text": "", "media": [{"path": str(doc), "content_type": "image/png"}]}
        else:
            line = {"contact": "sara", "text": VALID_ANSWERS[expects]}
        out = run_chat([line], env)
        expects = out[-1]["session"]["expects"]
        for event in (e for o in out for e in o["events"]):
            if event["type"] == "request_submitted":
                reference = event["reference"]
    assert reference, "intake ended with a request_submitted event"
    out = run_chat([{"contact": "sara", "text": reference}], env)
    assert {"type": "status_reported", "reference": reference, "status": "submitted"} in out[-1]["events"]


def test_malformed_lines_get_a_clear_error_and_do_not_stop_the_run(env: dict[str, str]) -> None:
    out = run_chat(
        ["{not json", json.dumps({"text": "no contact"}), json.dumps({"contact": "ali", "text": "مرحبا"})], env
    )
    assert "error" in out[0] and "error" in out[1]
    assert out[2]["to"] == "ali"


def test_control_characters_and_huge_messages_are_answered(env: dict[str, str]) -> None:
    out = run_chat(
        [{"contact": "x", "text": "\u202e\x00\x07" + "ا" * 100_000}, {"contact": "x", "text": ""}], env
    )
    assert out and all(o["to"] == "x" for o in out)
