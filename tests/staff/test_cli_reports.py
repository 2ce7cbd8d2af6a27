"""The workspace's `tawasul staff` commands through main(argv): timers, the digest, the month's report and
its PDF, exports, the audit log, visits' outcomes and field-site notices, each held to the --as user's
association and role."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from openpyxl import load_workbook
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from bot.staff import auth
from bot.staff import cli as staff
from storage.db import transaction
from storage.models import Contact, LateDigest, ServiceRequest, StatusChange
from tests.staff.test_cli import NOW, engine, run

__all__ = ["engine"]  # the fixture, shared with tests/staff/test_cli.py


def _requests(eng: Engine) -> None:
    with transaction(eng) as tx:
        auth.create_user(tx, "namaa.officer", password="correct horse battery", role="officer", org="namaa")
        contact = Contact(org_slug="esrar", channel="whatsapp", address="+966500000111")
        family = Contact(org_slug="namaa", channel="whatsapp", address="+966500000222")
        tx.add_all([contact, family])
        tx.flush()
        assert contact.id is not None and family.id is not None
        late = ServiceRequest(reference="ESR-0000-00011", org_slug="esrar", contact_id=contact.id,
                              service_id="family_support", channel="whatsapp", data={"full_name": "هند"},
                              submitted_at=NOW - timedelta(days=30), due_date=NOW.date() - timedelta(days=4))
        visit = ServiceRequest(reference="NMA-0000-00022", org_slug="namaa", contact_id=family.id,
                               service_id="food_basket", channel="whatsapp", submitted_at=NOW - timedelta(days=2),
                               due_date=NOW.date() + timedelta(days=9))
        decided = ServiceRequest(reference="ESR-0000-00033", org_slug="esrar", contact_id=contact.id,
                                 service_id="training", channel="telegram", status="rejected",
                                 submitted_at=NOW - timedelta(days=30), due_date=NOW.date() - timedelta(days=4))
        tx.add_all([late, visit, decided])
        tx.flush()
        assert decided.id is not None
        tx.add(StatusChange(request_id=decided.id, status="rejected", actor="officer.general", at=NOW))


def test_timers_digest_report_export_audit(engine: Engine, capsys: pytest.CaptureFixture[str],
                                           tmp_path: Path) -> None:
    _requests(engine)
    code, timers = run(["timers", "--as", "officer.general"], capsys)
    assert code == 0 and [(r["reference"], r["late"]) for r in timers["requests"]] == [("ESR-0000-00011", True)]
    code, digest = run(["digest", "--as", "manager"], capsys)
    assert code == 0 and digest["org"] == "esrar" and digest["body"]["totals"]["requests"] == 1
    assert run(["digest", "--as", "officer.general"], capsys)[0] == 1  # managers only
    with Session(engine) as tx:
        assert len(tx.exec(select(LateDigest)).all()) == 1
    pdf = tmp_path / "board.pdf"
    code, report = run(["report", "--month", "2026-11", "--pdf", str(pdf), "--as", "manager"], capsys)
    assert code == 0 and report["deadline"]["late"] == 1 and pdf.read_bytes()[:5] == b"%PDF-"
    assert run(["report", "--org", "namaa", "--as", "manager"], capsys)[0] == 1  # another association
    out = tmp_path / "requests.xlsx"
    code, done = run(["export", "requests", "--format", "xlsx", "--out", str(out), "--as", "officer.general"], capsys)
    assert code == 0 and done["bytes"] == out.stat().st_size
    sheet = load_workbook(out).active
    assert sheet.max_row == 2 and sheet["A2"].value == "ESR-0000-00011" and sheet["J2"].value != "+966500000111"
    code, page = run(["audit", "--action", "export_list", "--from", "١٤٤٨-٠٦-١٠ هـ", "--as", "manager"], capsys)
    assert code == 0 and page["total"] == 1 and page["rows"][0]["actor"] == "officer.general"
    assert run(["audit", "--actor", "manager", "--action", "export_list", "--as", "manager"], capsys)[1]["total"] == 0
    assert run(["audit", "--as", "officer.general"], capsys)[0] == 1


def test_visit_outcome_and_site_notice(engine: Engine, capsys: pytest.CaptureFixture[str]) -> None:
    _requests(engine)
    code, visit = run(["visit", "NMA-0000-00022", "--date", "1448-07-01", "--researcher", "منى",
                       "--as", "namaa.officer"], capsys)
    assert code == 0 and visit["date"] == "2026-12-10"
    code, outcome = run(["visit-outcome", "NMA-0000-00022", "--outcome", "لم نجد أحدًا", "--not-visited",
                         "--as", "namaa.officer"], capsys)
    assert code == 0 and outcome["visited"] is False
    assert run(["visit-outcome", "NMA-0000-00022", "--outcome", "x y", "--as", "officer.general"], capsys)[0] == 1
    with Session(engine) as tx:
        notes = [h.note or "" for h in tx.exec(select(StatusChange))]
        assert "تعذّرت الزيارة الميدانية: لم نجد أحدًا" in notes and any("الباحث: منى" in n for n in notes)
    assert run(["site-notice", "juhfa_miqat", "--text", "تنبيه", "--as", "officer.general"], capsys)[0] == 1
    assert staff.main(["sites", "--as", "officer.general"], now=lambda: NOW) == 0  # Esrar has no field sites
