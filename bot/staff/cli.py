"""`tawasul staff ...`: the staff actions from the command line (Arabic output; --json for machines).

    tawasul staff list [--org esrar]
    tawasul staff set-status ESR-1234-56782 under_study --note "..." --as officer.general
    tawasul staff reply H3 "أهلًا، كيف أخدمك؟" --as officer.general      (or the contact's address)
    tawasul staff release H3 --as officer.general
    tawasul staff visit NMA-1234-56782 --date 2026-12-01 --time 10:00 --as officer.families   (the family is told)
    tawasul staff resolve CMP-1234-56782 --outcome "..." --as officer.general
    tawasul staff investigate CMP-1234-56782 --date 2026-12-01 --committee follow_up --harm \
        --size "..." --causes "..." --compensation "..." --as manager
    tawasul staff survey --org esrar --from 2026-11-01 --to 2026-11-30 --question "..." --as manager
    tawasul staff show ESR-1234-56782 --reason "متابعة اتصال المستفيد" --as officer.general
    tawasul staff sweep --as manager      (give silent handoffs back to the bot; `serve` does it periodically)
    tawasul staff create-user amal --org esrar --role officer --name "أمل" --as admin   (password asked;
        --password-stdin reads it from stdin; --all-orgs instead of --org: every association)
    tawasul staff deactivate amal --as admin          (no more sign-in; her open sessions end at once)
    tawasul staff inbox | claim | assign | transfer | thread | note | search | ready-replies   (the workspace:
        bot/staff/workspace_cli.py)
Every action and every read is written to the audit log (actor, action, target, reason, details).
`--as` must name an existing, active staff user, and every command is held to that user's associations
and role exactly as the API is (bot/staff/cli_access.py); the first `create-user` of a database with no
staff at all is the one exception.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Callable
from datetime import UTC, date, datetime
from typing import Any

from sqlmodel import Session

from bot.flows.status import STATUS_LABELS
from bot.lang.i18n import translator
from bot.staff import actions as staffops
from bot.staff import auth as staffauth
from bot.staff import cli_reports, workspace_cli
from bot.staff import reads as staffviews
from bot.staff.actions import StaffError
from bot.staff.auth import Principal
from bot.staff.cli_access import acting_user, check_user_admin, require_manager
from bot.staff.schemas import InvestigationIn
from bot.staff.web import requests as staffrequests
from bot.staff.web import work as staffwork
from bot.staff.web.errors import ApiError
from bot.staff.web.requests import scope_org
from bot.turn.sweep import sweep_handoffs
from storage.db import get_engine, transaction
from storage.queries import audit

LIST_LIMIT = 100  # rows of each list `tawasul staff list` prints unless --all (100k open requests are megabytes)

HEADINGS = {
    "urgent": "بلاغات عاجلة",
    "handoffs": "محادثات محالة للموظفين",
    "requests": "الطلبات المفتوحة (الأقرب موعدًا أولًا)",
    "complaints": "الشكاوى",
    "privacy": "طلبات البيانات الشخصية",
    "undelivered": "ردود لم تصل إلى المستفيد (آخر ٧ أيام)",
}


def _now() -> datetime:
    return datetime.now(UTC)


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="tawasul staff", description="إجراءات الموظفين")
    parser.add_argument("--json", action="store_true", help="JSON output")
    sub = parser.add_subparsers(dest="command", required=True)

    def add(name: str, help_: str) -> argparse.ArgumentParser:
        p = sub.add_parser(name, help=help_)
        p.add_argument("--as", dest="actor", default=_default_actor(),
                       help="staff username (audited; default TAWASUL_STAFF_USER, else the login name)")
        return p

    p = add("list", "open requests, complaints, handoffs, alerts with their deadlines")
    p.add_argument("--org")
    p.add_argument("--limit", type=_positive, default=LIST_LIMIT,
                   help=f"at most this many rows of each list (default {LIST_LIMIT}); the totals are always shown")
    p.add_argument("--all", dest="all_rows", action="store_true", help="every row of every list")
    p = add("set-status", "change a request's status; the beneficiary is told")
    p.add_argument("reference")
    p.add_argument("status", choices=staffops.STATUSES)
    p.add_argument("--note")
    p = add("visit", "schedule the field visit of a request whose service includes one; the family is told")
    p.add_argument("reference")
    p.add_argument("--date", dest="on", type=cli_reports.any_day, required=True, help="Gregorian or Hijri")
    p.add_argument("--time", dest="at")
    p.add_argument("--note")
    p.add_argument("--researcher", help="the researcher's name, told to the family")
    for name, help_ in (("reply", "answer a handed-off conversation"), ("release", "give the conversation back")):
        p = add(name, help_)
        p.add_argument("target", help="handoff id (H12), the contact's address, or for reply an urgent alert (A12)")
        if name == "reply":
            p.add_argument("text")
        p.add_argument("--org")
    p = add("resolve", "close a complaint with its outcome; the beneficiary is told")
    p.add_argument("reference")
    p.add_argument("--outcome", required=True)
    p = add("investigate", "record an investigation of a complaint (R10)")
    p.add_argument("reference")
    p.add_argument("--date", dest="held_on", type=cli_reports.any_day, required=True)
    p.add_argument("--committee", required=True)
    harm = p.add_mutually_exclusive_group(required=True)
    harm.add_argument("--harm", dest="harm_found", action="store_true")
    harm.add_argument("--no-harm", dest="harm_found", action="store_false")
    p.add_argument("--size")
    p.add_argument("--causes")
    p.add_argument("--compensation")
    p.add_argument("--no-notify", dest="notify", action="store_false")
    p = add("survey", "send a survey to the beneficiaries served in a period")
    p.add_argument("--org", required=True)
    p.add_argument("--from", dest="start", type=date.fromisoformat, required=True)
    p.add_argument("--to", dest="end", type=date.fromisoformat, required=True)
    p.add_argument("--question", required=True)
    p = add("show", "a record in full, personal data included (a reason is required)")
    p.add_argument("reference")
    p.add_argument("--reason", required=True)
    add("sweep", "give handoffs whose staff stayed silent too long back to the assistant (the beneficiary is told)")
    p = add("create-user", "create a console/API user, or reset an existing one's password, role and org")
    p.add_argument("username")
    scope = p.add_mutually_exclusive_group(required=True)
    scope.add_argument("--org")
    scope.add_argument("--all-orgs", action="store_true", help="the user serves every association")
    p.add_argument("--role", required=True, choices=staffauth.ROLES)
    p.add_argument("--name", help="display name")
    p.add_argument("--password-stdin", action="store_true", help="read the password from the first line of stdin")
    p = add("deactivate", "a user who has left: no sign-in, and every open session ends at once")
    p.add_argument("username")
    p = add("activate", "let a deactivated user sign in again")
    p.add_argument("username")
    cli_reports.add_commands(add)  # timers, digest, report, export, audit, visit outcomes, field-site notices
    workspace_cli.add_commands(add)
    return parser


def _password(from_stdin: bool) -> str:
    if from_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    import getpass

    first = getpass.getpass("كلمة المرور: ")
    if getpass.getpass("أعد كتابة كلمة المرور: ") != first:
        raise StaffError("كلمتا المرور غير متطابقتين")
    return first


def _status_ar(status: str) -> str:
    return translator("ar").t(STATUS_LABELS.get(status, status))


def _messages(n: int) -> str:
    """'رسالة واحدة', 'رسالتان', '3 رسائل', '11 رسالة' (Arabic number agreement)."""
    if n == 1:
        return "رسالة واحدة"
    if n == 2:
        return "رسالتان"
    return f"{n} رسائل" if 3 <= n % 100 <= 10 else f"{n} رسالة"


def _run(args: argparse.Namespace, tx: Session, who: Principal, now: datetime) -> tuple[Any, str]:
    """(JSON-able result, Arabic text for staff); the same scoped functions as the API."""
    actor = who.username
    if args.command in cli_reports.COMMANDS:
        return cli_reports.run(args, tx, who, now)
    if args.command in workspace_cli.COMMANDS:
        return workspace_cli.run(args, tx, who, now)
    if args.command == "list":
        data = staffviews.board(tx, scope_org(who, args.org), actor, now, limit=None if args.all_rows else args.limit)
        return data, _board_text(data)
    if args.command == "set-status":
        status = staffrequests.set_status(tx, who, args.reference, args.status, args.note, now)
        queued = status.queued_messages
        return {"reference": status.reference, "status": args.status, "queued": queued}, \
            f"تم تغيير حالة الطلب {status.reference} إلى «{_status_ar(args.status)}»، وأُبلغ المستفيد ({_messages(queued)})."
    if args.command == "visit":
        visit = staffrequests.schedule_visit(tx, who, args.reference, args.on, args.at, args.note, now,
                                             args.researcher)
        queued = visit.queued_messages
        return {"reference": visit.reference, "date": args.on.isoformat(), "time": args.at, "queued": queued}, \
            f"حُدد موعد الزيارة الميدانية للطلب {visit.reference}، وأُبلغت الأسرة ({_messages(queued)})."
    alert = staffops.alert_number(args.target) if args.command == "reply" else None
    if alert is not None:
        # "reply A12 ...": write to the person who raised an urgent alert (their conversation goes to staff).
        found = staffops.handoff_for_alert(tx, staffwork.find_alert(tx, who, alert), actor, now)
        staffwork.reply(tx, who, f"H{found.id}", args.text, now)
        return {"handoff": f"H{found.id}", "alert": alert}, f"أُرسل الرد إلى صاحب البلاغ {alert} (المحادثة H{found.id})."
    if args.command in ("reply", "release"):
        found = staffops.find_handoff(tx, args.target, args.org or who.org)
        if not who.may_see(found.org_slug):
            raise StaffError(f"لا توجد محادثة محالة مفتوحة لـ {args.target}")
        if args.command == "reply":
            staffwork.reply(tx, who, f"H{found.id}", args.text, now)
            return {"handoff": f"H{found.id}"}, f"أُرسل الرد إلى المستفيد (المحادثة H{found.id})."
        staffwork.release(tx, who, f"H{found.id}", now)
        return {"handoff": f"H{found.id}"}, f"أُغلقت الإحالة H{found.id} وعاد المساعد الآلي للمحادثة."
    if args.command == "resolve":
        complaint = staffwork.resolve(tx, who, args.reference, args.outcome, now)
        return {"reference": complaint.reference, "status": complaint.status}, \
            f"أُغلقت الشكوى {complaint.reference} وأُبلغ المستفيد بالنتيجة."
    if args.command == "investigate":
        body = InvestigationIn(held_on=args.held_on, committee=args.committee, harm_found=args.harm_found,
                               harm_size=args.size, causes=args.causes, compensation_decision=args.compensation,
                               notify=args.notify)
        complaint = staffwork.investigate(tx, who, args.reference, body, now)
        record = complaint.investigations[-1].id
        return {"investigation": record, "complaint": complaint.reference}, \
            f"سُجّل محضر التحقيق رقم {record} للشكوى {complaint.reference}."
    if args.command == "survey":
        require_manager(who)
        org = scope_org(who, args.org) or args.org
        counts = staffops.send_survey(tx, org, args.start, args.end, args.question, actor, now)
        return counts, (f"المستفيدون المخدومون: {counts['served']}، أُرسلت: {counts['sent']}، "
                        f"ألغوا الاشتراك: {counts['opted_out']}، في محادثة جارية: {counts['busy']}")
    if args.command == "create-user":
        check_user_admin(tx, who, args.username, org=args.org, role=args.role, all_orgs=args.all_orgs)
        try:
            user, created = staffauth.create_user(tx, args.username, password=_password(args.password_stdin),
                                                  role=args.role, org=args.org, display_name=args.name)
        except ValueError as exc:
            raise StaffError(str(exc)) from exc
        audit(tx, actor, "staff_create" if created else "staff_update", user.username, now,
                       role=user.role, org=user.org_slug)
        return {"username": user.username, "role": user.role, "org": user.org_slug, "created": created}, \
            f"{'أُنشئ' if created else 'حُدّث'} المستخدم {user.username} ({user.role}، {user.org_slug or 'كل الجمعيات'})."
    if args.command in ("deactivate", "activate"):
        check_user_admin(tx, who, args.username)
        active = args.command == "activate"
        if not staffauth.set_active(tx, args.username, active):
            raise StaffError(f"لا يوجد مستخدم باسم {args.username}")
        audit(tx, actor, f"staff_{args.command}", args.username, now)
        return {"username": args.username, "active": active}, \
            f"{'فُعّل' if active else 'أُوقف'} المستخدم {args.username}" + ("" if active else " وأُنهيت جلساته.")
    if args.command == "show":
        shown = staffviews.show(tx, args.reference, args.reason, who, now)
        return shown, json.dumps(shown, ensure_ascii=False, indent=2)
    raise AssertionError(args.command)


def _sweep(now: datetime) -> tuple[Any, str]:
    """Each handoff in its own transaction (bot/turn/sweep.py), so this runs outside the command's one."""
    released = sweep_handoffs(get_engine(), now)
    names = " ".join(f"H{h}" for h in released)
    text = f"أُعيدت إلى المساعد الآلي المحادثات المحالة التي طال انتظارها: {names}" if released else \
        "لا توجد محادثات محالة تجاوزت مدة الانتظار."
    return {"released": [f"H{h}" for h in released]}, text


def _board_text(data: dict[str, Any]) -> str:
    lines: list[str] = []
    totals = data.get("totals", {})
    for key, heading in HEADINGS.items():
        rows = data.get(key, [])
        total = totals.get(key, len(rows))
        shown = f"{total}" if total == len(rows) else f"{total}، أول {len(rows)} منها (--all للكل)"
        lines.append(f"== {heading} ({shown})")
        for row in rows:
            flag = " ⚠ متأخر" if row.get("overdue") else ""
            lines.append("  " + " | ".join(f"{k}={v}" for k, v in row.items() if k != "overdue" and v is not None)
                         + flag)
    return "\n".join(lines)


def _positive(value: str) -> int:
    number = int(value)
    if number < 1:
        raise argparse.ArgumentTypeError("must be 1 or more")
    return number


def _default_actor() -> str:
    """Like git's author: the configured staff name, else the operating-system login name."""
    import getpass

    try:
        login = getpass.getuser()
    except (KeyError, OSError):
        login = "staff"
    return os.environ.get("TAWASUL_STAFF_USER") or login


def main(argv: list[str], now: Callable[[], datetime] = _now) -> int:
    args = _parser().parse_args(argv)
    from storage.migrate import upgrade

    upgrade()
    moment = now()
    try:
        with transaction() as tx:
            who = acting_user(tx, args.actor, args.command)
            if args.command == "sweep":
                # Every association's silent handoffs: for a manager who serves them all.
                require_manager(who)
                if who.org is not None:
                    raise StaffError("إعادة المحادثات المحالة لكل الجمعيات؛ لمدير يخدمها جميعًا")
            else:
                data, text = _run(args, tx, who, moment)
        if args.command == "sweep":
            data, text = _sweep(moment)
    except StaffError as exc:
        print(f"خطأ: {exc}", file=sys.stderr)
        return 1
    except ApiError as exc:  # the API's own refusal (another association, the role, bad input), in Arabic
        print(f"خطأ: {exc.message}", file=sys.stderr)
        return 1
    print(json.dumps(data, ensure_ascii=False, default=str) if args.json else text)
    return 0
