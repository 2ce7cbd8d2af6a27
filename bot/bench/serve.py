"""The REAL `tawasul serve` in a subprocess, pointed at local provider fakes, with signed webhook posts.

Used by the load benchmark (`tawasul bench`) and by the channel tests.

    server = ServeProcess(db_url, fake.url, workdir).start()
    server.post("twilio", body)          # signed as Twilio signs it, over PUBLIC_BASE_URL
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import httpx
from sqlalchemy import create_engine, text
from twilio.request_validator import RequestValidator  # type: ignore[import-untyped]

from storage.sealed import unseal

PUBLIC_BASE_URL = "https://bot.example.test"  # what Twilio signs; the server listens elsewhere
TWILIO_SID = "AC00000000000000000000000000000001"
TWILIO_TOKEN = "tw-auth-token-0123456789abcdef"
TELEGRAM_TOKEN = "123456789:AAFake-Telegram-Token-xyz0123456789"
TELEGRAM_SECRET = "tg-webhook-secret-0123456789"
SECRETS = (TWILIO_TOKEN, TELEGRAM_TOKEN, TELEGRAM_SECRET)
T = TypeVar("T")


def use_data_key() -> None:
    """One data key for the bench and the serve processes it starts (they inherit the environment), so
    the bench can read the texts they seal (storage/sealed.py)."""
    if not os.environ.get("TAWASUL_DATA_KEY"):
        from cryptography.fernet import Fernet

        from storage import sealed

        os.environ["TAWASUL_DATA_KEY"] = Fernet.generate_key().decode()
        sealed.reset()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def twilio_signature(path: str, body: bytes, token: str = TWILIO_TOKEN) -> str:
    from urllib.parse import parse_qs

    form = {k: v[0] for k, v in parse_qs(body.decode(), keep_blank_values=True).items()}
    return str(RequestValidator(token).compute_signature(PUBLIC_BASE_URL + path, form))


def wait_for(check: Callable[[], T], timeout: float = 20.0, interval: float = 0.1) -> T:
    deadline = time.monotonic() + timeout
    while True:
        value = check()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"condition not met within {timeout}s: {check}")
        time.sleep(interval)


class ServeProcess:
    def __init__(self, db_url: str, fake_url: str, workdir: Path, **env: str) -> None:
        self.db_url = db_url
        self.workdir = workdir
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log_path = workdir / f"serve-{self.port}.log"
        self.env = {
            **os.environ,
            "DATABASE_URL": db_url,
            "NLU_URL": "http://127.0.0.1:9",  # closed: the bot falls back to menus and digits
            "TAWASUL_DATA_DIR": str(workdir / "data"),
            "TAWASUL_LOG_LEVEL": "DEBUG",  # the secrets check must hold even at DEBUG
            "TAWASUL_OUTBOX_LEASE_SECONDS": "2",
            "TAWASUL_TELEGRAM_PACE_SECONDS": "0.2",
            "TAWASUL_ORG": "esrar",
            "PUBLIC_BASE_URL": PUBLIC_BASE_URL,
            "TWILIO_ACCOUNT_SID": TWILIO_SID,
            "TWILIO_AUTH_TOKEN": TWILIO_TOKEN,
            "TWILIO_SMS_FROM": "+15005550006",
            "TWILIO_WHATSAPP_FROM": "whatsapp:+14155238886",
            "TELEGRAM_BOT_TOKEN": TELEGRAM_TOKEN,
            "TELEGRAM_WEBHOOK_SECRET": TELEGRAM_SECRET,
            "TWILIO_API_BASE_URL": fake_url,
            "TELEGRAM_API_BASE_URL": fake_url,
            **env,
        }
        self.proc: subprocess.Popen[bytes] | None = None
        self.engine = create_engine(db_url.replace("postgresql://", "postgresql+psycopg://"))

    def start(self, *extra: str) -> ServeProcess:
        tawasul = Path(sys.executable).with_name("tawasul")
        with self.log_path.open("ab") as log:
            self.proc = subprocess.Popen(
                [str(tawasul), "serve", "--port", str(self.port), *extra],
                env=self.env, cwd=self.workdir, stdout=log, stderr=subprocess.STDOUT,
            )
        wait_for(self._healthy, timeout=60)
        return self

    def _healthy(self) -> bool:
        assert self.proc is not None
        if self.proc.poll() is not None:
            raise AssertionError(f"serve exited with {self.proc.returncode}:\n{self.log()}")
        try:
            return httpx.get(self.url + "/healthz", timeout=1).status_code == 200
        except httpx.HTTPError:
            return False

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.engine.dispose()

    def kill(self) -> None:
        assert self.proc is not None
        self.proc.send_signal(signal.SIGKILL)
        self.proc.wait()

    def log(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""

    # ---- requests -------------------------------------------------------------------------------
    def post(self, channel: str, body: bytes, auth: str = "valid", query: str = "") -> httpx.Response:
        path = f"/webhooks/{channel}"
        headers: dict[str, str] = {}
        if channel == "twilio":
            headers["Content-Type"] = "application/x-www-form-urlencoded"
            target = path + (f"?{query}" if query else "")
            if auth == "valid":
                headers["X-Twilio-Signature"] = twilio_signature(target, body)
            elif auth == "wrong":
                headers["X-Twilio-Signature"] = twilio_signature(target, body, token="not-the-token")
        else:
            headers["Content-Type"] = "application/json"
            if auth == "valid":
                headers["X-Telegram-Bot-Api-Secret-Token"] = TELEGRAM_SECRET
            elif auth == "wrong":
                headers["X-Telegram-Bot-Api-Secret-Token"] = "not-the-secret"
        # The Host header is the loopback one: the signature is over PUBLIC_BASE_URL, as behind a proxy.
        return httpx.post(self.url + path + (f"?{query}" if query else ""), content=body, headers=headers, timeout=10)

    # ---- the store ------------------------------------------------------------------------------
    def rows(self, sql: str, **params: Any) -> list[Any]:
        with self.engine.connect() as conn:
            rows = conn.execute(text(sql), params).all()
        # JSON columns come back as text from SQLite and as objects from PostgreSQL.
        return [tuple(json.loads(v) if isinstance(v, str) and v[:1] in ("{", "[") else v for v in row) for row in rows]

    def inbound(self, channel: str, provider_id: str) -> list[Any]:
        """(text, address, processed_at, phone, org, payload) of the stored message; the text, sealed at
        rest (storage/sealed.py), opened with the same TAWASUL_DATA_KEY the server was given."""
        rows = self.rows(
            "SELECT m.text, c.address, m.processed_at, c.phone, c.org_slug, m.payload FROM message_in m "
            "JOIN contact c ON c.id = m.contact_id WHERE m.channel = :ch AND m.provider_id = :pid",
            ch=channel, pid=provider_id,
        )
        return [(unseal(row[0]), *row[1:]) for row in rows]

    def outbox(self, address: str | None = None) -> list[Any]:
        where = "WHERE to_address = :a" if address else ""
        rows = self.rows(f"SELECT id, status, text, provider_id, attempts, last_error, channel, meta "
                         f"FROM message_out {where} ORDER BY id", a=address)
        return [(row[0], row[1], unseal(row[2]), *row[3:]) for row in rows]
