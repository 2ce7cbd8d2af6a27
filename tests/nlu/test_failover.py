"""NLU_URL as a list of servers: the client skips a dead one, spreads requests over the live ones, and takes a
server back when its health check finds it answering (two stand-in servers on loopback, one dead at first)."""

from __future__ import annotations

import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from bot.bench.serve import free_port
from nlu.client import NLUClient


class StandIn:
    """A stand-in NLU server: every parse is greet, 0.9; it counts what it was asked."""

    def __init__(self, port: int = 0) -> None:
        owner = self
        self.asked = 0

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                self.rfile.read(int(self.headers.get("content-length", "0")))
                if self.path.startswith("/model/parse"):
                    owner.asked += 1
                body = json.dumps({"intent": {"name": "greet", "confidence": 0.9},
                                   "intent_ranking": [{"name": "greet", "confidence": 0.9}]}).encode()
                self.send_response(200)
                self.send_header("content-type", "application/json")
                self.send_header("content-length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *_args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", port), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()


def test_a_dead_server_is_skipped_and_taken_back_when_it_answers() -> None:
    live = StandIn()
    dead_port = free_port()
    dead_url = f"http://127.0.0.1:{dead_port}"
    client = NLUClient(f"{dead_url},{live.url}", timeout=1.0, check_every=0.2)
    revived: StandIn | None = None
    try:
        results = [client.parse("hello there") for _ in range(6)]
        assert all(r.intent == "greet" for r in results), "every message answered despite the dead server"
        assert live.asked == 6
        assert client.servers() == {dead_url: "down", live.url: "up"}

        revived = StandIn(dead_port)  # the dead server comes back
        deadline = time.monotonic() + 5
        while client.servers()[dead_url] == "down" and time.monotonic() < deadline:
            time.sleep(0.05)
        assert client.servers()[dead_url] == "up", "the health check took it back"
        before = revived.asked
        for _ in range(6):
            assert client.parse("hello there").intent == "greet"
        assert revived.asked - before >= 2 and live.asked > 6, "requests spread over both servers"

        live.stop()  # now the other one dies
        assert all(client.parse("hello there").intent == "greet" for _ in range(4))
        assert client.servers()[live.url] == "down"
    finally:
        client.close()
        if revived is not None:
            revived.stop()


def test_every_server_down_falls_back_to_menus() -> None:
    client = NLUClient(f"http://127.0.0.1:{free_port()},http://127.0.0.1:{free_port()}", timeout=0.5)
    try:
        result = client.parse("ابغى اقدم طلب")
        assert result.intent is None and result.language == "ar"
    finally:
        client.close()
