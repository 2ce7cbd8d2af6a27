"""A stand-in NLU server on loopback: answers `/model/parse` after a delay, itself or by asking a real server.

Used by `tawasul bench slow-nlu` (a real NLU made slow) and by tests (a dead, slow or held server).

    standin = NLUStandIn(delay=20.0, upstream="http://127.0.0.1:5005")   # the real NLU, 20 s late
    standin = NLUStandIn(delay=5.0)            # greet, 0.9, after 5 s (or when `release()` is called)
"""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import httpx


class NLUStandIn:
    def __init__(self, *, delay: float = 0.0, upstream: str | None = None, port: int = 0) -> None:
        owner = self
        self.delay = delay
        self.upstream = upstream
        self.asked = 0  # parse requests received
        self.answered = 0  # parse requests answered
        self._released = threading.Event()
        self._lock = threading.Lock()
        self._http = httpx.Client(timeout=60)

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_GET(self) -> None:
                self._send(b'{"version": "stand-in"}')

            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("content-length", "0")))
                with owner._lock:
                    owner.asked += 1
                if owner.delay:
                    owner._released.wait(owner.delay)
                if owner.upstream:
                    query = self.path.partition("?")[2]
                    answer = owner._http.post(f"{owner.upstream}/model/parse?{query}", content=body,
                                              headers={"content-type": "application/json"})
                    data = answer.content
                else:
                    data = json.dumps({"intent": {"name": "greet", "confidence": 0.9},
                                       "intent_ranking": [{"name": "greet", "confidence": 0.9}]}).encode()
                with owner._lock:
                    owner.answered += 1
                self._send(data)

            def _send(self, data: bytes) -> None:
                self.send_response(200)
                self.send_header("content-type", "application/json")
                self.send_header("content-length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *_args: Any) -> None:
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", port), Handler)
        self._server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}"
        self._thread = threading.Thread(target=self._server.serve_forever, name="nlu-stand-in", daemon=True)
        self._thread.start()

    def release(self) -> None:
        """Answer the waiting requests (and every later one) at once."""
        self._released.set()

    def stop(self) -> None:
        self.release()
        self._server.shutdown()
        self._server.server_close()
        self._http.close()
