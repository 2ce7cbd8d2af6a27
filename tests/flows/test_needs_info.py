"""needs_info (R7, R3): the beneficiary's reply reaches the request, on SQLite AND PostgreSQL.

Staff ask for information -> an idle conversation waits for it (expects details) -> text and files are
stored on the request (documents, a status change by "beneficiary", back to under_study) -> staff see it
in `staff show` -> the beneficiary gets a confirmation with the reference. A busy contact is not
interrupted: the request is offered when their flow ends, or on "وش المطلوب".
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from bot.messages import InboundMessage, Media
from bot.staff import actions as staffops
from bot.staff import reads as staffviews
from bot.staff.auth import Principal
from bot.turn.runtime import Runtime
from storage.db import transaction
from storage.models import OutboundRecord, ServiceRequest, StatusChange
from tests.conftest import Clock

NOTE = "نرجو إرسال صك الإعالة"
MEMBERSHIP = ["ابغى اقدم طلب", "4", "نعم", "نورة سعد الدوسري", "1000000008", "0551234567", "الأحساء", "15/3/1985"]


class Chat:
    def __init__(self, runtime: Runtime, address: str) -> None:
        self.runtime, self.address, self.n = runtime, address, 0

    def say(self, text: str = "", media: tuple[Media, ...] = ()) -> list[OutboundRecord]:
        self.n += 1
        return self.runtime.handle(InboundMessage("whatsapp", self.address, f"{self.address}-{self.n}", text,
                                                  "esrar", phone=self.address, media=media))


def _submit(chat: Chat) -> str:
    for text in MEMBERSHIP:
        chat.say(text)
    chat.say(media=(Media(path="/tmp/id.png", content_type="image/png", size=2048, name="id.png"),))
    out = chat.say("1")
    return str(out[-1].events[0]["reference"])


def _needs_info(db: Engine, reference: str, clock: Clock) -> list[OutboundRecord]:
    with transaction(db) as tx:
        staffops.set_status(tx, reference, "needs_info", NOTE, "officer.general", clock.now)
    with Session(db) as tx:
        return list(tx.exec(select(OutboundRecord).where(col(OutboundRecord.in_reply_to).is_(None))
                            .order_by(col(OutboundRecord.id).desc()).limit(1)).all())


def _request(db: Engine, reference: str) -> tuple[ServiceRequest, list[StatusChange]]:
    with Session(db) as tx:
        req = tx.exec(select(ServiceRequest).where(ServiceRequest.reference == reference)).one()
        history = list(tx.exec(select(StatusChange).where(StatusChange.request_id == req.id)
                               .order_by(col(StatusChange.id))).all())
        return req, history


def test_idle_contact_replies_with_a_file_then_text(runtime: Runtime, db: Engine, clock: Clock) -> None:
    chat = Chat(runtime, "+966551234567")
    reference = _submit(chat)
    clock.now += timedelta(days=1)
    [notice] = _needs_info(db, reference, clock)
    assert NOTE in notice.text and reference in notice.text
    assert notice.session == {"flow": "more_info", "step": "info", "expects": "details"}

    photo = Media(path="/tmp/deed.jpg", content_type="image/jpeg", size=4096, name="deed.jpg")
    out = chat.say(media=(photo,))
    assert reference in out[-1].text and out[-1].session["expects"] == "attachments"
    assert out[-1].events == [{"type": "info_received", "reference": reference, "files": 1, "text": False}]
    out = chat.say("هذا صك الإعالة، والأسرة ستة أفراد")
    assert reference in out[-1].text and out[-1].session["expects"] is None
    assert out[-1].events[0]["type"] == "info_received"

    req, history = _request(db, reference)
    assert req.status == "under_study"
    assert [d.get("name") for d in req.documents] == ["id.png", "deed.jpg"]
    assert req.documents[-1]["added_by"] == "beneficiary"
    replies = [h for h in history if h.actor == "beneficiary" and h.note]
    assert [h.status for h in replies] == ["under_study", "under_study"]
    assert "ستة أفراد" in str(replies[-1].note)
    with transaction(db) as tx:
        officer = Principal("officer.general", "officer", "esrar", "officer.general")  # reads.show takes who
        shown: dict[str, Any] = staffviews.show(tx, reference, "متابعة رد المستفيد", officer, clock.now)
    assert any("صك الإعالة" in str(h["note"]) and h["actor"] == "beneficiary" for h in shown["history"])
    assert len(shown["documents"]) == 2

    # The status report does not read the beneficiary's own words back to them as a "note".
    out = chat.say("وش صار على طلبي")
    assert "ستة أفراد" not in out[-1].text


def test_busy_contact_is_not_interrupted_and_is_asked_afterwards(runtime: Runtime, db: Engine,
                                                                  clock: Clock) -> None:
    chat = Chat(runtime, "+966551234568")
    reference = _submit(chat)
    out = chat.say("ابغى اقدم طلب")
    chat.say("2")
    assert chat.say("نعم")[-1].session["expects"] == "full_name"
    [notice] = _needs_info(db, reference, clock)
    assert NOTE in notice.text and notice.session["expects"] == "full_name"  # the form is kept
    out = chat.say("نورة سعد الدوسري")
    assert out[-1].session["expects"] == "national_id"  # the answer went to the form, not the request
    out = chat.say("الغاء")
    assert out[-1].session["expects"] is None  # a menu: not offered over it
    out = chat.say("وش المطلوب؟")
    assert out[-1].session == {"flow": "more_info", "step": "info", "expects": "details"}
    assert NOTE in out[-1].text and reference in out[-1].text
    out = chat.say("أرسلت الصك مع المندوب أمس")
    assert reference in out[-1].text and out[-1].events[0]["type"] == "info_received"
    req, history = _request(db, reference)
    assert req.status == "under_study" and history[-1].actor == "beneficiary"


def test_offered_when_the_running_flow_ends(runtime: Runtime, db: Engine, clock: Clock) -> None:
    chat = Chat(runtime, "+966551234569")
    reference = _submit(chat)
    assert chat.say("ابغى اقيم")[-1].session["expects"] == "rating"
    _needs_info(db, reference, clock)
    chat.say("5")
    out = chat.say("تخطي")
    assert out[-1].session["expects"] == "details" and NOTE in out[-1].text
    assert any(e["type"] == "rating_recorded" for r in out for e in r.events)


def test_status_inquiry_asks_for_the_missing_information(runtime: Runtime, db: Engine, clock: Clock) -> None:
    chat = Chat(runtime, "+966551234570")
    reference = _submit(chat)
    chat.say("ابغى اقيم")  # busy when staff ask
    _needs_info(db, reference, clock)
    chat.say("الغاء")
    out = chat.say("وش صار على طلبي")
    assert out[-1].session["expects"] == "details"
    assert any(e.get("status") == "needs_info" for r in out for e in r.events)


def test_thanks_is_not_information_and_another_flow_can_be_opened(runtime: Runtime, db: Engine,
                                                                   clock: Clock) -> None:
    chat = Chat(runtime, "+966551234571")
    reference = _submit(chat)
    _needs_info(db, reference, clock)
    out = chat.say("شكرا")
    assert out[-1].session["expects"] == "details" and not out[-1].events
    out = chat.say("ابغى اشتكي")
    assert out[-1].session["flow"] == "complaint"
    chat.say("3")  # a delay
    chat.say("1")  # about this request
    chat.say("طلبي تأخر كثير بدون رد")
    out = chat.say("تخطي")
    assert out[-1].session["expects"] == "details" and NOTE in out[-1].text  # offered again afterwards
    assert any(e["type"] == "complaint_filed" for r in out for e in r.events)
    req, history = _request(db, reference)
    assert req.status == "needs_info" and history[-1].actor == "officer.general"
