"""The console channel: `tawasul chat --org SLUG [--json]`.

--json reads lines like {"contact": "sara", "text": "ابغى اقدم طلب"} (optionally "location": {"lat", "lon"},
"media": [{"path", "content_type"}]) and writes one line per outbound message:
{"to", "text", "buttons", "language", "session": {"flow", "step", "expects"}, "events": [...]},
including messages queued for that contact (by staff, by a status change) since the last run.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import logging
import mimetypes
import os
import shutil
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any, TextIO

from sqlmodel import col, select

from bot.errors import InputError
from bot.lang.i18n import is_rtl
from bot.messages import InboundMessage, Location, Media
from bot.turn.runtime import Runtime
from nlu.local import LocalNLU
from orgs import load_org
from storage.db import get_engine, transaction
from storage.models import OutboundRecord, utcnow
from storage.queries import contact_by_address

log = logging.getLogger("tawasul.chat")
CHANNEL = "console"


def parse_line(line: str, org: str) -> InboundMessage:
    """One JSON input line -> InboundMessage; InputError with a clear reason when malformed."""
    try:
        obj = json.loads(line)
    except json.JSONDecodeError as exc:
        raise InputError(f"not JSON: {exc.msg}") from None
    if not isinstance(obj, dict):
        raise InputError("each line must be a JSON object")
    contact = obj.get("contact")
    if not isinstance(contact, str) or not contact.strip() or len(contact) > 128:
        raise InputError("'contact' must be a non-empty string of at most 128 characters")
    text = obj.get("text", "")
    if not isinstance(text, str):
        raise InputError("'text' must be a string")
    location = None
    if obj.get("location") is not None:
        loc = obj["location"]
        try:
            location = Location(float(loc["lat"]), float(loc["lon"]))
        except (KeyError, TypeError, ValueError):
            raise InputError("'location' must be {\"lat\": number, \"lon\": number}") from None
        if not (-90 <= location.lat <= 90 and -180 <= location.lon <= 180):
            raise InputError("'location' is out of range")
    media: list[Media] = []
    for item in obj.get("media") or []:
        if not isinstance(item, dict) or not isinstance(item.get("path"), str):
            raise InputError("each 'media' item needs a 'path'")
        path = Path(item["path"])
        ctype = item.get("content_type") or mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        size = path.stat().st_size if path.exists() else None
        media.append(Media(path=str(path), content_type=ctype, size=size, name=path.name))
    return InboundMessage(
        channel=CHANNEL,
        address=contact.strip(),
        provider_id=str(obj.get("id") or uuid.uuid4()),
        text=text,
        org_slug=org,
        location=location,
        media=tuple(media),
        button=obj.get("button") if isinstance(obj.get("button"), str) else None,
    )


def drain(contact_address: str, org: str) -> Iterator[OutboundRecord]:
    """Queued console messages of one contact, oldest first, marked sent as they are taken."""
    with transaction(get_engine()) as tx:
        contact = contact_by_address(tx, CHANNEL, contact_address, org_slug=org)
        if contact is None:
            return iter(())
        rows = list(
            tx.exec(
                select(OutboundRecord)
                .where(OutboundRecord.contact_id == contact.id, OutboundRecord.status == "queued")
                .order_by(col(OutboundRecord.id))
            ).all()
        )
        for row in rows:
            row.status = "sent"
            row.sent_at = utcnow()
            tx.add(row)
    return iter(rows)


def as_json(row: OutboundRecord) -> dict[str, Any]:
    return {
        "to": row.to_address,
        "text": row.text,
        "buttons": row.buttons,
        "language": row.language,
        "session": row.session or {"flow": None, "step": None, "expects": None},
        "events": row.events,
    }


def run_json(org: str, runtime: Runtime, stdin: TextIO, stdout: TextIO) -> int:
    errors = 0
    for line in stdin:
        if not line.strip():
            continue
        try:
            msg = parse_line(line, org)
        except InputError as exc:
            errors += 1
            stdout.write(json.dumps({"error": str(exc)}, ensure_ascii=False) + "\n")
            stdout.flush()
            continue
        try:
            runtime.handle(msg)
        except Exception as exc:  # noqa: BLE001 - the message stays pending and is retried on the next one
            log.error("turn failed (%s); the message is kept and will be retried", type(exc).__name__)
        stdout.writelines(json.dumps(as_json(row), ensure_ascii=False) + "\n" for row in drain(msg.address, org))
        stdout.flush()
    return 1 if errors else 0


def _show(text: str, lang: str) -> str:
    """Arabic and Urdu drawn right to left on a terminal that does not do bidi itself.

    Letters are joined (arabic-reshaper) and put in visual order (python-bidi), lines aligned right.
    A terminal with its own bidi support (TAWASUL_BIDI=0) gets the text as it is.
    """
    if not is_rtl(lang) or not sys.stdout.isatty() or os.environ.get("TAWASUL_BIDI") == "0":
        return text
    import arabic_reshaper
    from bidi.algorithm import get_display

    width = shutil.get_terminal_size((80, 24)).columns - 1
    return "\n".join(get_display(arabic_reshaper.reshape(line)).rjust(width) for line in text.splitlines())


def run_interactive(org: str, runtime: Runtime, contact: str) -> int:
    profile = load_org(org)
    print(_show(profile.name.get("ar"), "ar"))
    print(f"{profile.name.get('en')}   (Ctrl-D to quit)")
    for row in drain(contact, org):
        print(_show(row.text, row.language))
    while True:
        try:
            text = input("> ")
        except (EOFError, KeyboardInterrupt):
            print()
            return 0
        msg = InboundMessage(CHANNEL, contact, str(uuid.uuid4()), text, org)
        try:
            runtime.handle(msg)
        except Exception as exc:  # noqa: BLE001 - the message stays pending and is retried on the next one
            log.error("turn failed (%s); the message is kept and will be retried", type(exc).__name__)
        for row in drain(contact, org):
            print(_show(row.text, row.language))
            for i, button in enumerate(row.buttons, 1):
                print(_show(f"  {button['id'] if button['id'].isdigit() else i}. {button['title']}", row.language))


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="tawasul chat")
    parser.add_argument("--org", default=os.environ.get("TAWASUL_ORG", "esrar"))
    parser.add_argument("--json", action="store_true", help="machine contract: JSON lines in and out")
    parser.add_argument("--contact", default=os.environ.get("USER", "console"), help="interactive contact name")
    args = parser.parse_args(argv)
    load_org(args.org)
    from storage.migrate import upgrade

    upgrade()
    with contextlib.ExitStack() as stack:
        runtime = Runtime(nlu=LocalNLU(stack))
        if args.json:
            return run_json(args.org, runtime, sys.stdin, sys.stdout)
        return run_interactive(args.org, runtime, args.contact)
