"""Review item 3 (rest): a copy of one's data as a file in one's language. Staff download it for an access
request (reason required, audited, scoped); completing the request writes it (owner-only file) and tells
the beneficiary on their channel."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from storage.db import transaction
from storage.models import AuditLog, Contact, OutboundRecord, PrivacyRequest
from tests.conftest import FIXED_NOW
from tests.staff.web.client import Client
from tests.staff.web.conftest import Seeded, login

REASON = {"reason": "طلب نسخة من البيانات"}


def access_request(db: Engine, language: str = "ar") -> str:
    with transaction(db) as tx:
        contact = tx.exec(select(Contact).where(Contact.org_slug == "esrar")).first()
        assert contact is not None and contact.id is not None
        contact.language = language
        tx.add(contact)
        tx.add(PrivacyRequest(reference="PRV-0000-00001", org_slug="esrar", contact_id=contact.id, kind="access",
                              due_date=(FIXED_NOW + timedelta(days=30)).date()))
    return "PRV-0000-00001"


def test_staff_download_the_copy_in_the_persons_language(client: Client, seeded: Seeded, db: Engine) -> None:
    reference = access_request(db)
    url = f"/staff/api/privacy/{reference}/export"
    amal = login(client, "amal")
    assert client.get(url, headers=amal).status_code == 400  # no reason
    assert client.get(url, headers=login(client, "badr"), params=REASON).status_code == 404  # another org's
    got = client.get(url, headers=amal, params=REASON)
    assert got.status_code == 200 and got.headers["content-disposition"] == f'attachment; filename="{reference}.txt"'
    text = got.text
    assert "طلباتك" in text and "نورة العتيبي" in text and "1012345678" in text and seeded.esrar_overdue in text
    assert "Your requests" not in text
    with Session(db) as tx:
        [row] = tx.exec(select(AuditLog).where(AuditLog.action == "privacy_export")).all()
    assert (row.actor, row.target, row.reason) == ("amal", reference, REASON["reason"])
    assert "1012345678" not in str(row.details)


def test_completing_an_access_request_writes_the_file_and_tells_the_person(
        client: Client, seeded: Seeded, db: Engine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TAWASUL_DATA_DIR", str(tmp_path))
    reference = access_request(db, language="en")
    done = client.post(f"/staff/api/privacy/{reference}/complete", headers=login(client, "amal"), json={})
    assert done.status_code == 200, done.text
    copy = tmp_path / "exports" / f"{reference}.txt"
    assert copy.stat().st_mode & 0o777 == 0o600
    text = copy.read_text(encoding="utf-8")
    assert "Your requests" in text and "نورة العتيبي" in text  # headings in English, her data as given
    with Session(db) as tx:
        last = tx.exec(select(OutboundRecord).order_by(col(OutboundRecord.id).desc())).first()
    assert last is not None and "A copy of your data has been prepared" in last.text


def test_a_later_deletion_removes_the_copy(client: Client, seeded: Seeded, db: Engine, tmp_path: Path,
                                           monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TAWASUL_DATA_DIR", str(tmp_path))
    reference = access_request(db)
    amal = login(client, "amal")
    assert client.post(f"/staff/api/privacy/{reference}/complete", headers=amal, json={}).status_code == 200
    copy = tmp_path / "exports" / f"{reference}.txt"
    assert copy.exists()
    with transaction(db) as tx:
        first = tx.exec(select(PrivacyRequest)).one()
        tx.add(PrivacyRequest(reference="PRV-0000-00002", org_slug="esrar", contact_id=first.contact_id,
                              kind="deletion", due_date=first.due_date))
    assert client.post("/staff/api/privacy/PRV-0000-00002/complete", headers=amal, json={}).status_code == 200
    assert not copy.exists()
