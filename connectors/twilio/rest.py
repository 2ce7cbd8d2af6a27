"""Sending through the Twilio REST API with the official client, and its errors mapped to ours.

`TWILIO_API_BASE_URL` (tests) sends the real client's requests to a local fake: `HttpxTwilioClient`
is a `twilio.http.HttpClient` that rewrites https://api.twilio.com (and any *.twilio.com host) to it.
It logs nothing: the Twilio client's own request logging is never used.

Errors: 429/20429/63018 -> Throttled (after the answer's Retry-After header, or a `retry_after` in its
body, else 2 s); 21610 -> ContactStopped; 63016 -> OutsideSessionWindow; 5xx and a connection never made
-> SendError(retryable=True); no answer after the request left (read timeout, connection dropped) ->
Ambiguous (the message may be at Twilio: `sent_since` asks before any resend); any other 4xx ->
SendError(retryable=False).

    create(client, to="whatsapp:+966501234567", from_="whatsapp:+966530801110", body="مرحبا",
           status_callback="https://bot.example.org/webhooks/twilio?outbox=12") -> "SM..."
"""

from __future__ import annotations

import json
import re
import threading
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import httpx
from twilio.base.exceptions import TwilioRestException  # type: ignore[import-untyped]
from twilio.http import HttpClient  # type: ignore[import-untyped]
from twilio.http.response import Response  # type: ignore[import-untyped]
from twilio.rest import Client  # type: ignore[import-untyped]

from bot.errors import Ambiguous, ContactStopped, OutsideSessionWindow, SendError, Throttled

THROTTLED = {20429, 63018}
STOPPED = {21610}
OUTSIDE_WINDOW = {63016}
# Twilio's messages often quote the address ("The 'To' number +9665... is not a valid phone number");
# the text ends up in logs and last_error, where the number is not needed (the row has to_address).
_NUMBER = re.compile(r"\+?\d[\d ()-]{6,}\d")


def rebase(url: str, base: str | None) -> str:
    """`url` with its scheme and host replaced by `base` when it points at Twilio."""
    if not base:
        return url
    parts = urlsplit(url)
    if not (parts.hostname or "").endswith("twilio.com"):
        return url
    b = urlsplit(base)
    return urlunsplit((b.scheme, b.netloc, b.path.rstrip("/") + parts.path, parts.query, ""))


class HttpxTwilioClient(HttpClient):  # type: ignore[misc]
    """The Twilio client's transport over httpx (pooled, with timeouts, optional base override)."""

    def __init__(self, base_url: str | None = None, timeout: float = 15.0,
                 transport: httpx.BaseTransport | None = None) -> None:
        import logging

        super().__init__(logging.getLogger("tawasul.twilio.http"), is_async=False, timeout=timeout)
        self.base_url = base_url
        self._http = httpx.Client(timeout=timeout, transport=transport)
        self._last = threading.local()  # this thread's last answer: its Retry-After once the client raised

    def request(
        self,
        method: str,
        uri: str,
        params: dict[str, object] | None = None,
        data: dict[str, object] | None = None,
        headers: dict[str, str] | None = None,
        auth: tuple[str, str] | None = None,
        timeout: float | None = None,
        allow_redirects: bool = False,
    ) -> Response:
        response = self._http.request(
            method,
            rebase(uri, self.base_url),
            params=params,  # type: ignore[arg-type]
            data=data,
            headers=headers,
            auth=auth,
            timeout=timeout or self.timeout,
            follow_redirects=allow_redirects,
        )
        self._last.response = response
        return Response(response.status_code, response.text, headers=dict(response.headers))

    def last_retry_after(self) -> float | None:
        """Seconds the last answer in this thread asked us to wait (Retry-After header or body field)."""
        response: httpx.Response | None = getattr(self._last, "response", None)
        if response is None:
            return None
        for value in (response.headers.get("retry-after"), _body_retry_after(response.text)):
            try:
                if value is not None and float(value) >= 0:
                    return float(value)
            except ValueError:
                continue  # an HTTP date: rare from Twilio; the default wait applies
        return None

    def close(self) -> None:
        self._http.close()


def _body_retry_after(text: str) -> Any:
    try:
        body = json.loads(text)
    except ValueError:
        return None
    return body.get("retry_after") if isinstance(body, dict) else None


def make_client(
    account_sid: str, auth_token: str, base_url: str | None, timeout: float = 15.0
) -> tuple[Client, HttpxTwilioClient]:
    http = HttpxTwilioClient(base_url, timeout=timeout)
    return Client(account_sid, auth_token, http_client=http), http


# The request never reached Twilio: safe to send again. Any other transport failure happened after
# the request (or part of it) left: Twilio may have the message.
_NOT_SENT = (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout, httpx.UnsupportedProtocol)


def create(client: Client, **kwargs: Any) -> str:
    """messages.create with our error mapping; the new message's sid."""
    try:
        message = client.messages.create(**kwargs)
    except TwilioRestException as exc:
        http = client.http_client
        wait = http.last_retry_after() if isinstance(http, HttpxTwilioClient) else None
        raise as_send_error(exc, retry_after=wait) from None
    except _NOT_SENT as exc:
        raise SendError(f"twilio unreachable ({type(exc).__name__})", retryable=True) from None
    except httpx.HTTPError as exc:
        raise Ambiguous(f"no answer from twilio after the request left ({type(exc).__name__})") from None
    return str(message.sid)


def sent_since(client: Client, *, to: str, since: datetime) -> list[tuple[str, str]]:
    """(sid, body) of the messages to `to` created at or after `since` (a minute's margin for clocks),
    newest first: the real client's `messages.list(to=...)`, filtered here on `date_created`, because a
    message Twilio still holds queued has no `date_sent` yet and a `DateSent>` filter would hide it."""
    try:
        listed = client.messages.list(to=to, limit=100)
    except TwilioRestException as exc:
        raise as_send_error(exc) from None
    except httpx.HTTPError as exc:
        raise SendError(f"twilio unreachable ({type(exc).__name__})", retryable=True) from None
    cutoff = since - timedelta(minutes=1)
    return [(str(m.sid), str(m.body or "")) for m in listed
            if m.date_created is None or _aware(m.date_created) >= cutoff]


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def as_send_error(exc: TwilioRestException, retry_after: float | None = None) -> SendError:
    code = int(exc.code) if exc.code else None
    label = str(code or exc.status)
    text = f"twilio HTTP {exc.status}: {_NUMBER.sub('***', str(exc.msg))}"
    if exc.status == 429 or code in THROTTLED:
        return Throttled(text, retry_after=2.0 if retry_after is None else retry_after, code=label)
    if code in STOPPED:
        return ContactStopped(text, code=label)
    if code in OUTSIDE_WINDOW:
        return OutsideSessionWindow(text, code=label)
    return SendError(text, retryable=exc.status >= 500, code=label)
