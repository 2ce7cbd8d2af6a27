"""Browser tests: Playwright driving Debian's Chromium (/usr/bin/chromium, installed by `.ci/run`; never a
downloaded browser) against the REAL `tawasul serve` on a random loopback port with a fresh database,
local fakes of the providers, and signed webhooks. Reusable by every browser test module:

    def test_x(console: Console, staff_page: Callable[[str], Page]) -> None:
        page = staff_page("amal")                   # a signed-in console page (amal: esrar officer)
        console.server.post("twilio", twilio_body("+966501112233", "مرحبا"))
        page.goto(console.url + "/staff/inbox")
        console.shot(page, "inbox")                 # tests/browser/screenshots/inbox.png (git-ignored)

A missing Chromium FAILS the tests with a clear message: they never skip silently.
"""

from __future__ import annotations

import itertools
import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlencode

import pytest
from playwright.sync_api import Browser, Page, Playwright, sync_playwright

from bot.bench.fakes import FakeProviders
from bot.bench.serve import ServeProcess, use_data_key
from bot.staff import auth
from storage.db import transaction
from storage.migrate import upgrade

CHROMIUM = "/usr/bin/chromium"
# The network is closed: nothing Chromium would fetch for itself (updates, sync, QUIC probes).
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync"]
SCREENSHOTS = Path(os.environ.get("TAWASUL_SCREENSHOTS", Path(__file__).parent / "screenshots"))
PASSWORD = "correct horse battery"
# username: (org, role, display name)
STAFF = {"amal": ("esrar", "officer", "أمل الحربي"), "khalid": ("esrar", "officer", "خالد العنزي"),
         "mudir": ("esrar", "manager", "منيرة السبيعي")}
_ids = itertools.count(1)


def twilio_body(phone: str, text: str, to: str = "whatsapp:+966530801110", **extra: str) -> bytes:
    """A WhatsApp message as Twilio posts it (form-encoded), from `phone`, to esrar's number."""
    sid = f"SM{next(_ids):032d}"
    fields = {"SmsMessageSid": sid, "NumMedia": "0", "MessageType": "text", "SmsSid": sid, "SmsStatus": "received",
              "WaId": phone.lstrip("+"), "Body": text, "To": to, "NumSegments": "1", "MessageSid": sid,
              "AccountSid": "AC00000000000000000000000000000001", "From": f"whatsapp:{phone}",
              "ApiVersion": "2010-04-01", **extra}
    return urlencode(fields).encode()


@dataclass
class Console:
    server: ServeProcess
    fake: FakeProviders

    @property
    def url(self) -> str:
        return self.server.url

    def shot(self, page: Page, name: str) -> Path:
        """A full-page screenshot, saved each run (look at it: right to left, Arabic joined)."""
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        path = SCREENSHOTS / f"{name}.png"
        page.screenshot(path=str(path), full_page=True)
        return path

    def sign_in(self, page: Page, username: str) -> Page:
        page.goto(self.url + "/staff/login")
        page.fill("#username", username)
        page.fill("#password", PASSWORD)
        page.click("button[type=submit]")
        page.wait_for_url(self.url + "/staff")
        return page


@pytest.fixture(scope="package")
def playwright_driver() -> Iterator[Playwright]:
    with sync_playwright() as driver:
        yield driver


@pytest.fixture(scope="package")
def chromium(playwright_driver: Playwright) -> Iterator[Browser]:
    if not Path(CHROMIUM).is_file():
        pytest.fail(f"Chromium is missing at {CHROMIUM}: the browser tests need Debian's chromium package "
                    "(`apt-get install -y chromium`, as .ci/run does); they never download a browser.")
    browser = playwright_driver.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
    yield browser
    browser.close()


@pytest.fixture(scope="module")
def console(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Console]:
    """The real `tawasul serve` on a fresh SQLite database, with the STAFF users, and provider fakes."""
    use_data_key()  # the test reads what the server sealed
    fake = FakeProviders().start()
    workdir = tmp_path_factory.mktemp("console")
    url = f"sqlite:///{workdir}/tawasul.db"
    upgrade(url)
    server = ServeProcess(url, fake.url, workdir, TAWASUL_SECRET_KEY="browser-tests-secret-key-0123456789abcdef")
    with transaction(server.engine) as tx:
        for username, (org, role, name) in STAFF.items():
            auth.create_user(tx, username, password=PASSWORD, role=role, org=org, display_name=name)
    server.start()
    yield Console(server, fake)
    server.stop()
    fake.stop()


@pytest.fixture
def staff_page(chromium: Browser, console: Console) -> Iterator[Callable[[str], Page]]:
    """Signed-in console pages, one browser context each (Arabic locale, Riyadh time)."""
    contexts = []

    def open_as(username: str) -> Page:
        context = chromium.new_context(locale="ar-SA", timezone_id="Asia/Riyadh",
                                       viewport={"width": 1366, "height": 900})
        contexts.append(context)
        return console.sign_in(context.new_page(), username)

    yield open_as
    for context in contexts:
        context.close()
