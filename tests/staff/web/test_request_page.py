"""The request page's personal data: on_behalf_of in Arabic, the field site by name, and the documents listed
by name and type (never their contents)."""

from __future__ import annotations

from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from storage.models import ServiceRequest
from tests.staff.web.client import Client
from tests.staff.web.conftest import Seeded
from tests.staff.web.test_console import sign_in


def test_on_behalf_documents_and_field_site_are_readable(client: Client, seeded: Seeded, db: Engine) -> None:
    with Session(db) as tx:
        req = tx.exec(select(ServiceRequest).where(ServiceRequest.reference == seeded.esrar_overdue)).one()
        req.on_behalf_of = "field_representative"
        req.documents = [{"path": "/data/secret.png", "name": "id-copy.png", "content_type": "image/png", "size": 20480},
                         {"path": "/data/x.pdf", "content_type": "application/pdf"}]
        tx.add(req)
        tx.commit()
    csrf = sign_in(client, "amal")
    shown = client.post(f"/staff/requests/{seeded.esrar_overdue}/personal",
                        data={"csrf": csrf, "reason": "اتصال المستفيد"})
    assert shown.status_code == 200
    assert "مندوب ميداني" in shown.text and "field_representative" not in shown.text
    assert "id-copy.png (image/png، 20 ك.ب)" in shown.text and "مستند 2 (application/pdf)" in shown.text
    assert "/data/secret.png" not in shown.text
