"""The bodies of the console's pages, built from the same answers the REST API gives."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from bot.lang.dates import DIGITS
from bot.staff.labels import CHANNEL_AR, category_label, committee_label, officer_label
from bot.staff.schemas import (
    AlertOut,
    ComplaintDetails,
    ComplaintOut,
    HandoffMessage,
    HandoffOut,
    PersonalData,
    PrivacyOut,
    RatingsOut,
    RequestDetail,
    RequestSummary,
)
from bot.staff.web.html import (
    calendar_days_left_text,
    committee_names,
    date_input,
    day_text,
    days_left_text,
    definitions,
    e,
    form,
    moment_text,
    org_name,
    reason_form,
    section,
    status_ar,
    status_select,
    table,
    text_input,
)
from bot.staff.web.privacy import KIND_AR
from orgs.loader import OrgNotFound, load_org
from orgs.schema import ReadyReply

FIELD_AR = {
    "full_name": "الاسم الكامل", "national_id": "رقم الهوية أو الإقامة", "phone": "الجوال", "city": "المدينة",
    "district": "الحي", "family_size": "عدد أفراد الأسرة", "monthly_income": "الدخل الشهري",
    "date_of_birth": "تاريخ الميلاد", "details": "التفاصيل", "diagnosis": "التشخيص", "nationality": "الجنسية",
    "passport_number": "رقم الجواز", "location": "الموقع", "visit_address": "عنوان الزيارة",
    "field_site": "الموقع الميداني (رابط المندوب)",
}
# The relations of bot/flows/intake/applicant.py (R15), as stored in ServiceRequest.on_behalf_of.
ON_BEHALF_AR = {
    "father": "الأب", "mother": "الأم", "parent": "أحد الوالدين", "spouse": "الزوج أو الزوجة",
    "child": "الابن أو الابنة", "sibling": "الأخ أو الأخت", "relative": "قريب", "field_representative": "مندوب ميداني",
    "other": "شخص آخر",
}
ACTOR_AR = {"beneficiary": "المستفيد", "system": "النظام"}
def bidi(value: object) -> str:
    """A phone number, chat id or reference kept left to right inside the Arabic page."""
    return f'<bdi dir="ltr">{e(value)}</bdi>' if value not in (None, "") else "—"


def channel_ar(channel: str) -> str:
    return CHANNEL_AR.get(channel, channel)


REASON_AR = {"asked": "طلب المستفيد", "not_understood": "لم يفهم المساعد", "unclear_procedure": "إجراء غير واضح",
             "urgent": "عاجل"}


def _field_value(org: str, name: str, value: object) -> object:
    """A stored answer as staff read it: a field site id (R15) by its Arabic name."""
    if name == "field_site":
        try:
            sites = {s.id: s.name["ar"] for s in load_org(org).field_sites}
        except OrgNotFound:
            return value
        return sites.get(str(value), value)
    return value


def _documents(documents: list[dict[str, Any]]) -> str:
    """The request's files by name and type (never their contents): "id-copy.png (image/png، 12 ك.ب)"."""
    if not documents:
        return "لا توجد مستندات."
    items = []
    for i, doc in enumerate(documents, 1):
        size = doc.get("size")
        kind = str(doc.get("content_type") or "") + (f"، {max(1, round(size / 1024))} ك.ب" if size else "")
        items.append(f"<li>{e(doc.get('name') or f'مستند {i}')} ({e(kind)})</li>")
    return f"<ul>{''.join(items)}</ul>"


def _map_link(a: AlertOut) -> str:
    if a.latitude is None or a.longitude is None:
        return "—"
    if a.masked:  # the area only; the exact place in the alert's own page, with a reason
        return f"حوالي {a.latitude:.1f}، {a.longitude:.1f}"
    # A link, not an embedded map: the console fetches nothing from elsewhere.
    return (f'<a href="https://maps.google.com/?q={a.latitude},{a.longitude}" rel="noreferrer">'
            f"{a.latitude:.5f}، {a.longitude:.5f}</a>")


def alert_page(a: AlertOut, csrf: str) -> str:
    """One urgent alert: masked until a reason is given (then the address, exact place and text, audited)."""
    facts = definitions((("الجمعية", e(org_name(a.org))), ("المستفيد", bidi(a.contact_address)),
                         ("القناة", e(channel_ar(a.channel))), ("الموقع", _map_link(a)),
                         ("النص", e(a.text) if not a.masked else "—"), ("الوقت", e(moment_text(a.created_at))),
                         ("الحالة", e(status_ar(a.status)))))
    shown = reason_form(f"/staff/alerts/{a.id}/personal", csrf) if a.masked else ""
    ack = form(f"/staff/alerts/{a.id}/acknowledge", csrf, "", "استلام البلاغ") if a.status == "open" else ""
    write = form(f"/staff/alerts/{a.id}/reply", csrf, text_input("text", "رسالة إلى صاحب البلاغ (تُحال محادثته إليك)",
                                                              area=True), "إرسال")
    return section(f"البلاغ العاجل {a.id}", facts + shown + ack + write, "urgent")


BOARD_PAGE = 50  # rows of each list the work board shows at a time
BOARD_LISTS = ("alerts", "handoffs", "requests", "complaints", "privacy")


def last_page(total: int) -> int:
    return max(1, -(-total // BOARD_PAGE))


def page_of(asked: str | None, total: int) -> int:
    """The 1-based page of a board list that `?<list>_page=` asks for, within 1..last (Arabic-Indic digits too)."""
    try:
        wanted = int((asked or "1").strip().translate(DIGITS))
    except ValueError:
        return 1
    return min(max(wanted, 1), last_page(total))


def pager(name: str, paging: dict[str, int], total: int) -> str:
    """'Rows 51-100 of 3,000' with the previous and next pages of one list; the other lists keep their page."""
    current = paging.get(name, 1)
    last = last_page(total)
    if last == 1:
        return ""

    def link(page: int, label: str, rel: str) -> str:
        query = "&".join(f"{n}_page={p}" for n, p in {**paging, name: page}.items() if p > 1)
        href = "/staff" + (f"?{query}" if query else "") + f"#{name}"
        return f'<a href="{e(href)}" rel="{rel}">{e(label)}</a>'

    first_row = (current - 1) * BOARD_PAGE + 1
    shown = f"{first_row}–{min(current * BOARD_PAGE, total)} من {total} (الصفحة {current} من {last})"
    parts = [link(current - 1, "→ السابق", "prev")] if current > 1 else []
    parts.append(f"<span>{e(shown)}</span>")
    if current < last:
        parts.append(link(current + 1, "التالي ←", "next"))
    return f'<nav class="pager" aria-label="{e("صفحات القائمة")}">{" ".join(parts)}</nav>'


def dashboard(alerts: list[AlertOut], handoffs: list[HandoffOut], requests: list[RequestSummary],
              complaints: list[ComplaintOut], csrf: str, privacy: list[PrivacyOut] | None = None,
              totals: dict[str, int] | None = None, paging: dict[str, int] | None = None) -> str:
    """The work board; `totals` (counted in SQL) head each list, which shows the page `paging` names (1: the first)."""
    alert_rows = [("overdue", (f'<a href="/staff/alerts/{a.id}">{e(org_name(a.org))}</a>', bidi(a.contact_address),
                               e(channel_ar(a.channel)), _map_link(a), e(a.text) if not a.masked else "يظهر مع ذكر السبب",
                               e(moment_text(a.created_at)),
                               form(f"/staff/alerts/{a.id}/acknowledge", csrf, "", "استلام البلاغ")))
                  for a in alerts]
    handoff_rows = [("", (f'<a href="/staff/handoffs/{e(h.id)}">{e(h.id)}</a>', e(org_name(h.org)), bidi(h.contact_address),
                          e(officer_label(h.org, h.officer)), e(REASON_AR.get(h.reason, h.reason)), e(moment_text(h.opened_at)),
                          str(h.waiting_messages))) for h in handoffs]
    request_rows = [("overdue" if r.overdue else "",
                     (f'<a href="/staff/requests/{e(r.reference)}">{e(r.reference)}</a>', e(org_name(r.org)),
                      e(r.service_name), e(status_ar(r.status)), e(day_text(r.due_date)),
                      days_left_text(r.working_days_left, r.overdue))) for r in requests]
    complaint_rows = [("", (f'<a href="/staff/complaints/{e(c.reference)}">{e(c.reference)}</a>', e(org_name(c.org)),
                            e(category_label(c.category)), e(status_ar(c.status)), e(moment_text(c.filed_at)))) for c in complaints]
    privacy = privacy or []
    privacy_rows = [("overdue" if p.overdue else "",
                     (f'<a href="/staff/privacy/{e(p.reference)}">{e(p.reference)}</a>', e(org_name(p.org)),
                      e(KIND_AR.get(p.kind, p.kind)), e(status_ar(p.status)), e(p.due_date_text),
                      calendar_days_left_text(p.days_left, p.overdue))) for p in privacy]
    shown = {"alerts": len(alerts), "handoffs": len(handoffs), "requests": len(requests),
             "overdue": sum(r.overdue for r in requests), "complaints": len(complaints), "privacy": len(privacy)}
    n = {**shown, **(totals or {})}
    paging = paging or {}
    overdue = n["overdue"]
    late = n.get("privacy_overdue", sum(p.overdue for p in privacy))

    def listed(name: str, title: str, headings: Sequence[str], rows: list[Any], empty: str, css: str = "") -> str:
        return section(title, table(headings, rows, empty) + pager(name, paging, n[name]), css, ident=name)

    return "".join((
        listed("alerts", f"بلاغات عاجلة ({n['alerts']})",
               ("الجمعية", "المستفيد", "القناة", "الموقع", "النص", "الوقت", ""), alert_rows, "لا توجد بلاغات عاجلة.",
               "urgent" if alerts else ""),
        listed("handoffs", f"محادثات محالة للموظفين ({n['handoffs']})",
               ("الرقم", "الجمعية", "المستفيد", "المسؤول", "السبب", "منذ", "رسائل بانتظار الرد"), handoff_rows,
               "لا توجد محادثات محالة."),
        listed("requests", f"الطلبات المفتوحة ({n['requests']}، المتأخرة {overdue}) — الأقرب موعدًا أولًا",
               ("رقم الطلب", "الجمعية", "الخدمة", "الحالة", "موعد الرد", "المتبقي"), request_rows,
               "لا توجد طلبات مفتوحة."),
        listed("complaints", f"الشكاوى المفتوحة ({n['complaints']})",
               ("رقم الشكوى", "الجمعية", "التصنيف", "الحالة", "تاريخ التقديم"), complaint_rows, "لا توجد شكاوى مفتوحة."),
        listed("privacy", f"طلبات البيانات الشخصية المفتوحة ({n['privacy']}، المتأخرة {late}) — الأقرب موعدًا أولًا",
               ("رقم الطلب", "الجمعية", "النوع", "الحالة", "الموعد النظامي (30 يومًا)", "المتبقي"), privacy_rows,
               "لا توجد طلبات بيانات شخصية مفتوحة."),
    ))


def request_page(req: RequestDetail, csrf: str, personal: PersonalData | None) -> str:
    facts = definitions((
        ("الجمعية", e(org_name(req.org))), ("الخدمة", e(req.service_name)), ("الحالة", e(status_ar(req.status))),
        ("القناة", e(req.channel)), ("تاريخ التقديم", e(moment_text(req.submitted_at))),
        ("موعد الرد", e(day_text(req.due_date))), ("المتبقي", days_left_text(req.working_days_left, req.overdue)),
        ("اللجان", e(committee_names(req.org, req.committees))),
    ))
    history = table(("الحالة", "ملاحظة", "بواسطة", "الوقت"),
                    [("", (e(status_ar(h.status)), e(h.note), e(ACTOR_AR.get(h.actor, h.actor)), e(moment_text(h.at)))) for h in req.history],
                    "لا يوجد سجل.")
    status_form = form(f"/staff/requests/{req.reference}/status", csrf,
                       status_select(req.status) + text_input("note", "ملاحظة تُرسل للمستفيد (اختيارية)",
                                                              required=False, area=True),
                       "تغيير الحالة وإبلاغ المستفيد")
    if personal is None:
        private = reason_form(f"/staff/requests/{req.reference}/personal", csrf)
    else:
        rows = [("العنوان على القناة", bidi(personal.contact_address)), ("الجوال", bidi(personal.contact_phone)),
                ("اللغة", e(personal.language)), ("مقدَّم نيابةً عن", e(ON_BEHALF_AR.get(personal.on_behalf_of or "", personal.on_behalf_of)))]
        rows += [(FIELD_AR.get(k, k), e(_field_value(req.org, k, v))) for k, v in personal.data.items()]
        rows.append(("المستندات", _documents(personal.documents)))
        if personal.withheld:
            rows.append(("محجوب (بيانات صحية)", e("، ".join(personal.withheld))))
        private = definitions(rows) + '<p class="note">سُجّل هذا الاطلاع وسببه في سجل التدقيق.</p>'
    return "".join((section("بيانات الطلب", facts), section("سجل الحالة", history),
                    section("تغيير الحالة", status_form), section("البيانات الشخصية", private)))


def _ready(h: HandoffOut, csrf: str, ready: Sequence[ReadyReply]) -> str:
    """The association's ready replies, each a prefilled form staff may adjust before sending."""
    forms = [f"<details><summary>{e(r.title.get('ar'))}</summary>" + form(
        f"/staff/handoffs/{h.id}/reply", csrf,
        f'<textarea name="text" aria-label="{e(r.title.get("ar"))}" required>{e(r.text.get("ar"))}</textarea>',
        "إرسال هذا الرد") + "</details>" for r in ready]
    return section("ردود جاهزة", "".join(forms)) if forms else ""


def handoff_page(h: HandoffOut, csrf: str, messages: list[HandoffMessage] | None,
                 ready: Sequence[ReadyReply] = ()) -> str:
    facts = definitions((("الحالة", e(status_ar(h.status))), ("الجمعية", e(org_name(h.org))), ("المستفيد", bidi(h.contact_address)), ("القناة", e(channel_ar(h.channel))),
                         ("المسؤول", e(officer_label(h.org, h.officer))), ("السبب", e(REASON_AR.get(h.reason, h.reason))),
                         ("منذ", e(moment_text(h.opened_at))), ("رسائل بانتظار الرد", e(h.waiting_messages))))
    facts += f'<p><a href="/staff/threads/{e(h.id)}">المحادثة كاملة (المستفيد والمساعد والموظفون والملاحظات)</a></p>'
    if messages is None:
        shown = reason_form(f"/staff/handoffs/{h.id}/messages", csrf)
    else:
        shown = table(("الوقت", "الرسالة"), [("", (e(moment_text(m.at)), e(m.text))) for m in messages],
                      "لا توجد رسائل.")
    reply = form(f"/staff/handoffs/{h.id}/reply", csrf, text_input("text", "الرد", area=True),
                 "إرسال الرد إلى المستفيد")
    release = form(f"/staff/handoffs/{h.id}/release", csrf, "", "إنهاء الإحالة وإعادة المحادثة للمساعد الآلي")
    if h.status != "open":
        return section("المحادثة", facts) + section("رسائل المستفيد", shown)
    return "".join((section("المحادثة", facts), section("رسائل المستفيد", shown), section("الرد", reply),
                    _ready(h, csrf, ready), section("إنهاء الإحالة", release)))


def complaint_page(c: ComplaintOut, csrf: str, details: ComplaintDetails | None) -> str:
    facts = definitions((("الجمعية", e(org_name(c.org))), ("التصنيف", e(category_label(c.category))), ("اللجنة", e(committee_label(c.org, c.committee))),
                         ("الحالة", e(status_ar(c.status))), ("الطلب المرتبط", e(c.request_reference)),
                         ("تاريخ التقديم", e(moment_text(c.filed_at))), ("النتيجة", e(c.outcome))))
    records = table(("تاريخ الجلسة", "اللجنة", "ثبوت الضرر", "حجمه", "أسبابه", "قرار التعويض"),
                    [("", (e(day_text(r.held_on)), e(committee_label(c.org, r.committee)), "نعم" if r.harm_found else "لا", e(r.harm_size),
                           e(r.causes), e(r.compensation_decision))) for r in c.investigations], "لا توجد محاضر.")
    private = (reason_form(f"/staff/complaints/{c.reference}/personal", csrf) if details is None else
               definitions((("المستفيد", bidi(details.contact_address)), ("نص الشكوى", e(details.details)),
                            ("المرفقات", e(len(details.attachments))))))
    parts = [section("الشكوى", facts), section("نص الشكوى", private), section("محاضر التحقيق", records)]
    if c.status != "resolved":
        parts.append(section("إغلاق الشكوى", form(
            f"/staff/complaints/{c.reference}/resolve", csrf, text_input("outcome", "النتيجة (تُرسل للمستفيد)",
                                                                          area=True), "إغلاق الشكوى وإبلاغ المستفيد")))
        fields = (date_input("held_on", "تاريخ الجلسة")
                  + text_input("committee", "اللجنة")
                  + '<label><input type="checkbox" name="harm_found" value="1"> ثبت وقوع ضرر</label>'
                  + text_input("harm_size", "حجم الضرر", required=False)
                  + text_input("causes", "الأسباب", required=False, area=True)
                  + text_input("compensation_decision", "قرار التعويض", required=False, area=True))
        parts.append(section("تسجيل محضر تحقيق", form(f"/staff/complaints/{c.reference}/investigate", csrf,
                                                       fields, "تسجيل المحضر")))
    return "".join(parts)


def privacy_page(p: PrivacyOut, csrf: str) -> str:
    facts = definitions((
        ("الجمعية", e(org_name(p.org))), ("النوع", e(KIND_AR.get(p.kind, p.kind))), ("الحالة", e(status_ar(p.status))),
        ("تاريخ التقديم", e(moment_text(p.filed_at))), ("الموعد النظامي", e(p.due_date_text)),
        ("المتبقي", calendar_days_left_text(p.days_left, p.overdue)),
    ))
    parts = [section("طلب البيانات الشخصية", facts + '<p class="note">يُنجز الطلب خلال 30 يومًا من تقديمه وفق نظام '
                                                      'حماية البيانات الشخصية.</p>')]
    if p.status == "open":
        parts.append(section("إنجاز الطلب", form(
            f"/staff/privacy/{p.reference}/complete", csrf,
            text_input("note", "ملاحظة تُرسل للمستفيد (اختيارية)", required=False, area=True),
            "تم إنجاز الطلب — إبلاغ المستفيد")))
    return "".join(parts)


def ratings_page(summary: RatingsOut) -> str:
    rows = [("", (e(org_name(s.org)), e(s.service), e(s.count), e(s.average if s.average is not None else "—"),
                  e(s.declined), e(" · ".join(f"{k}★: {v}" for k, v in s.distribution.items()))))
            for s in summary.services]
    head = (f'<p>عدد التقييمات: {summary.total}، المتوسط: {e(summary.average or "—")}</p>'
            '<p class="note">التقييم أداة للتحسين لا للمحاسبة أو التشهير: لا تظهر هنا أسماء المقيّمين.</p>')
    return section("التقييمات حسب الخدمة", head + table(
        ("الجمعية", "الخدمة", "العدد", "المتوسط", "اعتذر عن التقييم", "التوزيع"), rows, "لا توجد تقييمات بعد."))
