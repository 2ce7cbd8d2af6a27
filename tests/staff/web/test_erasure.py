"""A deletion request completed by staff leaves no personal data of that person anywhere in the database
(every table dumped and searched) or the media folder, except what a stated legal hold keeps (review item 3),
on SQLite and PostgreSQL."""

from __future__ import annotations

import random
from pathlib import Path

from sqlalchemy import select as sa_select
from sqlalchemy.engine import Engine
from sqlmodel import Session, SQLModel, col, select

from bot.staff import actions
from bot.turn.runtime import Runtime
from storage.db import transaction
from storage.erase import forget_delivered
from storage.models import AuditLog, Complaint, Contact, OutboundRecord, ServiceRequest
from tests.conftest import Clock
from tests.staff.web.client import Client
from tests.staff.web.conftest import Seeded, login
from tests.walk import Chat, walk_intake

PHONE = "+966551237788"
SECRETS = ("سارة محمد العتيبي", "سارة", "1000000008", "١٠٠٠٠٠٠٠٠٨", "0551234567", "٠٥٥ ١٢٣ ٤٥٦٧", PHONE,
           "551237788", "الخياطة", "المبرز", "الموظف تأخر علي ساعتين وكلمني بطريقة سيئة")


def file_complaint(chat: Chat) -> None:
    for text in ("ابي اقدم شكوى", "1", "لا", "الموظف تأخر علي ساعتين وكلمني بطريقة سيئة", "تخطي"):
        chat.say(text)
    assert any(e["type"] == "complaint_filed" for e in Chat.events(chat.transcript[-1][1])), chat.transcript[-1]


def dump(db: Engine) -> str:
    """Every row of every table, as text."""
    parts = []
    with db.connect() as conn:
        for table in SQLModel.metadata.sorted_tables:
            parts += [repr(tuple(row)) for row in conn.execute(sa_select(table)).all()]
    return "\n".join(parts)


def test_a_completed_deletion_leaves_nothing_of_the_person(client: Client, seeded: Seeded, db: Engine,
                                                           clock: Clock, tmp_path: Path) -> None:
    runtime = Runtime(engine=db, clock=clock, rng=random.Random(11))
    chat = Chat(runtime, "esrar", PHONE, channel="whatsapp")
    chat.say("السلام عليكم")
    walk_intake(chat, tmp_path)
    file_complaint(chat)
    chat.say("ابي احذف بياناتي")
    chat.say("نعم")
    files = [p for p in tmp_path.iterdir() if p.suffix == ".png"]  # the documents the intake sent
    assert files, "the intake's document is on disk"
    before = dump(db)
    assert "1000000008" in before and "سارة محمد العتيبي" in before  # the test would see them if they stayed

    amal = login(client, "amal")
    [request] = [r for r in client.get("/staff/api/privacy", headers=amal).json() if r["kind"] == "deletion"]
    done = client.post(f"/staff/api/privacy/{request['reference']}/complete", headers=amal, json={})
    assert done.status_code == 200, done.text
    with Session(db) as tx:
        [confirmation] = tx.exec(select(OutboundRecord).where(OutboundRecord.to_address == PHONE)).all()
        assert "حُذفت بياناتك الشخصية" in confirmation.text and confirmation.status == "queued"
    with transaction(db) as tx:  # what the outbox worker does once the provider accepted it
        row = tx.get(OutboundRecord, confirmation.id)
        assert row is not None
        row.status, row.provider_id = "sent", "SMdelivered"
        forget_delivered(row)
        tx.add(row)

    after = dump(db)
    for secret in SECRETS:
        assert secret not in after, secret
    assert not any(p.exists() for p in files), "media files are deleted"
    with Session(db) as tx:
        contact = tx.exec(select(Contact).where(col(Contact.address).startswith("erased:"))).one()
        assert contact.phone is None and contact.opted_out
        mine = tx.exec(select(ServiceRequest).where(ServiceRequest.contact_id == contact.id)).one()
        assert mine.data == {} and mine.documents == []  # the record of a request remains, empty
        assert all(c.details == "" for c in tx.exec(select(Complaint).where(Complaint.contact_id == contact.id)).all())
        erased = tx.exec(select(AuditLog).where(AuditLog.action == "privacy_erase")).one()
        assert erased.details["counts"]["messages_in"] >= 10 and erased.details["holds"] == []


def test_a_complaint_under_investigation_is_kept_and_the_person_told(client: Client, seeded: Seeded, db: Engine,
                                                                     clock: Clock) -> None:
    runtime = Runtime(engine=db, clock=clock, rng=random.Random(12))
    chat = Chat(runtime, "esrar", PHONE, channel="whatsapp")
    file_complaint(chat)
    from datetime import date

    with transaction(db) as tx:
        complaint = tx.exec(select(Complaint).order_by(col(Complaint.id).desc())).first()
        assert complaint is not None
        investigated = complaint.reference
        actions.investigate(tx, complaint.reference, held_on=date(2026, 11, 20), committee="لجنة الشكاوى",
                            harm_found=False, harm_size=None, causes=None, compensation=None, actor="mudir",
                            now=clock(), notify=False)
    chat.say("ابي احذف بياناتي")
    chat.say("نعم")
    amal = login(client, "amal")
    [request] = [r for r in client.get("/staff/api/privacy", headers=amal).json() if r["kind"] == "deletion"]
    assert client.post(f"/staff/api/privacy/{request['reference']}/complete", headers=amal, json={}).status_code \
        == 200
    with Session(db) as tx:
        [confirmation] = tx.exec(select(OutboundRecord).where(OutboundRecord.to_address == PHONE)).all()
        kept = tx.exec(select(Complaint).where(Complaint.reference == investigated)).one()
        erased = tx.exec(select(AuditLog).where(AuditLog.action == "privacy_erase")).one()
    assert "شكواك قيد التحقيق" in confirmation.text  # the beneficiary is told what is kept, and why
    assert kept.details == "الموظف تأخر علي ساعتين وكلمني بطريقة سيئة"
    assert erased.details["holds"] == ["complaint_investigation"]
