"""Any staff list as a CSV or Excel file: the same rows the console lists (scoped to the caller's
associations), masked as every list is; the personal data (addresses, phones, form answers, alert texts
and exact places) only with a stated reason, and then the reason is audited with the export. Health
fields stay withheld from roles that may not read them (R12). Every export is an audit row.

    GET /staff/api/export/requests.xlsx?status=under_study
    GET /staff/api/export/alerts.csv?reason=متابعة+البلاغات+العاجلة       (personal data: audited)
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable
from datetime import date, datetime
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Font
from sqlmodel import Session, col, select

from bot.lang.calendar import both_calendars
from bot.staff.auth import Principal
from bot.staff.masking import coarse, mask_address
from bot.staff.reads import by_deadline, org_today, service_name, withhold_health, working_days_left
from bot.staff.reports import CHANNEL_AR, category_ar
from bot.staff.web.audit import audit_query
from bot.staff.web.errors import BadInput
from bot.staff.web.html import STATUS_AR
from bot.staff.web.privacy import KIND_AR, privacy_query
from bot.staff.web.requests import check_reason, requests_query, scope_org
from bot.staff.web.work import alerts_query, complaints_query, open_handoffs_query
from storage.models import AuditLog, Complaint, Contact, Handoff, PrivacyRequest, UrgentAlert
from storage.queries import audit

MAX_ROWS = 20_000
LISTS = {"requests": "الطلبات", "complaints": "الشكاوى", "handoffs": "المحادثات المحالة", "alerts": "البلاغات العاجلة",
         "privacy": "طلبات البيانات الشخصية", "audit": "سجل التدقيق"}
FORMATS = ("csv", "xlsx")
Table = tuple[list[str], list[list[Any]]]


def _contacts(tx: Session, ids: set[int]) -> dict[int, Contact]:
    if not ids:
        return {}
    return {c.id: c for c in tx.exec(select(Contact).where(col(Contact.id).in_(ids))).all() if c.id is not None}


def _day(value: date | datetime | None) -> str:
    if value is None:
        return ""
    return both_calendars(value.date() if isinstance(value, datetime) else value)


def _requests(tx: Session, who: Principal, org: str | None, status: str | None, personal: bool,
              now: datetime) -> Table:
    rows = by_deadline(tx, requests_query(tx, now, org=org, status=status, overdue=None), limit=MAX_ROWS)
    head = ["رقم الطلب", "الجمعية", "الخدمة", "الحالة", "القناة", "تاريخ التقديم", "موعد الرد", "أيام العمل المتبقية",
            "متأخر", "المستفيد"]
    contacts = _contacts(tx, {r.contact_id for r in rows})
    fields: list[str] = []
    if personal:
        fields = sorted({k for r in rows for k in withhold_health(who, r)[0]})
        head += ["الجوال", *fields, "محجوب"]
    out = []
    for r in rows:
        today = org_today(r.org_slug, now)
        left = working_days_left(r.org_slug, today, r.due_date) if r.due_date else None
        address = contacts[r.contact_id].address if r.contact_id in contacts else ""
        line: list[Any] = [r.reference, r.org_slug, service_name(r.org_slug, r.service_id),
                           STATUS_AR.get(r.status, r.status), CHANNEL_AR.get(r.channel, r.channel),
                           _day(r.submitted_at), _day(r.due_date), left, "نعم" if left is not None and left < 0 else "",
                           address if personal else mask_address(address)]
        if personal:
            data, _docs, withheld = withhold_health(who, r)
            line += [contacts[r.contact_id].phone if r.contact_id in contacts else "",
                     *[data.get(f, "") for f in fields], "، ".join(withheld)]
        out.append(line)
    return head, out


def _complaints(tx: Session, org: str | None, status: str | None, personal: bool) -> Table:
    rows = tx.exec(complaints_query(org, status).order_by(col(Complaint.created_at)).limit(MAX_ROWS)).all()
    contacts = _contacts(tx, {c.contact_id for c in rows})
    head = ["رقم الشكوى", "الجمعية", "التصنيف", "الحالة", "اللجنة", "الطلب المرتبط", "القناة", "تاريخ التقديم", "المستفيد"]
    return head, [[c.reference, c.org_slug, category_ar(c.category), STATUS_AR.get(c.status, c.status), c.committee,
                   c.request_reference or "", CHANNEL_AR.get(c.channel, c.channel), _day(c.created_at),
                   (contacts[c.contact_id].address if personal else mask_address(contacts[c.contact_id].address))
                   if c.contact_id in contacts else ""] for c in rows]


def _handoffs(tx: Session, org: str | None, personal: bool) -> Table:
    rows = tx.exec(open_handoffs_query(org).order_by(col(Handoff.opened_at)).limit(MAX_ROWS)).all()
    contacts = _contacts(tx, {h.contact_id for h in rows})
    head = ["الرقم", "الجمعية", "المسؤول", "السبب", "منذ", "القناة", "المستفيد"]
    return head, [[f"H{h.id}", h.org_slug, h.officer, h.reason, _day(h.opened_at),
                   CHANNEL_AR.get(contacts[h.contact_id].channel, contacts[h.contact_id].channel),
                   contacts[h.contact_id].address if personal else mask_address(contacts[h.contact_id].address)]
                  for h in rows if h.contact_id in contacts]


def _alerts(tx: Session, org: str | None, status: str | None, personal: bool) -> Table:
    rows = tx.exec(alerts_query(org, status or "open").order_by(col(UrgentAlert.id).desc()).limit(MAX_ROWS)).all()
    contacts = _contacts(tx, {a.contact_id for a in rows})
    head = ["الرقم", "الجمعية", "الوقت", "المستفيد", "خط العرض", "خط الطول", "النص"]
    out = []
    for a in rows:
        address = contacts[a.contact_id].address if a.contact_id in contacts else ""
        if personal:
            out.append([a.id, a.org_slug, _day(a.created_at), address, a.latitude, a.longitude, a.text or ""])
        else:
            out.append([a.id, a.org_slug, _day(a.created_at), mask_address(address), coarse(a.latitude),
                        coarse(a.longitude), ""])
    return head, out


def _privacy(tx: Session, org: str | None, status: str | None) -> Table:
    rows = tx.exec(privacy_query(org, status or "open").order_by(col(PrivacyRequest.due_date)).limit(MAX_ROWS)).all()
    head = ["رقم الطلب", "الجمعية", "النوع", "الحالة", "تاريخ التقديم", "الموعد النظامي"]
    return head, [[p.reference, p.org_slug, KIND_AR.get(p.kind, p.kind), STATUS_AR.get(p.status, p.status),
                   _day(p.created_at), _day(p.due_date)] for p in rows]


def _audit(tx: Session, who: Principal, filters: dict[str, Any]) -> Table:
    rows = tx.exec(audit_query(who, **filters).order_by(col(AuditLog.id).desc()).limit(MAX_ROWS)).all()
    head = ["الرقم", "الوقت", "الموظف", "الإجراء", "السجل", "الجمعية", "السبب"]
    return head, [[r.id, f"{r.at:%Y-%m-%d %H:%M}", r.actor, r.action, r.target or "", r.org_slug or "", r.reason or ""]
                  for r in rows]


def export_table(tx: Session, who: Principal, name: str, now: datetime, *, org: str | None = None,
                 status: str | None = None, reason: str | None = None,
                 audit_filters: dict[str, Any] | None = None) -> Table:
    """(header, rows) of one list; personal data only when a reason is given (checked, audited)."""
    if name not in LISTS:
        raise BadInput(f"لا توجد قائمة باسم {name}")
    personal = bool((reason or "").strip())
    if personal:
        reason = check_reason(reason)
    org = scope_org(who, org)
    builders: dict[str, Callable[[], Table]] = {
        "requests": lambda: _requests(tx, who, org, status, personal, now),
        "complaints": lambda: _complaints(tx, org, status, personal),
        "handoffs": lambda: _handoffs(tx, org, personal),
        "alerts": lambda: _alerts(tx, org, status, personal),
        "privacy": lambda: _privacy(tx, org, status),
        "audit": lambda: _audit(tx, who, {**(audit_filters or {}), "org": org}),
    }
    if name == "audit" and not who.is_manager:
        raise BadInput("سجل التدقيق للإدارة فقط", "managers_only")
    head, rows = builders[name]()
    audit(tx, who.username, "export_personal_data" if personal else "export_list", name, now, reason=reason,
          org_slug=org, rows=len(rows), status=status)
    return head, rows


_NUMBER = re.compile(r"^[+-]?[\d\s.]+$")


def safe_cell(value: Any) -> Any:
    """A value a spreadsheet shows as written: text a beneficiary typed that starts like a formula ("=...",
    "@...", "+A1") gets a leading apostrophe, never run (CSV/formula injection); phone numbers stay as they are."""
    if value is None:
        return ""
    if isinstance(value, str) and value[:1] in ("=", "@", "+", "-", "\t", "\r") and not _NUMBER.match(value):
        return "'" + value
    return value


def to_csv(head: list[str], rows: list[list[Any]]) -> bytes:
    """UTF-8 with a byte-order mark, so spreadsheet programs open the Arabic as Arabic."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(head)
    writer.writerows([safe_cell(v) for v in row] for row in rows)
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def to_xlsx(title: str, head: list[str], rows: list[list[Any]]) -> bytes:
    """An Excel workbook of one right-to-left sheet, the heading row bold and frozen."""
    book = Workbook()
    sheet = book.active
    sheet.title = title[:31]
    sheet.sheet_view.rightToLeft = True
    sheet.append(head)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row in rows:
        sheet.append([safe_cell(v) for v in row])
    sheet.freeze_panes = "A2"
    for i, name in enumerate(head, 1):
        sheet.column_dimensions[sheet.cell(1, i).column_letter].width = max(12, min(40, len(name) + 6))
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def export_file(tx: Session, who: Principal, name: str, fmt: str, now: datetime, **kw: Any) -> tuple[str, str, bytes]:
    """(file name, media type, bytes) of one list in one format."""
    if fmt not in FORMATS:
        raise BadInput("الصيغة csv أو xlsx")
    head, rows = export_table(tx, who, name, now, **kw)
    stamp = org_today(who.org, now).isoformat() if who.org else now.date().isoformat()
    filename = f"tawasul-{name}-{stamp}.{fmt}"
    if fmt == "csv":
        return filename, "text/csv; charset=utf-8", to_csv(head, rows)
    media = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    return filename, media, to_xlsx(LISTS[name], head, rows)
