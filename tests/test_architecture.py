"""The design's arrows hold: the import contracts of pyproject.toml (pure flows, connectors that know only
the message model, no product code importing tests, the bot's layers, no circles)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_import_contracts_are_kept() -> None:
    lint_imports = Path(sys.executable).with_name("lint-imports")
    done = subprocess.run([str(lint_imports), "--no-cache"], check=False, cwd=ROOT, capture_output=True, text=True,
                          timeout=120)
    assert done.returncode == 0, done.stdout[-4000:] + done.stderr[-2000:]
    assert "0 broken" in done.stdout


def test_flows_import_nothing_that_reaches_the_database() -> None:
    probe = (
        "import sys, bot.flows, bot.flows.effects, bot.flows.intake.form;"
        "bad = sorted(m for m in sys.modules if m.split('.')[0] in ('storage', 'sqlmodel', 'sqlalchemy', 'connectors'));"
        "print(','.join(bad))"
    )
    done = subprocess.run([sys.executable, "-c", probe], check=False, cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == ""
