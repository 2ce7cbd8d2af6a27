"""Replies reach the providers' fakes: once, in order, after throttling, after a crash, never after STOP."""

from __future__ import annotations

import json

from bot.bench.fakes import FakeProviders
from tests.connectors.harness import SECRETS, TELEGRAM_TOKEN, TWILIO_SID, ServeProcess, fixture, wait_for


def _telegram_update(update_id: int, chat: int, text: str) -> bytes:
    data = json.loads(fixture("telegram", "text_ar"))
    data["update_id"] = update_id
    data["message"]["chat"]["id"] = data["message"]["from"]["id"] = chat
    data["message"]["text"] = text
    return json.dumps(data, ensure_ascii=False).encode()


def _to(fake: FakeProviders, provider: str, address: str) -> list[dict[str, object]]:
    key = "chat_id" if provider == "telegram" else "To"
    return [p for p in fake.sent(provider) if str(p.get(key)) == address]


def test_whatsapp_reply_reaches_the_fake_signed_and_from_the_org_number(server: ServeProcess, fake: FakeProviders) -> None:
    body = fixture("twilio", "whatsapp_text_ar").replace(b"SM1111", b"SM9111")
    assert server.post("twilio", body).status_code == 200
    sent = wait_for(lambda: _to(fake, "twilio", "whatsapp:+966501234567"))
    assert sent[0]["From"] == "whatsapp:+966530801110"  # the esrar profile's number
    assert sent[0]["Body"]
    assert str(sent[0]["StatusCallback"]).startswith("https://bot.example.test/webhooks/twilio?outbox=")
    create = [r for r in fake.requests if r.method == "Messages.create"][-1]
    assert create.path == f"/2010-04-01/Accounts/{TWILIO_SID}/Messages.json" and create.auth.startswith("Basic ")
    row = wait_for(lambda: [r for r in server.outbox("+966501234567") if r[1] == "sent"])
    assert row[0][3].startswith("SM")  # the provider's message id is recorded


def test_status_callbacks_move_forward_only(server: ServeProcess, fake: FakeProviders) -> None:
    body = fixture("twilio", "whatsapp_text_ar").replace(b"SM1111", b"SM8111").replace(b"501234567", b"501230000")
    server.post("twilio", body)
    row = wait_for(lambda: [r for r in server.outbox("+966501230000") if r[1] == "sent"])[0]
    outbox_id, sid = row[0], row[3]

    def callback(status: str) -> int:
        form = f"MessageSid={sid}&MessageStatus={status}&AccountSid={TWILIO_SID}".encode()
        return server.post("twilio", form, query=f"outbox={outbox_id}").status_code

    assert callback("delivered") == 200
    assert callback("sent") == 200  # late and out of order: ignored
    assert server.rows("SELECT status FROM message_out WHERE id = :i", i=outbox_id)[0][0] == "delivered"
    assert callback("read") == 200
    assert server.rows("SELECT status FROM message_out WHERE id = :i", i=outbox_id)[0][0] == "read"


def test_sms_reply_is_numbered_text(server: ServeProcess, fake: FakeProviders) -> None:
    server.post_fixture("twilio", "sms_text_ar")
    sent = wait_for(lambda: _to(fake, "twilio", "+966551112222"))
    assert sent[0]["From"] == "+15005550006"  # esrar has no SMS number: TWILIO_SMS_FROM
    assert "ContentSid" not in sent[0]


def test_telegram_reply_with_keyboard(server: ServeProcess, fake: FakeProviders) -> None:
    server.post("telegram", _telegram_update(800001, 6660001, "السلام عليكم"))
    sent = wait_for(lambda: _to(fake, "telegram", "6660001"))
    assert sent[0]["text"]
    paths = [r.path for r in fake.requests if r.method == "sendMessage"]
    assert all(p == f"/bot{TELEGRAM_TOKEN}/sendMessage" for p in paths)


def test_same_update_twice_is_one_turn(server: ServeProcess, fake: FakeProviders) -> None:
    body = _telegram_update(800002, 6660002, "السلام عليكم")
    assert server.post("telegram", body).status_code == 200
    assert server.post("telegram", body).status_code == 200
    wait_for(lambda: _to(fake, "telegram", "6660002"))
    turns = server.rows("SELECT count(*) FROM message_in WHERE channel='telegram' AND provider_id='800002'")[0][0]
    replies = server.rows("SELECT in_reply_to FROM message_out WHERE to_address = '6660002'")
    assert turns == 1 and len({r[0] for r in replies}) == 1


def test_throttled_then_delivered_once(server: ServeProcess, fake: FakeProviders) -> None:
    fake.fail("telegram", 1, status=429, retry_after=1)
    server.post("telegram", _telegram_update(800003, 6660003, "مرحبا"))
    wait_for(lambda: [r for r in server.outbox("6660003") if r[1] == "sent"], timeout=30)
    rows = server.outbox("6660003")
    attempts = len([p for p in fake.sent("telegram") if str(p["chat_id"]) == "6660003"])
    assert attempts == len(rows) + 1  # one refused with 429, then each delivered once
    assert all(r[1] == "sent" for r in rows) and max(r[4] for r in rows) == 2


def test_twilio_throttled_20429_then_delivered(server: ServeProcess, fake: FakeProviders) -> None:
    fake.fail("twilio", 1, status=429, code=20429)
    body = fixture("twilio", "sms_text_ar").replace(b"SM5555", b"SM7555").replace(b"551112222", b"551117777")
    server.post("twilio", body)
    wait_for(lambda: [r for r in server.outbox("+966551117777") if r[1] == "sent"], timeout=30)
    rows = server.outbox("+966551117777")
    assert rows[0][4] == 2 and all(r[1] == "sent" for r in rows)  # refused once, then sent
    assert len(_to(fake, "twilio", "+966551117777")) == len(rows) + 1


def test_stop_then_nothing_more(server: ServeProcess, fake: FakeProviders) -> None:
    server.post_fixture("twilio", "sms_stop")
    sent = wait_for(lambda: _to(fake, "twilio", "+966551113333"))
    assert "إلغاء اشتراكك" in str(sent[0]["Body"])
    assert server.rows("SELECT opted_out FROM contact WHERE address = '+966551113333'")[0][0] in (1, True)
    later = fixture("twilio", "sms_stop").replace(b"SM7777", b"SM6777").replace(b"Body=STOP", b"Body=%D9%85%D8%B1%D8%AD%D8%A8%D8%A7")
    server.post("twilio", later)
    wait_for(lambda: server.rows("SELECT processed_at FROM message_in WHERE provider_id LIKE 'SM6777%'")[0][0])
    assert len(_to(fake, "twilio", "+966551113333")) == 1


def test_arabic_stop_keyword(server: ServeProcess, fake: FakeProviders) -> None:
    server.post_fixture("twilio", "sms_stop_ar")
    wait_for(lambda: _to(fake, "twilio", "+966551114444"))
    assert server.rows("SELECT opted_out FROM contact WHERE address = '+966551114444'")[0][0] in (1, True)


def test_error_21610_marks_the_contact_stopped(server: ServeProcess, fake: FakeProviders) -> None:
    fake.fail("twilio", 1, status=400, code=21610, message="Attempt to send to unsubscribed recipient")
    body = fixture("twilio", "sms_text_ar").replace(b"SM5555", b"SM4555").replace(b"551112222", b"551118888")
    server.post("twilio", body)
    wait_for(lambda: [r for r in server.outbox("+966551118888") if r[1] == "failed"])
    assert server.rows("SELECT opted_out FROM contact WHERE address = '+966551118888'")[0][0] in (1, True)


def test_media_downloaded_through_the_api_base(server: ServeProcess, fake: FakeProviders) -> None:
    body = fixture("twilio", "whatsapp_media").replace(b"SM2222", b"SM5222")
    server.post("twilio", body)
    row = wait_for(lambda: [r for r in server.inbound("whatsapp", "SM52222222222222222222222222222222") if r[2]])
    media = row[0][5]["media"]
    assert media[0]["path"].endswith(".png") and media[0]["size"] > 0
    assert any(r.method == "media" and r.auth and r.auth.startswith("Basic ") for r in fake.requests)


def test_secrets_never_logged(server: ServeProcess) -> None:
    server.post_fixture("twilio", "whatsapp_text_ar", auth="wrong")
    server.post_fixture("telegram", "text_ar", auth="wrong")
    log = server.log()
    assert "DEBUG" in log or "INFO" in log  # the log was captured at all
    for secret in SECRETS:
        assert secret not in log
