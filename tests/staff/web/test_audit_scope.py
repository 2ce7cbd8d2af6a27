"""Item 7 of the security review: an association's manager reads every audit row about their
association's data, whoever wrote it (an all-associations manager, the system), and never a row about
another association's data. Rows carry the association; rows written before the column are filled by
the migration from their target."""

from __future__ import annotations

from sqlalchemy import text
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from bot.staff import auth
from storage.db import make_engine, transaction
from storage.migrate import upgrade
from storage.models import AuditLog
from tests.staff.web.client import Client
from tests.staff.web.conftest import PASSWORD, Seeded, login


def _esrar_manager(db: Engine) -> None:
    with transaction(db) as tx:
        auth.create_user(tx, "mudira.esrar", password=PASSWORD, role="manager", org="esrar")


def test_a_manager_sees_every_row_about_their_association_and_none_of_another(
        client: Client, seeded: Seeded, db: Engine) -> None:
    _esrar_manager(db)
    mudir, badr, amal = login(client, "mudir"), login(client, "badr"), login(client, "amal")
    # An all-associations manager changes an esrar request and reads its personal data: esrar's data,
    # though mudir is not one of esrar's staff.
    assert client.post(f"/staff/api/requests/{seeded.esrar_open}/status", headers=mudir,
                       json={"status": "under_study"}).status_code == 200
    assert client.get(f"/staff/api/requests/{seeded.esrar_open}/personal", headers=mudir,
                      params={"reason": "مراجعة ملف المستفيد"}).status_code == 200
    # The same manager and namaa's own officer on namaa's data: never esrar's manager's business.
    assert client.post(f"/staff/api/requests/{seeded.namaa}/status", headers=mudir,
                       json={"status": "accepted"}).status_code == 200
    assert client.get(f"/staff/api/requests/{seeded.namaa}/personal", headers=badr,
                      params={"reason": "اتصال المستفيدة بنا"}).status_code == 200
    assert client.get("/staff/api/requests", headers=badr).status_code == 200
    assert client.post(f"/staff/api/alerts/{seeded.alert_id}/acknowledge", headers=amal).status_code == 200

    rows = client.get("/staff/api/audit", headers=login(client, "mudira.esrar")).json()
    seen = {(r["actor"], r["action"], r["target"]) for r in rows}
    assert ("mudir", "set_status", seeded.esrar_open) in seen
    assert ("mudir", "show_personal_data", seeded.esrar_open) in seen
    assert ("amal", "alert_acknowledge", f"alert:{seeded.alert_id}") in seen
    assert all(r["org"] in ("esrar", None) for r in rows), rows
    assert not any(r["target"] == seeded.namaa or r["actor"] == "badr" for r in rows), rows
    # Rows about no association in particular: only those of esrar's own staff (their sign-ins).
    assert {r["actor"] for r in rows if r["org"] is None} <= {"amal", "mudira.esrar"}

    everything = client.get("/staff/api/audit", headers=mudir).json()  # every association: every row
    assert ("mudir", "set_status", seeded.namaa) in {(r["actor"], r["action"], r["target"]) for r in everything}
    with Session(db) as tx:
        orgs = dict(tx.exec(select(AuditLog.target, AuditLog.org_slug)
                            .where(AuditLog.action == "set_status")).all())
    assert orgs == {seeded.esrar_open: "esrar", seeded.namaa: "namaa"}


def test_the_migration_fills_the_association_of_rows_written_before(sqlite_url: str) -> None:
    upgrade(sqlite_url, "0004")
    engine = make_engine(sqlite_url)
    try:
        with engine.begin() as conn:
            conn.execute(text(
                "INSERT INTO contact (org_slug, channel, address, language, language_locked, opted_out, created_at) "
                "VALUES ('namaa', 'whatsapp', '+966550000001', 'ar', 0, 0, '2026-11-01 00:00:00')"))
            conn.execute(text(
                "INSERT INTO handoff (org_slug, contact_id, category, officer, reason, status, opened_at, "
                "last_activity_at) VALUES ('namaa', 1, 'general', 'o', 'r', 'open', '2026-11-01 00:00:00', "
                "'2026-11-01 00:00:00')"))
            conn.execute(text(
                "INSERT INTO staff (username, display_name, role, org_slug, active, token_version) "
                "VALUES ('badr', 'badr', 'officer', 'namaa', 1, 0)"))
            for actor, action, target in (("system", "handoff_timeout", "H1"), ("badr", "list", "namaa"),
                                          ("root", "staff_deactivate", "badr"), ("x", "login_failed", None)):
                conn.execute(text("INSERT INTO auditlog (actor, action, target, details, at) "
                                  "VALUES (:a, :b, :t, '{}', '2026-11-01 00:00:00')"),
                             {"a": actor, "b": action, "t": target})
        upgrade(sqlite_url)
        with Session(engine) as tx:
            got = [(r.action, r.org_slug) for r in tx.exec(select(AuditLog).order_by(col(AuditLog.id))).all()]
        assert got == [("handoff_timeout", "namaa"), ("list", "namaa"), ("staff_deactivate", "namaa"),
                       ("login_failed", None)]
    finally:
        engine.dispose()
