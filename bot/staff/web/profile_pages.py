"""The console page where an association's manager keeps its profile true (issue 13): hours, the
assumptions awaiting the association, the other editable parts as JSON, and the version history with
rollback. Values are escaped here; the actions are bot/staff/web/profiles.py, shared with the API."""

from __future__ import annotations

import json
from urllib.parse import quote

from bot.staff.profile_schemas import ProfileOut, ProfileVersionOut
from bot.staff.web.html import e, form, hidden, moment_text, org_name, section, table

LANGS = (("ar", "العربية"), ("en", "الإنجليزية"), ("ur", "الأردية"), ("id", "الإندونيسية"))
JSON_PARTS = (("faq", "الأسئلة الشائعة"), ("contact_officers", "ضباط الاتصال"), ("channels", "الهاتف والبريد والموقع"),
              ("services", "الخدمات (الحقول والمستندات والمرادفات)"), ("ready_replies", "الردود الجاهزة"),
              ("locations", "المواقع"))


def orgs_page(slugs: list[str]) -> str:
    rows = [("", (f'<a href="/staff/orgs/{quote(s)}/profile">{e(org_name(s))}</a>',)) for s in slugs]
    return section("ملفات الجمعيات", table(("الجمعية",), rows, "لا توجد جمعيات."))


def _hours(profile: ProfileOut, csrf: str) -> str:
    hours = profile.editable.get("hours") or {}
    fields = "".join(f'<label for="hours_{k}">{e(name)}</label>'
                     f'<textarea id="hours_{k}" name="hours_{k}" required>{e(hours.get(k, ""))}</textarea>'
                     for k, name in LANGS)
    return section("أوقات الدوام", form(f"/staff/orgs/{quote(profile.org)}/hours", csrf, fields, "حفظ أوقات الدوام"))


def _assumptions(profile: ProfileOut, csrf: str) -> str:
    rows = []
    for a in profile.assumptions:
        action = f"/staff/orgs/{quote(profile.org)}/assumptions/{quote(a.key)}"
        answer = (f'<form method="post" action="{e(action)}">{hidden(csrf)}'
                  f'<textarea name="answer" aria-label="الجواب" required>{e(a.answer or "")}</textarea>'
                  '<button type="submit">حفظ الجواب</button></form>')
        rows.append(("", (e(a.key), e(a.note), e(a.question), answer)))
    note = '<p class="note">ما لا تنص عليه سياسة الجمعية يبقى افتراضًا حتى تؤكده الجمعية أو تصححه.</p>'
    return section("افتراضات بانتظار تأكيد الجمعية", note + table(
        ("الوعد", "الافتراض", "السؤال", "جواب الجمعية"), rows, "لا توجد افتراضات."))


def _json_edit(profile: ProfileOut, csrf: str) -> str:
    blocks = []
    for key, title in JSON_PARTS:
        value = json.dumps(profile.editable.get(key), ensure_ascii=False, indent=1)
        fields = (f'<input type="hidden" name="key" value="{e(key)}">'
                  f'<textarea name="value" dir="ltr" aria-label="{e(title)}" rows="12">{e(value)}</textarea>'
                  '<label for="note_' + key + '">سبب التعديل</label>'
                  f'<input id="note_{key}" name="note">')
        blocks.append(f"<details><summary>{e(title)}</summary>"
                      + form(f"/staff/orgs/{quote(profile.org)}/edit", csrf, fields, "حفظ") + "</details>")
    note = ('<p class="note">يُتحقق من كل تعديل بمخطط ملف الجمعية وبمصادر وعودها في السياسة قبل حفظه، '
            "ويُحفظ نسخةً جديدة يمكن الرجوع عنها.</p>")
    return section("تعديل بقية الملف", note + "".join(blocks))


def _history(org: str, rows: list[ProfileVersionOut], csrf: str) -> str:
    out = []
    for v in rows:
        back = (f'<form class="inline" method="post" action="/staff/orgs/{quote(org)}/rollback">{hidden(csrf)}'
                f'<input type="hidden" name="version" value="{v.version}">'
                '<button type="submit">الرجوع إلى هذه النسخة</button></form>')
        what = "، ".join(v.changed) + (f" (استعادة النسخة {v.restores})" if v.restores is not None else "")
        out.append(("", (e(v.version), e(v.actor), e(moment_text(v.at)), e(what), e(v.note or ""), back)))
    seed = (f'<form class="inline" method="post" action="/staff/orgs/{quote(org)}/rollback">{hidden(csrf)}'
            '<input type="hidden" name="version" value="0"><button type="submit">الرجوع إلى الملف الأصلي</button>'
            "</form>")
    return section("سجل النسخ", table(("النسخة", "بواسطة", "التاريخ", "ما تغيّر", "السبب", ""), out,
                                      "لم يُعدَّل الملف بعد: يعمل المساعد بالملف الأصلي.") + seed)


def profile_page(profile: ProfileOut, history: list[ProfileVersionOut], csrf: str) -> str:
    head = f'<p>النسخة المعمول بها: {profile.version}{" (الملف الأصلي)" if profile.version == 0 else ""}</p>'
    return (head + _hours(profile, csrf) + _assumptions(profile, csrf) + _json_edit(profile, csrf)
            + _history(profile.org, history, csrf))
