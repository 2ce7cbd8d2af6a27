"""Connector send paths against the fakes: the WhatsApp window, templates, SMS fallback and length."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest

from bot.bench.fakes import FakeProviders
from bot.errors import OutsideSessionWindow
from bot.messages import Button
from connectors import Outgoing, Settings, build_channels, numbered
from connectors.twilio.sms import segments, split
from orgs.directory import OrgDirectory
from tests.connectors.harness import TELEGRAM_TOKEN, TWILIO_SID, TWILIO_TOKEN

NOW = datetime.now(UTC)


@pytest.fixture
def channels(fake: FakeProviders):  # type: ignore[no-untyped-def]
    settings = Settings(public_base_url="https://bot.example.test", twilio_account_sid=TWILIO_SID,
                        twilio_auth_token=TWILIO_TOKEN, twilio_sms_from="+15005550006",
                        twilio_api_base_url=fake.url, telegram_bot_token=TELEGRAM_TOKEN,
                        telegram_api_base_url=fake.url, directory=OrgDirectory())
    built = build_channels(settings)
    yield built
    for channel in built.values():
        channel.close()


def wa(text: str = "مرحبا", *, hours_ago: float | None = 1, org: str = "esrar", **meta: object) -> Outgoing:
    last = NOW - timedelta(hours=hours_ago) if hours_ago is not None else None
    return Outgoing(1, "whatsapp", "+966501234567", text, meta=dict(meta), org_slug=org, last_inbound_at=last)


def test_inside_the_window_free_text(channels, fake: FakeProviders) -> None:  # type: ignore[no-untyped-def]
    result = channels["twilio"].send(wa())
    sent = fake.sent("twilio")[-1]
    assert result.channel == "whatsapp" and sent["Body"] == "مرحبا" and "ContentSid" not in sent


def test_outside_the_window_uses_the_profile_template(channels, fake: FakeProviders) -> None:  # type: ignore[no-untyped-def]
    channels["twilio"].send(wa(hours_ago=30, template="status_update", template_vars={"1": "ESR-1234"}))
    sent = fake.sent("twilio")[-1]
    assert sent["ContentSid"] == "HXfa4e0000000000000000000000000502"
    assert json.loads(sent["ContentVariables"]) == {"1": "ESR-1234"} and "Body" not in sent


def test_outside_the_window_without_template_falls_back_to_sms(channels, fake: FakeProviders) -> None:  # type: ignore[no-untyped-def]
    result = channels["twilio"].send(wa(hours_ago=None))
    sent = fake.sent("twilio")[-1]
    assert result.channel == "sms" and sent["To"] == "+966501234567" and sent["From"] == "+15005550006"


def test_63016_is_handled_like_a_closed_window(channels, fake: FakeProviders) -> None:  # type: ignore[no-untyped-def]
    fake.fail("twilio", 1, status=400, code=63016, message="outside the allowed window")
    result = channels["twilio"].send(wa(template="status_update"))
    assert result.channel == "whatsapp" and "ContentSid" in fake.sent("twilio")[-1]


def test_no_template_and_no_sms_sender(channels, fake: FakeProviders) -> None:  # type: ignore[no-untyped-def]
    twilio = channels["twilio"]
    twilio.settings = Settings(**{**twilio.settings.__dict__, "twilio_sms_from": None})
    with pytest.raises(OutsideSessionWindow):
        twilio.send(wa(hours_ago=48))


def test_long_arabic_sms_is_split_within_few_segments(channels, fake: FakeProviders) -> None:  # type: ignore[no-untyped-def]
    text = "هذه رسالة طويلة جدا عن حالة طلبك. " * 30
    out = Outgoing(2, "sms", "+966551112222", text, buttons=(Button("1", "نعم"), Button("2", "لا")), org_slug="esrar")
    result = channels["twilio"].send(out)
    bodies = [p["Body"] for p in fake.sent("twilio")]
    assert result.parts == len(bodies) > 1 and all(segments(b) <= 4 for b in bodies)
    assert bodies[-1].endswith("1. نعم\n2. لا")


def test_telegram_inline_keyboard(channels, fake: FakeProviders) -> None:  # type: ignore[no-untyped-def]
    out = Outgoing(3, "telegram", "5550001", "اختر:", buttons=(Button("1", "طلب جديد"),))
    channels["telegram"].send(out)
    sent = fake.sent("telegram")[-1]
    markup = sent["reply_markup"] if isinstance(sent["reply_markup"], dict) else json.loads(sent["reply_markup"])
    assert sent["text"] == "اختر:"
    assert markup["inline_keyboard"][0][0] == {"text": "طلب جديد", "callback_data": "1"}


def test_telegram_asks_for_the_phone_with_a_share_key(channels, fake: FakeProviders) -> None:  # type: ignore[no-untyped-def]
    channels["telegram"].send(Outgoing(4, "telegram", "5550001", "رقم جوالك؟", meta={"expects": "phone"}))
    sent = fake.sent("telegram")[-1]
    markup = sent["reply_markup"] if isinstance(sent["reply_markup"], dict) else json.loads(sent["reply_markup"])
    assert markup["keyboard"][0][0]["request_contact"] is True


def test_segments_and_degrade() -> None:
    assert segments("a" * 160) == 1 and segments("a" * 161) == 2
    assert segments("ا" * 70) == 1 and segments("ا" * 71) == 2 and segments("ا" * 134) == 2
    assert split("قصير") == ["قصير"]
    assert numbered("اختر", (Button("x", "أ"), Button("y", "ب"))) == "اختر\n\n1. أ\n2. ب"
