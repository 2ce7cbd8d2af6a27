"""A `create_app` on the `db` fixture's database (SQLite and PostgreSQL), staff users, seeded records."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

import pytest
from sqlalchemy.engine import Engine

from bot.app import Service, create_app
from bot.staff import auth
from bot.turn.runtime import Runtime
from connectors.config import Settings
from storage.db import transaction
from storage.models import Complaint, Contact, Rating, ServiceRequest, StatusChange, UrgentAlert
from tests.conftest import FIXED_NOW
from tests.staff.web.client import Client

PASSWORD = "correct horse battery"
USERS = {  # username: (org, role)
    "amal": ("esrar", "officer"),
    "badr": ("namaa", "officer"),
    "dr.huda": ("aleman", "medical"),
    "sara": ("aleman", "officer"),
    "mudir": (None, "manager"),
}


@dataclass
class Seeded:
    esrar_overdue: str = "ESR-0000-00001"
    esrar_open: str = "ESR-0000-00002"
    namaa: str = "NMA-0000-00001"
    aleman: str = "AMN-0000-00001"
    complaint: str = "CMP-0000-00001"
    alert_id: int = 0


def _request(tx: Any, contact: Contact, reference: str, service: str, due: date, data: dict[str, Any]) -> None:
    assert contact.id is not None
    req = ServiceRequest(reference=reference, org_slug=contact.org_slug, contact_id=contact.id, service_id=service,
                         committees=["research"], data=data, documents=[{"path": "x.pdf"}], channel=contact.channel,
                         submitted_at=FIXED_NOW - timedelta(days=20), due_date=due)
    tx.add(req)
    tx.flush()
    assert req.id is not None
    tx.add(StatusChange(request_id=req.id, status="submitted", actor="beneficiary", at=req.submitted_at))


def seed(engine: Engine) -> Seeded:
    s = Seeded()
    with transaction(engine) as tx:
        for username, (org, role) in USERS.items():
            auth.create_user(tx, username, password=PASSWORD, role=role, org=org)
        contacts = {org: Contact(org_slug=org, channel="whatsapp", address=f"+96655000{i:04d}", language="ar",
                                 phone=f"+96655000{i:04d}") for i, org in enumerate(("esrar", "namaa", "aleman"))}
        tx.add_all(contacts.values())
        tx.flush()
        today = FIXED_NOW.date()
        _request(tx, contacts["esrar"], s.esrar_overdue, "family_support", today - timedelta(days=3),
                 {"full_name": "نورة العتيبي", "national_id": "1012345678"})
        _request(tx, contacts["esrar"], s.esrar_open, "training", today + timedelta(days=7), {"full_name": "سعد"})
        _request(tx, contacts["namaa"], s.namaa, "food_basket", today + timedelta(days=5), {"full_name": "ريم"})
        _request(tx, contacts["aleman"], s.aleman, "financial_aid", today + timedelta(days=9),
                 {"full_name": "خالد", "diagnosis": "سرطان الدم"})
        esrar = contacts["esrar"]
        assert esrar.id is not None
        tx.add(Complaint(reference=s.complaint, org_slug="esrar", contact_id=esrar.id, category="delay",
                         details="تأخر الرد على طلبي", committee="follow_up", channel="whatsapp"))
        alert = UrgentAlert(org_slug="esrar", contact_id=esrar.id, latitude=21.4225, longitude=39.8262, text="ساعدوني")
        tx.add(alert)
        tx.add_all([Rating(org_slug="esrar", contact_id=esrar.id, score=score, channel="whatsapp")
                    for score in (5, 4, None)])
        tx.flush()
        s.alert_id = alert.id or 0
    return s


@pytest.fixture
def client(runtime: Runtime) -> Client:
    return Client(create_app(Service(runtime=runtime, settings=Settings(), channels={})))


@pytest.fixture
def seeded(db: Engine) -> Seeded:
    return seed(db)


def login(client: Client, username: str, password: str = PASSWORD) -> dict[str, str]:
    response = client.post("/staff/api/login", json={"username": username, "password": password})
    assert response.status_code == 200, response.text
    return {"Authorization": f"Bearer {response.json()['access_token']}"}
