"""`make run` with only TELEGRAM_BOT_TOKEN: the service long-polls and answers, no webhook needed."""

from __future__ import annotations

import json

from bot.bench.fakes import FakeProviders
from tests.connectors.harness import ServeProcess, fixture, wait_for


def test_long_polling_answers(sqlite_server: ServeProcess, fake: FakeProviders) -> None:
    server = sqlite_server
    for name in ("TELEGRAM_WEBHOOK_SECRET", "PUBLIC_BASE_URL", "TWILIO_AUTH_TOKEN", "TWILIO_ACCOUNT_SID"):
        server.env.pop(name)
    update = json.loads(fixture("telegram", "text_ar"))
    update["update_id"], update["message"]["chat"]["id"] = 990001, 6680001
    fake.updates.append(update)
    server.start()
    sent = wait_for(lambda: [p for p in fake.sent("telegram") if str(p["chat_id"]) == "6680001"])
    assert sent[0]["text"]
    assert any(r.method == "deleteWebhook" for r in fake.requests)
    assert server.post_fixture("telegram", "text_ar").status_code == 403  # no secret: webhook refused
    assert server.post_fixture("twilio", "sms_text_ar").status_code == 403  # no auth token: refused


def test_an_update_polled_while_the_database_is_away_is_stored_later(sqlite_server: ServeProcess,
                                                                      fake: FakeProviders) -> None:
    from sqlalchemy import create_engine

    server = sqlite_server
    for name in ("TELEGRAM_WEBHOOK_SECRET", "PUBLIC_BASE_URL", "TWILIO_AUTH_TOKEN", "TWILIO_ACCOUNT_SID"):
        server.env.pop(name)
    server.env["TAWASUL_DB_BUSY_TIMEOUT_MS"] = "300"
    server.start()
    held = create_engine(server.db_url)
    with held.connect() as conn:
        conn.exec_driver_sql("BEGIN EXCLUSIVE")  # no writer gets in: the accept fails with "database is locked"
        update = json.loads(fixture("telegram", "text_ar"))
        update["update_id"], update["message"]["chat"]["id"] = 990101, 6680101
        fake.updates.append(update)
        wait_for(lambda: any(r.method == "getUpdates" for r in fake.requests[-3:]) and "not stored" in server.log(),
                 timeout=20)
        conn.exec_driver_sql("ROLLBACK")
    held.dispose()
    sent = wait_for(lambda: [p for p in fake.sent("telegram") if str(p["chat_id"]) == "6680101"], timeout=30)
    assert len(sent) == 1, "polled again and answered once"
