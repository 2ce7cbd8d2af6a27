"""Local fakes of the Telegram Bot API and the Twilio REST API, on 127.0.0.1, for tests and the bench.

They record every request the REAL client libraries send (method, path, parsed params, auth) and can
inject failures: `fail(n, status, ...)` answers the next n send calls with an error (429 with
retry_after / Twilio 20429, 5xx, Twilio 21610 or 63016), and `hold()` keeps send answers waiting
(the request is recorded first) until `release()`: a crash can then land mid-send.

    fake = FakeProviders().start()
    env = {"TELEGRAM_API_BASE_URL": fake.url, "TWILIO_API_BASE_URL": fake.url}
    ... fake.sent("telegram") -> [{"chat_id": "5550001", "text": "...", ...}]
"""

from __future__ import annotations

import base64
import itertools
import json
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl, urlsplit

PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg=="
)


@dataclass
class Recorded:
    provider: str  # telegram | twilio
    method: str  # sendMessage, getFile, Messages.create, media ...
    params: dict[str, Any]
    auth: str | None = None
    path: str = ""
    at: float = field(default_factory=time.monotonic)


@dataclass
class Failure:
    status: int
    body: dict[str, Any]


class FakeProviders:
    def __init__(self) -> None:
        self.requests: list[Recorded] = []
        self._failures: dict[str, list[Failure]] = {"telegram": [], "twilio": []}
        self._lock = threading.Lock()
        self._ids = itertools.count(1)
        self._hold = threading.Event()
        self._hold.set()
        self.media: dict[str, tuple[str, bytes]] = {"/Media/ok.png": ("image/png", PNG)}
        self.updates: list[dict[str, Any]] = []  # served by getUpdates
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self._server.daemon_threads = True

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    def start(self) -> FakeProviders:
        threading.Thread(target=self._server.serve_forever, name="fake-providers", daemon=True).start()
        return self

    def stop(self) -> None:
        self._hold.set()
        self._server.shutdown()
        self._server.server_close()

    # ---- control --------------------------------------------------------------------------------
    def fail(self, provider: str, n: int = 1, status: int = 429, **body: Any) -> None:
        if provider == "telegram":
            payload = {"ok": False, "error_code": status, "description": body.pop("description", "Too Many Requests")}
            if status == 429:
                payload["parameters"] = {"retry_after": body.pop("retry_after", 1)}
        else:
            payload = {"code": body.pop("code", 20429 if status == 429 else status), "status": status,
                       "message": body.pop("message", "fake failure"), "more_info": ""}
        with self._lock:
            self._failures[provider].extend(Failure(status, payload) for _ in range(n))

    def hold(self) -> None:
        self._hold.clear()

    def release(self) -> None:
        self._hold.set()

    def sent(self, provider: str) -> list[dict[str, Any]]:
        """The params of every successful-or-not send call to `provider`, in arrival order."""
        method = "sendMessage" if provider == "telegram" else "Messages.create"
        with self._lock:
            return [r.params for r in self.requests if r.provider == provider and r.method == method]

    def clear(self) -> None:
        with self._lock:
            self.requests.clear()
            for queued in self._failures.values():
                queued.clear()

    # ---- HTTP -----------------------------------------------------------------------------------
    def _handler(self) -> type[BaseHTTPRequestHandler]:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args: Any) -> None:
                return None

            def do_GET(self) -> None:
                path = urlsplit(self.path).path
                if path.startswith("/file/bot"):
                    fake._record("telegram", "download", {}, path, None)
                    return self._send(200, PNG, "image/jpeg")
                for suffix, (ctype, data) in fake.media.items():
                    if path.endswith(suffix):
                        fake._record("twilio", "media", {}, path, self.headers.get("Authorization"))
                        return self._send(200, data, ctype)
                if path.startswith("/bot"):
                    return self.do_POST()
                return self._send(404, b"{}")

            def do_POST(self) -> None:
                parts = urlsplit(self.path)
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(length) if length else b""
                params = _params(raw, self.headers.get("Content-Type", ""), parts.query)
                if parts.path.startswith("/bot"):
                    _token, _, method = parts.path[len("/bot"):].partition("/")
                    return self._json(*fake._telegram(method, params, parts.path))
                if parts.path.endswith("/Messages.json"):
                    return self._json(*fake._twilio(params, parts.path, self.headers.get("Authorization")))
                return self._send(404, b"{}")

            def _json(self, status: int, body: dict[str, Any]) -> None:
                self._send(status, json.dumps(body).encode(), "application/json")

            def _send(self, status: int, data: bytes, ctype: str = "application/json") -> None:
                self.send_response(status)
                self.send_header("Content-Type", ctype)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

        return Handler

    def _record(self, provider: str, method: str, params: dict[str, Any], path: str, auth: str | None) -> None:
        with self._lock:
            self.requests.append(Recorded(provider, method, params, auth, path))

    def _failure(self, provider: str) -> Failure | None:
        with self._lock:
            return self._failures[provider].pop(0) if self._failures[provider] else None

    def _telegram(self, method: str, params: dict[str, Any], path: str) -> tuple[int, dict[str, Any]]:
        self._record("telegram", method, params, path, None)
        if method == "sendMessage":
            self._hold.wait()
            failure = self._failure("telegram")
            if failure:
                return failure.status, failure.body
            chat = {"id": int(params.get("chat_id", 0)), "type": "private"}
            return 200, {"ok": True, "result": {"message_id": next(self._ids), "date": int(time.time()),
                                                "chat": chat, "text": params.get("text", "")}}
        if method == "getFile":
            return 200, {"ok": True, "result": {"file_id": params.get("file_id"), "file_unique_id": "u1",
                                                "file_size": len(PNG), "file_path": "photos/file_1.jpg"}}
        if method == "getUpdates":
            with self._lock:
                # As Telegram does: an update stays until a later call's offset confirms it.
                offset = int(params.get("offset") or 0)
                self.updates = [u for u in self.updates if int(u.get("update_id", 0)) >= offset]
                updates = list(self.updates)
            if not updates:
                time.sleep(0.2)
            return 200, {"ok": True, "result": updates}
        if method == "getMe":
            return 200, {"ok": True, "result": {"id": 1, "is_bot": True, "first_name": "Tawasul", "username": "tawasul_bot"}}
        return 200, {"ok": True, "result": True}

    def _twilio(self, params: dict[str, Any], path: str, auth: str | None) -> tuple[int, dict[str, Any]]:
        self._record("twilio", "Messages.create", params, path, auth)
        self._hold.wait()
        failure = self._failure("twilio")
        if failure:
            return failure.status, failure.body
        sid = f"SM{next(self._ids):032x}"
        return 201, {"sid": sid, "status": "queued", "to": params.get("To"), "from": params.get("From"),
                     "body": params.get("Body"), "num_segments": "1", "error_code": None}


def _params(raw: bytes, ctype: str, query: str) -> dict[str, Any]:
    params: dict[str, Any] = dict(parse_qsl(query))
    if not raw:
        return params
    if "json" in ctype:
        params.update(json.loads(raw))
    elif "multipart" in ctype:
        params["_multipart"] = True
    else:
        params.update(parse_qsl(raw.decode("utf-8"), keep_blank_values=True))
    return params
