"""Silent handoffs are given back to the bot by a sweep, without waiting for the beneficiary to write
(bot/turn/sweep.py), on SQLite and PostgreSQL; from `tawasul staff sweep` and from the turn runner's sweeper."""

from __future__ import annotations

import json
import random
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from bot.staff import actions as staffops
from bot.staff import auth
from bot.staff import cli as staff
from bot.turn.runner import TurnRunner
from bot.turn.runtime import Runtime
from bot.turn.sweep import sweep_handoffs
from storage.db import get_engine, transaction
from storage.models import AuditLog, Conversation, Handoff, OutboundRecord
from tests.conftest import Clock
from tests.walk import Chat


def _handed_over(runtime: Runtime) -> Chat:
    chat = Chat(runtime, "esrar", "+966500000002")
    chat.say("ابغى اقدم طلب")
    chat.say("1")
    chat.say("نعم")
    replies = chat.say("موظف")  # in the middle of the form: hand over, resume at the same question later
    assert any(e["type"] == "handoff_opened" for r in replies for e in r.events)
    return chat


def _proactive(engine: Engine) -> list[OutboundRecord]:
    with Session(engine) as tx:
        return list(tx.exec(select(OutboundRecord).where(col(OutboundRecord.in_reply_to).is_(None))
                            .order_by(col(OutboundRecord.id))).all())


def test_a_silent_handoff_is_released_by_the_sweep_and_resumes_the_form(
        runtime: Runtime, db: Engine, clock: Clock, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TAWASUL_HANDOFF_SILENCE_HOURS", "4")
    _handed_over(runtime)
    clock.now += timedelta(hours=3)
    assert sweep_handoffs(db, clock.now) == []
    with transaction(db) as tx:  # a staff reply restarts the silence clock
        staffops.reply(tx, "+966500000002", "أهلًا، معك أمل", "officer.families", clock.now)
    clock.now += timedelta(hours=3)
    assert sweep_handoffs(db, clock.now) == []
    clock.now += timedelta(hours=2)
    released = sweep_handoffs(db, clock.now)
    assert len(released) == 1
    assert sweep_handoffs(db, clock.now) == [], "released once"
    texts = [r.text for r in _proactive(db)]
    assert "لم يتمكن أحد الموظفين من الرد" in texts[-3], texts[-3:]
    assert "ما اسمك الكامل" in texts[-1], "the form's question is asked again"
    events = [e for r in _proactive(db) for e in r.events]
    assert {"type": "handoff_closed", "by": "timeout"} in events
    with Session(db) as tx:
        row = tx.exec(select(Handoff)).one()
        assert (row.status, row.closed_by) == ("closed", "timeout")
        state = tx.exec(select(Conversation)).one().state
        assert (state["flow"], state["expects"]) == ("intake", "full_name")
        assert tx.exec(select(AuditLog).where(AuditLog.action == "handoff_timeout")).one().actor == "system"


def test_staff_sweep_command(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, db: Engine, clock: Clock,
                             capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("TAWASUL_HANDOFF_SILENCE_HOURS", "1")
    get_engine.cache_clear()  # the command opens DATABASE_URL, which changes between parameters
    try:
        _handed_over(Runtime(engine=db, clock=clock, rng=random.Random(5)))
        with transaction(db) as tx:  # `--as` is a real user: a manager of every association (review item 8)
            auth.create_user(tx, "ops", password="correct horse battery", role="manager", org=None)
            auth.create_user(tx, "amal", password="correct horse battery", role="officer", org="esrar")
        later = clock.now + timedelta(hours=2)
        for refused in ("system", "amal"):  # no such user; an officer
            assert staff.main(["--json", "sweep", "--as", refused], now=lambda: later) == 1
        assert capsys.readouterr().out == ""
        assert staff.main(["--json", "sweep", "--as", "ops"], now=lambda: later) == 0
        assert json.loads(capsys.readouterr().out) == {"released": ["H1"]}
        assert staff.main(["sweep", "--as", "ops"], now=lambda: later) == 0
        assert "لا توجد" in capsys.readouterr().out
    finally:
        get_engine().dispose()  # the command's engine: no connection left open to a dropped database
        get_engine.cache_clear()


def test_the_turn_runner_runs_periodic_jobs_and_survives_a_failing_one(runtime: Runtime) -> None:
    calls: list[str] = []

    def broken() -> None:
        calls.append("broken")
        raise RuntimeError("boom")

    runner = TurnRunner(runtime, periodic=((3600.0, broken), (3600.0, lambda: calls.append("ok"))))
    runner.run_periodic()
    runner.run_periodic()  # not due again for an hour
    assert calls == ["broken", "ok"]
