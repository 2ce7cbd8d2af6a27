"""The bodies of the workspace's console pages: reports, timers and the digest, the audit log, field work.
Every value is escaped here (bot/staff/web/html.py's `e`); dates in both calendars."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any
from urllib.parse import urlencode

from bot.staff.charts import CHARTS
from bot.staff.report_schemas import AuditPageOut, DigestOut, SiteNoticeOut, SiteOut, TimersOut
from bot.staff.timers import minutes_text
from bot.staff.web.audit import ACTION_AR
from bot.staff.web.exports import LISTS
from bot.staff.web.html import (
    date_input,
    day_text,
    days_left_text,
    definitions,
    e,
    form,
    moment_text,
    org_name,
    section,
    status_ar,
    table,
    text_input,
)
from bot.staff.web.pages import REASON_AR


def _query(**params: Any) -> str:
    return urlencode({k: v for k, v in params.items() if v not in (None, "")})


def report_page(r: dict[str, Any], csrf: str) -> str:
    q = e(_query(org=r["org"], month=r["month"]))
    p, v, d, s, c = r["period"], r["volume"], r["deadline"], r["satisfaction"], r["complaints"]
    picker = (f'<form method="get" action="/staff/reports" class="inline"><input type="hidden" name="org" '
              f'value="{e(r["org"])}"><label for="month">الشهر (سنة-شهر)</label>'
              f'<input id="month" name="month" dir="ltr" value="{e(r["month"])}" pattern="[0-9]{{4}}-[0-9]{{2}}"> '
              '<button type="submit">عرض</button></form>')
    downloads = (f'<p><a id="pdf" href="/staff/reports/monthly.pdf?{q}" download>تنزيل التقرير الشهري لمجلس الإدارة '
                 f'(PDF)</a></p>')
    facts = definitions((
        ("الفترة", e(f"{p['from_text']} — {p['to_text']}")),
        ("الطلبات الجديدة", e(v["requests"])), ("الشكاوى الجديدة", e(v["complaints"])),
        ("المحادثات المحالة", e(v["handoffs"])),
        ("الرد في المهلة", e(f"{d['on_time']} من {d['on_time'] + d['late']}"
                             + (f" ({d['rate']}%)" if d["rate"] is not None else ""))),
        ("طلبات مفتوحة تجاوزت موعدها", f'<span class="badge">{e(d["open_overdue"])}</span>'
         if d["open_overdue"] else "0"),
        ("متوسط الرضا", e(f"{s['average']} من 5 ({s['count']} تقييم)" if s["average"] is not None else "—")),
        ("مدة حل الشكاوى", e(f"المتوسط {c['average_days']} يوم، الوسيط {c['median_days']}"
                             if c["average_days"] is not None else "—")),
    ))
    charts = "".join(f'<figure><img src="/staff/reports/chart/{n}.png?{q}" alt="{e(title)}" '
                     f'style="max-width:100%"><figcaption class="note">{e(title)}</figcaption></figure>'
                     for n, (title, _draw) in CHARTS.items())
    comments = table(("الخدمة", "التقييم", "التعليق", "التاريخ"),
                     [("", (e(x["service"]), e(x["score"] if x["score"] is not None else "—"), e(x["comment"]),
                            e(moment_text(datetime.fromisoformat(x["at"]))))) for x in s["comments"]],
                     "لا توجد تعليقات هذا الشهر.")
    return "".join((
        section(f"{r['org_name']} — {p['title']} ({p['hijri']})", picker + downloads + facts),
        section("الرسوم البيانية", charts),
        section("تعليقات المستفيدين على التقييم (دون أسماء)", comments),
        exports_section(csrf, r["org"], manager=True),
    ))


def org_picker(orgs: list[str], month: str | None) -> str:
    links = "".join(f'<li><a href="/staff/reports?{e(_query(org=o, month=month))}">{e(org_name(o))}</a></li>'
                    for o in orgs)
    return section("اختر الجمعية", f"<ul>{links}</ul>")


def export_reason_form(csrf: str, org: str | None, names: dict[str, str]) -> str:
    options = "".join(f'<option value="{n}">{e(t)}</option>' for n, t in names.items())
    fields = (f'<input type="hidden" name="org" value="{e(org or "")}">'
              f'<label for="list">القائمة</label><select id="list" name="list">{options}</select>'
              '<label for="fmt">الصيغة</label><select id="fmt" name="fmt"><option value="xlsx">Excel</option>'
              '<option value="csv">CSV</option></select>'
              + text_input("reason", "سبب تصدير البيانات الشخصية (يُسجَّل في سجل التدقيق)"))
    return ('<p class="note">القوائم أعلاه مقنّعة (آخر أرقام الجوال فقط). للتصدير بالبيانات الشخصية اذكر السبب:</p>'
            + form("/staff/export", csrf, fields, "تصدير بالبيانات الشخصية"))


def exports_section(csrf: str, org: str | None, manager: bool) -> str:
    """Links to every list as Excel and CSV (masked), and the form to export with personal data (a reason)."""
    names = {n: t for n, t in LISTS.items() if manager or n != "audit"}
    links = " · ".join(f'<a href="/staff/export/{n}.xlsx?{e(_query(org=org))}" download>{e(t)} (Excel)</a>'
                       f' <a href="/staff/export/{n}.csv?{e(_query(org=org))}" download>(CSV)</a>'
                       for n, t in names.items())
    return section("تصدير القوائم", f"<p>{links}</p>" + export_reason_form(csrf, org, names))


def timers_page(t: TimersOut, digest: DigestOut | None, exports: str = "") -> str:
    req_rows = [("overdue" if r.late else "", (f'<a href="/staff/requests/{e(r.reference)}">{e(r.reference)}</a>',
                                              e(org_name(r.org)), e(r.service_name or r.service),
                                              e(status_ar(r.status)),
                                              e(day_text(r.due_date)),
                                              days_left_text(r.working_days_left, r.late)))
                for r in t.requests]
    hand_rows = [("overdue" if h.late else "", (f'<a href="/staff/handoffs/{e(h.id)}">{e(h.id)}</a>',
                                               e(org_name(h.org)), e(h.officer), e(REASON_AR.get(h.reason, h.reason)),
                                               e(moment_text(h.opened_at)), _response(h.minutes_left, h.response_minutes,
                                                                                      h.late)))
                 for h in t.handoffs]
    parts = [
        section("المحادثات المحالة: مهلة الرد الأول", table(
            ("الرقم", "الجمعية", "المسؤول", "السبب", "منذ", "الرد الأول"), hand_rows, "لا توجد محادثات محالة مفتوحة.")),
        section("الطلبات المفتوحة: المتبقي من مهلة الرد بأيام العمل", table(
            ("رقم الطلب", "الجمعية", "الخدمة", "الحالة", "موعد الرد", "المتبقي"), req_rows, "لا توجد طلبات مفتوحة.")),
    ]
    if digest is not None:
        parts.insert(0, digest_section(digest))
    return "".join(parts) + exports


def _response(left: int | None, took: int | None, late: bool) -> str:
    if took is not None:
        text = f"رُدّ بعد {minutes_text(took)}"
        return f'<span class="badge">{e(text)}</span>' if late else e(text)
    if left is None:
        return "—"
    if left < 0:
        return f'<span class="badge">متأخر {e(minutes_text(-left))}</span>'
    return e(f"باقٍ {minutes_text(left)}")


def digest_section(d: DigestOut) -> str:
    totals = d.body.get("totals", {})
    rows = [("overdue", (f'<a href="/staff/requests/{e(r["reference"])}">{e(r["reference"])}</a>',
                         e(r.get("service_name") or r["service"]),
                         e(day_text(date.fromisoformat(r["due_date"]))),
                         days_left_text(r["working_days_left"], True))) for r in d.body.get("requests", [])]
    rows += [("overdue", (f'<a href="/staff/handoffs/{e(h["id"])}">{e(h["id"])}</a>', "محادثة محالة", "—",
                          (f'<span class="badge">بلا رد منذ {e(minutes_text(h["target_minutes"] - h["minutes_left"]))}'
                          '</span>'))) for h in d.body.get("handoffs", [])]
    head = (f'<p>طلبات متأخرة: {e(totals.get("requests", 0))}، محادثات بلا رد أول: {e(totals.get("handoffs", 0))}، '
            f'طلبات بيانات شخصية متأخرة: {e(totals.get("privacy", 0))}</p>')
    return section(f"ملخص المتأخرات اليومي — {day_text(d.day)}", head + table(
        ("السجل", "الخدمة", "الموعد", "التأخر"), rows, "لا متأخرات في هذا اليوم."), "urgent" if rows else "")


def audit_page_body(page: AuditPageOut, filters: dict[str, str]) -> str:
    fields = "".join(
        f'<label for="{k}">{e(label)}</label><input id="{k}" name="{k}" value="{e(filters.get(k, ""))}" dir="auto">'
        for k, label in (("actor", "الموظف"), ("target", "السجل (رقم مرجعي)")))
    chosen = filters.get("action", "")
    options = '<option value="">كل الإجراءات</option>' + "".join(
        f'<option value="{e(k)}"{" selected" if k == chosen else ""}>{e(v)}</option>'
        for k, v in sorted(ACTION_AR.items(), key=lambda kv: kv[1]))
    if chosen and chosen not in ACTION_AR:
        options += f'<option value="{e(chosen)}" selected>{e(chosen)}</option>'
    fields += f'<label for="action">الإجراء</label><select id="action" name="action">{options}</select>'
    fields += "".join(date_input(k, label, required=False).replace('value=""', f'value="{e(filters.get(k, ""))}"')
                      for k, label in (("since", "من تاريخ"), ("until", "إلى تاريخ")))
    search = f'<form method="get" action="/staff/audit">{fields}<p><button type="submit">بحث</button></p></form>'
    rows = [("", (e(r.id), e(moment_text(r.at)), e(r.actor), e(ACTION_AR.get(r.action, r.action)),
                  f'<span dir="ltr">{e(r.target)}</span>', e(r.reason))) for r in page.rows]
    last = page.offset + len(page.rows)
    nav = []
    if page.offset > 0:
        nav.append(f'<a href="/staff/audit?{e(_query(**filters, offset=max(0, page.offset - page.limit)))}">الأحدث</a>')
    if last < page.total:
        nav.append(f'<a id="older" href="/staff/audit?{e(_query(**filters, offset=last))}">الأقدم</a>')
    exports = f'<a href="/staff/export/audit.xlsx?{e(_query(**filters))}" download>تصدير (Excel)</a>'
    count = f'<p>الصفوف {page.offset + 1 if page.rows else 0}–{last} من {page.total}. {exports}</p>'
    return section("بحث في سجل التدقيق", search) + section("السجل", count + table(
        ("الرقم", "الوقت", "الموظف", "الإجراء", "السجل", "السبب"), rows, "لا توجد صفوف مطابقة.")
        + f"<p>{' · '.join(nav)}</p>")


def field_page(csrf: str, today: date, sites: list[SiteOut], notices: list[SiteNoticeOut],
               templates: list[str]) -> str:
    visit = form("/staff/field/visit", csrf, text_input("reference", "رقم الطلب") + date_input("date", "موعد الزيارة", today)
                 + text_input("time", "الوقت (ساعة:دقيقة، اختياري)", required=False)
                 + text_input("researcher", "اسم الباحث الاجتماعي (يُبلَّغ به المستفيد)")
                 + text_input("note", "ملاحظة للأسرة (اختيارية)", required=False, area=True),
                 "جدولة الزيارة وإبلاغ الأسرة")
    outcome = form("/staff/field/outcome", csrf, text_input("reference", "رقم الطلب")
                   + '<label><input type="checkbox" name="visited" value="1" checked> تمت الزيارة</label>'
                   + text_input("outcome", "نتيجة الزيارة", area=True), "تسجيل النتيجة")
    parts = [section("جدولة زيارة ميدانية", visit), section("نتيجة زيارة ميدانية", outcome)]
    if sites:
        options = "".join(f'<option value="{e(s.site)}">{e(s.name)} ({e(s.contacts)} مستفيد)</option>' for s in sites)
        tpl = '<option value="">بلا قالب (نص حر داخل نافذة 24 ساعة فقط)</option>' + "".join(
            f'<option value="{e(t)}">{e(t)}</option>' for t in templates)
        fields = (f'<label for="site">الموقع الميداني</label><select id="site" name="site">{options}</select>'
                  + text_input("text", "نص التعميم", area=True)
                  + f'<label for="template">قالب واتساب معتمد لمن انقضت نافذته</label>'
                    f'<select id="template" name="template">{tpl}</select>')
        sent = table(("الوقت", "الموقع", "النص", "القالب", "أُرسل", "بقالب", "خارج النافذة"),
                     [("", (e(moment_text(n.created_at)), e(n.site), e(n.text), e(n.template or "—"),
                            e(n.counts.get("sent", 0)), e(n.counts.get("template", 0)),
                            e(n.counts.get("outside_window", 0)))) for n in notices], "لم تُرسل تعاميم بعد.")
        parts += [section("تعميم على مستفيدي موقع ميداني", form("/staff/field/notice", csrf, fields, "إرسال التعميم")
                          + '<p class="note">واتساب: نص حر لمن راسلنا خلال 24 ساعة، ولغيرهم بالقالب المعتمد فقط.</p>'),
                  section("التعاميم المرسلة", sent)]
    return "".join(parts)

