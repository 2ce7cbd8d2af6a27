"""A manager opens the monthly report in a real browser (Playwright driving Debian's Chromium, no browser
download), sees the Arabic charts load, and downloads the board's PDF and an Excel export.

The app runs in a real uvicorn server on a free loopback port, on a SQLite database seeded as the staff
API tests seed theirs. The screenshot is saved to $TAWASUL_SCREENSHOTS (default data/screenshots/).
"""

from __future__ import annotations

import io
import os
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import uvicorn
from openpyxl import load_workbook
from sqlalchemy.engine import Engine

from bot.app import Service, create_app
from bot.turn.runtime import Runtime
from connectors.config import Settings
from tests.staff.web.conftest import PASSWORD, seed
from tests.staff.web.test_reports import _manager, _month

CHROMIUM = Path(os.environ.get("TAWASUL_CHROMIUM", "/usr/bin/chromium"))
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
        "--disable-component-update", "--disable-sync"]
ROOT = Path(__file__).resolve().parent.parent.parent
SHOTS = Path(os.environ.get("TAWASUL_SCREENSHOTS", ROOT / "data" / "screenshots"))

import playwright.sync_api as playwright_sync  # a dev dependency: never skipped


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def server(runtime: Runtime, db: Engine) -> Iterator[str]:
    """The app on a real HTTP server, in a thread; its base URL."""
    port = _free_port()
    app = create_app(Service(runtime=runtime, settings=Settings(), channels={}))
    config = uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="off")
    srv = uvicorn.Server(config)
    thread = threading.Thread(target=srv.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not srv.started:
        assert time.monotonic() < deadline, "the server did not start"
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    srv.should_exit = True
    thread.join(timeout=10)


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
def test_manager_opens_the_monthly_report_and_downloads(server: str, db: Engine, db_url: str,
                                                         chromium: playwright_sync.Browser) -> None:
    seed(db)
    _month(db)
    _manager(db)
    # The browser is the session's (tests/browser/conftest.py): one Playwright driver for every test.
    browser = chromium
    try:
        page = browser.new_context(locale="ar-SA", accept_downloads=True).new_page()
        page.goto(f"{server}/staff/login")
        page.fill("#username", "esrar.mudir")
        page.fill("#password", PASSWORD)
        page.click("button[type=submit]")
        page.wait_for_url(f"{server}/staff")
        page.click("text=التقارير")
        page.wait_for_url(f"{server}/staff/reports")
        page.fill("#month", "2026-11")
        page.click("form[action='/staff/reports'] button")
        page.wait_for_url("**/staff/reports?org=esrar&month=2026-11")
        page.wait_for_load_state("networkidle")
        assert page.locator("html").get_attribute("dir") == "rtl"
        assert "نوفمبر 2026" in page.inner_text("main") and "جمادى" in page.inner_text("main")
        # Every chart image loaded (a broken or refused image has no natural width).
        widths = page.eval_on_selector_all("figure img", "imgs => imgs.map(i => i.complete && i.naturalWidth)")
        assert len(widths) == 5 and all(w and w > 300 for w in widths), widths
        SHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SHOTS / "report.png"), full_page=True)
        with page.expect_download() as pdf_download:
            page.click("#pdf")
        pdf = Path(pdf_download.value.path()).read_bytes()
        assert pdf[:5] == b"%PDF-" and pdf_download.value.suggested_filename == "tawasul-esrar-2026-11.pdf"
        with page.expect_download() as xlsx_download:
            page.click("a[href^='/staff/export/requests.xlsx']")
        sheet = load_workbook(io.BytesIO(Path(xlsx_download.value.path()).read_bytes())).active
        rows = list(sheet.iter_rows(values_only=True))
        assert rows[0][0] == "رقم الطلب" and {r[0] for r in rows[1:]} == {"ESR-0000-00001", "ESR-0000-00002"}
        assert not any("+966550000000" in str(v) for r in rows for v in r)  # masked without a reason
        # The timers (late in red) and the audit page, which now holds the exports just made.
        page.click("text=المواعيد والمتأخرات")
        page.wait_for_url(f"{server}/staff/timers")
        late = page.locator("tr.overdue", has_text="ESR-0000-00001")
        assert late.count() == 1 and "متأخر" in late.inner_text()
        assert page.eval_on_selector("tr.overdue td", "td => getComputedStyle(td).backgroundColor") \
            == "rgb(253, 232, 230)"
        page.screenshot(path=str(SHOTS / "timers.png"), full_page=True)
        page.click("text=سجل التدقيق")
        page.select_option("#action", "export_list")
        page.fill("#since", "١٤٤٨-٠٦-١٠ هـ")
        page.click("form[action='/staff/audit'] button")
        page.wait_for_load_state("networkidle")
        assert "الصفوف 1–1 من 1" in page.inner_text("main") and "تصدير قائمة" in page.inner_text("main")
        page.screenshot(path=str(SHOTS / "audit.png"), full_page=True)
        page.click("text=العمل الميداني")
        page.wait_for_url(f"{server}/staff/field")
        assert page.get_attribute("#date", "type") == "text"  # either calendar, not the US-style picker
        page.screenshot(path=str(SHOTS / "field.png"), full_page=True)
    finally:
        for context in browser.contexts:
            context.close()
