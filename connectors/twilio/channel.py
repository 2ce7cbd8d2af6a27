"""Twilio: WhatsApp and SMS through one connector (`POST /webhooks/twilio`).

Verify first: `X-Twilio-Signature` is checked with the twilio library's `RequestValidator` against
PUBLIC_BASE_URL + path (+ query), never the Host header (proxies rewrite it); no auth token, no
public URL, a missing or wrong signature -> SignatureError (403) before the body is parsed.

An inbound WhatsApp message (form-encoded, as Twilio sends it):
    MessageSid=SM1f0e...&AccountSid=AC...&From=whatsapp%3A%2B966501234567&To=whatsapp%3A%2B966530801110
    &Body=%D8%A7%D8%A8%D8%BA%D9%89...&NumMedia=1&MediaUrl0=https://api.twilio.com/...&MediaContentType0=image/jpeg
A status callback: MessageSid=SM...&MessageStatus=delivered[&ErrorCode=...] (our `?outbox=ID` in the URL).

Sending: WhatsApp inside the 24-hour window is free text; outside it (or on error 63016) an approved
template (ContentSid from the org profile's `whatsapp_templates[meta["template"]]`), else SMS.
SMS: buttons become numbered lines and long texts are split (see connectors.twilio.sms); the parts
already accepted (`Outgoing.accepted`, kept by the outbox) are never sent again, and a part that fails
raises with the ids of the parts before it (`SendError.accepted`).

Reconciling (`reconcile`): a send whose answer never came is looked up in Twilio's message list for
that recipient since the attempt (both `whatsapp:` and plain, a WhatsApp message may have gone as SMS),
matched by body, part by part, newest first (a contact's messages leave in order, so the newest message with
that body is this row's; the outbox refuses an id already recorded on another row).
"""

from __future__ import annotations

import json
import logging
import threading
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, parse_qsl, urlsplit

import httpx
from twilio.request_validator import (  # type: ignore[import-untyped]
    RequestValidator,
    get_signature_algorithm,
)

from bot.errors import InputError, MediaRefused, OutsideSessionWindow, SendError, SignatureError
from bot.messages import (
    DeliveryStatus,
    Inbound,
    InboundMessage,
    Location,
    Media,
    Outgoing,
    Reconciled,
    SendResult,
    WebhookRequest,
)
from connectors.base import BaseChannel
from connectors.config import Settings
from connectors.media import base_type, download
from connectors.twilio.rest import create, make_client, rebase, sent_since
from connectors.twilio.sms import split

log = logging.getLogger("tawasul.twilio")
WINDOW = timedelta(hours=24)
MAX_MEDIA = 10
STATUSES = {"queued", "accepted", "sending", "sent", "delivered", "read", "failed", "undelivered"}


def _bare(address: str) -> str:
    return address.removeprefix("whatsapp:").strip()


MAX_FIELDS = 200  # a Twilio webhook has about 20, plus 2 per media file (at most 10)


class TwilioChannel(BaseChannel):
    name = "twilio"
    serves = ("whatsapp", "sms")
    ack_body = ("text/xml", '<?xml version="1.0" encoding="UTF-8"?><Response></Response>')

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self._validator = RequestValidator(settings.twilio_auth_token) if settings.twilio_auth_token else None
        self._client: Any = None
        self._http: Any = None
        self._media_http: httpx.Client | None = None
        self._client_lock = threading.Lock()
        self._orgs = dict(settings.directory.numbers())  # sender number -> org (TAWASUL_ORG for the rest)

    # ---- inbound --------------------------------------------------------------------------------
    def verify(self, request: WebhookRequest) -> None:
        if self._validator is None:
            raise SignatureError("TWILIO_AUTH_TOKEN is not configured")
        if not self.settings.public_base_url:
            raise SignatureError("PUBLIC_BASE_URL is not configured")
        signature = request.headers.get("x-twilio-signature")
        if not signature:
            raise SignatureError("missing X-Twilio-Signature")
        url = self.settings.public_base_url + request.path + (f"?{request.query}" if request.query else "")
        try:
            form = parse_qs(request.body.decode("utf-8"), keep_blank_values=True, max_num_fields=MAX_FIELDS)
        except UnicodeDecodeError:
            raise SignatureError("body is not UTF-8") from None
        except ValueError:
            raise SignatureError(f"more than {MAX_FIELDS} form fields") from None
        params = _MultiDict(form)
        algorithm = get_signature_algorithm(request.headers.get("x-twilio-webhooks-signature-settings"))
        if not self._validator.validate(url, params, signature, algorithm):
            raise SignatureError("X-Twilio-Signature does not match")

    def parse(self, request: WebhookRequest) -> Inbound:
        form = dict(parse_qsl(request.body.decode("utf-8"), keep_blank_values=True, max_num_fields=MAX_FIELDS))
        sid = form.get("MessageSid") or form.get("SmsMessageSid") or form.get("SmsSid")
        if not sid:
            raise InputError("no MessageSid")
        if "MessageStatus" in form and "Body" not in form and "NumMedia" not in form:
            return Inbound(status=self._status(sid, form, request.query))
        sender, to = form.get("From", ""), form.get("To", "")
        if not sender:
            raise InputError("no From")
        channel = "whatsapp" if sender.startswith("whatsapp:") else "sms"
        phone = _bare(sender)
        location = None
        if form.get("Latitude") and form.get("Longitude"):
            try:
                location = Location(float(form["Latitude"]), float(form["Longitude"]))
            except ValueError:
                raise InputError("bad Latitude/Longitude") from None
        media, refused = [], []
        count = min(int(form.get("NumMedia") or 0), MAX_MEDIA) if (form.get("NumMedia") or "0").isdigit() else 0
        for i in range(count):
            url, ctype = form.get(f"MediaUrl{i}"), base_type(form.get(f"MediaContentType{i}", ""))
            if not url:
                continue
            if ctype not in self.settings.media_types:
                log.info("twilio media %d of a message refused: type %s", i, ctype)
                refused.append({"content_type": ctype, "reason": "type"})  # the beneficiary is told
                continue
            media.append(Media(url=url, content_type=ctype, name=f"{sid}_{i}"))
        msg = InboundMessage(
            channel=channel,
            address=phone,
            provider_id=sid,
            text=form.get("Body", ""),
            org_slug=self._orgs.get(_bare(to), self.settings.default_org),
            location=location,
            media=tuple(media),
            button=form.get("ButtonPayload") or None,
            phone=phone if phone.startswith("+") else None,
            raw={"refused_media": refused} if refused else {},
        )
        return Inbound(messages=(msg,))

    def _status(self, sid: str, form: dict[str, str], query: str) -> DeliveryStatus:
        status = form.get("MessageStatus", "").lower()
        if status not in STATUSES:
            raise InputError(f"unknown MessageStatus {status!r}")
        status = {"accepted": "queued", "sending": "queued"}.get(status, status)
        outbox = dict(parse_qsl(query)).get("outbox", "")
        return DeliveryStatus(sid, status, form.get("ErrorCode") or None, int(outbox) if outbox.isdigit() else None)

    # ---- media ----------------------------------------------------------------------------------
    def fetch_media(self, url: str, content_type: str, dest_stem: str) -> tuple[str, int]:
        if not _is_twilio_media(url):
            # Our account credentials go to Twilio's own media host only, never to a host named in a payload.
            raise MediaRefused(f"media outside Twilio refused ({urlsplit(url).hostname})", reason="failed")
        if self._media_http is None:
            auth = None
            if self.settings.twilio_account_sid and self.settings.twilio_auth_token:
                auth = (self.settings.twilio_account_sid, self.settings.twilio_auth_token)
            self._media_http = httpx.Client(timeout=20.0, auth=auth, follow_redirects=True)
        return download(
            self._media_http, rebase(url, self.settings.twilio_api_base_url),
            dest_stem=self.settings.media_dir / Path(dest_stem), max_bytes=self.settings.media_max_bytes,
            allowed=self.settings.media_types, declared_type=content_type,
        )

    # ---- outbound -------------------------------------------------------------------------------
    def send(self, out: Outgoing) -> SendResult:
        if out.channel == "sms":
            return self._sms(out, out.to)
        inside = out.last_inbound_at is not None and datetime.now(UTC) - out.last_inbound_at < WINDOW
        if inside and not out.meta.get("template_only"):
            try:
                sid = self._create(to=f"whatsapp:{out.to}", from_=self._sender(out, "whatsapp"),
                                   body=self.render(out), out=out)
                return SendResult(sid, "whatsapp")
            except OutsideSessionWindow:
                log.info("whatsapp window closed for message %d (63016); using template or SMS", out.outbox_id)
        return self._business_initiated(out)

    def _business_initiated(self, out: Outgoing) -> SendResult:
        purpose = out.meta.get("template")
        directory = self.settings.directory
        content_sid = directory.template(out.org_slug, purpose) if out.org_slug and isinstance(purpose, str) else None
        if content_sid:
            variables = out.meta.get("template_vars") or {"1": out.text}
            sid = self._create(to=f"whatsapp:{out.to}", from_=self._sender(out, "whatsapp"),
                               content_sid=content_sid, content_variables=json.dumps(variables), out=out)
            return SendResult(sid, "whatsapp")
        if self._sender(out, "sms"):
            return self._sms(out, out.to)
        raise OutsideSessionWindow("outside the 24-hour window, no template for this message and no SMS sender")

    def _sms(self, out: Outgoing, to: str) -> SendResult:
        sender = self._sender(out, "sms")
        if not sender:
            raise SendError("no SMS sender (TWILIO_SMS_FROM or the profile's channels.sms)", retryable=False)
        parts = split(self.render(out))
        sids = list(out.accepted[: len(parts)])  # parts Twilio already has: never sent twice
        for part in parts[len(sids):]:
            try:
                sids.append(self._create(to=to, from_=sender, body=part, out=out))
            except SendError as exc:
                exc.accepted = tuple(sids)
                raise
        return SendResult(sids[0], "sms", parts=len(sids))

    def reconcile(self, out: Outgoing, since: datetime) -> Reconciled | None:
        if out.meta.get("template_only") or (out.channel == "whatsapp" and out.org_slug and isinstance(
                out.meta.get("template"), str) and self.settings.directory.template(out.org_slug, out.meta["template"])):
            return None  # a template's text is Twilio's rendering: not matched by body (assumed sent once)
        self._ensure_client()
        text = self.render(out)
        candidates = [("sms", out.to)] if out.channel == "sms" else [("whatsapp", f"whatsapp:{out.to}"), ("sms", out.to)]
        for used, to in candidates:
            found = sent_since(self._client, to=to, since=since)
            wanted = split(text) if used == "sms" else [text]
            parts: list[str | None] = list(out.accepted[: len(wanted)])  # already known to be there
            taken: set[str] = set(out.accepted)
            for part in wanted[len(parts):]:
                sid = next((s for s, body in found if body == part and s not in taken), None)
                if sid:
                    taken.add(sid)
                parts.append(sid)
            if any(parts[len(out.accepted):]) or (parts and all(parts)):
                return Reconciled(tuple(parts), used)
        wanted = split(text) if out.channel == "sms" else [text]
        known: tuple[str | None, ...] = tuple(out.accepted[: len(wanted)])
        return Reconciled(known + (None,) * (len(wanted) - len(known)), out.channel)

    def _sender(self, out: Outgoing, kind: str) -> str | None:
        number = self.settings.directory.sender(out.org_slug, kind) if out.org_slug else None
        if kind == "whatsapp":
            return f"whatsapp:{number}" if number else self.settings.twilio_whatsapp_from
        return number or self.settings.twilio_sms_from

    def connect(self) -> None:
        """Make the REST client before the first send (the outbox calls it at start): the first send of a fresh
        process then does not build it after its attempt was recorded, a window in which a crash leaves the
        outcome unknown."""
        try:
            self._ensure_client()
        except SendError:
            pass  # not configured: every send says so

    def _ensure_client(self) -> None:
        with self._client_lock:  # sender threads start together: one client (and one pool), not one each
            self._make_client()

    def _make_client(self) -> None:
        if self._client is None:
            if not (self.settings.twilio_account_sid and self.settings.twilio_auth_token):
                raise SendError("TWILIO_ACCOUNT_SID / TWILIO_AUTH_TOKEN are not configured", retryable=False)
            self._client, self._http = make_client(
                self.settings.twilio_account_sid, self.settings.twilio_auth_token, self.settings.twilio_api_base_url,
                timeout=self.settings.send_timeout,
            )

    def _create(self, *, out: Outgoing, **kwargs: str | None) -> str:
        self._ensure_client()
        if self.settings.public_base_url:
            kwargs["status_callback"] = f"{self.settings.public_base_url}/webhooks/twilio?outbox={out.outbox_id}"
        return create(self._client, **{k: v for k, v in kwargs.items() if v is not None})

    def close(self) -> None:
        for client in (self._http, self._media_http):
            if client is not None:
                client.close()


def _is_twilio_media(url: str) -> bool:
    parts = urlsplit(url)
    host = (parts.hostname or "").lower()
    return parts.scheme == "https" and (host == "api.twilio.com" or host.endswith(".twilio.com"))


class _MultiDict(dict[str, str]):
    """What RequestValidator needs of repeated form keys: `getall` (values kept, in order)."""

    def __init__(self, form: dict[str, list[str]]) -> None:
        super().__init__({k: v[0] for k, v in form.items()})
        self._all = form

    def getall(self, key: str) -> list[str]:
        return self._all[key]
