"""The workspace's `tawasul staff` commands, held to the `--as` user's association and role as the API is:

    tawasul staff timers [--org esrar]                    open requests (working days left) and handoffs
    tawasul staff digest [--org esrar] [--date 1448-06-10]  today's late digest (written if missing; managers)
    tawasul staff report --org namaa --month 2026-11 [--pdf report.pdf]   the month in figures (managers)
    tawasul staff export requests --format xlsx --out requests.xlsx [--reason "..."]   masked unless a reason
    tawasul staff audit [--actor amal] [--action show_personal_data] [--from 2026-11-01] [--limit 50]
    tawasul staff visit-outcome NMA-1234-56782 --outcome "..." [--not-visited]
    tawasul staff sites [--org alhuda]                    field sites and how many contacts each has
    tawasul staff site-notice juhfa_miqat --text "..." [--template site_notice]
Dates take either calendar (2026-11-29, 1448-06-10 هـ, Arabic-Indic digits too).
"""

from __future__ import annotations

import argparse
import json
from collections.abc import Callable
from datetime import date, datetime
from pathlib import Path
from typing import Any

from sqlmodel import Session

from bot.lang.dates import BadDate, parse_day
from bot.staff.auth import Principal
from bot.staff.pdf import monthly_pdf
from bot.staff.timers import digest_text, minutes_text
from bot.staff.web import workspace
from bot.staff.web.audit import audit_page
from bot.staff.web.exports import FORMATS, LISTS, export_file

Add = Callable[[str, str], argparse.ArgumentParser]
COMMANDS = ("timers", "digest", "report", "export", "audit", "visit-outcome", "sites", "site-notice")


def any_day(text: str) -> date:
    """argparse type: a date in either calendar."""
    try:
        return parse_day(text)
    except BadDate as exc:
        raise argparse.ArgumentTypeError(str(exc)) from exc


def add_commands(add: Add) -> None:
    p = add("timers", "open requests by working days left and handoffs by first-response time left")
    p.add_argument("--org")
    p = add("digest", "the daily digest of late work for the association's manager (written if missing)")
    p.add_argument("--org")
    p.add_argument("--date", dest="day", type=any_day, help="an earlier day's digest")
    p = add("report", "one association's month in figures; --pdf writes the board's PDF")
    p.add_argument("--org")
    p.add_argument("--month", help="YYYY-MM (default: this month)")
    p.add_argument("--pdf", type=Path)
    p = add("export", "any staff list as CSV or Excel; personal data only with --reason (audited)")
    p.add_argument("list", choices=sorted(LISTS))
    p.add_argument("--format", dest="fmt", choices=FORMATS, default="xlsx")
    p.add_argument("--out", type=Path, required=True)
    p.add_argument("--org")
    p.add_argument("--status")
    p.add_argument("--reason")
    p = add("audit", "the audit log, newest first (managers: their association's data)")
    for flag in ("--org", "--action", "--target"):
        p.add_argument(flag)
    p.add_argument("--actor", dest="by", help="rows written by this staff member (--as is who reads)")
    p.add_argument("--from", dest="since", type=any_day)
    p.add_argument("--to", dest="until", type=any_day)
    p.add_argument("--limit", type=int, default=50)
    p.add_argument("--offset", type=int, default=0)
    p = add("visit-outcome", "record a field visit's outcome in the request's history")
    p.add_argument("reference")
    p.add_argument("--outcome", required=True)
    p.add_argument("--not-visited", dest="visited", action="store_false")
    p = add("sites", "the association's field sites and their contacts")
    p.add_argument("--org")
    p = add("site-notice", "a notice to every contact of a field site (WhatsApp: 24-hour window or a template)")
    p.add_argument("site")
    p.add_argument("--text", required=True)
    p.add_argument("--template", help="an approved WhatsApp template's purpose, for those outside the window")
    p.add_argument("--org")


def run(args: argparse.Namespace, tx: Session, who: Principal, now: datetime) -> tuple[Any, str]:
    """(JSON-able result, Arabic text) of one workspace command."""
    if args.command == "timers":
        t = workspace.timers_of(tx, who, now, args.org)
        lines = [f"طلب {r.reference}: " + ("بلا موعد" if r.working_days_left is None else
                                          f"متأخر {-r.working_days_left} يوم عمل ⚠" if r.late else
                                          f"باقٍ {r.working_days_left} يوم عمل") for r in t.requests]
        lines += [f"محادثة {h.id}: " + (f"رُدّ بعد {minutes_text(h.response_minutes)}" if h.response_minutes is not None
                                        else f"بلا رد، متأخر {minutes_text(-(h.minutes_left or 0))} ⚠" if h.late
                                        else f"باقٍ {minutes_text(h.minutes_left or 0)} للرد الأول")
                  for h in t.handoffs]
        return t.model_dump(mode="json"), "\n".join(lines) or "لا توجد طلبات أو محادثات مفتوحة."
    if args.command == "digest":
        d = workspace.digest_of(tx, who, now, args.org, args.day, write=args.day is None)
        return d.model_dump(mode="json"), digest_text(d.body)
    if args.command == "report":
        report = workspace.monthly_report(tx, who, now, args.org, args.month)
        text = _report_text(report)
        if args.pdf:
            args.pdf.write_bytes(monthly_pdf(report))
            text += f"\nكُتب التقرير في {args.pdf}"
        return report, text
    if args.command == "export":
        name, _media, data = export_file(tx, who, args.list, args.fmt, now, org=args.org, status=args.status,
                                         reason=args.reason)
        args.out.write_bytes(data)
        return {"file": str(args.out), "name": name, "bytes": len(data)}, f"كُتبت القائمة في {args.out}"
    if args.command == "audit":
        rows, total = audit_page(tx, who, now, org=args.org, actor=args.by, action=args.action, target=args.target,
                                 since=args.since, until=args.until, limit=args.limit, offset=args.offset)
        page = {"rows": [r.model_dump(mode="json") for r in rows], "total": total}
        return page, "\n".join([f"{total} صفًا"] + [f"{r.at:%Y-%m-%d %H:%M} {r.actor} {r.action} {r.target or ''}"
                                                     for r in rows])
    if args.command == "visit-outcome":
        out = workspace.visit_outcome(tx, who, args.reference, args.visited, args.outcome, now)
        return out.model_dump(mode="json"), f"سُجّلت نتيجة الزيارة الميدانية للطلب {out.reference}."
    if args.command == "sites":
        sites = workspace.sites_of(tx, who, now, args.org)
        return [s.model_dump() for s in sites], "\n".join(f"{s.site}: {s.name} ({s.contacts})" for s in sites)
    if args.command == "site-notice":
        notice = workspace.site_notice(tx, who, args.site, args.text, args.template, now, args.org)
        c = notice.counts
        return notice.model_dump(mode="json"), (f"أُرسل التعميم إلى {c['sent']}، وبالقالب إلى {c['template']}؛ "
                                                f"خارج نافذة واتساب بلا قالب: {c['outside_window']}، "
                                                f"ألغوا الاشتراك: {c['opted_out']}.")
    raise AssertionError(args.command)


def _report_text(r: dict[str, Any]) -> str:
    v, d, s, c = r["volume"], r["deadline"], r["satisfaction"], r["complaints"]
    return json.dumps({"الجمعية": r["org_name"], "الشهر": f"{r['period']['title']} ({r['period']['hijri']})",
                       "الطلبات": v["requests"], "الشكاوى": v["complaints"], "في المهلة": d["on_time"],
                       "بعد المهلة": d["late"], "متوسط الرضا": s["average"], "شكاوى حُلّت": c["resolved"],
                       "متوسط مدة الحل": c["average_days"]}, ensure_ascii=False, indent=1)
