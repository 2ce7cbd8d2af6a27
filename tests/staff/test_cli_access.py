"""Review item 8: `tawasul staff --as USER` names an existing, active staff user, and every command is
held to that user's association and role exactly as the API holds them. Seeded like the API tests:
amal (esrar officer), badr (namaa officer), dr.huda (aleman medical), sara (aleman officer), mudir
(manager of every association)."""

from __future__ import annotations

import io
import json
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from bot.staff import auth
from bot.staff import cli as staff
from storage.db import get_engine, make_engine, transaction
from storage.migrate import upgrade
from storage.models import AuditLog, ServiceRequest, Staff
from tests.staff.web.conftest import Seeded, seed

NOW = datetime(2026, 11, 22, 7, 30, tzinfo=UTC)


@pytest.fixture
def engine(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Engine]:
    url = f"sqlite:///{tmp_path}/access.db"
    monkeypatch.setenv("DATABASE_URL", url)
    upgrade(url)
    get_engine.cache_clear()
    eng = make_engine(url)
    yield eng
    eng.dispose()
    get_engine.cache_clear()


@pytest.fixture
def seeded(engine: Engine) -> Seeded:
    found = seed(engine)
    with transaction(engine) as tx:
        auth.create_user(tx, "mudira", password="correct horse battery", role="manager", org="esrar")
    return found


def run(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, object, str]:
    code = staff.main(["--json", *argv], now=lambda: NOW)
    out = capsys.readouterr()
    return code, (json.loads(out.out) if code == 0 else None), out.err


def statuses(engine: Engine) -> dict[str, str]:
    with Session(engine) as tx:
        return {r.reference: r.status for r in tx.exec(select(ServiceRequest)).all()}


def test_as_must_name_an_existing_active_user(engine: Engine, seeded: Seeded,
                                              capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(["set-status", seeded.esrar_open, "closed", "--as", "officer.general"], capsys)
    assert code == 1 and "لا يوجد موظف باسم officer.general" in err
    with transaction(engine) as tx:
        auth.set_active(tx, "amal", False)
    code, _, err = run(["set-status", seeded.esrar_open, "closed", "--as", "amal"], capsys)
    assert code == 1 and "موقوف" in err
    assert statuses(engine)[seeded.esrar_open] == "submitted"
    with Session(engine) as tx:
        assert tx.exec(select(AuditLog)).all() == []  # nothing done, nothing recorded


def test_an_officer_acts_only_on_their_association(engine: Engine, seeded: Seeded,
                                                   capsys: pytest.CaptureFixture[str]) -> None:
    # badr serves namaa: esrar's request is "not found" to him, as in the API.
    code, _, err = run(["set-status", seeded.esrar_open, "closed", "--as", "badr"], capsys)
    assert code == 1 and "لا يوجد طلب" in err
    code, _, err = run(["show", seeded.esrar_overdue, "--reason", "متابعة اتصال المستفيد", "--as", "badr"], capsys)
    assert code == 1 and "نورة" not in err
    code, _, err = run(["list", "--org", "esrar", "--as", "badr"], capsys)
    assert code == 1 and "صلاحية" in err
    code, board, _ = run(["list", "--as", "badr"], capsys)  # no --org: his own association only
    assert code == 0 and isinstance(board, dict)
    assert {r["org"] for key, rows in board.items() if key != "totals" for r in rows} == {"namaa"}
    assert statuses(engine)[seeded.esrar_open] == "submitted"
    code, _, _ = run(["set-status", seeded.namaa, "under_study", "--as", "badr"], capsys)
    assert code == 0 and statuses(engine)[seeded.namaa] == "under_study"
    code, _, _ = run(["set-status", seeded.esrar_open, "under_study", "--as", "mudir"], capsys)
    assert code == 0  # every association's manager


def test_health_data_and_manager_commands_follow_the_role(engine: Engine, seeded: Seeded,
                                                          capsys: pytest.CaptureFixture[str]) -> None:
    reason = ["--reason", "دراسة الطلب مع اللجنة"]
    code, shown, _ = run(["show", seeded.aleman, *reason, "--as", "sara"], capsys)
    assert code == 0 and isinstance(shown, dict)
    assert "diagnosis" not in shown["data"] and "diagnosis" in shown["withheld"]
    code, shown, _ = run(["show", seeded.aleman, *reason, "--as", "dr.huda"], capsys)
    assert code == 0 and isinstance(shown, dict) and shown["data"]["diagnosis"] == "سرطان الدم"
    survey = ["survey", "--org", "esrar", "--from", "2026-11-01", "--to", "2026-11-30", "--question", "ما رأيك؟"]
    assert run([*survey, "--as", "amal"], capsys)[0] == 1  # an officer
    assert run([*survey, "--as", "mudira"], capsys)[0] == 0
    assert run(["survey", "--org", "namaa", *survey[3:], "--as", "mudira"], capsys)[0] == 1  # not hers
    assert run(["sweep", "--as", "mudira"], capsys)[0] == 1  # every association's handoffs: not hers alone
    with Session(engine) as tx:
        withheld = tx.exec(select(AuditLog.details).where(AuditLog.actor == "sara")).one()
    assert withheld["withheld"] == ["diagnosis", "documents (1)"]  # a health service: its documents too


def test_user_management_is_for_managers_within_their_association(engine: Engine, seeded: Seeded,
                                                                  capsys: pytest.CaptureFixture[str],
                                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    def create(*argv: str) -> tuple[int, str]:
        monkeypatch.setattr("sys.stdin", io.StringIO("a long new password\n"))
        code, _, err = run(["create-user", *argv, "--password-stdin"], capsys)
        return code, err

    assert create("new1", "--org", "esrar", "--role", "officer", "--as", "amal")[0] == 1  # an officer
    assert create("new1", "--org", "namaa", "--role", "officer", "--as", "mudira")[0] == 1  # another org
    assert create("new1", "--all-orgs", "--role", "officer", "--as", "mudira")[0] == 1
    assert create("new1", "--org", "esrar", "--role", "admin", "--as", "mudira")[0] == 1  # only an admin
    assert create("badr", "--org", "esrar", "--role", "officer", "--as", "mudira")[0] == 1  # namaa's user
    assert run(["deactivate", "badr", "--as", "mudira"], capsys)[0] == 1
    assert create("new1", "--org", "esrar", "--role", "officer", "--as", "mudira")[0] == 0
    assert run(["deactivate", "amal", "--as", "mudira"], capsys)[0] == 0
    assert create("new2", "--all-orgs", "--role", "manager", "--as", "mudir")[0] == 0
    with Session(engine) as tx:
        users = {s.username: (s.org_slug, s.role, s.active) for s in tx.exec(select(Staff)).all()}
        log = [(a.actor, a.action, a.target) for a in tx.exec(select(AuditLog).order_by(col(AuditLog.id))).all()]
    assert users["badr"] == ("namaa", "officer", True) and users["amal"][2] is False
    assert users["new1"] == ("esrar", "officer", True) and users["new2"] == (None, "manager", True)
    assert log == [("mudira", "staff_create", "new1"), ("mudira", "staff_deactivate", "amal"),
                   ("mudir", "staff_create", "new2")]


def test_staff_write_to_the_person_who_raised_an_alert(engine: Engine, seeded: Seeded,
                                                      capsys: pytest.CaptureFixture[str]) -> None:
    from storage.models import Handoff, OutboundRecord, UrgentAlert

    # badr serves namaa: esrar's alert is not his to answer.
    code, _, err = run(["reply", f"A{seeded.alert_id}", "نحن قادمون", "--as", "badr"], capsys)
    assert code == 1
    code, out, err = run(["reply", f"A{seeded.alert_id}", "نحن في الطريق إليك", "--as", "amal"], capsys)
    assert code == 0, err
    assert isinstance(out, dict) and out["alert"] == seeded.alert_id
    with Session(engine) as tx:
        alert = tx.exec(select(UrgentAlert)).one()
        [handoff] = tx.exec(select(Handoff).where(Handoff.contact_id == alert.contact_id)).all()
        assert handoff.status == "open" and handoff.reason == "urgent_alert" and out["handoff"] == f"H{handoff.id}"
        texts = [o.text for o in tx.exec(select(OutboundRecord).where(OutboundRecord.contact_id == alert.contact_id))]
    assert any("نحن في الطريق إليك" in t for t in texts)
