"""`tawasul staff ...`: every subcommand through main(argv), its effect on the beneficiary, its audit row;
and the staff-to-beneficiary path through real `tawasul chat --json` and `tawasul staff` processes."""

from __future__ import annotations

import json
import os
import random
import subprocess
import sys
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from bot.messages import InboundMessage
from bot.staff import auth
from bot.staff import cli as staff
from bot.turn.runtime import Runtime
from storage.db import get_engine, make_engine, transaction
from storage.migrate import upgrade
from storage.models import AuditLog, Complaint, Contact, Handoff, Investigation, OutboundRecord, Survey

NOW = datetime(2026, 11, 22, 7, 30, tzinfo=UTC)
ROOT = Path(__file__).resolve().parent.parent.parent


@pytest.fixture
def engine(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Engine]:
    url = f"sqlite:///{tmp_path}/staff.db"
    monkeypatch.setenv("DATABASE_URL", url)
    upgrade(url)
    get_engine.cache_clear()
    eng = make_engine(url)
    add_staff(eng)
    yield eng
    eng.dispose()
    get_engine.cache_clear()


# `--as` names a real, active user (review item 8): the ones these tests act as.
STAFF = {"officer.general": ("esrar", "officer"), "officer.families": ("esrar", "officer"),
         "manager": ("esrar", "manager")}


def add_staff(engine: Engine) -> None:
    with transaction(engine) as tx:
        for username, (org, role) in STAFF.items():
            auth.create_user(tx, username, password="correct horse battery", role=role, org=org)


def say(runtime: Runtime, who: str, *texts: str) -> list[OutboundRecord]:
    out: list[OutboundRecord] = []
    for i, text in enumerate(texts):
        out = runtime.handle(InboundMessage("whatsapp", who, f"{who}-{text}-{i}-{random.random()}", text, "esrar"))
    return out


def run(argv: list[str], capsys: pytest.CaptureFixture[str], minutes: int = 1) -> tuple[int, Any]:
    code = staff.main(["--json", *argv], now=lambda: NOW + timedelta(minutes=minutes))
    out = capsys.readouterr().out
    return code, (json.loads(out) if code == 0 else None)


def queued(engine: Engine, who: str) -> list[OutboundRecord]:
    with Session(engine) as tx:
        contact = tx.exec(select(Contact).where(Contact.address == who)).one()
        return list(tx.exec(select(OutboundRecord).where(OutboundRecord.contact_id == contact.id,
                                                         OutboundRecord.in_reply_to == None)
                            .order_by(col(OutboundRecord.id))).all())


def audits(engine: Engine) -> list[AuditLog]:
    with Session(engine) as tx:
        return list(tx.exec(select(AuditLog).order_by(col(AuditLog.id))).all())


def test_handoff_reply_release_and_audit(engine: Engine, capsys: pytest.CaptureFixture[str]) -> None:
    clock = [NOW]
    runtime = Runtime(engine=engine, clock=lambda: clock[0], rng=random.Random(1))
    say(runtime, "+966551110000", "ابغى اكلم موظف")
    clock[0] += timedelta(seconds=30)
    assert say(runtime, "+966551110000", "السلام عليكم، احتاج مساعدة") == []  # quiet while staff handle it
    code, listed = run(["list", "--org", "esrar", "--as", "officer.general"], capsys)
    assert code == 0 and listed["handoffs"][0]["waiting_messages"] == 1
    handoff_id = listed["handoffs"][0]["id"]
    assert run(["reply", handoff_id, "أهلًا، كيف نخدمك؟", "--as", "officer.general"], capsys)[0] == 0
    assert run(["release", "+966551110000", "--as", "officer.general"], capsys)[0] == 0
    rows = queued(engine, "+966551110000")
    assert rows[0].text.endswith("أهلًا، كيف نخدمك؟") and rows[0].channel == "whatsapp"
    assert any(e["type"] == "handoff_closed" for r in rows for e in r.events)
    with Session(engine) as tx:
        assert tx.exec(select(Handoff)).one().closed_by == "officer.general"
    assert say(runtime, "+966551110000", "شكرا")[0].text  # the bot answers again
    actions = [(a.actor, a.action) for a in audits(engine)]
    assert actions == [("officer.general", "list"), ("officer.general", "handoff_reply"),
                       ("officer.general", "handoff_release")]
    assert run(["reply", handoff_id, "مرحبا", "--as", "officer.general"], capsys)[0] == 1  # closed now


def test_complaint_resolve_investigate_and_show_needs_a_reason(engine: Engine, capsys: pytest.CaptureFixture[str]) -> None:
    runtime = Runtime(engine=engine, clock=lambda: NOW, rng=random.Random(2))
    out = say(runtime, "+966552220000", "عندي شكوى", "1", "الخدمة تأخرت كثيرا بدون سبب", "تخطي")
    reference = next(e["reference"] for r in out for e in r.events if e["type"] == "complaint_filed")
    assert run(["show", reference, "--reason", "", "--as", "manager"], capsys)[0] == 1
    code, shown = run(["show", reference, "--reason", "مراجعة الشكوى مع اللجنة", "--as", "manager"], capsys)
    assert code == 0 and shown["details"] == "الخدمة تأخرت كثيرا بدون سبب"
    code, _ = run(["investigate", reference, "--date", "2026-11-25", "--committee", "follow_up", "--harm",
                   "--size", "تأخير 20 يومًا", "--causes", "نقص الموظفين", "--compensation", "تعويض 300 ريال",
                   "--as", "manager"], capsys)
    assert code == 0
    assert run(["resolve", reference, "--outcome", "تم التعويض والاعتذار", "--as", "manager"], capsys)[0] == 0
    with Session(engine) as tx:
        record = tx.exec(select(Investigation)).one()
        assert (record.harm_found, record.compensation_decision, record.recorded_by) == (True, "تعويض 300 ريال", "manager")
        assert tx.exec(select(Complaint)).one().outcome == "تم التعويض والاعتذار"
    texts = [r.text for r in queued(engine, "+966552220000")]
    assert "تعويض 300 ريال" in texts[0] and "تم التعويض والاعتذار" in texts[1]
    log = audits(engine)
    assert [a.action for a in log] == ["show_personal_data", "investigation_record", "complaint_resolve"]
    assert log[0].reason == "مراجعة الشكوى مع اللجنة" and log[0].target == reference


def test_set_status_and_survey(engine: Engine, capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    from tests.walk import Chat, walk_intake

    runtime = Runtime(engine=engine, clock=lambda: NOW, rng=random.Random(3))
    chat = Chat(runtime, "esrar", "+966553330000", channel="whatsapp")
    replies = walk_intake(chat, tmp_path, first="ابغى اقدم طلب")
    reference = next(e["reference"] for r in replies for e in r.events if e["type"] == "request_submitted")
    with pytest.raises(SystemExit):
        staff.main(["set-status", reference, "bogus", "--as", "officer.families"], now=lambda: NOW)
    code, result = run(["set-status", reference, "delivered", "--note", "سُلّمت المعدات", "--as", "officer.families"],
                       capsys)
    assert code == 0 and result["queued"] == 2  # the notice and the one rating question
    code, counts = run(["survey", "--org", "esrar", "--from", "2026-11-01", "--to", "2026-11-30",
                        "--question", "ما رأيك في سرعة الخدمة؟", "--as", "manager"], capsys)
    # The beneficiary is in the middle of the rating question: a survey never interrupts a conversation.
    assert code == 0 and counts == {"served": 1, "sent": 0, "opted_out": 0, "busy": 1}
    with Session(engine) as tx:
        assert tx.exec(select(Survey)).one().created_by == "manager"
    assert [a.action for a in audits(engine)] == ["set_status", "survey_send"]


def test_unknown_reference_is_a_clear_arabic_error(engine: Engine, capsys: pytest.CaptureFixture[str]) -> None:
    code = staff.main(["set-status", "ESR-0000-00000", "closed", "--as", "officer.general"], now=lambda: NOW)
    assert code == 1 and "لا يوجد طلب" in capsys.readouterr().err
    assert [a.action for a in audits(engine)] == []  # nothing happened, nothing stored


def _cli(args: list[str], env: dict[str, str], stdin: str = "") -> str:
    proc = subprocess.run([sys.executable, "-m", "bot.cli", *args], check=False, input=stdin, capture_output=True, text=True,
                          env=env, timeout=120, cwd=ROOT)
    assert proc.returncode == 0, proc.stderr
    return proc.stdout


def test_staff_messages_come_out_of_the_next_chat_run(tmp_path: Path) -> None:
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{tmp_path}/cli.db", "NLU_URL": "http://127.0.0.1:9",
           "TAWASUL_LOG_LEVEL": "WARNING"}
    upgrade(env["DATABASE_URL"])
    staff_db = make_engine(env["DATABASE_URL"])
    add_staff(staff_db)
    staff_db.dispose()
    lines = [{"contact": "mona", "text": t} for t in ("عندي شكوى", "2", "الموظف لم يرد على اتصالاتي", "تخطي",
                                                       "ابغى اكلم موظف")]
    out = [json.loads(x) for x in _cli(["chat", "--org", "esrar", "--json"], env,
                                       "\n".join(json.dumps(x, ensure_ascii=False) for x in lines)).splitlines()]
    reference = next(e["reference"] for o in out for e in o["events"] if e["type"] == "complaint_filed")
    assert out[-1]["events"][0]["type"] == "handoff_opened"
    _cli(["staff", "reply", "mona", "نعتذر، سنتصل بك اليوم", "--as", "officer.general"], env)
    _cli(["staff", "resolve", reference, "--outcome", "تم التواصل والاعتذار", "--as", "officer.general"], env)
    _cli(["staff", "release", "mona", "--as", "officer.general"], env)
    nxt = [json.loads(x) for x in _cli(["chat", "--org", "esrar", "--json"], env,
                                       json.dumps({"contact": "mona", "text": "شكرا"}, ensure_ascii=False)).splitlines()]
    assert "نعتذر، سنتصل بك اليوم" in nxt[0]["text"]
    assert "تم التواصل والاعتذار" in nxt[1]["text"]
    assert any(e["type"] == "handoff_closed" for o in nxt[2:4] for e in o["events"])
    assert nxt[-1]["text"] == "العفو، يسعدنا خدمتك دائمًا."  # the bot's own answer comes last


def test_list_is_limited_with_totals_and_all_on_request(engine: Engine, capsys: pytest.CaptureFixture[str]) -> None:
    from bot.bench.growth import load

    load(engine, 120, NOW.date())
    code, limited = run(["list", "--limit", "3", "--as", "officer.general"], capsys)
    assert code == 0 and all(len(limited[k]) <= 3 for k in ("urgent", "handoffs", "requests", "complaints"))
    assert len(limited["requests"]) == 3 and limited["totals"]["requests"] > 3
    code, everything = run(["list", "--all", "--as", "officer.general"], capsys)
    assert code == 0 and len(everything["requests"]) == limited["totals"]["requests"]
    assert everything["totals"] == limited["totals"]
    assert everything["requests"][:3] == limited["requests"]  # the same order, cut
    assert staff.main(["list", "--limit", "2", "--as", "officer.general"], now=lambda: NOW) == 0
    text = capsys.readouterr().out
    assert f"({limited['totals']['requests']}، أول 2 منها (--all للكل))" in text
    with pytest.raises(SystemExit):
        staff.main(["list", "--limit", "0"], now=lambda: NOW)
