"""Issue 12, item 6, through the real service: while a turn waits on a slow NLU (held up to 5 s), webhooks of
the same and of other contacts are answered and stored, and /healthz answers. Both databases."""

from __future__ import annotations

import json
from pathlib import Path

import httpx

from bot.bench.fakes import FakeProviders
from bot.bench.standin import NLUStandIn
from storage.migrate import upgrade
from tests.connectors.harness import ServeProcess, wait_for


def _update(update_id: int, chat: int, text: str) -> bytes:
    return json.dumps({"update_id": update_id, "message": {
        "message_id": update_id, "date": 1764400000, "text": text, "chat": {"id": chat, "type": "private"},
        "from": {"id": chat, "is_bot": False, "first_name": "مستفيد"}}}, ensure_ascii=False).encode()


def test_webhooks_and_health_answer_while_a_turn_waits_on_the_nlu(db_url: str, fake: FakeProviders,
                                                                   tmp_path: Path) -> None:
    upgrade(db_url)
    nlu = NLUStandIn(delay=5.0)
    server = ServeProcess(db_url, fake.url, tmp_path, NLU_URL=nlu.url, TAWASUL_NLU_TIMEOUT="10")
    try:
        server.start()
        assert server.post("telegram", _update(810001, 8101, "ابغى اقدم طلب")).status_code == 200
        wait_for(lambda: nlu.asked >= 1, timeout=10)  # the turn is now waiting on the NLU
        same = server.post("telegram", _update(810002, 8101, "السلام عليكم"))
        other = server.post("telegram", _update(810003, 8102, "مرحبا"))
        health = httpx.get(server.url + "/healthz", timeout=10)
        in_flight = nlu.answered == 0
        stored = server.rows("SELECT count(*) FROM message_in")[0][0]
        nlu.release()
        assert same.status_code == other.status_code == health.status_code == 200
        assert in_flight, "answered only after the NLU: something waited on it"
        assert stored == 3, "both messages were stored while the NLU was still thinking"
        wait_for(lambda: server.rows("SELECT count(*) FROM message_in WHERE processed_at IS NULL")[0][0] == 0,
                 timeout=30)
    finally:
        server.stop()
        nlu.stop()
