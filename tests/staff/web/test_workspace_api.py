"""The staff workspace's API (issue 14): the live inbox and its events, ownership (one holder, race-safe,
the beneficiary told in their language), the whole conversation opened with one reason a day, internal
notes that never reach the beneficiary, ready replies in the beneficiary's language, and search."""

from __future__ import annotations

import threading
from datetime import timedelta
from pathlib import Path
from typing import Any

from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from bot.lang.i18n import translator
from bot.messages import InboundMessage
from bot.staff.auth import Principal
from bot.staff.web import ownership
from bot.staff.web.errors import ApiError
from bot.turn.runtime import Runtime
from storage.db import transaction
from storage.models import AuditLog, Handoff, OutboundRecord, Staff
from tests.conftest import Clock
from tests.staff.web.client import Client
from tests.staff.web.conftest import Seeded, login

URDU = "مجھے کسی انسان سے بات کرنی ہے"


def _name(db: Engine, username: str, display: str) -> None:
    with transaction(db) as tx:
        staff = tx.exec(select(Staff).where(Staff.username == username)).one()
        staff.display_name = display
        tx.add(staff)


def _urdu_handoff(runtime: Runtime, clock: Clock) -> None:
    runtime.handle(InboundMessage("telegram", "7070", "tg-ur-1", URDU, "esrar"))
    clock.now += timedelta(minutes=3)
    runtime.handle(InboundMessage("telegram", "7070", "tg-ur-2", "کوئی ہے؟", "esrar"))


def _outbox(db: Engine, address: str) -> list[OutboundRecord]:
    with Session(db) as tx:
        return list(tx.exec(select(OutboundRecord).where(OutboundRecord.to_address == address)
                            .order_by(col(OutboundRecord.id))).all())


def test_inbox_views_and_ownership(client: Client, seeded: Seeded, runtime: Runtime, db: Engine,
                                   clock: Clock) -> None:
    _urdu_handoff(runtime, clock)
    _name(db, "amal", "أمل الحربي")
    amal, mudir, badr = login(client, "amal"), login(client, "mudir"), login(client, "badr")
    inbox = client.get("/staff/api/inbox", params={"view": "unassigned"}, headers=amal).json()
    [item] = [i for i in inbox["items"] if i["kind"] == "handoff"]
    assert item["contact_address"] == "•••0" and item["language"] == "ur" and item["language_ar"] == "الأردية"
    assert item["unread"] == 1 and item["waiting_seconds"] >= 0 and item["assignee"] is None
    assert item["category_ar"] == "ضابط الاتصال العام" and item["channel_ar"] == "تيليجرام"
    assert any(i["kind"] == "alert" and i["urgent"] for i in inbox["items"])  # the seeded alert
    assert any(i["kind"] == "complaint" for i in inbox["items"])
    assert inbox["counts"]["unassigned"] == 1 and inbox["counts"]["mine"] == 0
    filtered = client.get("/staff/api/inbox", params={"channel": "whatsapp"}, headers=amal).json()
    assert all(i["channel"] == "whatsapp" for i in filtered["items"]) and filtered["items"]
    assert client.get("/staff/api/inbox", params={"language": "ur"}, headers=amal).json()["items"] == [item]
    assert client.get("/staff/api/inbox", headers=badr).json()["items"] == []  # another association's

    hid = item["id"]
    assert client.post(f"/staff/api/handoffs/{hid}/claim", headers=badr).status_code == 404
    claimed = client.post(f"/staff/api/handoffs/{hid}/claim", headers=amal).json()
    assert claimed["assignee"] == "amal"
    told = _outbox(db, "7070")[-1]
    assert told.text == claimed["told"] and "اب آپ کے ساتھ ہیں" in told.text and told.language == "ur"
    assert "أمل" in told.text and "الحربي" not in told.text and "amal" not in told.text  # the first name only
    again = client.post(f"/staff/api/handoffs/{hid}/claim", headers=mudir)
    assert again.status_code == 409 and again.json()["detail"]["error"] == "taken"
    mine = client.get("/staff/api/inbox", params={"view": "mine"}, headers=amal).json()
    assert [i["id"] for i in mine["items"]] == [hid] and mine["counts"]["mine"] == 1
    assert client.get("/staff/api/inbox", params={"view": "unassigned"}, headers=amal).json()["counts"]["unassigned"] == 0

    assert client.post(f"/staff/api/handoffs/{hid}/assign", headers=amal, json={"to": "badr"}).status_code == 404
    assigned = client.post(f"/staff/api/handoffs/{hid}/assign", headers=amal, json={"to": "mudir"}).json()
    assert assigned["assignee"] == "mudir"
    moved = client.post(f"/staff/api/handoffs/{hid}/transfer", headers=mudir,
                        json={"category": "productive_families"}).json()
    assert moved["category"] == "productive_families" and moved["officer"] == "officer.families"
    assert moved["assignee"] is None  # that officer has no staff user here: unassigned in that category
    assert "ضابط" not in moved["told"] and moved["told"] == _outbox(db, "7070")[-1].text  # told in Urdu
    with Session(db) as tx:
        actions = [a.action for a in tx.exec(select(AuditLog).where(AuditLog.target == hid)).all()]
    assert {"handoff_claim", "handoff_assign", "handoff_transfer"} <= set(actions)


def test_two_claims_at_once_one_wins(seeded: Seeded, runtime: Runtime, db: Engine, clock: Clock) -> None:
    _urdu_handoff(runtime, clock)
    with Session(db) as tx:
        hid = tx.exec(select(Handoff.id)).one()
    people = [Principal("amal", "officer", "esrar", "أمل"), Principal("mudir", "manager", None, "مدير")]
    barrier, results = threading.Barrier(2), []

    def take(who: Principal) -> None:
        barrier.wait()
        try:
            with transaction(db) as tx:
                results.append(ownership.claim(tx, who, f"H{hid}", clock()).assignee)
        except ApiError as exc:
            results.append(exc.status_code)

    workers = [threading.Thread(target=take, args=(p,)) for p in people]
    [w.start() for w in workers]
    [w.join(30) for w in workers]
    assert sorted(map(str, results)) == sorted(["409", str(next(r for r in results if r != 409))])
    with Session(db) as tx:
        assert tx.get(Handoff, hid).assignee in ("amal", "mudir")  # type: ignore[union-attr]


def test_whole_thread_one_reason_a_day_notes_never_sent(client: Client, seeded: Seeded, runtime: Runtime,
                                                        db: Engine, clock: Clock) -> None:
    _urdu_handoff(runtime, clock)
    amal = login(client, "amal")
    [item] = [i for i in client.get("/staff/api/inbox", headers=amal).json()["items"] if i["kind"] == "handoff"]
    conv = item["conversation"]
    refused = client.get(f"/staff/api/threads/{conv}", headers=amal)
    assert refused.status_code == 400 and refused.json()["detail"]["error"] == "reason_required"
    first = client.get(f"/staff/api/threads/{conv}", params={"reason": "متابعة طلب المستفيد"}, headers=amal).json()
    kinds = [(e["kind"], e["author"]) for e in first["entries"]]
    assert kinds[0] == ("in", "beneficiary") and ("out", "bot") in kinds
    urdu = first["entries"][0]
    assert urdu["text"] == URDU and urdu["language"] == "ur"
    assert urdu["gloss_ar"] == translator("ar").t("Talk to a staff member")
    assert first["contact_address"] == "7070"  # whole, in the record's own view opened with a reason

    client.post(f"/staff/api/handoffs/{item['id']}/reply", headers=amal, json={"text": "جی، میں حاضر ہوں"})
    note = client.post(f"/staff/api/threads/{conv}/notes", headers=amal,
                       json={"text": "ملاحظة سرية: يحتاج متابعة هاتفية"}).json()
    assert note["author"] == "amal"
    again = client.get(f"/staff/api/threads/{conv}", headers=amal).json()  # no reason: today's holds
    assert again["reason_of_day"] == "متابعة طلب المستفيد"
    assert ("out", "amal") in [(e["kind"], e["author"]) for e in again["entries"]]
    assert [e["text"] for e in again["entries"] if e["kind"] == "note"] == ["ملاحظة سرية: يحتاج متابعة هاتفية"]
    assert all("ملاحظة سرية" not in row.text for row in _outbox(db, "7070"))  # never queued to the beneficiary
    with Session(db) as tx:
        rows = tx.exec(select(AuditLog).where(AuditLog.target == conv).order_by(col(AuditLog.id))).all()
    assert [(r.action, r.reason) for r in rows if r.action in ("show_personal_data", "view_thread")] == [
        ("show_personal_data", "متابعة طلب المستفيد"), ("view_thread", "متابعة طلب المستفيد")]
    assert client.get(f"/staff/api/threads/{conv}", headers=login(client, "badr")).status_code == 404
    clock.now += timedelta(days=1)
    assert client.get(f"/staff/api/threads/{conv}", headers=amal).status_code == 400  # a new day, a new reason


def test_ready_replies_in_the_beneficiarys_language(client: Client, seeded: Seeded, runtime: Runtime,
                                                    clock: Clock) -> None:
    _urdu_handoff(runtime, clock)
    amal, mudir = login(client, "amal"), login(client, "mudir")
    [item] = [i for i in client.get("/staff/api/inbox", headers=amal).json()["items"] if i["kind"] == "handoff"]
    ready = client.get(f"/staff/api/threads/{item['conversation']}/ready-replies", headers=amal).json()
    greeting = next(r for r in ready if r["id"] == "greeting")
    assert greeting["language"] == "ur" and greeting["text"].startswith("خوش آمدید") and greeting["title_ar"]
    replies: list[dict[str, Any]] = client.get("/staff/api/orgs/esrar/ready-replies", headers=amal).json()
    replies.append({"id": "thanks", "title": {"ar": "شكر"}, "text": {"ar": "شكرًا لك", "ur": "آپ کا شکریہ"}})
    assert client.request("PUT", "/staff/api/orgs/esrar/ready-replies", headers=amal,
                      json={"replies": replies}).status_code == 403  # managers only
    saved = client.request("PUT", "/staff/api/orgs/esrar/ready-replies", headers=mudir, json={"replies": replies})
    assert saved.status_code == 200, saved.text
    ready = client.get(f"/staff/api/threads/{item['conversation']}/ready-replies", headers=amal).json()
    assert {"id": "thanks", "title_ar": "شكر", "language": "ur", "text": "آپ کا شکریہ"} in ready


def test_search_by_phone_name_id_and_reference(client: Client, seeded: Seeded, db: Engine) -> None:
    amal, badr = login(client, "amal"), login(client, "badr")
    for params in ({"phone": "0550000000"}, {"name": "نوره  العتيبى"}, {"id_number": "1012345678"},
                   {"reference": seeded.esrar_overdue.lower()}):
        hits = client.get("/staff/api/search", params=params, headers=amal).json()
        assert len(hits) == 1, params
        assert hits[0]["contact_address"].endswith("•0000") and "96655" not in hits[0]["contact_address"] and seeded.esrar_overdue in hits[0]["requests"]
        assert client.get("/staff/api/search", params=params, headers=badr).json() == []  # not theirs
    assert client.get("/staff/api/search", params={"phone": "1", "name": "x"}, headers=amal).status_code == 400
    with Session(db) as tx:
        searches = tx.exec(select(AuditLog).where(AuditLog.action == "search")).all()
    assert len(searches) == 8 and all("1012345678" not in str(s.details) for s in searches)
    assert {s.details["key"] for s in searches} == {"phone", "name", "id_number", "reference"}


def test_events_stream_tells_of_changes(client: Client, seeded: Seeded, runtime: Runtime, clock: Clock) -> None:
    amal = login(client, "amal")
    first = client.get("/staff/api/inbox/events", params={"timeout": 1}, headers=amal)
    assert first.headers["content-type"].startswith("text/event-stream")
    version = first.text.split("id: ")[1].split("\n")[0]
    assert "event: inbox" in first.text and '"urgent": 1' in first.text
    quiet = client.get("/staff/api/inbox/events", params={"timeout": 1, "since": version}, headers=amal)
    assert "event: inbox" not in quiet.text
    _urdu_handoff(runtime, clock)
    changed = client.get("/staff/api/inbox/events", params={"timeout": 1, "since": version}, headers=amal)
    assert "event: inbox" in changed.text and '"unassigned": 1' in changed.text
    assert client.get("/staff/api/inbox/events", params={"timeout": 1}).status_code == 401


def test_notes_expire_with_the_messages_and_go_with_an_erasure(client: Client, seeded: Seeded, runtime: Runtime,
                                                               db: Engine, clock: Clock) -> None:
    from storage.erase import erase_person
    from storage.models import StaffNote
    from storage.retention import expire

    _urdu_handoff(runtime, clock)
    amal = login(client, "amal")
    [item] = [i for i in client.get("/staff/api/inbox", headers=amal).json()["items"] if i["kind"] == "handoff"]
    for text in ("أولى", "ثانية"):
        assert client.post(f"/staff/api/threads/{item['conversation']}/notes", headers=amal,
                           json={"text": text}).status_code == 200
    later = clock() + timedelta(days=1)
    with transaction(db) as tx:
        kept = expire(tx, "esrar", messages_before=clock() - timedelta(days=1), requests_before=later,
                      complaints_before=later)
        assert "staff_notes" not in kept.counts
        assert expire(tx, "esrar", messages_before=later, requests_before=later, complaints_before=later,
                      dry_run=True).counts["staff_notes"] == 2
    contact_id = int(item["conversation"][1:])
    with transaction(db) as tx:
        erase_person(tx, contact_id)
    with Session(db) as tx:
        assert [n.text for n in tx.exec(select(StaffNote)).all()] == ["", ""]


def test_attachments_and_locations_in_the_thread(client: Client, seeded: Seeded, runtime: Runtime, clock: Clock,
                                                 tmp_path: Path) -> None:
    from bot.messages import Location, Media

    _urdu_handoff(runtime, clock)
    photo = tmp_path / "id-copy.png"
    photo.write_bytes(b"\x89PNG\r\n\x1a\n-a-photo")
    runtime.handle(InboundMessage("telegram", "7070", "tg-ur-3", "", "esrar",
                                  media=(Media(path=str(photo), content_type="image/png", size=17, name="id-copy.png"),)))
    runtime.handle(InboundMessage("telegram", "7070", "tg-ur-4", "", "esrar", location=Location(21.4225, 39.8262)))
    amal = login(client, "amal")
    [item] = [i for i in client.get("/staff/api/inbox", headers=amal).json()["items"] if i["kind"] == "handoff"]
    shown = client.get(f"/staff/api/threads/{item['conversation']}", params={"reason": "مراجعة المرفقات المرسلة"},
                       headers=amal).json()
    [attached] = [a for e in shown["entries"] for a in e["attachments"]]
    assert attached["name"] == "id-copy.png" and attached["content_type"] == "image/png"
    [located] = [e for e in shown["entries"] if e["location"]]
    assert located["map_url"] == "https://maps.google.com/?q=21.4225,39.8262"
    got = client.get(attached["url"], headers=amal)
    assert got.status_code == 200 and got.content == photo.read_bytes()
    assert client.get(attached["url"], headers=login(client, "mudir")).status_code == 400  # no reason of his today
    assert client.get(attached["url"], headers=login(client, "badr")).status_code == 404
