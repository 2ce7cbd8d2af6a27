"""The staff workspace (issue 14, part B) through the REST API and the console, on SQLite and PostgreSQL:
policy timers and the late digest, the monthly report (JSON, charts, PDF), exports (masked; personal data
only with a reason, audited), the audit page, field visits' outcomes, field-site notices, dates in either
calendar."""

from __future__ import annotations

import csv
import io
from datetime import timedelta

from openpyxl import load_workbook
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from bot.staff import auth
from bot.staff.timers import write_digests
from storage.db import transaction
from storage.models import (
    AuditLog,
    Complaint,
    Contact,
    Handoff,
    InboundRecord,
    Investigation,
    LateDigest,
    OutboundRecord,
    Rating,
    ServiceRequest,
    SiteNotice,
    StatusChange,
)
from tests.conftest import FIXED_NOW
from tests.staff.web.client import Client
from tests.staff.web.conftest import PASSWORD, Seeded, login
from tests.staff.web.test_console import csrf_of, sign_in


def _manager(db: Engine, username: str = "esrar.mudir", org: str = "esrar") -> None:
    with transaction(db) as tx:
        auth.create_user(tx, username, password=PASSWORD, role="manager", org=org)


def _handoffs(db: Engine) -> tuple[int, int]:
    """Two open Esrar handoffs: one silent for 3 hours (late: the target is 120 minutes), one answered."""
    with transaction(db) as tx:
        contact = tx.exec(select(Contact).where(Contact.org_slug == "esrar")).first()
        assert contact is not None and contact.id is not None
        late = Handoff(org_slug="esrar", contact_id=contact.id, category="general", officer="amal", reason="asked",
                       opened_at=FIXED_NOW - timedelta(hours=3))
        answered = Handoff(org_slug="esrar", contact_id=contact.id, category="general", officer="amal",
                           reason="asked", opened_at=FIXED_NOW - timedelta(minutes=50))
        tx.add_all([late, answered])
        tx.flush()
        tx.add(AuditLog(actor="amal", action="handoff_reply", target=f"H{answered.id}", org_slug="esrar",
                        at=FIXED_NOW - timedelta(minutes=20)))
        assert late.id is not None and answered.id is not None
        return late.id, answered.id


def test_timers_show_time_left_and_lateness(client: Client, seeded: Seeded, db: Engine) -> None:
    late, answered = _handoffs(db)
    amal = login(client, "amal")
    got = client.get("/staff/api/timers", headers=amal)
    assert got.status_code == 200, got.text
    body = got.json()
    requests = {r["reference"]: r for r in body["requests"]}
    assert set(requests) == {seeded.esrar_overdue, seeded.esrar_open}  # her association only
    assert requests[seeded.esrar_overdue]["late"] and requests[seeded.esrar_overdue]["working_days_left"] < 0
    assert not requests[seeded.esrar_open]["late"] and requests[seeded.esrar_open]["working_days_left"] > 0
    handoffs = {h["id"]: h for h in body["handoffs"]}
    assert handoffs[f"H{late}"]["late"] and handoffs[f"H{late}"]["minutes_left"] == 120 - 180
    assert handoffs[f"H{answered}"]["response_minutes"] == 30 and not handoffs[f"H{answered}"]["late"]
    assert client.get("/staff/api/timers?org=namaa", headers=amal).status_code == 403
    csrf = sign_in(client, "amal")
    page = client.get("/staff/timers")
    assert csrf and page.status_code == 200
    assert 'class="overdue"' in page.text and "متأخر ساعة" in page.text and "باقٍ" in page.text


def test_daily_digest_once_per_day_for_managers(client: Client, seeded: Seeded, db: Engine) -> None:
    late, _ = _handoffs(db)
    _manager(db)
    assert "esrar" in write_digests(db, FIXED_NOW)
    assert write_digests(db, FIXED_NOW + timedelta(hours=1)) == []  # the same day: written once
    with Session(db) as tx:
        [digest] = tx.exec(select(LateDigest).where(LateDigest.org_slug == "esrar")).all()
        assert digest.body["totals"] == {"requests": 1, "handoffs": 1, "privacy": 0}
        assert [r["reference"] for r in digest.body["requests"]] == [seeded.esrar_overdue]
        assert "نورة" not in str(digest.body)  # references and counts, never personal data
    mudir = login(client, "esrar.mudir")
    got = client.get("/staff/api/digest", headers=mudir)
    assert got.status_code == 200 and got.json()["body"]["handoffs"][0]["id"] == f"H{late}"
    assert client.get("/staff/api/digest?day=١٤٤٨-٠٦-١٢ هـ", headers=mudir).json()["day"] == "2026-11-22"
    assert client.get("/staff/api/digest?day=2026-11-21", headers=mudir).status_code == 404
    assert client.get("/staff/api/digest?day=yesterday", headers=mudir).status_code == 400
    assert client.get("/staff/api/digest", headers=login(client, "amal")).status_code == 403
    assert client.get("/staff/api/digest?org=namaa", headers=mudir).status_code == 403


def _month(db: Engine) -> None:
    """November 2026 at Esrar: decisions in and after the deadline, ratings with comments, a resolved complaint."""
    with transaction(db) as tx:
        reqs = {r.reference: r for r in tx.exec(select(ServiceRequest).where(ServiceRequest.org_slug == "esrar"))}
        for ref, (status, at) in {"ESR-0000-00001": ("accepted", FIXED_NOW), "ESR-0000-00002": ("rejected",
                                  FIXED_NOW - timedelta(days=1))}.items():
            req = reqs[ref]
            assert req.id is not None
            tx.add(StatusChange(request_id=req.id, status=status, actor="amal", at=at))
        for seeded_rating in tx.exec(select(Rating)):  # the seed's 5, 4 and a declined one: this month
            seeded_rating.created_at = FIXED_NOW - timedelta(days=1)
            tx.add(seeded_rating)
        contact = tx.exec(select(Contact).where(Contact.org_slug == "esrar")).first()
        assert contact is not None and contact.id is not None
        tx.add_all([Rating(org_slug="esrar", contact_id=contact.id, score=2, comment="تأخر الرد كثيرًا",
                           channel="whatsapp", created_at=FIXED_NOW - timedelta(days=2)),
                    Rating(org_slug="esrar", contact_id=contact.id, score=5, channel="telegram",
                           created_at=FIXED_NOW - timedelta(days=40))])
        tx.add(Complaint(reference="CMP-0000-00009", org_slug="esrar", contact_id=contact.id, category="delay",
                         details="...", committee="follow_up", channel="whatsapp", status="resolved",
                         created_at=FIXED_NOW - timedelta(days=5), updated_at=FIXED_NOW - timedelta(days=1)))


def test_monthly_report_charts_and_pdf(client: Client, seeded: Seeded, db: Engine) -> None:
    _month(db)
    _manager(db)
    mudir = login(client, "esrar.mudir")
    got = client.get("/staff/api/reports/monthly?month=2026-11", headers=mudir)
    assert got.status_code == 200, got.text
    r = got.json()
    assert r["org"] == "esrar" and "جمادى" in r["period"]["hijri"] and r["period"]["title"] == "نوفمبر 2026"
    assert r["volume"]["requests"] == 2 and {c["channel"] for c in r["volume"]["by_channel"]} == {"whatsapp"}
    # ESR-..01 was due 3 days ago and decided today: late; ESR-..02 decided yesterday, due in a week: on time.
    assert (r["deadline"]["on_time"], r["deadline"]["late"], r["deadline"]["rate"]) == (1, 1, 50.0)
    assert r["satisfaction"]["comments"][0]["comment"] == "تأخر الرد كثيرًا"
    assert [m["average"] for m in r["satisfaction"]["months"]][-2:] == [5.0, 3.67]  # (5 + 4 + 2) / 3
    assert r["complaints"]["resolved"] == 1 and r["complaints"]["average_days"] == 4.0
    pdf = client.get("/staff/api/reports/monthly.pdf?month=2026-11", headers=mudir)
    assert pdf.status_code == 200 and pdf.content[:5] == b"%PDF-" and pdf.headers["content-type"] == "application/pdf"
    assert pdf.content.count(b"/Type /Page\n") + pdf.content.count(b"/Type /Page ") >= 7 or b"/Count 7" in pdf.content
    png = client.get("/staff/api/reports/charts/satisfaction.png?month=2026-11", headers=mudir)
    assert png.status_code == 200 and png.content[:8] == b"\x89PNG\r\n\x1a\n"
    assert client.get("/staff/api/reports/charts/nope.png", headers=mudir).status_code == 404
    assert client.get("/staff/api/reports/monthly", headers=login(client, "amal")).status_code == 403
    assert client.get("/staff/api/reports/monthly?org=namaa", headers=mudir).status_code == 403
    assert client.get("/staff/api/reports/monthly?month=2026-13", headers=mudir).status_code == 422
    with Session(db) as tx:
        assert tx.exec(select(AuditLog).where(AuditLog.action == "monthly_report")).first() is not None
    sign_in(client, "esrar.mudir")
    page = client.get("/staff/reports?month=2026-11")
    assert page.status_code == 200 and "img-src 'self'" in page.headers["content-security-policy"]
    assert '/staff/reports/chart/deadline.png?org=esrar&amp;month=2026-11' in page.text
    assert client.get("/staff/reports/monthly.pdf?month=2026-11").content[:5] == b"%PDF-"


def test_exports_masked_unless_a_reason(client: Client, seeded: Seeded, db: Engine) -> None:
    amal = login(client, "amal")
    masked = client.get("/staff/api/export/requests.csv", headers=amal)
    assert masked.status_code == 200 and masked.content.startswith("\ufeff".encode())
    rows = list(csv.reader(io.StringIO(masked.content.decode("utf-8-sig"))))
    assert rows[0][0] == "رقم الطلب" and {r[0] for r in rows[1:]} == {seeded.esrar_overdue, seeded.esrar_open}
    assert "+966550000000" not in masked.text and "0000" in masked.text and "نورة" not in masked.text
    refused = client.get("/staff/api/export/requests.csv?reason=aaaa", headers=amal)
    assert refused.status_code == 400
    full = client.get("/staff/api/export/requests.xlsx", headers=amal,
                      params={"reason": "مراجعة الطلبات المتأخرة مع اللجنة"})
    assert full.status_code == 200
    sheet = load_workbook(io.BytesIO(full.content)).active
    assert sheet.sheet_view.rightToLeft
    cells = [str(c.value) for row in sheet.iter_rows() for c in row]
    assert "+966550000000" in cells and "نورة العتيبي" in cells
    with Session(db) as tx:
        kinds = [(a.action, a.reason) for a in tx.exec(select(AuditLog).where(
            col(AuditLog.action).in_(("export_list", "export_personal_data"))).order_by(col(AuditLog.id)))]
        assert kinds == [("export_list", None), ("export_personal_data", "مراجعة الطلبات المتأخرة مع اللجنة")]
    # A medical detail is never exported to a role that may not read it (R12).
    sara = client.get("/staff/api/export/requests.csv", headers=login(client, "sara"),
                      params={"reason": "متابعة الطلبات مع المستفيدين"})
    assert sara.status_code == 200 and "سرطان" not in sara.content.decode("utf-8-sig")
    assert client.get("/staff/api/export/audit.csv", headers=amal).status_code == 400  # managers only
    assert client.get("/staff/api/export/nothing.csv", headers=amal).status_code == 400


def test_audit_page_scoped_filtered_paged(client: Client, seeded: Seeded, db: Engine) -> None:
    _manager(db)
    with transaction(db) as tx:
        tx.add_all([AuditLog(actor="amal", action="show_personal_data", target=seeded.esrar_open, org_slug="esrar",
                             reason=f"اتصال المستفيد {i}", at=FIXED_NOW - timedelta(days=i)) for i in range(7)])
        tx.add(AuditLog(actor="badr", action="show_personal_data", target=seeded.namaa, org_slug="namaa",
                        reason="اتصال المستفيد", at=FIXED_NOW))
    mudir = login(client, "esrar.mudir")
    got = client.get("/staff/api/audit/search", headers=mudir,
                     params={"action": "show_personal_data", "limit": 3, "offset": 3})
    assert got.status_code == 200
    page = got.json()
    assert page["total"] == 7 and len(page["rows"]) == 3 and {r["org"] for r in page["rows"]} == {"esrar"}
    # Whole days in either calendar: 2026-11-20 is 1448-06-10 هـ in Arabic-Indic digits.
    since = client.get("/staff/api/audit/search", headers=mudir,
                       params={"action": "show_personal_data", "since": "١٤٤٨-٠٦-١٠ هـ"}).json()
    assert since["total"] == 3
    assert client.get("/staff/api/audit/search", headers=login(client, "amal")).status_code == 403
    sign_in(client, "esrar.mudir")
    html = client.get("/staff/audit", params={"action": "show_personal_data"})
    assert html.status_code == 200 and "الصفوف 1–7 من 7" in html.text and seeded.namaa not in html.text


def test_visit_outcome_and_researcher(client: Client, seeded: Seeded, db: Engine) -> None:
    badr = login(client, "badr")
    body = {"date": "2026-12-20", "time": "10:30", "researcher": "منى الحربي"}
    assert client.post(f"/staff/api/requests/{seeded.namaa}/visit", headers=badr, json=body).status_code == 200
    done = client.post(f"/staff/api/requests/{seeded.namaa}/visit/outcome", headers=badr,
                       json={"visited": True, "outcome": "الأسرة بحاجة إلى سلة غذائية شهرية"})
    assert done.status_code == 200 and done.json()["visited"] is True
    assert client.post(f"/staff/api/requests/{seeded.namaa}/visit/outcome", headers=login(client, "amal"),
                       json={"outcome": "زيارة"}).status_code == 404
    with Session(db) as tx:
        req = tx.exec(select(ServiceRequest).where(ServiceRequest.reference == seeded.namaa)).one()
        [message] = tx.exec(select(OutboundRecord).where(OutboundRecord.contact_id == req.contact_id)).all()
        assert "منى الحربي" in message.text
        notes = [h.note for h in tx.exec(select(StatusChange).where(StatusChange.request_id == req.id))]
        assert "نتيجة الزيارة الميدانية: الأسرة بحاجة إلى سلة غذائية شهرية" in notes
    # The console's form takes a Hijri date: 1448-07-01 هـ is 2026-12-10 (Umm al-Qura).
    csrf = sign_in(client, "badr")
    posted = client.post("/staff/field/visit", data={"csrf": csrf, "reference": seeded.namaa, "date": "١٤٤٨-٠٧-٠١",
                                                     "researcher": "منى", "time": ""})
    assert posted.status_code == 303, posted.text
    with Session(db) as tx:
        row = tx.exec(select(AuditLog).where(AuditLog.action == "schedule_visit").order_by(col(AuditLog.id).desc())).first()
        assert row is not None and row.details["on"] == "2026-12-10"


def test_field_site_notice_window_and_template(client: Client, seeded: Seeded, db: Engine) -> None:
    with transaction(db) as tx:
        auth.create_user(tx, "huda.officer", password=PASSWORD, role="officer", org="alhuda")
        people = [Contact(org_slug="alhuda", channel="whatsapp", address="+966551110001",
                          last_inbound_at=FIXED_NOW - timedelta(hours=2)),
                  Contact(org_slug="alhuda", channel="whatsapp", address="+966551110002",
                          last_inbound_at=FIXED_NOW - timedelta(days=3)),
                  Contact(org_slug="alhuda", channel="telegram", address="7001"),
                  Contact(org_slug="alhuda", channel="telegram", address="7002")]  # moved on to another site
        tx.add_all(people)
        tx.flush()
        for i, p in enumerate(people):
            assert p.id is not None
            tx.add(InboundRecord(channel=p.channel, provider_id=f"m{i}", contact_id=p.id, text="/start",
                                 payload={"field_site": "juhfa_miqat"}))
        tx.add(InboundRecord(channel="telegram", provider_id="m9", contact_id=people[3].id or 0, text="/start",
                             payload={"field_site": "rabigh_city"}))
    officer = login(client, "huda.officer")
    sites = {s["site"]: s["contacts"] for s in client.get("/staff/api/sites", headers=officer).json()}
    assert sites["juhfa_miqat"] == 3 and sites["rabigh_city"] == 1
    text = "تتحرك الحافلات إلى الميقات الساعة الخامسة فجرًا"
    free = client.post("/staff/api/sites/juhfa_miqat/notice", headers=officer, json={"text": text})
    assert free.status_code == 200, free.text
    assert free.json()["counts"] == {"contacts": 3, "sent": 2, "template": 0, "outside_window": 1, "opted_out": 0}
    templ = client.post("/staff/api/sites/juhfa_miqat/notice", headers=officer,
                        json={"text": text, "template": "site_notice"})
    assert templ.json()["counts"]["template"] == 1 and templ.json()["counts"]["outside_window"] == 0
    assert client.post("/staff/api/sites/juhfa_miqat/notice", headers=officer,
                       json={"text": text, "template": "nope"}).status_code == 400
    assert client.post("/staff/api/sites/juhfa_miqat/notice", headers=login(client, "amal"),
                       json={"text": text}).status_code == 400  # not one of Esrar's sites
    with Session(db) as tx:
        out = tx.exec(select(OutboundRecord).where(OutboundRecord.to_address == "+966551110002")).all()
        assert [o.meta.get("template") for o in out] == ["site_notice"] and out[0].meta["template_only"]
        assert out[0].meta["template_vars"] == {"1": text}
        assert len(tx.exec(select(SiteNotice)).all()) == 2
        assert len(tx.exec(select(AuditLog).where(AuditLog.action == "site_notice")).all()) == 2


def test_console_date_fields_take_either_calendar(client: Client, seeded: Seeded, db: Engine) -> None:
    csrf = sign_in(client, "amal")
    page = client.get(f"/staff/complaints/{seeded.complaint}")
    assert 'type="date"' not in page.text and 'id="held_on" name="held_on" type="text"' in page.text
    url = f"/staff/complaints/{seeded.complaint}/investigate"
    bad = client.post(url, data={"csrf": csrf, "held_on": "11/29/2026", "committee": "follow_up"})
    assert bad.status_code == 400 and "تاريخ غير صحيح" in bad.text  # month-day-year is not read
    done = client.post(url, data={"csrf": csrf, "held_on": "١٠-٠٦-١٤٤٨ هـ", "committee": "follow_up"})
    assert done.status_code == 303, done.text
    with Session(db) as tx:
        [record] = tx.exec(select(Investigation)).all()
        assert record.held_on.isoformat() == "2026-11-20"
    assert csrf_of(client.get("/staff/field").text)


def test_openapi_documents_the_workspace(client: Client, seeded: Seeded) -> None:
    paths = client.get("/openapi.json").json()["paths"]
    for path in ("/staff/api/timers", "/staff/api/digest", "/staff/api/reports/monthly",
                 "/staff/api/reports/monthly.pdf", "/staff/api/reports/charts/{name}.png",
                 "/staff/api/export/{name}.{fmt}", "/staff/api/audit/search",
                 "/staff/api/requests/{reference}/visit/outcome", "/staff/api/sites",
                 "/staff/api/sites/{site}/notice", "/staff/api/sites/notices"):
        assert path in paths, path
    sign_in(client, "mudir")  # every association: picks one first
    picker = client.get("/staff/reports")
    assert picker.status_code == 200 and "/staff/reports?org=namaa" in picker.text
    assert "نوفمبر" in client.get("/staff/reports?org=namaa&month=2026-11").text


def test_console_export_with_a_reason_is_a_form(client: Client, seeded: Seeded, db: Engine) -> None:
    csrf = sign_in(client, "amal")
    page = client.get("/staff/timers")
    assert 'action="/staff/export"' in page.text and "/staff/export/audit.xlsx" not in page.text  # not a manager
    assert client.post("/staff/export", data={"csrf": "forged", "list": "requests", "fmt": "csv",
                                              "reason": "متابعة الطلبات المتأخرة"}).status_code == 403
    assert client.post("/staff/export", data={"csrf": csrf, "list": "requests", "fmt": "csv"}).status_code == 400
    got = client.post("/staff/export", data={"csrf": csrf, "list": "requests", "fmt": "csv",
                                             "reason": "متابعة الطلبات المتأخرة"})
    assert got.status_code == 200 and "attachment" in got.headers["content-disposition"]
    assert "+966550000000" in got.content.decode("utf-8-sig")
    masked = client.get("/staff/export/alerts.csv")
    assert masked.status_code == 200 and "ساعدوني" not in masked.content.decode("utf-8-sig")
    with Session(db) as tx:
        row = tx.exec(select(AuditLog).where(AuditLog.action == "export_personal_data")).one()
        assert (row.actor, row.reason, row.org_slug) == ("amal", "متابعة الطلبات المتأخرة", "esrar")


def test_exports_never_run_a_formula_typed_by_a_beneficiary() -> None:
    from bot.staff.web.exports import to_csv, to_xlsx

    rows = [["=HYPERLINK(\"http://x\")", "+966550000000", "@SUM(A1)"]]
    sheet = load_workbook(io.BytesIO(to_xlsx("t", ["a", "b", "c"], rows))).active
    assert (sheet["A2"].data_type, sheet["A2"].value) == ("s", "'=HYPERLINK(\"http://x\")")
    assert sheet["B2"].value == "+966550000000" and sheet["C2"].value == "'@SUM(A1)"
    assert "'=HYPERLINK" in to_csv(["a", "b", "c"], rows).decode("utf-8-sig")
