"""Review item 11 (rest): phone numbers, alert texts and locations were shown in lists without a reason.
Lists (API, console, CLI) show them masked; the whole only in a record's own view opened with a reason,
which is audited."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from bot.messages import InboundMessage
from bot.staff import cli as staff
from bot.staff.masking import coarse, mask_address
from bot.turn.runtime import Runtime
from storage.db import get_engine
from storage.models import AuditLog
from tests.staff.web.client import Client
from tests.staff.web.conftest import Seeded, login
from tests.staff.web.test_console import csrf_of, sign_in

PHONE, TEXT = "+966550000000", "ساعدوني"  # the seeded esrar contact and its alert


def test_masks() -> None:
    assert mask_address("+966501234567") == "•••••••••4567"
    assert mask_address("123456789") == "••••••789" and mask_address("") == ""
    assert coarse(21.42251) == 21.4 and coarse(None) is None


def test_api_lists_mask_and_the_alert_view_needs_a_reason(client: Client, seeded: Seeded, db: Engine) -> None:
    amal = login(client, "amal")
    listed = client.get("/staff/api/alerts", headers=amal)
    assert PHONE not in listed.text and TEXT not in listed.text and "21.4225" not in listed.text
    [alert] = listed.json()
    assert alert["masked"] is True and alert["contact_address"].endswith("0000") and alert["text"] is None
    url = f"/staff/api/alerts/{seeded.alert_id}"
    assert client.get(url, headers=amal).status_code == 400  # no reason, nothing shown
    assert client.get(url, headers=login(client, "badr"), params={"reason": "متابعة البلاغ العاجل"}).status_code \
        == 404  # another association's alert
    full = client.get(url, headers=amal, params={"reason": "متابعة البلاغ العاجل"}).json()
    assert (full["contact_address"], full["text"], full["latitude"], full["masked"]) == (PHONE, TEXT, 21.4225, False)
    with Session(db) as tx:
        [row] = tx.exec(select(AuditLog).where(AuditLog.action == "show_personal_data")).all()
    assert (row.actor, row.target, row.reason, row.org_slug) == ("amal", f"alert:{seeded.alert_id}",
                                                                  "متابعة البلاغ العاجل", "esrar")


def test_console_dashboard_masks_and_the_alert_page_shows_with_a_reason(client: Client, seeded: Seeded,
                                                                        runtime: Runtime) -> None:
    runtime.handle(InboundMessage("whatsapp", "+966551112222", "wa-1", "ابغى اكلم موظف", "esrar"))
    sign_in(client, "amal")
    board = client.get("/staff").text
    assert PHONE not in board and TEXT not in board and "+966551112222" not in board and "21.4225" not in board
    page = client.get(f"/staff/alerts/{seeded.alert_id}").text
    assert PHONE not in page and TEXT not in page
    shown = client.post(f"/staff/alerts/{seeded.alert_id}/personal",
                        data={"csrf": csrf_of(page), "reason": "متابعة البلاغ العاجل"}).text
    assert PHONE in shown and TEXT in shown and "21.4225" in shown


def test_cli_list_masks(db: Engine, seeded: Seeded, monkeypatch: pytest.MonkeyPatch, tmp_path: Path,
                        capsys: pytest.CaptureFixture[str]) -> None:
    get_engine.cache_clear()
    try:
        assert staff.main(["--json", "list", "--as", "amal"]) == 0
        out = capsys.readouterr().out
        assert PHONE not in out and "21.4225" not in out
        assert json.loads(out)["urgent"][0]["lat"] == 21.4
        assert staff.main(["--json", "show", f"alert:{seeded.alert_id}", "--reason", "متابعة البلاغ العاجل",
                           "--as", "amal"]) == 0
        shown = json.loads(capsys.readouterr().out)
        assert (shown["contact"], shown["text"], shown["lat"]) == (PHONE, TEXT, 21.4225)
    finally:
        get_engine().dispose()
        get_engine.cache_clear()


def test_console_staff_write_to_the_person_who_raised_an_alert(client: Client, seeded: Seeded, db: Engine) -> None:
    # Issue 10, item 6: from the alert's page, a message to the person; their conversation goes to staff.
    sign_in(client, "amal")
    page = client.get(f"/staff/alerts/{seeded.alert_id}").text
    assert f'action="/staff/alerts/{seeded.alert_id}/reply"' in page
    assert client.post(f"/staff/alerts/{seeded.alert_id}/reply", data={"text": "نحن قادمون"}).status_code == 403
    sent = client.post(f"/staff/alerts/{seeded.alert_id}/reply",
                       data={"csrf": csrf_of(page), "text": "نحن في الطريق إليك، ابقَ مكانك"}, follow_redirects=False)
    assert sent.status_code == 303 and sent.headers["location"].startswith("/staff/handoffs/H")
    from sqlmodel import Session, select

    from storage.models import OutboundRecord, UrgentAlert

    with Session(db) as tx:
        alert = tx.exec(select(UrgentAlert)).one()
        texts = [o.text for o in tx.exec(select(OutboundRecord).where(OutboundRecord.contact_id == alert.contact_id))]
    assert any("نحن في الطريق إليك" in t for t in texts)
