"""Personal-data requests (PDPL) for staff, on SQLite AND PostgreSQL: the org-scoped list with the 30-day
legal deadline (no personal data), completion (audited, the beneficiary told on their channel in their
language), and the console's dashboard section and CSRF-protected page."""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from bot.messages import InboundMessage
from bot.turn.runtime import Runtime
from storage.db import transaction
from storage.models import AuditLog, Contact, OutboundRecord, PrivacyRequest
from tests.conftest import FIXED_NOW
from tests.staff.web.client import Client
from tests.staff.web.conftest import Seeded, login
from tests.staff.web.test_console import sign_in

TODAY = FIXED_NOW.date()
LATE, SOON, NAMAA = "PRV-0000-00001", "PRV-0000-00002", "PRV-0000-00003"


@pytest.fixture
def privacy(seeded: Seeded, db: Engine) -> Seeded:
    """Three requests: esrar's overdue deletion (an Urdu Telegram contact), esrar's access, namaa's correction."""
    with transaction(db) as tx:
        urdu = Contact(org_slug="esrar", channel="telegram", address="7777", language="ur")
        tx.add(urdu)
        tx.flush()
        esrar = tx.exec(select(Contact).where(Contact.org_slug == "esrar", Contact.channel == "whatsapp")).one()
        namaa = tx.exec(select(Contact).where(Contact.org_slug == "namaa")).one()
        assert urdu.id and esrar.id and namaa.id

        def add(ref: str, org: str, contact_id: int, kind: str, due: date, details: str | None = None) -> None:
            tx.add(PrivacyRequest(reference=ref, org_slug=org, contact_id=contact_id, kind=kind, details=details,
                                  due_date=due, created_at=FIXED_NOW - timedelta(days=30) + (due - TODAY)))

        add(SOON, "esrar", esrar.id, "access", TODAY + timedelta(days=12))
        add(LATE, "esrar", urdu.id, "deletion", TODAY - timedelta(days=2))
        add(NAMAA, "namaa", namaa.id, "correction", TODAY + timedelta(days=20), "اسمي ريم الحربي لا ريم الحربيه")
    return seeded


def audits(db: Engine, action: str) -> list[AuditLog]:
    with Session(db) as tx:
        return list(tx.exec(select(AuditLog).where(AuditLog.action == action).order_by(col(AuditLog.id))).all())


def test_list_is_scoped_soonest_first_without_personal_data(client: Client, privacy: Seeded, db: Engine) -> None:
    amal = login(client, "amal")
    listed = client.get("/staff/api/privacy", headers=amal)
    assert listed.status_code == 200, listed.text
    rows = listed.json()
    assert [r["reference"] for r in rows] == [LATE, SOON]  # namaa's is not amal's
    late, soon = rows
    assert (late["kind"], late["status"], late["days_left"], late["overdue"]) == ("deletion", "open", -2, True)
    assert (soon["days_left"], soon["overdue"]) == (12, False)
    assert soon["due_date"] == (TODAY + timedelta(days=12)).isoformat() and "هـ" in soon["due_date_text"]
    assert set(late) == {"reference", "org", "kind", "status", "filed_at", "due_date", "due_date_text",
                         "days_left", "overdue"}  # no contact, no details
    assert [a.details["count"] for a in audits(db, "list_privacy")] == [2]

    badr = login(client, "badr")
    [namaa] = client.get("/staff/api/privacy", headers=badr).json()
    assert namaa["reference"] == NAMAA and "ريم" not in str(namaa)
    assert client.get("/staff/api/privacy?org=esrar", headers=badr).status_code == 403
    assert client.get("/staff/api/privacy?status=closed", headers=badr).status_code == 422
    assert client.get("/staff/api/privacy?status=done", headers=badr).json() == []
    assert client.get("/staff/api/privacy").status_code == 401

    manager = login(client, "mudir")
    assert [r["reference"] for r in client.get("/staff/api/privacy", headers=manager).json()] == [LATE, SOON, NAMAA]


def test_complete_audits_and_tells_the_beneficiary(client: Client, privacy: Seeded, db: Engine) -> None:
    badr, amal = login(client, "badr"), login(client, "amal")
    other = client.post(f"/staff/api/privacy/{LATE}/complete", headers=badr, json={"note": "x"})
    assert other.status_code == 404 and other.json()["detail"]["error"] == "not_found"  # never told apart
    missing = client.post("/staff/api/privacy/PRV-9999-99999/complete", headers=amal, json={})
    assert missing.status_code == 404 and missing.json()["detail"]["error"] == "not_found"
    assert client.post(f"/staff/api/privacy/{LATE}/complete", json={}).status_code == 401
    with Session(db) as tx:
        assert tx.exec(select(OutboundRecord)).all() == []

    done = client.post(f"/staff/api/privacy/{LATE.lower()}/complete", headers=amal,
                       json={"note": "حُذفت بياناتك"})
    assert done.status_code == 200, done.text
    body = done.json()
    assert (body["reference"], body["status"], body["days_left"], body["overdue"]) == (LATE, "done", None, False)
    assert body["queued_messages"] == 1
    with Session(db) as tx:
        assert tx.exec(select(PrivacyRequest).where(PrivacyRequest.reference == LATE)).one().status == "done"
        [out] = tx.exec(select(OutboundRecord)).all()
    assert (out.channel, out.to_address, out.language) == ("telegram", "7777", "ur")
    assert LATE in out.text and "کارروائی مکمل" in out.text and "حُذفت بياناتك" in out.text
    assert out.events[-1] == {"type": "privacy_completed", "reference": LATE, "kind": "deletion"}
    [row] = audits(db, "privacy_complete")
    assert (row.actor, row.target, row.details["previous"], row.details["note"]) == ("amal", LATE, "open",
                                                                                    "حُذفت بياناتك")

    again = client.post(f"/staff/api/privacy/{LATE}/complete", headers=amal, json={})
    assert again.status_code == 400 and again.json()["detail"]["error"] == "already_done"
    assert [r["reference"] for r in client.get("/staff/api/privacy", headers=amal).json()] == [SOON]
    assert [r["reference"] for r in client.get("/staff/api/privacy?status=done", headers=amal).json()] == [LATE]
    assert client.post(f"/staff/api/privacy/{SOON}/complete", headers=amal,
                       json={"note": "x" * 2001}).status_code == 422


def test_request_from_the_bot_completed_in_arabic(client: Client, seeded: Seeded, runtime: Runtime,
                                                   db: Engine) -> None:
    runtime.handle(InboundMessage("whatsapp", "+966551113333", "wa-1", "ابي احذف بياناتي", "esrar"))
    runtime.handle(InboundMessage("whatsapp", "+966551113333", "wa-2", "نعم", "esrar"))
    amal = login(client, "amal")
    [row] = client.get("/staff/api/privacy", headers=amal).json()
    assert (row["kind"], row["days_left"], row["overdue"]) == ("deletion", 30, False)
    done = client.post(f"/staff/api/privacy/{row['reference']}/complete", headers=amal, json={})
    assert done.status_code == 200, done.text
    with Session(db) as tx:
        last = tx.exec(select(OutboundRecord).order_by(col(OutboundRecord.id).desc())).first()
    assert last is not None and last.to_address == "+966551113333" and last.language == "ar"
    # A deletion now says what was done (the data was erased, storage/erase.py), not only that it was handled.
    assert last.text == f"تم إنجاز طلبك المتعلق ببياناتك الشخصية رقم {row['reference']}.\nحُذفت بياناتك الشخصية كما طلبت."


def test_console_dashboard_section_and_complete_form(client: Client, privacy: Seeded, db: Engine) -> None:
    csrf = sign_in(client, "amal")
    board = client.get("/staff").text
    assert 'dir="rtl"' in board and "طلبات البيانات الشخصية المفتوحة (2، المتأخرة 1)" in board
    assert board.index(LATE) < board.index(SOON) and NAMAA not in board
    assert re.search(r'<tr class="overdue"><td><a href="/staff/privacy/' + LATE, board)
    assert "متأخر يومان" in board and "باقٍ 12 يومًا" in board and "حذف البيانات" in board

    assert client.get(f"/staff/privacy/{NAMAA}").status_code == 404
    page = client.get(f"/staff/privacy/{LATE}")
    assert page.status_code == 200 and '<html lang="ar" dir="rtl">' in page.text and "هـ" in page.text
    assert f'action="/staff/privacy/{LATE}/complete"' in page.text and "7777" not in page.text
    assert [a.target for a in audits(db, "view_privacy")] == [LATE]

    url = f"/staff/privacy/{LATE}/complete"
    assert client.post(url, data={"note": "تم"}).status_code == 403  # no CSRF token
    assert client.post(f"/staff/privacy/{NAMAA}/complete", data={"csrf": csrf}).status_code == 404
    done = client.post(url, data={"csrf": csrf, "note": ""})
    assert done.status_code == 303 and done.headers["location"] == f"/staff/privacy/{LATE}?done=privacy"
    shown = client.get(done.headers["location"]).text
    assert "أُنجز طلب البيانات الشخصية" in shown and "منجز" in shown and "/complete" not in shown
    assert client.post(url, data={"csrf": csrf}).status_code == 400
    with Session(db) as tx:
        [out] = tx.exec(select(OutboundRecord)).all()
    assert out.to_address == "7777" and "ملاحظة" not in out.text and "نوٹ" not in out.text
    assert [a.actor for a in audits(db, "privacy_complete")] == ["amal"]
    assert "طلبات البيانات الشخصية المفتوحة (1، المتأخرة 0)" in client.get("/staff").text
