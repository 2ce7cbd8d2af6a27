"""Review item 3 (rest): each association's retention policy (profile `retention:`) applied by
`tawasul privacy retention [--dry-run]` and daily by `serve`: what expired loses its personal content,
what has not stays, every clearing is audited without the cleared data, and a dry run changes nothing."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from bot.staff import retention
from storage.db import get_engine, transaction
from storage.models import (
    AuditLog,
    Complaint,
    Contact,
    Conversation,
    InboundRecord,
    OutboundRecord,
    ServiceRequest,
    StatusChange,
)

NOW = datetime(2026, 11, 29, 9, 0, tzinfo=UTC)
OLD_MESSAGE, NEW_MESSAGE = "رقم هويتي 1012345678 قديم", "رسالة حديثة"
OLD_NOTE = "ملاحظة على طلب قديم"


@pytest.fixture
def seeded(db: Engine, tmp_path: Path) -> Iterator[dict[str, object]]:
    media = tmp_path / "old-id.png"
    media.write_bytes(b"\x89PNG")
    doc = tmp_path / "deed.pdf"
    doc.write_bytes(b"%PDF")
    long_ago, lately = NOW - timedelta(days=400), NOW - timedelta(days=30)
    with transaction(db) as tx:
        contact = Contact(org_slug="esrar", channel="whatsapp", address="+966551230000", language="ar")
        other = Contact(org_slug="namaa", channel="whatsapp", address="+966551230001", language="ar")
        tx.add_all([contact, other])
        tx.flush()
        assert contact.id is not None and other.id is not None
        tx.add_all([
            InboundRecord(channel="whatsapp", provider_id="old", contact_id=contact.id, text=OLD_MESSAGE,
                          payload={"media": [{"path": str(media)}]}, received_at=long_ago, processed_at=long_ago),
            InboundRecord(channel="whatsapp", provider_id="new", contact_id=contact.id, text=NEW_MESSAGE,
                          received_at=lately, processed_at=lately),
            OutboundRecord(contact_id=contact.id, channel="whatsapp", to_address=contact.address, text=OLD_MESSAGE,
                           status="sent", created_at=long_ago, next_attempt_at=long_ago),
            Conversation(contact_id=contact.id, state={"flow": "intake", "data": {"fields": {"national_id":
                                                                                              "1012345678"}}},
                         updated_at=long_ago),
        ])
        old = ServiceRequest(reference="ESR-0000-00011", org_slug="esrar", contact_id=contact.id,
                             service_id="family_support", status="delivered", data={"national_id": "1012345678"},
                             documents=[{"path": str(doc)}], channel="whatsapp",
                             submitted_at=NOW - timedelta(days=6 * 365), updated_at=NOW - timedelta(days=6 * 365))
        recent = ServiceRequest(reference="ESR-0000-00012", org_slug="esrar", contact_id=contact.id,
                                service_id="family_support", status="delivered", data={"full_name": "سعد"},
                                channel="whatsapp", updated_at=NOW - timedelta(days=365))
        open_old = ServiceRequest(reference="ESR-0000-00013", org_slug="esrar", contact_id=contact.id,
                                  service_id="family_support", status="under_study", data={"full_name": "سعد"},
                                  channel="whatsapp", updated_at=NOW - timedelta(days=6 * 365))
        tx.add_all([old, recent, open_old])
        tx.flush()
        assert old.id is not None
        tx.add(StatusChange(request_id=old.id, status="delivered", note=OLD_NOTE, actor="amal",
                            at=NOW - timedelta(days=6 * 365)))
        tx.add(Complaint(reference="CMP-0000-00011", org_slug="esrar", contact_id=contact.id, category="delay",
                         details="شكوى قديمة", status="resolved", channel="whatsapp", committee="follow_up",
                         updated_at=NOW - timedelta(days=6 * 365)))
        tx.add(InboundRecord(channel="whatsapp", provider_id="namaa-old", contact_id=other.id, text=OLD_MESSAGE,
                             received_at=long_ago, processed_at=long_ago))
    get_engine.cache_clear()
    yield {"media": media, "doc": doc}
    get_engine().dispose()
    get_engine.cache_clear()


def state(db: Engine) -> dict[str, object]:
    with Session(db) as tx:
        return {
            "in": sorted(m.text for m in tx.exec(select(InboundRecord)).all()),
            "out": [m.text for m in tx.exec(select(OutboundRecord)).all()],
            "conversations": len(tx.exec(select(Conversation)).all()),
            "requests": {r.reference: r.data for r in tx.exec(select(ServiceRequest)).all()},
            "notes": [c.note for c in tx.exec(select(StatusChange)).all()],
            "complaints": [c.details for c in tx.exec(select(Complaint)).all()],
        }


def test_dry_run_then_run(db: Engine, seeded: dict[str, Path], capsys: pytest.CaptureFixture[str]) -> None:
    before = state(db)
    assert retention.main(["retention", "--dry-run", "--org", "esrar", "--json"], now=NOW) == 0
    planned = json.loads(capsys.readouterr().out)["esrar"]
    assert planned["requests"] == ["ESR-0000-00011"] and planned["complaints"] == ["CMP-0000-00011"]
    assert planned["counts"] == {"messages_in": 1, "messages_out": 1, "conversations": 1, "requests": 1,
                                 "complaints": 1}
    assert state(db) == before and seeded["media"].exists()  # a dry run changes nothing
    with Session(db) as tx:
        assert tx.exec(select(AuditLog)).all() == []

    assert retention.main(["retention"], now=NOW) == 0
    assert "ESR-0000-00011" in capsys.readouterr().out
    after = state(db)
    assert after["in"] == ["", "", NEW_MESSAGE]  # esrar's and namaa's old messages; the recent one stays
    assert after["out"] == [""] and after["conversations"] == 0
    assert after["requests"] == {"ESR-0000-00011": {}, "ESR-0000-00012": {"full_name": "سعد"},
                                 "ESR-0000-00013": {"full_name": "سعد"}}  # closed 1 year / still open: kept
    assert after["notes"] == [None] and after["complaints"] == [""]
    assert not seeded["media"].exists() and not seeded["doc"].exists()
    with Session(db) as tx:
        rows = tx.exec(select(AuditLog).order_by(col(AuditLog.id))).all()
        kept = tx.exec(select(ServiceRequest).where(ServiceRequest.reference == "ESR-0000-00011")).one()
    assert kept.status == "delivered" and kept.submitted_at  # the record of aid stays
    assert {(r.actor, r.action, r.target, r.org_slug) for r in rows} >= {
        ("retention", "retention_erase", "ESR-0000-00011", "esrar"),
        ("retention", "retention_erase", "CMP-0000-00011", "esrar")}
    logged = json.dumps([[r.target, r.details] for r in rows], ensure_ascii=False)
    assert "1012345678" not in logged and OLD_NOTE not in logged and "شكوى قديمة" not in logged
    count = len(rows)
    assert retention.main(["retention"], now=NOW) == 0  # nothing left to clear: nothing done, nothing logged
    with Session(db) as tx:
        assert len(tx.exec(select(AuditLog)).all()) == count


def test_an_unknown_association_is_a_clear_error(db: Engine, seeded: dict[str, Path],
                                                 capsys: pytest.CaptureFixture[str]) -> None:
    assert retention.main(["retention", "--org", "nowhere"], now=NOW) == 1
    assert "لا توجد جمعية" in capsys.readouterr().err


def test_months_and_years() -> None:
    assert retention.months_ago(datetime(2026, 3, 31, tzinfo=UTC), 1) == datetime(2026, 2, 28, tzinfo=UTC)
    assert retention.months_ago(datetime(2026, 1, 15, tzinfo=UTC), 12) == datetime(2025, 1, 15, tzinfo=UTC)
    assert retention.years_ago(datetime(2028, 2, 29, tzinfo=UTC), 5) == datetime(2023, 2, 28, tzinfo=UTC)
