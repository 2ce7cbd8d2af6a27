"""The workspace's console pages (issue 14): the live inbox, the whole conversation, search and the ready
replies editor. Arabic, right to left; phone numbers and references isolated left to right (<bdi>).
Every value escaped here; the one script (INBOX_JS) is served from /staff/inbox.js (CSP script-src 'self')."""

from __future__ import annotations

from collections.abc import Sequence
from urllib.parse import urlencode

from bot.staff.inbox_schemas import InboxItem, InboxOut, ReadyReplyFor, ReadyReplyOut, SearchHit, ThreadOut
from bot.staff.labels import CHANNEL_AR, LANGUAGE_AR, category_label, committee_label, officer_label
from bot.staff.web.html import days_left_text, e, hidden, moment_text, org_name, section, status_ar, table

VIEWS = (("mine", "محادثاتي"), ("unassigned", "غير مسندة"), ("all", "الكل"), ("closed", "المغلقة والسابقة"))
KIND_AR = {"handoff": "محادثة محالة", "alert": "بلاغ عاجل", "complaint": "شكوى جديدة"}
CSS = """
label.inline{display:inline-block;margin-inline-end:.8rem}
.tabs a{display:inline-block;padding:.3rem .8rem;margin-inline-end:.3rem;border-radius:.3rem;background:#e4f4ea}
.tabs a.on{background:#0f5c3a;color:#fff}.live{color:#0f5c3a}.unread{background:#0f5c3a}
.thread{display:grid;grid-template-columns:2fr 1fr;gap:1rem}@media(max-width:50rem){.thread{display:block}}
.msg{padding:.5rem .7rem;border-radius:.5rem;margin:.4rem 0;max-width:85%}
.msg.in{background:#fff;border:1px solid #d6ddd8;margin-inline-end:auto}
.msg.out{background:#e4f4ea;margin-inline-start:auto}.msg.staff{background:#d5ecf7}
.msg.note{background:#fff5cc;border:1px dashed #b38f00;max-width:100%}
.msg .who{font-size:.8rem;color:#5b6b61}.gloss{font-size:.85rem;color:#0f5c3a}
.ready{background:#fff;color:#0f5c3a;border:1px solid #0f5c3a;margin:.2rem}
img.preview{max-width:14rem;max-height:10rem;display:block;border:1px solid #d6ddd8}
"""


def ltr(value: object) -> str:
    """A phone number or reference kept left to right inside the Arabic page."""
    return f'<bdi dir="ltr">{e(value)}</bdi>'


def waiting_text(seconds: int) -> str:
    if seconds < 60:
        return "أقل من دقيقة"
    minutes = seconds // 60
    if minutes < 60:
        return f"{minutes} د"
    hours, minutes = divmod(minutes, 60)
    return f"{hours} س {minutes} د" if hours < 24 else f"{hours // 24} ي {hours % 24} س"


def inbox_rows(items: Sequence[InboxItem], csrf: str) -> str:
    """The <tbody> rows (also sent alone to the page's script when the inbox changes)."""
    rows = []
    for i in items:
        kind = f'<span class="badge">{e(KIND_AR[i.kind])}</span>' if i.urgent else e(KIND_AR[i.kind])
        holder = e(i.assignee_name or i.assignee) if i.assignee else "غير مسندة"
        action = ""
        if i.kind == "handoff" and i.assignee is None and i.status == "open":
            action = (f'<form class="inline" method="post" action="/staff/inbox/handoffs/{e(i.id)}/claim">'
                      f'{hidden(csrf)}<button type="submit">استلام</button></form>')
        unread = f'<span class="badge unread">{i.unread}</span>' if i.unread else "0"
        cls = "overdue" if i.urgent else ""
        rows.append(
            f'<tr class="{cls}" data-kind="{e(i.kind)}" data-id="{e(i.id)}">'
            f"<td>{kind}</td><td><a href=\"/staff/threads/{e(i.conversation)}\">{ltr(i.id)}</a></td>"
            f"<td>{e(org_name(i.org))}</td><td>{ltr(i.contact_address)}</td><td>{e(i.channel_ar)}</td>"
            f"<td>{e(i.language_ar or '—')}</td><td>{e(i.service_ar or '—')}</td><td>{e(i.field_site_ar or '—')}</td>"
            f"<td>{e(i.category_ar or '—')}</td><td>{holder}</td><td>{e(waiting_text(i.waiting_seconds))}</td>"
            f"<td>{unread}</td><td>{action}</td></tr>")
    if not rows:
        return '<tr><td colspan="13" class="note">لا شيء في هذا العرض الآن.</td></tr>'
    return "".join(rows)


def _select(name: str, label_: str, options: Sequence[tuple[str, str]], current: str | None) -> str:
    opts = '<option value="">الكل</option>' + "".join(
        f'<option value="{e(v)}"{" selected" if v == current else ""}>{e(t)}</option>' for v, t in options)
    return f'<label class="inline">{e(label_)} <select name="{name}">{opts}</select></label> '


def inbox_page(data: InboxOut, csrf: str, filters: dict[str, str], services: Sequence[tuple[str, str]],
               sites: Sequence[tuple[str, str]]) -> str:
    kept = {k: v for k, v in filters.items() if v and k != "view"}
    counts = data.counts.model_dump()
    tabs = "".join(
        f'<a class="{"on" if v == data.view else ""}" href="/staff/inbox?{e(urlencode({"view": v, **kept}))}">'
        f'{e(t)}' + (f' (<span data-count="{v}">{counts[v]}</span>)' if v in counts else "") + "</a>"
        for v, t in VIEWS)
    form = ('<form method="get" action="/staff/inbox">'
            f'<input type="hidden" name="view" value="{e(data.view)}">'
            + _select("channel", "القناة", list(CHANNEL_AR.items())[:3], filters.get("channel"))
            + _select("language", "اللغة", list(LANGUAGE_AR.items()), filters.get("language"))
            + _select("service", "الخدمة", services, filters.get("service"))
            + _select("field_site", "الموقع الميداني", sites, filters.get("field_site"))
            + '<button type="submit">تصفية</button></form>')
    head = "".join(f"<th>{h}</th>" for h in ("النوع", "الرقم", "الجمعية", "المستفيد", "القناة", "اللغة", "الخدمة",
                                             "الموقع الميداني", "الفئة", "المسؤول", "الانتظار", "غير مقروءة", ""))
    summary = (f'<p><span class="live" id="live">● مباشر: تصل المحادثات والبلاغات دون إعادة تحميل</span> — '
               f'بلاغات عاجلة: <span data-count="urgent">{data.counts.urgent}</span>، '
               f'رسائل غير مقروءة: <span data-count="unread">{data.counts.unread}</span></p>')
    body = (f'<div id="inbox" data-version="{e(data.version)}" data-urgent="{data.counts.urgent}" '
            f'data-query="{e(urlencode({"view": data.view, **kept}))}">'
            f'<p class="tabs">{tabs}</p>{form}{summary}'
            f'<table><thead><tr>{head}</tr></thead><tbody id="inbox-rows">{inbox_rows(data.items, csrf)}</tbody>'
            "</table></div>")
    return f"<style>{CSS}</style>" + section("المحادثات المحالة والبلاغات العاجلة والشكاوى الجديدة", body) + '<script src="/staff/inbox.js"></script>'


def _entry(t: ThreadOut, kind: str, author: str, author_name: str, at: object, text: str, extra: str) -> str:
    css = {"in": "in", "out": "out" if author == "bot" else "out staff", "note": "note"}[kind]
    who = {"in": "المستفيد", "note": f"ملاحظة داخلية من {author_name} — لا تصل إلى المستفيد"}.get(
        kind, author_name if author == "bot" else f"{author_name} (الموظف)")
    return (f'<div class="msg {css}"><div class="who">{e(who)} · {e(moment_text(at))}</div>'  # type: ignore[arg-type]
            f'<div dir="auto">{e(text)}</div>{extra}</div>')


def thread_page(t: ThreadOut, csrf: str, ready: Sequence[ReadyReplyFor], colleagues: Sequence[tuple[str, str]],
                categories: Sequence[tuple[str, str]]) -> str:
    base = f"/staff/threads/{t.conversation}"
    items = []
    for m in t.entries:
        extra = ""
        if m.gloss_ar:
            extra += f'<div class="gloss">فهم المساعد: {e(m.gloss_ar)} ({e(LANGUAGE_AR.get(m.language or "", m.language))})</div>'
        for a in m.attachments:
            url = (a.url or "").replace("/staff/api/threads/", "/staff/threads/")
            if url and (a.content_type or "").startswith("image/"):
                extra += f'<a href="{e(url)}"><img class="preview" src="{e(url)}" alt="{e(a.name)}"></a>'
            elif url:
                extra += f'<div>📎 <a href="{e(url)}">{e(a.name)}</a></div>'
            else:
                extra += f"<div>📎 {e(a.name)} (لم يُحفظ)</div>"
        if m.map_url and m.location:
            where = "{:.5f}, {:.5f}".format(m.location["lat"], m.location["lon"])
            extra += (f'<div>📍 <a href="{e(m.map_url)}" rel="noreferrer">الموقع على الخريطة '
                      f"{ltr(where)}</a></div>")
        items.append(_entry(t, m.kind, m.author, m.author_name, m.at, m.text, extra))
    messages = "".join(items) or '<p class="note">لا توجد رسائل.</p>'
    open_ = t.handoff_status == "open"
    action = f"/staff/threads/{t.conversation}"
    parts = [section("المحادثة كاملة", messages)]
    if open_:
        buttons = "".join(f'<button type="button" class="ready" data-text="{e(r.text)}" title="{e(r.language)}">'
                          f"{e(r.title_ar)}</button>" for r in ready)
        lang = LANGUAGE_AR.get(ready[0].language, "") if ready else ""
        parts.append(section("الرد على المستفيد", (
            f'<form method="post" action="{e(action)}/reply">{hidden(csrf)}'
            + (f'<p class="note">ردود جاهزة (بلغة المستفيد: {e(lang)}):</p><p>{buttons}</p>' if buttons else "")
            + '<label for="reply-text">الرد</label><textarea id="reply-text" name="text" dir="auto" required></textarea>'
            '<p><button type="submit">إرسال الرد إلى المستفيد</button></p></form>')))
    if t.open_alert:
        number = t.open_alert[1:]
        write = ("" if open_ else
                 f'<form method="post" action="/staff/alerts/{e(number)}/reply">{hidden(csrf)}'
                 '<label for="alert-text">رسالة إلى صاحب البلاغ (تُحال محادثته إليك)</label>'
                 '<textarea id="alert-text" name="text" required></textarea><p><button type="submit">إرسال</button></p></form>')
        parts.insert(0, section("بلاغ عاجل مفتوح", f'<p><a href="/staff/alerts/{e(number)}">صفحة البلاغ العاجل '
                                                   f"{ltr(t.open_alert)} (الموقع والاستلام)</a></p>{write}", "urgent"))
    parts.append(section("ملاحظة داخلية", (
        f'<form method="post" action="{e(action)}/notes">{hidden(csrf)}'
        '<label for="note-text">ملاحظة للموظفين فقط (لا تُرسل إلى المستفيد أبدًا)</label>'
        '<textarea id="note-text" name="text" required></textarea><p><button type="submit">حفظ الملاحظة</button></p>'
        "</form>")))
    facts = "<dl>" + "".join(f"<dt>{e(k)}</dt><dd>{v}</dd>" for k, v in (
        ("الجمعية", e(org_name(t.org))), ("المستفيد", ltr(t.contact_address)),
        ("القناة", e(CHANNEL_AR.get(t.channel, t.channel))), ("اللغة", e(LANGUAGE_AR.get(t.language or "", t.language))),
        ("الإحالة", ltr(t.handoff or "—") + (f" ({e(status_ar(t.handoff_status or ''))})" if t.handoff else "")),
        ("الفئة", e(officer_label(t.org, t.category))), ("المسؤول", e(t.assignee_name or "غير مسندة")),
        ("سبب الاطلاع اليوم", e(t.reason_of_day)))) + "</dl>"
    side = [section("بيانات المحادثة", facts)]
    if open_ and t.handoff:
        own = f"/staff/threads/{t.conversation}"
        forms = ""
        if t.assignee is None:
            forms += f'<form method="post" action="{own}/claim">{hidden(csrf)}<button type="submit">استلام المحادثة</button></form>'
        people = "".join(f'<option value="{e(u)}">{e(n)}</option>' for u, n in colleagues)
        forms += (f'<form method="post" action="{own}/assign">{hidden(csrf)}<label for="assign-to">إسناد إلى زميل</label>'
                  f'<select id="assign-to" name="to">{people}</select> <button type="submit">إسناد</button></form>')
        cats = "".join(f'<option value="{e(c)}">{e(n)}</option>' for c, n in categories)
        forms += (f'<form method="post" action="{own}/transfer">{hidden(csrf)}'
                  f'<label for="transfer-to">تحويل إلى ضابط اتصال فئة أخرى</label>'
                  f'<select id="transfer-to" name="category">{cats}</select> <button type="submit">تحويل</button></form>')
        forms += (f'<form method="post" action="/staff/handoffs/{e(t.handoff)}/release">{hidden(csrf)}'
                  '<p><button type="submit">إنهاء الإحالة وإعادة المحادثة للمساعد الآلي</button></p></form>')
        side.append(section("المسؤولية عن المحادثة", forms))
    reqs = table(("الطلب", "الخدمة", "الحالة", "المتبقي"), [("overdue" if r.overdue else "", (
        f'<a href="/staff/requests/{e(r.reference)}">{ltr(r.reference)}</a>', e(r.service_name), e(status_ar(r.status)),
        days_left_text(r.working_days_left, r.overdue))) for r in t.requests], "لا توجد طلبات.")
    comps = table(("الشكوى", "التصنيف", "اللجنة", "الحالة"), [("", (
        f'<a href="/staff/complaints/{e(c.reference)}">{ltr(c.reference)}</a>', e(category_label(c.category)),
        e(committee_label(c.org, c.committee)), e(status_ar(c.status)))) for c in t.complaints], "لا توجد شكاوى.")
    side += [section("الطلبات المرتبطة", reqs), section("الشكاوى المرتبطة", comps)]
    return (f"<style>{CSS}</style><p><a href=\"/staff/inbox\">← صندوق الوارد</a> · {ltr(base.rsplit('/', 1)[1])}</p>"
            f'<div class="thread"><div>{"".join(parts)}</div><aside>{"".join(side)}</aside></div>'
            '<script src="/staff/inbox.js"></script>')


def reason_page(conversation: str, csrf: str) -> str:
    form = (f'<form method="post" action="/staff/threads/{e(conversation)}/open">{hidden(csrf)}'
            '<label for="reason">سبب فتح المحادثة (مرة واحدة في اليوم لهذه المحادثة؛ يُسجَّل في سجل التدقيق)</label>'
            '<input id="reason" name="reason" required><p><button type="submit">فتح المحادثة كاملة</button></p></form>')
    return section(f"المحادثة {conversation}", form)


def search_page(hits: Sequence[SearchHit] | None, kind: str, value: str) -> str:
    kinds = (("phone", "رقم الجوال"), ("name", "الاسم"), ("id_number", "رقم الهوية أو الإقامة"), ("reference", "الرقم المرجعي"))
    opts = "".join(f'<option value="{k}"{" selected" if k == kind else ""}>{t}</option>' for k, t in kinds)
    form = ('<form method="get" action="/staff/search"><label for="kind">البحث بـ</label>'
            f'<select id="kind" name="kind">{opts}</select><label for="q">القيمة</label>'
            f'<input id="q" name="q" value="{e(value)}" required><p><button type="submit">بحث</button></p>'
            '<p class="note">يُسجَّل البحث في سجل التدقيق (نوعه وعدد النتائج، لا القيمة نفسها).</p></form>')
    result = "" if hits is None else section(f"النتائج ({len(hits)})", table(
        ("المحادثة", "الجمعية", "المستفيد", "القناة", "الطلبات", "الشكاوى", "إحالة مفتوحة"),
        [("", (f'<a href="/staff/threads/{e(h.conversation)}">{ltr(h.conversation)}</a>', e(org_name(h.org)),
               ltr(h.contact_address), e(CHANNEL_AR.get(h.channel, h.channel)), " ".join(ltr(r) for r in h.requests) or "—",
               " ".join(ltr(c) for c in h.complaints) or "—", ltr(h.open_handoff or "—"))) for h in hits],
        "لا نتائج."))
    return section("البحث عن مستفيد", form) + result


def ready_editor(org: str, replies: Sequence[ReadyReplyOut], csrf: str) -> str:
    blank = ReadyReplyOut(id="", title={"ar": ""}, text={"ar": ""})
    blocks = []
    for n, r in enumerate([*replies, blank]):
        fields = (f'<label>المعرّف (بالإنجليزية، فارغ للحذف)</label><input name="id{n}" value="{e(r.id)}" dir="ltr">'
                  f'<label>العنوان</label><input name="title{n}" value="{e(r.title.get("ar", ""))}">')
        for lang in ("ar", "en", "ur", "id"):
            fields += (f'<label>النص بـ{e(LANGUAGE_AR[lang])}</label>'
                       f'<textarea name="text_{lang}{n}" dir="auto">{e(r.text.get(lang, ""))}</textarea>')
        blocks.append(f"<fieldset><legend>{e(r.title.get('ar') or 'رد جديد')}</legend>{fields}</fieldset>")
    form = (f'<form method="post" action="/staff/ready-replies?org={e(org)}">{hidden(csrf)}'
            f'<input type="hidden" name="count" value="{len(blocks)}">{"".join(blocks)}'
            '<p><button type="submit">حفظ الردود الجاهزة</button></p></form>')
    return section(f"الردود الجاهزة — {org_name(org)}", '<p class="note">تُدرج في المحادثة بلغة المستفيد؛ '
                                                          "العربية مطلوبة لكل رد.</p>" + form)


INBOX_JS = r"""
(function () {
  "use strict";
  document.querySelectorAll("button.ready").forEach(function (b) {
    b.addEventListener("click", function () {
      var box = document.getElementById("reply-text");
      box.value = b.dataset.text; box.focus();
    });
  });
  var root = document.getElementById("inbox");
  if (!root || !window.EventSource) return;
  var since = root.dataset.version, urgent = Number(root.dataset.urgent), base = document.title, title = base;
  var query = root.dataset.query, busy = false, again = false;
  function cue(n) {
    document.title = "🔴 (" + n + ") بلاغ عاجل — " + title;
    try {
      var ctx = new (window.AudioContext || window.webkitAudioContext)(), osc = ctx.createOscillator();
      osc.frequency.value = 880; osc.connect(ctx.destination); osc.start(); osc.stop(ctx.currentTime + 0.4);
    } catch (err) { /* no sound before the first click: the title still says it */ }
  }
  function refresh() {
    if (busy) { again = true; return; }
    busy = true;
    fetch("/staff/inbox/rows?" + query, {credentials: "same-origin", cache: "no-store"})
      .then(function (r) { return r.json(); })
      .then(function (d) {
        document.getElementById("inbox-rows").innerHTML = d.rows;
        Object.keys(d.counts).forEach(function (k) {
          document.querySelectorAll('[data-count="' + k + '"]').forEach(function (el) { el.textContent = d.counts[k]; });
        });
        root.dataset.version = d.version;
        title = (d.counts.unread ? "(" + d.counts.unread + ") " : "") + base;
        if (d.counts.urgent > urgent) cue(d.counts.urgent); else if (!d.counts.urgent) document.title = title;
        urgent = d.counts.urgent;
      })
      .finally(function () { busy = false; if (again) { again = false; refresh(); } });
  }
  var live = document.getElementById("live");
  var es = new EventSource("/staff/inbox/events?since=" + encodeURIComponent(since));
  es.addEventListener("inbox", function (ev) { since = JSON.parse(ev.data).version; refresh(); });
  es.onerror = function () { live.textContent = "○ انقطع الاتصال المباشر؛ يعاد الاتصال..."; };
  es.onopen = function () { live.textContent = "● مباشر: تصل المحادثات والبلاغات دون إعادة تحميل"; };
})();
"""
