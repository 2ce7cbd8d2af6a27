"""Staff actions and the quiet handoff on SQLite AND PostgreSQL (the `db` fixture of tests/conftest.py)."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from bot.messages import InboundMessage
from bot.staff import actions as staffops
from bot.turn.runtime import Runtime
from storage.db import transaction
from storage.models import AuditLog, Handoff, OutboundRecord, Rating
from tests.conftest import Clock


def _say(runtime: Runtime, text: str, n: list[int] = [0]) -> list[OutboundRecord]:  # noqa: B006 - a counter
    n[0] += 1
    return runtime.handle(InboundMessage("telegram", "4242", f"tg-{n[0]}-{id(runtime)}", text, "esrar"))


def test_quiet_handoff_release_and_rating_after_delivery(runtime: Runtime, db: Engine, clock: Clock) -> None:
    assert _say(runtime, "ابغى اكلم موظف")[0].events[0]["type"] == "handoff_opened"
    clock.now += timedelta(minutes=5)
    assert _say(runtime, "هل من أحد؟") == []
    with transaction(db) as tx:
        staffops.reply(tx, "4242", "معك ضابط الاتصال، تفضل", "officer.general", clock.now)
    with transaction(db) as tx:
        staffops.release(tx, "4242", "officer.general", clock.now)
    with Session(db) as tx:
        assert tx.exec(select(Handoff)).one().status == "closed"
        rows = tx.exec(select(OutboundRecord).where(col(OutboundRecord.in_reply_to).is_(None))
                       .order_by(col(OutboundRecord.id))).all()
        assert [r.channel for r in rows] == ["telegram"] * len(rows) and "تفضل" in rows[0].text
        assert [a.action for a in tx.exec(select(AuditLog).order_by(col(AuditLog.id))).all()] == [
            "handoff_reply", "handoff_release"]
    out = _say(runtime, "ابغى اقيم")
    assert out[-1].session["expects"] == "rating"
    _say(runtime, "5")
    assert _say(runtime, "تخطي")[-1].events[0] == {"type": "rating_recorded", "score": 5, "reference": None,
                                                   "survey": None}
    with Session(db) as tx:
        assert tx.exec(select(Rating)).one().score == 5
