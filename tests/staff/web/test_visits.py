"""Scheduling a field visit (Namaa, issue 13): only for a service whose study includes one, scoped to the
officer's association, recorded in the request's history, audited, and told to the family on their channel."""

from __future__ import annotations

from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from storage.models import AuditLog, OutboundRecord, ServiceRequest, StatusChange
from tests.staff.web.client import Client
from tests.staff.web.conftest import Seeded, login


def test_schedule_a_field_visit(client: Client, seeded: Seeded, db: Engine) -> None:
    badr, amal = login(client, "badr"), login(client, "amal")
    body = {"date": "2026-12-20", "time": "10:30", "note": "الباحثة الاجتماعية: منى"}
    url = f"/staff/api/requests/{seeded.namaa}/visit"
    assert client.post(url, headers=amal, json=body).status_code == 404  # another association's request
    assert client.post(url, headers=badr, json={**body, "time": "25:00"}).status_code == 422
    assert client.post(url, headers=badr, json={**body, "date": "2020-01-01"}).status_code == 400
    done = client.post(url, headers=badr, json=body)
    assert done.status_code == 200, done.text
    assert done.json() == {"reference": seeded.namaa, "date": "2026-12-20", "time": "10:30", "queued_messages": 1}
    # Esrar's services include no field visit: nothing to schedule.
    refused = client.post(f"/staff/api/requests/{seeded.esrar_open}/visit", headers=amal, json=body)
    assert refused.status_code == 400 and "زيارة ميدانية" in refused.json()["detail"]["message"]
    with Session(db) as tx:
        req = tx.exec(select(ServiceRequest).where(ServiceRequest.reference == seeded.namaa)).one()
        [message] = tx.exec(select(OutboundRecord).where(OutboundRecord.contact_id == req.contact_id)).all()
        assert "حُدد موعد الزيارة الميدانية" in message.text and "الوقت: 10:30" in message.text
        assert "الباحثة الاجتماعية: منى" in message.text
        history = tx.exec(select(StatusChange).where(StatusChange.request_id == req.id)
                          .order_by(col(StatusChange.id))).all()
        assert history[-1].status == "submitted" and (history[-1].note or "").startswith("زيارة ميدانية")
        [row] = tx.exec(select(AuditLog).where(AuditLog.action == "schedule_visit")).all()
        assert (row.actor, row.target, row.details["on"]) == ("badr", seeded.namaa, "2026-12-20")
