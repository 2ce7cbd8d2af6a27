"""Bad input at the webhooks gets a clear answer, is never stored half-read, and never becomes a 500 that a
provider would retry for ever (review items 4, 10, 13 and 17), against the real service."""

from __future__ import annotations

import json
from urllib.parse import urlencode

import httpx

from tests.connectors.harness import ServeProcess, fixture

SID = "SM" + "9" * 32


def _sms(**fields: str) -> bytes:
    form = {"MessageSid": SID, "SmsMessageSid": SID, "AccountSid": "AC00000000000000000000000000000001",
            "From": "+966551119999", "To": "+966530801110", "NumMedia": "0", "Body": "مرحبا"}
    return urlencode({**form, **fields}).encode()


def _count(server: ServeProcess) -> int:
    return int(server.rows("SELECT count(*) FROM message_in")[0][0])


def test_an_oversized_body_is_refused_before_it_is_read(server: ServeProcess) -> None:
    before = _count(server)
    huge = b"Body=" + b"a" * (2 * 1024 * 1024)
    for channel in ("twilio", "telegram"):
        response = server.post(channel, huge, auth="missing")
        assert response.status_code == 413, (channel, response.status_code)
    assert _count(server) == before


def test_a_form_with_too_many_fields_is_refused_at_once(server: ServeProcess) -> None:
    body = "&".join(f"f{i}=x" for i in range(5000)).encode()
    response = server.post("twilio", body, auth="wrong")
    assert response.status_code == 403


def test_signed_telegram_updates_of_a_strange_shape_are_a_400(server: ServeProcess) -> None:
    before = _count(server)
    no_chat = {"update_id": 910001, "message": {"message_id": 1, "date": 1767225600, "text": "hi"}}
    deep = '{"update_id": 910002, "message": ' + '{"x": ' * 3000 + "1" + "}" * 3001
    for body in (json.dumps(no_chat), deep):
        response = server.post("telegram", body.encode())
        assert response.status_code == 400, response.text
    assert _count(server) == before
    assert httpx.get(server.url + "/healthz", timeout=5).status_code == 200


def test_a_provider_id_that_is_too_long_is_a_400_and_nothing_is_stored(server: ServeProcess) -> None:
    before = _count(server)
    long_sid = "SM" + "1" * 200
    response = server.post("twilio", _sms(MessageSid=long_sid, SmsMessageSid=long_sid))
    assert response.status_code == 400
    assert _count(server) == before


def test_control_characters_and_bidi_overrides_are_dropped_from_the_stored_text(server: ServeProcess) -> None:
    sid = "SM" + "8" * 32
    text = "ابغى\x00 اسجل\u202e طلب\u2066 ٠٥٥\u2069\nشكرا"
    response = server.post("twilio", _sms(MessageSid=sid, SmsMessageSid=sid, Body=text))
    assert response.status_code == 200
    [stored] = server.inbound("sms", sid)
    assert stored[0] == "ابغى اسجل طلب ٠٥٥\nشكرا"


def test_a_normal_message_still_goes_through(server: ServeProcess) -> None:
    assert server.post("twilio", fixture("twilio", "sms_text_ar")).status_code == 200


def test_twilio_credentials_go_to_twilio_media_only(tmp_path: object) -> None:
    # Review item 13: any media host named in a (signed) payload received the account's credentials.
    import pytest

    from bot.errors import MediaRefused
    from connectors.config import Settings
    from connectors.twilio.channel import TwilioChannel

    channel = TwilioChannel(Settings(twilio_account_sid="AC" + "0" * 32, twilio_auth_token="secret-token"))
    for url in ("https://collector.example/steal.png", "http://api.twilio.com/media/x.png",
                "https://api.twilio.com.evil.example/x.png"):
        with pytest.raises(MediaRefused):
            channel.fetch_media(url, "image/png", "whatsapp/1_0")
    channel.close()
