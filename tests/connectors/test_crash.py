"""SIGKILL with messages in the outbox: after a restart each is delivered, and none twice.

The one send in flight at the kill (Telegram: no list of sent messages to ask) is taken as sent once, with a
note; every other claimed or queued row is sent normally after the restart (issue 12: none reaped as failed).
"""

from __future__ import annotations

import collections
import json

from bot.bench.fakes import FakeProviders
from tests.connectors.harness import ServeProcess, fixture, wait_for

CHATS = [6670001 + i for i in range(6)]


def _update(update_id: int, chat: int) -> bytes:
    data = json.loads(fixture("telegram", "text_ar"))
    data["update_id"] = update_id
    data["message"]["chat"]["id"] = data["message"]["from"]["id"] = chat
    data["message"]["text"] = "السلام عليكم"
    return json.dumps(data, ensure_ascii=False).encode()


def test_killed_mid_delivery_then_restarted(sqlite_server: ServeProcess, fake: FakeProviders) -> None:
    server = sqlite_server
    server.env.update(TAWASUL_OUTBOX_SENDERS="1")  # one send in flight at a time
    fake.hold()  # the fake records each send, then keeps the answer back: the kill lands mid-send
    server.start()
    for i, chat in enumerate(CHATS):
        assert server.post("telegram", _update(900001 + i, chat)).status_code == 200
    wait_for(lambda: len(fake.sent("telegram")) >= 1)
    wait_for(lambda: server.rows("SELECT count(*) FROM message_in WHERE processed_at IS NULL")[0][0] == 0)
    server.kill()
    fake.release()
    in_flight = {int(p["chat_id"]) for p in fake.sent("telegram")}
    queued = server.rows("SELECT count(*) FROM message_out WHERE status = 'queued'")[0][0]
    assert queued > 0, "the kill should leave undelivered messages in the outbox"

    server.start()
    wait_for(lambda: server.rows("SELECT count(*) FROM message_out WHERE status IN ('queued', 'sending')")[0][0] == 0,
             timeout=40)
    rows = server.rows("SELECT id, to_address, status, last_error FROM message_out ORDER BY id")
    received = collections.Counter(int(p["chat_id"]) for p in fake.sent("telegram"))
    assert all(n == 1 for n in received.values()), received  # never twice
    assert [status for _id, _chat, status, _error in rows] == ["sent"] * len(rows)
    unconfirmed = {int(chat) for _id, chat, _status, error in rows if error}
    assert unconfirmed == in_flight  # only the send in flight at the kill is noted, and the fake has it
    assert all("taken as sent" in error for *_rest, error in rows if error)
    assert set(received) == set(CHATS)  # every chat got its reply, exactly once
