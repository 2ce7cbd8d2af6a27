"""`tawasul serve` stops cleanly on SIGTERM and SIGINT (issue 15): the local NLU child it started is
stopped with it, and outbox rows it had claimed but not sent go back to the queue.

The NLU child is a stand-in `rasa` (TAWASUL_NLU_VENV / TAWASUL_NLU_MODEL) that answers /model/parse and
writes its pid, so the test runs without the real NLU environment; `serve` starts and stops it exactly as
it does Rasa. Both databases.
"""

from __future__ import annotations

import os
import signal
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import select

from bot.bench.fakes import FakeProviders
from bot.turn.outbox import OutboxWorker
from storage.db import transaction
from storage.migrate import upgrade
from storage.models import Contact, OutboundRecord
from tests.connectors.harness import ServeProcess, wait_for

FAKE_RASA = '''#!{python}
"""A stand-in `rasa run`: answers /model/parse, writes its pid, exits on SIGTERM."""
import json, os, sys
from http.server import BaseHTTPRequestHandler, HTTPServer

port = int(sys.argv[sys.argv.index("--port") + 1])

class Handler(BaseHTTPRequestHandler):
    def log_message(self, *args):
        pass

    def do_POST(self):
        self.rfile.read(int(self.headers.get("Content-Length", 0)))
        body = json.dumps({{"text": "", "intent": {{"name": "greet", "confidence": 0.9}}, "entities": []}}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

pidfile = os.environ["FAKE_RASA_PIDS"]
with open(pidfile, "a") as f:
    f.write(f"{{os.getpid()}}\\n")
HTTPServer(("127.0.0.1", port), Handler).serve_forever()
'''


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    # A zombie is gone for good; only its parent has not read its status yet.
    stat = Path(f"/proc/{pid}/stat")
    return not (stat.exists() and stat.read_text().split(") ", 1)[1].startswith("Z"))


@pytest.fixture
def fake() -> Iterator[FakeProviders]:
    providers = FakeProviders().start()
    yield providers
    providers.stop()


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT], ids=["SIGTERM", "SIGINT"])
def test_serve_stops_its_nlu_child(db_url: str, fake: FakeProviders, tmp_path: Path, signum: int) -> None:
    venv = tmp_path / "nlu-venv"
    (venv / "bin").mkdir(parents=True)
    rasa = venv / "bin" / "rasa"
    rasa.write_text(FAKE_RASA.format(python=sys.executable))
    rasa.chmod(0o755)
    model = tmp_path / "model.tar.gz"
    model.write_bytes(b"stand-in")
    pids = tmp_path / "pids"
    upgrade(db_url)
    server = ServeProcess(db_url, fake.url, tmp_path, TAWASUL_NLU_VENV=str(venv), TAWASUL_NLU_MODEL=str(model),
                          FAKE_RASA_PIDS=str(pids))
    del server.env["NLU_URL"]  # no server given: serve starts its own, as `make run` does
    try:
        server.start()
        child = int(wait_for(lambda: pids.exists() and pids.read_text().split(), timeout=30)[0])
        assert alive(child)
        assert server.proc is not None
        server.proc.send_signal(signum)
        code = server.proc.wait(30)
        assert code in (0, 128 + signum), server.log()
        wait_for(lambda: not alive(child), timeout=5)
        assert "Traceback" not in server.log()
    finally:
        server.stop()
        for pid in (pids.read_text().split() if pids.exists() else []):
            if alive(int(pid)):
                os.kill(int(pid), signal.SIGKILL)


class Unsent:
    """A channel the worker may claim for (Telegram, unpaced); the test stops before any send."""

    serves = ("telegram",)
    pace_seconds = 0.0


def test_stopping_the_outbox_releases_what_it_claimed(db: Engine) -> None:
    with transaction(db) as tx:
        contact = Contact(org_slug="esrar", channel="telegram", address="555")
        tx.add(contact)
        tx.flush()
        assert contact.id is not None
        tx.add_all([OutboundRecord(contact_id=contact.id, channel="telegram", to_address="555", text=f"m{i}",
                                   language="ar") for i in range(3)])
    worker = OutboxWorker(db, {"telegram": Unsent()})  # type: ignore[dict-item]
    # Claimed (the first row only: one chat's messages leave in order), then told to stop before sending.
    assert len(worker.claim()) == 1
    worker.stop()
    with transaction(db) as tx:
        rows = tx.exec(select(OutboundRecord)).all()
    assert [r.status for r in rows] == ["queued"] * 3
    assert all(r.claimed_until is None and r.attempts == 0 for r in rows)
