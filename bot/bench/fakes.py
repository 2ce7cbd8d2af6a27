"""Local fakes of the Telegram Bot API and the Twilio REST API, on 127.0.0.1, for tests and the bench.

They record every request the REAL client libraries send (method, path, parsed params, auth) and can
inject failures: `fail(n, status, ...)` answers the next n send calls with an error (429 with
retry_after / Twilio 20429 with a Retry-After header, 5xx, Twilio 21610 or 63016), `hold()` keeps send
answers waiting (the request is recorded first) until `release()`: a crash can then land mid-send, and
`late(n, seconds)` ACCEPTS the next n sends (the message is the provider's, listed) and answers after
`seconds` (a client timeout then knows nothing of the outcome). `accepted(provider)` is what the
provider holds (each message once, as delivered to the user); Twilio's message list
(`GET .../Messages.json?To=...&DateSent>=...`, what the real client's `messages.list` asks) serves it.

    fake = FakeProviders().start()
    env = {"TELEGRAM_API_BASE_URL": fake.url, "TWILIO_API_BASE_URL": fake.url}
    ... fake.sent("telegram") -> [{"chat_id": "5550001", "text": "...", ...}]
"""

from __future__ import annotations

import base64
import calendar
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
    headers: dict[str, str] = field(default_factory=dict)
    late: float = 0.0  # > 0: not a failure; the message is accepted and answered after this many seconds
    to: str | None = None  # only for sends to this recipient (None: the next sends, whoever they are for)


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
        self.messages: dict[str, list[dict[str, Any]]] = {"telegram": [], "twilio": []}  # what each provider holds
        self._server = _Server(("127.0.0.1", 0), self._handler())
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
    def fail(self, provider: str, n: int = 1, status: int = 429, *, retry_header: float | None = None,
             skip: int = 0, **body: Any) -> None:
        """The next n sends fail with `status` (after `skip` sends that pass: part 2 of a long SMS)."""
        headers = {"Retry-After": f"{retry_header:g}"} if retry_header is not None else {}
        if provider == "telegram":
            payload = {"ok": False, "error_code": status, "description": body.pop("description", "Too Many Requests")}
            if status == 429:
                payload["parameters"] = {"retry_after": body.pop("retry_after", 1)}
        else:
            payload = {"code": body.pop("code", 20429 if status == 429 else status), "status": status,
                       "message": body.pop("message", "fake failure"), "more_info": ""}
            if "retry_after" in body:
                payload["retry_after"] = body.pop("retry_after")
        with self._lock:
            if skip:
                self._failures[provider].extend(Failure(200, {}, late=0.001) for _ in range(skip))
            self._failures[provider].extend(Failure(status, payload, headers) for _ in range(n))

    def late(self, provider: str, n: int = 1, seconds: float = 5.0, to: str | None = None) -> None:
        """The next n sends (to `to` only, when given) are accepted at once and answered `seconds` later."""
        with self._lock:
            self._failures[provider].extend(Failure(200, {}, late=seconds, to=to) for _ in range(n))

    def accepted(self, provider: str) -> list[dict[str, Any]]:
        """Every message the provider accepted (each once), in order: {"to", "text", "id", "at"}."""
        with self._lock:
            return list(self.messages[provider])

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
            for held in self.messages.values():
                held.clear()

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
                if path.endswith("/Messages.json"):
                    return self._json(200, fake._twilio_list(dict(parse_qsl(urlsplit(self.path).query))))
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

            def _json(self, status: int, body: dict[str, Any], headers: dict[str, str] | None = None) -> None:
                self._send(status, json.dumps(body).encode(), "application/json", headers)

            def _send(self, status: int, data: bytes, ctype: str = "application/json",
                      headers: dict[str, str] | None = None) -> None:
                try:
                    self._write(status, data, ctype, headers or {})
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the client gave up waiting (a late answer): it is ours to know, not to raise

            def _write(self, status: int, data: bytes, ctype: str, headers: dict[str, str]) -> None:
                self.send_response(status)
                for name, value in headers.items():
                    self.send_header(name, value)
                self.send_header("Content-Type", ctype)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

        return Handler

    def _record(self, provider: str, method: str, params: dict[str, Any], path: str, auth: str | None) -> None:
        with self._lock:
            self.requests.append(Recorded(provider, method, params, auth, path))

    def _failure(self, provider: str, to: str | None = None) -> Failure | None:
        with self._lock:
            queued = self._failures[provider]
            for i, failure in enumerate(queued):
                if failure.to is None or failure.to == to:
                    return queued.pop(i)
            return None

    def _accept(self, provider: str, to: str, text: str, ident: str) -> None:
        with self._lock:
            self.messages[provider].append({"to": to, "text": text, "id": ident, "at": time.time()})

    def _telegram(self, method: str, params: dict[str, Any], path: str) -> tuple[int, dict[str, Any]]:
        self._record("telegram", method, params, path, None)
        if method == "sendMessage":
            self._hold.wait()
            failure = self._failure("telegram", str(params.get("chat_id", "")))
            if failure and not failure.late:
                return failure.status, failure.body
            chat = {"id": int(params.get("chat_id", 0)), "type": "private"}
            ident = next(self._ids)
            self._accept("telegram", str(chat["id"]), str(params.get("text", "")), str(ident))
            if failure:
                time.sleep(failure.late)
            return 200, {"ok": True, "result": {"message_id": ident, "date": int(time.time()),
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

    def _twilio(self, params: dict[str, Any], path: str, auth: str | None
                ) -> tuple[int, dict[str, Any], dict[str, str]]:
        self._record("twilio", "Messages.create", params, path, auth)
        self._hold.wait()
        failure = self._failure("twilio", str(params.get("To", "")))
        if failure and not failure.late:
            return failure.status, failure.body, failure.headers
        sid = f"SM{next(self._ids):032x}"
        self._accept("twilio", str(params.get("To", "")), str(params.get("Body", "")), sid)
        if failure:
            time.sleep(failure.late)
        return 201, _twilio_message(sid, params.get("To"), params.get("From"), params.get("Body"), time.time()), {}

    def _twilio_list(self, query: dict[str, str]) -> dict[str, Any]:
        """Twilio's message list, newest first: `To` exact, `DateSent>` (ISO, whole seconds) inclusive."""
        since = query.get("DateSent>")
        after = calendar.timegm(time.strptime(since, "%Y-%m-%dT%H:%M:%SZ")) if since else 0.0
        with self._lock:
            held = [m for m in self.messages["twilio"]
                    if m["to"] == query.get("To", m["to"]) and m["at"] >= after - 1]
        self._record("twilio", "Messages.list", dict(query), "", None)
        messages = [_twilio_message(m["id"], m["to"], None, m["text"], m["at"]) for m in reversed(held)]
        return {"messages": messages, "next_page_uri": None, "page": 0, "page_size": 50, "uri": "",
                "first_page_uri": "", "previous_page_uri": None, "start": 0, "end": len(messages)}


def _twilio_message(sid: str, to: Any, sender: Any, body: Any, at: float) -> dict[str, Any]:
    sent = time.strftime("%a, %d %b %Y %H:%M:%S +0000", time.gmtime(at))
    return {"sid": sid, "status": "queued", "to": to, "from": sender, "body": body, "num_segments": "1",
            "error_code": None, "date_sent": sent, "date_created": sent}


class _Server(ThreadingHTTPServer):
    def handle_error(self, request: Any, client_address: Any) -> None:
        import sys

        if isinstance(sys.exc_info()[1], ConnectionError):
            return  # a client killed mid-request (the fault suite's kill -9): nothing of ours went wrong
        super().handle_error(request, client_address)


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


class FakesProcess:
    """The fakes in a process of their own, for a benchmark that times webhooks: in the timing process they
    would take its interpreter lock whenever a reply arrives, and a client whose answer has come would wait
    for them before it reads the clock. `url`, `sent` and `stop` as FakeProviders'."""

    def __init__(self) -> None:
        import multiprocessing

        context = multiprocessing.get_context("spawn")  # no threads forked along
        self._conn, child = context.Pipe()
        self._process = context.Process(target=_serve_fakes, args=(child,), name="provider-fakes", daemon=True)
        self.url = ""

    def start(self) -> FakesProcess:
        self._process.start()
        if not self._conn.poll(60):
            raise RuntimeError("the provider fakes did not start")
        self.url = self._conn.recv()
        return self

    def sent(self, provider: str) -> list[dict[str, Any]]:
        self._conn.send(("sent", provider))
        return self._conn.recv()  # type: ignore[no-any-return]

    def stop(self) -> None:
        if self._process.is_alive():
            self._conn.send(("stop", None))
            self._process.join(10)
        if self._process.is_alive():
            self._process.kill()
        self._conn.close()


def _serve_fakes(conn: Any) -> None:
    fake = FakeProviders().start()
    conn.send(fake.url)
    try:
        while True:
            command, arg = conn.recv()
            if command == "stop":
                return
            conn.send(fake.sent(arg))
    except EOFError:  # the bench went away
        return
    finally:
        fake.stop()
