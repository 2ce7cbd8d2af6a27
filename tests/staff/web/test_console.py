"""The Arabic staff console: right-to-left pages, cookie sessions, CSRF on every form, the reason asked
before personal data is shown, and forms that reach the beneficiary like the API does."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from bot.messages import InboundMessage
from bot.turn.runtime import Runtime
from storage.models import AuditLog, Complaint, OutboundRecord, StatusChange
from tests.conftest import Clock
from tests.staff.web.client import Client
from tests.staff.web.conftest import PASSWORD, Seeded

CSRF = re.compile(r'name="csrf" value="([^"]+)"')


def csrf_of(html: str) -> str:
    found = CSRF.search(html)
    assert found, html[:500]
    return found.group(1)


def sign_in(client: Client, username: str) -> str:
    """Signs in through the login form; the CSRF token of the dashboard."""
    form = client.get("/staff/login")
    response = client.post("/staff/login", data={"csrf": csrf_of(form.text), "username": username,
                                                  "password": PASSWORD})
    assert response.status_code == 303 and response.headers["location"] == "/staff"
    cookie = response.headers["set-cookie"].lower()
    assert "tawasul_staff=" in cookie and "httponly" in cookie and "samesite=strict" in cookie
    dashboard = client.get("/staff")
    assert dashboard.status_code == 200
    return csrf_of(dashboard.text)


def test_login_page_and_csrf(client: Client, seeded: Seeded, db: Engine) -> None:
    assert client.get("/staff").status_code == 303
    page = client.get("/staff/login")
    assert page.status_code == 200 and '<html lang="ar" dir="rtl">' in page.text
    assert "script" not in page.text and "http" not in page.text.replace("http-equiv", "")  # nothing fetched
    assert page.headers["content-security-policy"].startswith("default-src 'none'")
    token = csrf_of(page.text)
    assert client.post("/staff/login", data={"username": "amal", "password": PASSWORD}).status_code == 403
    wrong = client.post("/staff/login", data={"csrf": token, "username": "amal", "password": "nope nope"})
    assert wrong.status_code == 401 and "غير صحيحة" in wrong.text
    sign_in(client, "amal")
    logout = client.post("/staff/logout", data={})
    assert logout.status_code == 403  # even logging out needs the form's token


def test_dashboard_request_page_and_status_form(client: Client, seeded: Seeded, db: Engine) -> None:
    csrf = sign_in(client, "amal")
    board = client.get("/staff").text
    assert 'dir="rtl"' in board and "لوحة العمل" in board
    assert board.index("بلاغات عاجلة") < board.index("محادثات محالة") < board.index("الطلبات المفتوحة")
    assert board.index(seeded.esrar_overdue) < board.index(seeded.esrar_open)
    assert re.search(r'<tr class="overdue"><td><a href="/staff/requests/' + seeded.esrar_overdue, board)
    assert "هـ" in board and "متأخر يوم عمل واحد" in board and "باقٍ 5 أيام عمل" in board and "إصرار" in board
    assert seeded.namaa not in board and "نورة" not in board and "1012345678" not in board

    assert client.get(f"/staff/requests/{seeded.namaa}").status_code == 404
    page = client.get(f"/staff/requests/{seeded.esrar_overdue}")
    assert page.status_code == 200 and 'dir="rtl"' in page.text and "1012345678" not in page.text
    assert "سبب الاطلاع" in page.text
    url = f"/staff/requests/{seeded.esrar_overdue}/personal"
    assert client.post(url, data={"reason": "اتصال المستفيد"}).status_code == 403
    assert client.post(url, data={"csrf": csrf, "reason": ""}).status_code == 400
    shown = client.post(url, data={"csrf": csrf, "reason": "اتصال المستفيد"})
    assert shown.status_code == 200 and "1012345678" in shown.text and "نورة العتيبي" in shown.text
    with Session(db) as tx:
        row = tx.exec(select(AuditLog).where(AuditLog.action == "show_personal_data")).one()
        assert (row.actor, row.reason) == ("amal", "اتصال المستفيد")

    status_url = f"/staff/requests/{seeded.esrar_overdue}/status"
    assert client.post(status_url, data={"status": "accepted"}).status_code == 403
    done = client.post(status_url, data={"csrf": csrf, "status": "accepted", "note": "مبروك"})
    assert done.status_code == 303
    assert "تم تغيير الحالة" in client.get(done.headers["location"]).text
    with Session(db) as tx:
        assert tx.exec(select(StatusChange).where(StatusChange.status == "accepted")).one().actor == "amal"
        assert "مبروك" in tx.exec(select(OutboundRecord)).one().text
    assert client.post(status_url, data={"csrf": csrf, "status": "bogus"}).status_code == 400


def test_handoff_complaint_alert_and_ratings_forms(client: Client, seeded: Seeded, runtime: Runtime, db: Engine,
                                                   clock: Clock) -> None:
    runtime.handle(InboundMessage("whatsapp", "+966551112222", "wa-1", "ابغى اكلم موظف", "esrar"))
    clock.now += timedelta(minutes=1)
    csrf = sign_in(client, "amal")
    board = client.get("/staff").text
    [hid] = re.findall(r'href="/staff/handoffs/(H\d+)"', board)
    page = client.get(f"/staff/handoffs/{hid}")
    assert page.status_code == 200 and "إرسال الرد" in page.text
    assert client.post(f"/staff/handoffs/{hid}/reply", data={"text": "أهلًا"}).status_code == 403
    sent = client.post(f"/staff/handoffs/{hid}/reply", data={"csrf": csrf, "text": "أهلًا، معك أمل"})
    assert sent.status_code == 303
    with Session(db) as tx:
        last = tx.exec(select(OutboundRecord).order_by(col(OutboundRecord.id).desc())).first()
        assert last is not None and last.to_address == "+966551112222" and "معك أمل" in last.text
    assert client.post(f"/staff/handoffs/{hid}/release", data={"csrf": csrf}).status_code == 303
    assert "مغلق" in client.get(f"/staff/handoffs/{hid}").text

    complaint = client.get(f"/staff/complaints/{seeded.complaint}")
    assert complaint.status_code == 200 and "تأخر الرد على طلبي" not in complaint.text
    resolved = client.post(f"/staff/complaints/{seeded.complaint}/resolve",
                           data={"csrf": csrf, "outcome": "عُجّل طلبك"})
    assert resolved.status_code == 303
    with Session(db) as tx:
        assert tx.exec(select(Complaint)).one().status == "resolved"

    assert client.post(f"/staff/alerts/{seeded.alert_id}/acknowledge", data={"csrf": csrf}).status_code == 303
    assert "لا توجد بلاغات عاجلة" in client.get("/staff").text
    assert client.get("/staff/ratings").status_code == 403

    manager = Client(client.app)
    sign_in(manager, "mudir")
    ratings = manager.get("/staff/ratings")
    assert ratings.status_code == 200 and 'dir="rtl"' in ratings.text and "4.5" in ratings.text


def test_a_form_with_too_many_fields_is_a_clear_400(client: Client, seeded: Seeded) -> None:
    # Review item 12: more than 40 fields gave a 500, even on the login page.
    fields = {f"f{i}": "x" for i in range(45)}
    response = client.post("/staff/login", data=fields)
    assert response.status_code == 400


def test_docs_are_off_and_cookies_secure_behind_a_trusted_proxy(client: Client, seeded: Seeded,
                                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    # Review item 15: public /docs; the Secure flag only when the request itself was https.
    assert client.get("/docs").status_code == 404
    assert client.get("/openapi.json").status_code == 200
    monkeypatch.setenv("TAWASUL_TRUST_FORWARDED", "1")
    page = client.get("/staff/login", headers={"X-Forwarded-Proto": "https"})
    assert "secure" in page.headers["set-cookie"].lower()
    monkeypatch.delenv("TAWASUL_TRUST_FORWARDED")
    plain = client.get("/staff/login", headers={"X-Forwarded-Proto": "https"})
    assert "secure" not in plain.headers["set-cookie"].lower()  # a header nobody vouches for changes nothing
