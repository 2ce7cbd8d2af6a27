"""The workspace's `tawasul staff` commands (issue 14), held to the `--as` user exactly as the API is:

    tawasul staff inbox [--view mine|unassigned|all|closed] [--channel whatsapp] [--service ...]
                        [--language ur] [--field-site ...] --as amal
    tawasul staff claim H12 --as amal                  (the beneficiary is told who is with them)
    tawasul staff assign H12 --to khalid --as amal
    tawasul staff transfer H12 --category productive_families --as amal
    tawasul staff thread C7 [--reason "متابعة طلب المستفيد"] --as amal   (one reason a conversation a day)
    tawasul staff note C7 "اتصلت به ولم يرد" --as amal     (internal: never sent to the beneficiary)
    tawasul staff search --phone 0501234567 | --name "..." | --id-number ... | --reference ESR-... --as amal
    tawasul staff ready-replies C7 --as amal           (in the beneficiary's language)
"""

from __future__ import annotations

import argparse
from collections.abc import Callable
from datetime import datetime
from typing import Any

from sqlmodel import Session

from bot.staff.auth import Principal
from bot.staff.labels import ltr
from bot.staff.web import inbox, ownership, search, thread

COMMANDS = ("inbox", "claim", "assign", "transfer", "thread", "note", "search", "ready-replies")


def add_commands(add: Callable[[str, str], argparse.ArgumentParser]) -> None:
    p = add("inbox", "the live inbox: open handoffs, urgent alerts, new complaints (masked)")
    p.add_argument("--view", choices=("mine", "unassigned", "all", "closed"), default="all")
    p.add_argument("--org")
    p.add_argument("--channel")
    p.add_argument("--service")
    p.add_argument("--language")
    p.add_argument("--field-site", dest="field_site")
    p = add("claim", "take an unassigned handed-off conversation; the beneficiary is told")
    p.add_argument("handoff")
    p = add("assign", "give a handed-off conversation to a colleague; the beneficiary is told")
    p.add_argument("handoff")
    p.add_argument("--to", required=True)
    p = add("transfer", "pass a conversation to another category's contact officer; the beneficiary is told")
    p.add_argument("handoff")
    p.add_argument("--category", required=True)
    p = add("thread", "the whole conversation (a reason the first time each day; audited)")
    p.add_argument("conversation", help="C7, H12, A3 or a reference")
    p.add_argument("--reason")
    p = add("note", "an internal note on a conversation (never sent to the beneficiary)")
    p.add_argument("conversation")
    p.add_argument("text")
    p = add("search", "find conversations by phone, name, ID number or reference (masked; audited)")
    key = p.add_mutually_exclusive_group(required=True)
    key.add_argument("--phone")
    key.add_argument("--name")
    key.add_argument("--id-number", dest="id_number")
    key.add_argument("--reference")
    p = add("ready-replies", "the association's ready replies in the beneficiary's language")
    p.add_argument("conversation")


def run(args: argparse.Namespace, tx: Session, who: Principal, now: datetime) -> tuple[Any, str]:
    """(JSON-able result, Arabic text) of one workspace command."""
    if args.command == "inbox":
        data = inbox.inbox(tx, who, now, view=args.view, org=args.org, channel=args.channel, service=args.service,
                           language=args.language, field_site=args.field_site)
        lines = [f"{i.id}\t{i.status_ar}\t{ltr(i.contact_address)}\t{i.channel_ar}\t{i.language_ar or '—'}\t"
                 f"{i.assignee_name or 'غير مسندة'}\tغير مقروءة: {i.unread}" for i in data.items]
        c = data.counts
        head = f"لي: {c.mine}، غير مسندة: {c.unassigned}، الكل: {c.all}، بلاغات عاجلة: {c.urgent}، غير مقروءة: {c.unread}"
        return data.model_dump(mode="json"), "\n".join([head, *lines])
    if args.command in ("claim", "assign", "transfer"):
        if args.command == "claim":
            done = ownership.claim(tx, who, args.handoff, now)
        elif args.command == "assign":
            done = ownership.assign(tx, who, args.handoff, args.to, now)
        else:
            done = ownership.transfer(tx, who, args.handoff, args.category, now)
        return done.model_dump(mode="json"), \
            f"المحادثة {done.id} مع {done.assignee_name or 'لا أحد بعد'}؛ أُبلغ المستفيد: {done.told or '—'}"
    if args.command == "thread":
        shown = thread.thread(tx, who, args.conversation, args.reason, now, via="cli")
        lines = [f"[{e.at:%Y-%m-%d %H:%M}] {e.author_name}: {e.text}" + (f"  (فهم المساعد: {e.gloss_ar})" if e.gloss_ar
                                                                         else "") for e in shown.entries]
        return shown.model_dump(mode="json"), "\n".join(lines) or "لا توجد رسائل."
    if args.command == "note":
        note = thread.add_note(tx, who, args.conversation, args.text, now)
        return note.model_dump(mode="json"), f"حُفظت الملاحظة الداخلية على المحادثة {note.conversation}."
    if args.command == "search":
        hits = search.search(tx, who, now, phone=args.phone, name=args.name, id_number=args.id_number,
                             reference=args.reference)
        return [h.model_dump(mode="json") for h in hits], "\n".join(
            f"{h.conversation}\t{ltr(h.contact_address)}\t{' '.join(h.requests) or '—'}" for h in hits) or "لا نتائج."
    replies = thread.ready_for(tx, who, args.conversation)
    return [r.model_dump(mode="json") for r in replies], "\n".join(f"{r.id} ({r.title_ar}): {r.text}" for r in replies)
