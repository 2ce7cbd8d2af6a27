"""Every channel's webhook cases, one table, one harness, against the real service over HTTP."""

from __future__ import annotations

import pytest

from tests.connectors.harness import Case, ServeProcess, run_case

WA = "+966501234567"
CASES = [
    # Twilio: WhatsApp and SMS
    Case("wa text, valid signature", "twilio", "whatsapp_text_ar", text="السلام عليكم، ابغى اسجل طلب",
         sender=WA, external_id="SM11111111111111111111111111111111", msg_channel="whatsapp"),
    Case("wa text, wrong signature", "twilio", "whatsapp_text_ar", auth="wrong", status=403),
    Case("wa text, missing signature", "twilio", "whatsapp_text_ar", auth="missing", status=403),
    Case("wa media", "twilio", "whatsapp_media", text="صورة الهوية", sender=WA,
         external_id="SM22222222222222222222222222222222", msg_channel="whatsapp"),
    Case("wa media of a refused type", "twilio", "whatsapp_media_refused", text="", sender=WA,
         external_id="SM77777777777777777777777777777777", msg_channel="whatsapp"),
    Case("wa location", "twilio", "whatsapp_location", text="", sender=WA,
         external_id="SM33333333333333333333333333333333", msg_channel="whatsapp"),
    Case("wa quick reply", "twilio", "whatsapp_button", text="حالة طلب", sender=WA,
         external_id="SM44444444444444444444444444444444", msg_channel="whatsapp"),
    Case("sms arabic", "twilio", "sms_text_ar", text="وش صار على طلبي", sender="+966551112222",
         external_id="SM55555555555555555555555555555555", msg_channel="sms"),
    Case("sms messaging service", "twilio", "sms_messaging_service", text="مرحبا", sender="+966551112222",
         external_id="SM66666666666666666666666666666666", msg_channel="sms"),
    Case("twilio malformed", "twilio", "malformed_no_sid", status=400),
    Case("twilio malformed, unsigned", "twilio", "malformed_no_sid", auth="missing", status=403),
    # Telegram
    Case("tg text", "telegram", "text_ar", text="السلام عليكم، ابغى اسجل طلب", sender="5550001",
         external_id="700001"),
    Case("tg wrong secret", "telegram", "text_ar", auth="wrong", status=403),
    Case("tg missing secret", "telegram", "text_ar", auth="missing", status=403),
    Case("tg start deep link", "telegram", "start_deeplink", text="", sender="5550001", external_id="700002"),
    Case("tg own contact", "telegram", "contact_own", text="", sender="5550001", external_id="700003"),
    Case("tg location", "telegram", "location", text="", sender="5550001", external_id="700005"),
    Case("tg photo", "telegram", "photo", text="صورة الهوية", sender="5550001", external_id="700006"),
    Case("tg document too big", "telegram", "document_too_big", text="", sender="5550001", external_id="700007"),
    Case("tg inline button", "telegram", "callback_button", text="2", sender="5550001", external_id="700008"),
    Case("tg group message ignored", "telegram", "group_message"),
    Case("tg malformed json", "telegram", "malformed", status=400),
    Case("tg not an update", "telegram", "not_an_update", status=400),
    Case("tg malformed, no secret", "telegram", "malformed", auth="missing", status=403),
]


@pytest.mark.parametrize("case", CASES, ids=[c.label for c in CASES])
def test_webhook_case(server: ServeProcess, case: Case) -> None:
    run_case(server, case)


def test_details_of_parsed_messages(server: ServeProcess) -> None:
    for name in ("whatsapp_location", "whatsapp_media", "whatsapp_media_refused"):
        server.post_fixture("twilio", name)
    for name in ("start_deeplink", "contact_own", "contact_other", "location", "photo", "document_too_big"):
        server.post_fixture("telegram", name)
    loc = server.inbound("whatsapp", "SM33333333333333333333333333333333")[0]
    assert loc[5]["location"] == {"lat": 21.4225, "lon": 39.8262}
    start = server.inbound("telegram", "700002")[0]
    assert start[4] == "baseera"  # /start baseera picked the org
    own = server.inbound("telegram", "700003")[0]
    assert own[3] == "+966501234567"  # the user's own shared number is vouched for
    other = server.inbound("telegram", "700004")[0]
    assert other[3] == "+966501234567"  # someone else's card did not replace it
    big = server.inbound("telegram", "700007")[0][5]
    assert big.get("media") is None  # 60 MB: refused, and noted so that the beneficiary is told
    assert [(r["reason"], r["max_bytes"]) for r in big["refused_media"]] == [("size", 5 * 1024 * 1024)]
    zipped = server.inbound("whatsapp", "SM77777777777777777777777777777777")[0][5]
    assert zipped.get("media") is None
    assert zipped["refused_media"] == [{"content_type": "application/zip", "reason": "type"}]
    photo = server.inbound("telegram", "700006")[0][5]["media"]
    assert [m["url"] for m in photo] == ["tg-file:AgAD-large"]


def test_health(server: ServeProcess) -> None:
    import httpx

    body = httpx.get(server.url + "/healthz").json()
    assert body["status"] == "ok" and body["database"] == "ok" and body["nlu"] == "unreachable"
    assert httpx.get(server.url + "/openapi.json").json()["info"]["title"] == "Tawasul"
