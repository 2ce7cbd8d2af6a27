"""Requests of associations whose policy sets no deadline (a minimum period, or none stated) have no due
date: staff lists keep the requests that have one first, soonest first, on SQLite and PostgreSQL alike."""

from __future__ import annotations

from sqlalchemy.engine import Engine

from storage.db import transaction
from storage.models import Contact, ServiceRequest
from tests.conftest import FIXED_NOW
from tests.staff.web.client import Client
from tests.staff.web.conftest import Seeded, login


def test_requests_without_a_due_date_come_after_those_with_one(client: Client, seeded: Seeded, db: Engine) -> None:
    with transaction(db) as tx:
        contact = Contact(org_slug="baseera", channel="whatsapp", address="+966559990000", language="ar")
        tx.add(contact)
        tx.flush()
        assert contact.id is not None
        tx.add(ServiceRequest(reference="BSR-0000-00001", org_slug="baseera", contact_id=contact.id,
                              service_id="guidance_in_your_language", committees=["dawah_guidance"], data={},
                              documents=[], channel="whatsapp", submitted_at=FIXED_NOW, due_date=None))
    listed = client.get("/staff/api/requests", headers=login(client, "mudir")).json()
    references = [r["reference"] for r in listed]
    assert references[-1] == "BSR-0000-00001" and references[0] == seeded.esrar_overdue
    last = listed[-1]
    assert last["due_date"] is None and last["working_days_left"] is None and last["overdue"] is False
