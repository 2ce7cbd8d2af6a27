"""One runner for every conversation transcript in tests/transcripts/*.yaml.

Each file: org, a fixed clock (`now`), a seed for reference numbers, and turns. A turn is one of
    say: "text"            (optional location / media / contact / button / refused) - a beneficiary message;
                             `refused` lists files the channel refused ({content_type, reason, max_bytes?})
    wait: {hours: 30}      - the clock moves on (pauses, session expiry, staff silence)
    staff: {action: set_status, ...}  - a staff action through bot/staff/actions.py (its messages are
                             delivered like `tawasul chat` delivers queued rows)
    env: {NAME: value}     - configuration for the rest of the case
    org_override: {...}    - a staff edit of the org profile (TAWASUL_ORGS_DIR), no deploy
with `check` (hand-written: contains / absent / expects / events / silent) and `out` (the recorded
replies: text, expects, event types). `$request`, `$complaint`, `$privacy` stand for the last such
reference. The real Runtime runs on a temporary SQLite file with NO NLU server: intents come from
menu digits and explicit words (bot/lang/keywords.py), exactly as when the NLU is down in
production; the NLU itself is tested under nlu/tests. UPDATE_TRANSCRIPTS=1 rewrites every `out`
after a deliberate change (review the diff).
"""

from __future__ import annotations

import os
import random
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import yaml
from sqlmodel import col, select

from bot.messages import InboundMessage, Location, Media
from bot.staff import actions as staffops
from bot.staff import visits
from bot.turn.runtime import Runtime
from orgs import clear_cache
from storage.db import make_engine, transaction
from storage.migrate import upgrade
from storage.models import Contact, OutboundRecord

CASES = sorted((Path(__file__).parent.parent / "transcripts").glob("*.yaml"))
UPDATE = os.environ.get("UPDATE_TRANSCRIPTS") == "1"
REF_EVENTS = {"request_submitted": "$request", "complaint_filed": "$complaint", "privacy_requested": "$privacy"}


class Clock:
    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


def _drain(engine: Any, org: str, channel: str, address: str) -> list[OutboundRecord]:
    with transaction(engine) as tx:
        contact = tx.exec(select(Contact).where(Contact.org_slug == org, Contact.channel == channel,
                                                Contact.address == address)).first()
        if contact is None:
            return []
        rows = list(tx.exec(select(OutboundRecord).where(OutboundRecord.contact_id == contact.id,
                                                         OutboundRecord.status == "queued")
                            .order_by(col(OutboundRecord.id))).all())
        for row in rows:
            row.status = "sent"
            tx.add(row)
    return rows


def _subst(value: Any, names: dict[str, str]) -> Any:
    if isinstance(value, str):
        for key, ref in names.items():
            value = value.replace(key, ref)
        return value
    if isinstance(value, dict):
        return {k: _subst(v, names) for k, v in value.items()}
    if isinstance(value, list):
        return [_subst(v, names) for v in value]
    return value


def _staff(engine: Any, action: dict[str, Any], now: datetime) -> None:
    kind, actor = action["action"], action.get("as", "officer.general")
    with transaction(engine) as tx:
        if kind == "set_status":
            staffops.set_status(tx, action["reference"], action["status"], action.get("note"), actor, now)
        elif kind == "reply":
            staffops.reply(tx, action["target"], action["text"], actor, now)
        elif kind == "release":
            staffops.release(tx, action["target"], actor, now)
        elif kind == "resolve":
            staffops.resolve_complaint(tx, action["reference"], action["outcome"], actor, now)
        elif kind == "investigate":
            staffops.investigate(tx, action["reference"], held_on=date.fromisoformat(str(action["date"])),
                                 committee=action["committee"], harm_found=bool(action["harm"]),
                                 harm_size=action.get("size"), causes=action.get("causes"),
                                 compensation=action.get("compensation"), actor=actor, now=now)
        elif kind == "visit":
            visits.schedule_visit(tx, action["reference"], on=date.fromisoformat(str(action["date"])),
                                  at=action.get("time"), note=action.get("note"), actor=actor, now=now)
        elif kind == "survey":
            staffops.send_survey(tx, action["org"], date.fromisoformat(str(action["from"])),
                                 date.fromisoformat(str(action["to"])), action["question"], actor, now)
        else:
            raise AssertionError(f"unknown staff action {kind}")


def _record(rows: list[OutboundRecord]) -> list[dict[str, Any]]:
    return [{"text": r.text, "expects": (r.session or {}).get("expects"),
             "events": [e["type"] for e in r.events]} for r in rows]


def _check(turn: dict[str, Any], rows: list[OutboundRecord], label: str) -> None:
    check = turn.get("check") or {}
    text = "\n".join(r.text for r in rows)
    for needle in check.get("contains", []):
        assert needle in text, f"{label}: {needle!r} not in reply:\n{text}"
    for needle in check.get("absent", []):
        assert needle not in text, f"{label}: {needle!r} unexpectedly in reply:\n{text}"
    if check.get("silent"):
        assert rows == [], f"{label}: expected no reply, got {text!r}"
    if "expects" in check:
        got = (rows[-1].session or {}).get("expects") if rows else None
        assert got == check["expects"], f"{label}: expects {got!r}, wanted {check['expects']!r}"
    events = [e for r in rows for e in r.events]
    for wanted in check.get("events", []):
        wanted = {"type": wanted} if isinstance(wanted, str) else wanted
        assert any(all(e.get(k) == v for k, v in wanted.items()) for e in events), f"{label}: no {wanted} in {events}"
    if "language" in check and rows:
        assert rows[-1].language == check["language"], f"{label}: language {rows[-1].language}"


@pytest.mark.parametrize("path", CASES, ids=[p.stem for p in CASES])
def test_transcript(path: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    case = yaml.safe_load(path.read_text(encoding="utf-8"))
    url = f"sqlite:///{tmp_path}/t.db"
    monkeypatch.setenv("DATABASE_URL", url)
    monkeypatch.delenv("TAWASUL_ORGS_DIR", raising=False)
    upgrade(url)
    engine = make_engine(url)
    clock = Clock(datetime.fromisoformat(str(case.get("now", "2026-11-22T07:30:00+00:00"))))
    runtime = Runtime(engine=engine, clock=clock, rng=random.Random(case.get("seed", 7)))
    org, channel = case["org"], case.get("channel", "console")
    names: dict[str, str] = {}
    changed = False
    try:
        for i, turn in enumerate(case["turns"], 1):
            label = f"{path.stem} turn {i}"
            address = turn.get("contact", case.get("contact", "beneficiary"))
            if "wait" in turn:
                clock.now += timedelta(**turn["wait"])
                continue
            if "env" in turn:
                for key, value in turn["env"].items():
                    monkeypatch.setenv(key, str(value))
                continue
            if "org_override" in turn:
                folder = tmp_path / "orgs"
                folder.mkdir(exist_ok=True)
                (folder / f"{org}.yaml").write_text(yaml.safe_dump({"slug": org, **turn["org_override"]},
                                                                   allow_unicode=True), encoding="utf-8")
                monkeypatch.setenv("TAWASUL_ORGS_DIR", str(folder))
                continue
            if "staff" in turn:
                _staff(engine, _subst(turn["staff"], names), clock.now)
            else:
                loc = turn.get("location")
                media = tuple(Media(path=m.get("path"), content_type=m["content_type"], size=m.get("size"),
                                    name=m.get("name")) for m in turn.get("media", []))
                runtime.handle(InboundMessage(
                    channel=channel, address=address, provider_id=f"{path.stem}-{i}",
                    text=_subst(str(turn.get("say", "")), names), org_slug=org, media=media,
                    location=Location(loc["lat"], loc["lon"]) if loc else None, button=turn.get("button"),
                    raw={"refused_media": turn["refused"]} if turn.get("refused") else {}))
            rows = _drain(engine, org, channel, address)
            for event in (e for r in rows for e in r.events):
                if event["type"] in REF_EVENTS:
                    names[REF_EVENTS[event["type"]]] = event["reference"]
            _check(_subst(turn, names), rows, label)
            recorded = _record(rows)
            if UPDATE:
                changed |= turn.get("out") != recorded
                turn["out"] = recorded
            else:
                assert "out" in turn, f"{label}: no recorded output; run with UPDATE_TRANSCRIPTS=1"
                assert recorded == turn["out"], f"{label}: replies changed (UPDATE_TRANSCRIPTS=1 after review)"
    finally:
        engine.dispose()
        clear_cache()
    if UPDATE and changed:
        path.write_text(yaml.safe_dump(case, allow_unicode=True, sort_keys=False, width=1000), encoding="utf-8")
