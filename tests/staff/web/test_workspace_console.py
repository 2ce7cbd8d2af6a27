"""The workspace in the console without a browser: Arabic names for every key (committees, categories,
contact officers, channels), phone numbers isolated left to right, the inbox page's script allowed by its
CSP only, the thread's reason form and its one reason a day, and the new endpoints in /openapi.json."""

from __future__ import annotations

from datetime import timedelta

from bot.messages import InboundMessage
from bot.turn.runtime import Runtime
from tests.conftest import Clock
from tests.staff.web.client import Client
from tests.staff.web.conftest import Seeded
from tests.staff.web.test_console import csrf_of, sign_in


def test_keys_show_in_arabic_and_numbers_left_to_right(client: Client, seeded: Seeded, runtime: Runtime) -> None:
    runtime.handle(InboundMessage("whatsapp", "+966551112222", "wa-lbl", "ابغى اكلم موظف", "esrar"))
    sign_in(client, "amal")
    board = client.get("/staff").text
    assert "officer.general" not in board and "ضابط الاتصال العام" in board
    assert '<bdi dir="ltr">' in board and ">whatsapp<" not in board and "واتساب" in board
    complaint = client.get(f"/staff/complaints/{seeded.complaint}").text
    assert "follow_up" not in complaint and "لجنة المتابعة" in complaint
    assert ">delay<" not in complaint and "تأخر في الرد" in complaint


def test_inbox_page_script_and_thread_reason_once_a_day(client: Client, seeded: Seeded, runtime: Runtime,
                                                        clock: Clock) -> None:
    runtime.handle(InboundMessage("telegram", "8080", "tg-c1", "ابغى اكلم موظف", "esrar"))
    sign_in(client, "amal")
    page = client.get("/staff/inbox")
    assert page.status_code == 200 and "script-src 'self'" in page.headers["content-security-policy"]
    assert '<script src="/staff/inbox.js"></script>' in page.text and "<script>" not in page.text
    assert "script-src" not in client.get("/staff").headers["content-security-policy"]  # other pages: no scripts
    assert "EventSource" in client.get("/staff/inbox.js").text
    rows = client.get("/staff/inbox/rows", params={"view": "unassigned"}).json()
    assert 'data-kind="handoff"' in rows["rows"] and rows["counts"]["unassigned"] == 1
    handoff_row = rows["rows"].split('data-kind="handoff"')[1]
    conv = handoff_row.split('href="/staff/threads/')[1].split('"')[0]
    asked = client.get(f"/staff/threads/{conv}")
    assert 'name="reason"' in asked.text and "ابغى اكلم موظف" not in asked.text
    opened = client.post(f"/staff/threads/{conv}/open", data={"csrf": csrf_of(asked.text), "reason": "متابعة المستفيد"})
    assert "ابغى اكلم موظف" in opened.text and "المساعد الآلي" in opened.text
    again = client.get(f"/staff/threads/{conv}")
    assert "ابغى اكلم موظف" in again.text and 'name="reason"' not in again.text
    noted = client.post(f"/staff/threads/{conv}/notes", data={"csrf": csrf_of(again.text), "text": "للموظفين فقط"})
    assert noted.status_code == 303
    assert "للموظفين فقط" in client.get(f"/staff/threads/{conv}").text
    clock.now += timedelta(days=1)
    assert 'name="reason"' in client.get(f"/staff/threads/{conv}").text


def test_workspace_endpoints_are_documented(client: Client) -> None:
    paths = client.get("/openapi.json").json()["paths"]
    for path in ("/staff/api/inbox", "/staff/api/inbox/events", "/staff/api/handoffs/{handoff_id}/claim",
                 "/staff/api/handoffs/{handoff_id}/assign", "/staff/api/handoffs/{handoff_id}/transfer",
                 "/staff/api/threads/{conversation}", "/staff/api/threads/{conversation}/notes",
                 "/staff/api/threads/{conversation}/ready-replies", "/staff/api/orgs/{org}/ready-replies",
                 "/staff/api/search"):
        assert path in paths, path
    assert "put" in paths["/staff/api/orgs/{org}/ready-replies"]
