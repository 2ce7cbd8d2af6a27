"""The hot queries use their indexes (issue 15): each is asked of the real migrated database, on SQLite
(`EXPLAIN QUERY PLAN`) and on PostgreSQL (`EXPLAIN`, with sequential and bitmap scans priced out so that
an empty table still shows which index the planner *can* use), and its plan must name the index; the
board's first page must come in index order, without sorting every open request.
"""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import text
from sqlalchemy.engine import Engine
from sqlmodel import col, select

from bot.staff.reads import request_status_in
from storage.models import (
    Acknowledgement,
    Complaint,
    Contact,
    PrivacyRequest,
    ServiceRequest,
    UrgentAlert,
    Volunteer,
)
from storage.queries import latest_open_alert

OPEN = ("submitted", "under_study", "needs_info", "accepted")

HOT: list[tuple[str, Any, str]] = [
    ("webhook contact look-up", select(Contact).where(Contact.channel == "telegram", Contact.address == "42"),
     "ix_contact_channel_address"),
    ("a turn's open alert", select(UrgentAlert).where(UrgentAlert.contact_id == 7, UrgentAlert.status == "open"),
     "ix_urgentalert_contact_id_status"),
    ("staff list: an org's requests of one status by deadline",
     select(ServiceRequest).where(ServiceRequest.org_slug == "esrar", ServiceRequest.status == "completed")
     .order_by(col(ServiceRequest.due_date)), "ix_service_request_org_slug_status_due_date"),
    ("board: open requests of every org, dated first",
     select(ServiceRequest).where(request_status_in(OPEN), col(ServiceRequest.due_date).is_not(None))
     .order_by(col(ServiceRequest.due_date), col(ServiceRequest.id)).limit(200), "ix_service_request_open_due"),
    ("board: open requests of one org, dated first",
     select(ServiceRequest).where(ServiceRequest.org_slug == "esrar", request_status_in(OPEN),
                                  col(ServiceRequest.due_date).is_not(None))
     .order_by(col(ServiceRequest.due_date), col(ServiceRequest.id)).limit(200), "ix_service_request_open_org_due"),
    ("board: open complaints", select(Complaint).where(Complaint.status == "open"), "ix_complaint_status"),
    ("board: unresolved complaints, dated first", select(Complaint).where(Complaint.status != "resolved")
     .order_by(col(Complaint.created_at), col(Complaint.id)).limit(50), "ix_complaint_unresolved_filed"),
    ("board: open privacy requests", select(PrivacyRequest).where(PrivacyRequest.status == "open"),
     "ix_privacyrequest_status"),
    ("board: open alerts", select(UrgentAlert).where(UrgentAlert.status == "open"), "ix_urgentalert_status"),
    ("erasure: privacy requests of a contact", select(PrivacyRequest).where(PrivacyRequest.contact_id == 7),
     "ix_privacyrequest_contact_id"),
    ("erasure: volunteering of a contact", select(Volunteer).where(Volunteer.contact_id == 7),
     "ix_volunteer_contact_id"),
    ("erasure: acknowledgements of a contact", select(Acknowledgement).where(Acknowledgement.contact_id == 7),
     "ix_acknowledgement_contact_id"),
]


def plan(engine: Engine, query: Any) -> str:
    sql = str(query.compile(engine, compile_kwargs={"literal_binds": True}))
    with engine.connect() as conn:
        if engine.dialect.name == "sqlite":
            rows = conn.execute(text(f"EXPLAIN QUERY PLAN {sql}")).all()
            return "\n".join(str(r[-1]) for r in rows)
        # An empty table would be read whole; priced out, the plan shows the index the query can use.
        conn.execute(text("SET enable_seqscan = off"))
        conn.execute(text("SET enable_bitmapscan = off"))
        return "\n".join(r[0] for r in conn.execute(text(f"EXPLAIN {sql}")).all())


@pytest.mark.parametrize(("label", "query", "index"), HOT, ids=[h[0] for h in HOT])
def test_hot_query_uses_its_index(db: Engine, label: str, query: Any, index: str) -> None:
    shown = plan(db, query)
    assert index in shown, f"{label}: {shown}"
    if "dated first" in label:  # read in index order: no sort of every open request for a page of 200
        assert "TEMP B-TREE" not in shown and "Sort" not in shown, shown


def test_the_turns_alert_query_is_the_one_planned(db: Engine) -> None:
    """storage.queries.latest_open_alert (what a turn runs) finds the open alert through the index."""
    from storage.db import transaction

    with transaction(db) as tx:
        contact = Contact(org_slug="esrar", channel="telegram", address="42")
        tx.add(contact)
        tx.flush()
        assert contact.id is not None
        tx.add(UrgentAlert(org_slug="esrar", contact_id=contact.id, status="closed"))
        tx.add(UrgentAlert(org_slug="esrar", contact_id=contact.id, text="x"))
        tx.flush()
        found = latest_open_alert(tx, contact.id)
        assert found is not None and found.status == "open"
