"""Staff lists at size (issue 15), on SQLite and PostgreSQL: pages cut in SQL come back in the same order
as the whole list, without gaps or repeats; filters and totals are counted by the database; the dashboard
shows the first rows of each list under its full count."""

from __future__ import annotations

import re
from typing import Any

from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from bot.bench.growth import load
from bot.staff.reads import OPEN_REQUESTS
from storage.models import AuditLog, Complaint, Handoff, PrivacyRequest, ServiceRequest, UrgentAlert
from tests.conftest import FIXED_NOW
from tests.staff.web.client import Client
from tests.staff.web.conftest import Seeded, login
from tests.staff.web.test_console import sign_in

SIZE = 600  # open requests well past one page of 200


def every_page(client: Client, path: str, headers: dict[str, str], limit: int, **params: Any) -> list[Any]:
    found: list[Any] = []
    offset = 0
    while True:
        page = client.get(path, headers=headers, params={**params, "limit": limit, "offset": offset})
        assert page.status_code == 200, page.text
        rows = page.json()
        assert len(rows) <= limit
        found += rows
        if len(rows) < limit:
            return found
        offset += limit


def test_request_pages_in_deadline_order(client: Client, seeded: Seeded, db: Engine) -> None:
    load(db, SIZE, FIXED_NOW.date())
    with Session(db) as tx:
        rows = tx.exec(select(ServiceRequest).where(col(ServiceRequest.status).in_(OPEN_REQUESTS))).all()
        expected = [r.reference for r in sorted(rows, key=lambda r: (r.due_date is None, r.due_date, r.id))]
    assert any(r.due_date is None for r in rows) and len(expected) > 400
    headers = login(client, "mudir")  # a manager: every association
    paged = every_page(client, "/staff/api/requests", headers, 70)  # pages that straddle dated and undated
    assert [r["reference"] for r in paged] == expected
    first = client.get("/staff/api/requests", headers=headers).json()
    assert len(first) == 200 and [r["reference"] for r in first] == expected[:200]
    assert all("working_days_left" in r and "due_date_text" in r for r in first)  # computed for rows shown
    with Session(db) as tx:
        counted = tx.exec(select(AuditLog).where(AuditLog.action == "list_requests")
                          .order_by(col(AuditLog.id).desc())).first()
    assert counted is not None and counted.details["count"] == len(expected)  # the full count, from SQL

    late = every_page(client, "/staff/api/requests", headers, 100, overdue="true")
    on_time = every_page(client, "/staff/api/requests", headers, 100, overdue="false")
    assert late and all(r["overdue"] for r in late) and not any(r["overdue"] for r in on_time)
    assert sorted(r["reference"] for r in late + on_time) == sorted(expected)
    one_org = every_page(client, "/staff/api/requests", login(client, "amal"), 90)
    assert [r["reference"] for r in one_org] == [e for e in expected if not e.startswith(("NMA", "AMN"))]


def test_other_lists_page_too(client: Client, seeded: Seeded, db: Engine) -> None:
    load(db, SIZE, FIXED_NOW.date())
    headers = login(client, "mudir")
    with Session(db) as tx:
        counts = {
            "/staff/api/complaints": len(tx.exec(select(Complaint).where(Complaint.status != "resolved")).all()),
            "/staff/api/handoffs": len(tx.exec(select(Handoff).where(Handoff.status == "open")).all()),
            "/staff/api/alerts": len(tx.exec(select(UrgentAlert).where(UrgentAlert.status == "open")).all()),
            "/staff/api/privacy": len(tx.exec(select(PrivacyRequest).where(PrivacyRequest.status == "open")).all()),
        }
    for path, total in counts.items():
        whole = client.get(path, headers=headers, params={"limit": 1000}).json()
        paged = every_page(client, path, headers, 2)
        assert len(whole) == total and paged == whole, path
    assert client.get("/staff/api/complaints", headers=headers, params={"limit": 0}).status_code == 422


def test_dashboard_heads_each_list_with_its_full_count(client: Client, seeded: Seeded, db: Engine) -> None:
    load(db, SIZE, FIXED_NOW.date())
    with Session(db) as tx:
        open_esrar = len(tx.exec(select(ServiceRequest).where(col(ServiceRequest.status).in_(OPEN_REQUESTS),
                                                              ServiceRequest.org_slug == "esrar")).all())
    sign_in(client, "amal")
    board = client.get("/staff").text
    assert f"الطلبات المفتوحة ({open_esrar}،" in board
    assert len(re.findall(r'href="/staff/requests/', board)) == 50  # the first page only
    assert f"1–50 من {open_esrar}" in board and 'href="/staff?requests_page=2#requests" rel="next"' in board


def test_board_pages_through_each_list_in_deadline_order(client: Client, seeded: Seeded, db: Engine) -> None:
    load(db, SIZE, FIXED_NOW.date())
    headers = login(client, "amal")
    expected = [r["reference"] for r in every_page(client, "/staff/api/requests", headers, 200)]
    sign_in(client, "amal")
    seen: list[str] = []
    page = 1
    while True:
        board = client.get("/staff", params={"requests_page": page}).text
        rows = re.findall(r'href="/staff/requests/([^"]+)"', board)
        assert 0 < len(rows) <= 50
        seen += rows
        if 'rel="next"' not in board.split('id="requests"')[1].split("</section>")[0]:
            break
        page += 1
    assert seen == expected  # every open request once, soonest deadline first, across the pages
    assert page == -(-len(expected) // 50)
    # Past the last page (or nonsense, or Arabic-Indic digits) comes back as a page that exists.
    last = client.get("/staff", params={"requests_page": "99999"}).text
    assert re.findall(r'href="/staff/requests/([^"]+)"', last) == expected[(page - 1) * 50:]
    assert re.findall(r'href="/staff/requests/([^"]+)"', client.get("/staff?requests_page=x").text) == expected[:50]
    assert re.findall(r'href="/staff/requests/([^"]+)"', client.get("/staff?requests_page=٢").text) == expected[50:100]
    # Another list's page is kept in this list's links.
    both = client.get("/staff", params={"requests_page": 2, "complaints_page": 1}).text
    assert 'href="/staff?requests_page=3#requests" rel="next"' in both


def test_the_open_and_overdue_counts_add_up_per_association(seeded: Seeded, db: Engine) -> None:
    """Counted as late + on time + undated: the same numbers as the requests themselves say, for every
    association and for one, with undated, closed and other associations' requests among them."""
    from bot.staff.reads import org_today
    from bot.staff.web.requests import open_counts

    load(db, 300, FIXED_NOW.date())
    with Session(db) as tx:
        rows = tx.exec(select(ServiceRequest)).all()
        orgs = sorted({r.org_slug for r in rows})
        assert any(r.due_date is None for r in rows) and any(r.status not in OPEN_REQUESTS for r in rows)
        for org in [None, *orgs]:
            mine = [r for r in rows if r.status in OPEN_REQUESTS and org in (None, r.org_slug)]
            late = [r for r in mine if r.due_date is not None and r.due_date < org_today(r.org_slug, FIXED_NOW)]
            assert open_counts(tx, FIXED_NOW, org) == (len(mine), len(late)), org
            assert org or 0 < len(late) < len(mine)  # the load puts deadlines on both sides of today
