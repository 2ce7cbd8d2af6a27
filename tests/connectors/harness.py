"""One harness for every channel: the REAL `tawasul serve` in a subprocess, fakes, signed posts.

    server = ServeProcess(db_url, fake.url, tmp_path).start()
    r = server.post_fixture("twilio", "whatsapp_text_ar", auth="valid")   # -> httpx.Response
    server.wait_for(lambda: fake.sent("twilio"))

A case is (label, channel, fixture, auth, expected status, expected text, sender, external id);
`run_case` posts it and checks the answer and what was stored (nothing at all for a 403).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import httpx

from bot.bench import serve
from bot.bench.serve import (  # noqa: F401 - the channel tests import these from here
    PUBLIC_BASE_URL,
    SECRETS,
    TELEGRAM_SECRET,
    TELEGRAM_TOKEN,
    TWILIO_SID,
    TWILIO_TOKEN,
    free_port,
    twilio_signature,
    wait_for,
)

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"


def fixture(channel: str, name: str) -> bytes:
    ext = "txt" if channel == "twilio" else "json"
    return (FIXTURES / channel / f"{name}.{ext}").read_bytes().strip()



class ServeProcess(serve.ServeProcess):
    """The served process, with the recorded provider payloads of tests/fixtures at hand."""

    def post_fixture(self, channel: str, name: str, auth: str = "valid") -> httpx.Response:
        return self.post(channel, fixture(channel, name), auth)


@dataclass(frozen=True)
class Case:
    label: str
    channel: str  # twilio | telegram (the webhook)
    fixture: str
    auth: str = "valid"  # valid | wrong | missing
    status: int = 200
    text: str | None = None  # stored text; None: nothing stored
    sender: str | None = None  # contact address
    external_id: str | None = None  # provider id stored
    msg_channel: str | None = None  # whatsapp | sms | telegram


def run_case(server: ServeProcess, case: Case) -> None:
    body = fixture(case.channel, case.fixture)
    before = server.rows("SELECT count(*) FROM message_in")[0][0]
    response = server.post(case.channel, body, case.auth)
    assert response.status_code == case.status, (case.label, response.status_code, response.text)
    if case.external_id is None:
        after = server.rows("SELECT count(*) FROM message_in")[0][0]
        assert after == before, f"{case.label}: something was stored"
        return
    stored = server.inbound(case.msg_channel or case.channel, case.external_id)
    assert len(stored) == 1, (case.label, stored)
    assert stored[0][0] == case.text, (case.label, stored[0][0])
    assert stored[0][1] == case.sender, (case.label, stored[0][1])
