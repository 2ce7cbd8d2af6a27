"""Server-rendered Arabic pages for the staff console: right to left, inline CSS, no scripts, nothing
fetched from elsewhere. Every value is escaped here; callers pass plain text."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date, datetime
from html import escape
from zoneinfo import ZoneInfo

from bot.lang.calendar import both_calendars
from bot.lang.dates import hijri_iso
from bot.staff.actions import STATUSES
from orgs.loader import OrgNotFound, load_org

STATUS_AR = {
    "draft": "مسودة", "submitted": "مُقدَّم", "under_study": "قيد الدراسة", "needs_info": "بحاجة إلى معلومات",
    "accepted": "مقبول", "rejected": "مرفوض", "delivered": "قُدِّمت الخدمة", "closed": "مغلق",
    "open": "مفتوح", "in_progress": "قيد المعالجة", "resolved": "تم الحل", "investigating": "قيد التحقيق",
    "acknowledged": "تم الاستلام", "done": "منجز",
}
ROLE_AR = {"officer": "موظف", "medical": "الفريق الطبي", "manager": "الإدارة", "admin": "مدير النظام"}
CSS = """
body{font-family:"Noto Naskh Arabic","Segoe UI",Tahoma,sans-serif;margin:0;background:#f5f6f4;color:#1d2a22}
header{background:#0f5c3a;color:#fff;padding:.6rem 1rem;display:flex;gap:1rem;align-items:center;flex-wrap:wrap}
header a,header button{color:#fff;background:none;border:0;font:inherit;cursor:pointer;text-decoration:underline}
main{padding:1rem;max-width:72rem;margin:auto}
section{background:#fff;border:1px solid #d6ddd8;border-radius:.4rem;padding:.8rem 1rem;margin-bottom:1rem}
h1{font-size:1.4rem}h2{font-size:1.15rem;margin-top:0}
table{border-collapse:collapse;width:100%}th,td{border-bottom:1px solid #e3e8e4;padding:.35rem .5rem;text-align:start}
tr.overdue td{background:#fde8e6}tr.overdue td:first-child{border-inline-start:4px solid #b3261e}
.badge{display:inline-block;padding:0 .4rem;border-radius:.3rem;background:#b3261e;color:#fff;font-size:.85rem}
.urgent{border-color:#b3261e}.note{color:#5b6b61;font-size:.9rem}.ok{background:#e4f4ea;padding:.5rem}
.pager{display:flex;gap:1rem;align-items:center;margin-top:.5rem;font-size:.9rem}
.err{background:#fde8e6;padding:.5rem;border:1px solid #b3261e}
form.inline{display:inline}label{display:block;margin:.4rem 0 .1rem}
input,select,textarea{font:inherit;padding:.3rem;max-width:100%}textarea{width:100%;min-height:4rem}
button{font:inherit;padding:.3rem .9rem;background:#0f5c3a;color:#fff;border:0;border-radius:.3rem;cursor:pointer}
dl{display:grid;grid-template-columns:max-content 1fr;gap:.2rem 1rem}dt{font-weight:bold}
"""


def e(value: object) -> str:
    return escape("" if value is None else str(value))


def status_ar(status: str) -> str:
    return STATUS_AR.get(status, status)


def day_text(day: date | None) -> str:
    return both_calendars(day, "ar") if day else "—"


def moment_text(moment: datetime, tz: str = "Asia/Riyadh") -> str:
    local = moment.replace(tzinfo=moment.tzinfo or ZoneInfo("UTC")).astimezone(ZoneInfo(tz))
    return f"{both_calendars(local.date(), 'ar')} {local:%H:%M}"


def working_days(n: int) -> str:
    """Arabic counted noun: 'يوم عمل واحد', 'يوما عمل', '3 أيام عمل', '15 يوم عمل'."""
    if n == 1:
        return "يوم عمل واحد"
    if n == 2:
        return "يوما عمل"
    return f"{n} أيام عمل" if 3 <= n <= 10 else f"{n} يوم عمل"


def days_left_text(days: int | None, overdue: bool) -> str:
    if days is None:
        return "—"
    if overdue:
        late = f"متأخر {working_days(abs(days))}" if days else "متأخر (انتهى الموعد في عطلة)"
        return f'<span class="badge">{late}</span>'
    return "اليوم آخر موعد" if days == 0 else f"باقٍ {working_days(days)}"


def calendar_days(n: int) -> str:
    """Arabic counted noun: 'يوم واحد', 'يومان', '3 أيام', '15 يومًا'."""
    if n == 1:
        return "يوم واحد"
    if n == 2:
        return "يومان"
    return f"{n} أيام" if 3 <= n <= 10 else f"{n} يومًا"


def calendar_days_left_text(days: int | None, overdue: bool) -> str:
    """Calendar days to a legal deadline (the PDPL's 30 days), like days_left_text for working days."""
    if days is None:
        return "—"
    if overdue:
        return f'<span class="badge">متأخر {calendar_days(abs(days))}</span>'
    return "اليوم آخر موعد" if days == 0 else f"باقٍ {calendar_days(days)}"


def committee_names(slug: str, ids: Iterable[str]) -> str:
    try:
        org = load_org(slug)
    except OrgNotFound:
        return "، ".join(ids)
    return "، ".join(org.committee_name(i, "ar") if i in org.committees else i for i in ids)


def org_name(slug: str) -> str:
    try:
        return load_org(slug).name.get("ar")
    except OrgNotFound:
        return slug


def page(title: str, body: str, *, who_name: str | None = None, role: str | None = None,
         manager: bool = False, csrf: str | None = None, flash: str | None = None) -> str:
    nav = ""
    if who_name:
        links = ('<a href="/staff">لوحة العمل</a> <a href="/staff/inbox">صندوق الوارد</a> '
                 '<a href="/staff/search">بحث</a> <a href="/staff/timers">المواعيد والمتأخرات</a>')
        links += ' <a href="/staff/field">العمل الميداني</a>'
        if manager:
            links += ' <a href="/staff/ratings">رضا المستفيدين</a> <a href="/staff/orgs">ملف الجمعية</a>'
            links += ' <a href="/staff/reports">التقارير</a> <a href="/staff/audit">سجل التدقيق</a>'
            links += ' <a href="/staff/ready-replies">الردود الجاهزة</a>'
        nav = (f"{links} <span>{e(who_name)} ({e(ROLE_AR.get(role or '', role))})</span>"
               f'<form class="inline" method="post" action="/staff/logout">{hidden(csrf)}'
               '<button type="submit">خروج</button></form>')
    notice = f'<p class="ok" role="status">{e(flash)}</p>' if flash else ""
    return (f'<!doctype html><html lang="ar" dir="rtl"><head><meta charset="utf-8">'
            f'<meta name="viewport" content="width=device-width, initial-scale=1">'
            f"<title>{e(title)} · تواصل</title><style>{CSS}</style></head><body>"
            f"<header><strong>تواصل · بوابة الموظفين</strong>{nav}</header>"
            f"<main><h1>{e(title)}</h1>{notice}{body}</main></body></html>")


def hidden(csrf: str | None) -> str:
    return f'<input type="hidden" name="csrf" value="{e(csrf)}">' if csrf else ""


def table(headings: Sequence[str], rows: Iterable[tuple[str, Sequence[str]]], empty: str) -> str:
    """Rows are (css class, cells already escaped)."""
    body = "".join(f'<tr class="{cls}">' + "".join(f"<td>{c}</td>" for c in cells) + "</tr>" for cls, cells in rows)
    if not body:
        return f'<p class="note">{e(empty)}</p>'
    head = "".join(f"<th>{e(h)}</th>" for h in headings)
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def section(title: str, content: str, css: str = "", ident: str = "") -> str:
    anchor = f' id="{e(ident)}"' if ident else ""
    return f'<section{anchor} class="{css}"><h2>{e(title)}</h2>{content}</section>'


def form(action: str, csrf: str, fields: str, button: str) -> str:
    return (f'<form method="post" action="{e(action)}">{hidden(csrf)}{fields}'
            f'<p><button type="submit">{e(button)}</button></p></form>')


def text_input(name: str, label: str, required: bool = True, kind: str = "text", area: bool = False) -> str:
    req = " required" if required else ""
    field = (f'<textarea id="{name}" name="{name}"{req}></textarea>' if area
             else f'<input id="{name}" name="{name}" type="{kind}"{req}>')
    return f'<label for="{name}">{e(label)}</label>{field}'


def status_select(current: str) -> str:
    options = "".join(f'<option value="{s}"{" selected" if s == current else ""}>{e(status_ar(s))}</option>'
                      for s in STATUSES)
    return f'<label for="status">الحالة الجديدة</label><select id="status" name="status">{options}</select>'


def date_input(name: str, label: str, value: date | None = None, required: bool = True) -> str:
    """A date field that takes either calendar (and Arabic-Indic digits), never the US-style date picker."""
    shown = f"{value.isoformat()}" if value else ""
    first, second = (value.isoformat(), hijri_iso(value)) if value else ("2026-11-29", "1448-06-10")
    hint = f"مثل {first} أو {second} هـ"
    req = " required" if required else ""
    example = f'مثل <span dir="ltr">{e(first)}</span> أو <span dir="ltr">{e(second)}</span> هـ'
    return (f'<label for="{name}">{e(label)} <span class="note">(ميلادي أو هجري؛ {example})</span></label>'
            f'<input id="{name}" name="{name}" type="text" dir="ltr" inputmode="text" autocomplete="off" '
            f'placeholder="{e(hint)}" value="{e(shown)}"{req}>')


def reason_form(action: str, csrf: str) -> str:
    return form(action, csrf, text_input("reason", "سبب الاطلاع على البيانات الشخصية (يُسجَّل في سجل التدقيق)"),
                "عرض البيانات الشخصية")


def definitions(items: Iterable[tuple[str, str]]) -> str:
    """Pairs of (label, value already escaped)."""
    return "<dl>" + "".join(f"<dt>{e(k)}</dt><dd>{v}</dd>" for k, v in items) + "</dl>"


def login_page(csrf: str, error: str | None = None) -> str:
    err = f'<p class="err" role="alert">{e(error)}</p>' if error else ""
    fields = text_input("username", "اسم المستخدم") + text_input("password", "كلمة المرور", kind="password")
    return page("تسجيل الدخول", err + section("الدخول إلى بوابة الموظفين", form("/staff/login", csrf, fields, "دخول")))


def error_page(message: str) -> str:
    return page("تعذّر إتمام الطلب", f'<p class="err" role="alert">{e(message)}</p><p><a href="/staff">العودة</a></p>')
