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
