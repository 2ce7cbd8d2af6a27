"""Managers keep their association's profile true (issue 13), on SQLite AND PostgreSQL: an edit is validated
(schema and faithfulness to the policy), versioned, audited, and the bot's next answer uses it; a rollback
restores the earlier text. The YAML in orgs/ stays the seed."""

from __future__ import annotations

from typing import Any

from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from bot.messages import InboundMessage
from bot.staff import auth
from bot.turn.runtime import Runtime
from orgs import load_org
from storage.db import transaction
from storage.models import AuditLog
from tests.staff.web.client import Client
from tests.staff.web.conftest import PASSWORD, Seeded, login

NEW_HOURS = {
    "ar": "من الأحد إلى الخميس، من 9 صباحًا حتى 4 عصرًا، والسبت من 10 صباحًا حتى 1 ظهرًا.",
    "en": "Sunday to Thursday, 9 AM to 4 PM, and Saturday 10 AM to 1 PM.",
    "ur": "اتوار سے جمعرات صبح 9 بجے سے شام 4 بجے تک، اور ہفتہ صبح 10 بجے سے دوپہر 1 بجے تک۔",
    "id": "Minggu sampai Kamis pukul 09.00 sampai 16.00, dan Sabtu pukul 10.00 sampai 13.00.",
}


class Asker:
    """A beneficiary asking the bot for the working hours (info menu, topic 2), as on Telegram."""

    def __init__(self, runtime: Runtime, org: str = "esrar", address: str = "7070") -> None:
        self.runtime, self.org, self.address, self.n = runtime, org, address, 0

    def say(self, text: str) -> str:
        self.n += 1
        out = self.runtime.handle(InboundMessage("telegram", self.address, f"tg-{self.address}-{self.n}", text, self.org))
        return "\n".join(m.text for m in out)

    def hours(self) -> str:
        self.say("معلومات")
        return self.say("2")

    def contacts(self) -> str:
        self.say("معلومات")
        return self.say("4")


def audits(db: Engine, action: str) -> list[AuditLog]:
    with Session(db) as tx:
        return list(tx.exec(select(AuditLog).where(AuditLog.action == action).order_by(col(AuditLog.id))).all())


def _manager(db: Engine, username: str, org: str) -> None:
    with transaction(db) as tx:
        auth.create_user(tx, username, password=PASSWORD, role="manager", org=org)


def test_manager_changes_hours_bot_uses_them_and_rollback_restores(client: Client, seeded: Seeded, db: Engine,
                                                                   runtime: Runtime) -> None:
    seed_hours = load_org("esrar").hours["ar"]
    beneficiary = Asker(runtime)
    assert seed_hours in beneficiary.hours()
    _manager(db, "mudira.esrar", "esrar")
    mudira = login(client, "mudira.esrar")

    shown = client.get("/staff/api/orgs/esrar/profile", headers=mudira).json()
    assert shown["version"] == 0 and shown["override"] == {} and shown["editable"]["hours"]["ar"] == seed_hours
    assert {"key": "hours", "answer": None}.items() <= next(a for a in shown["assumptions"] if a["key"] == "hours").items()

    edited = client.post("/staff/api/orgs/esrar/profile", headers=mudira,
                         json={"changes": {"hours": NEW_HOURS}, "note": "الدوام الجديد"})
    assert edited.status_code == 200, edited.text
    assert edited.json()["version"] == 1 and edited.json()["changed"] == ["hours"]
    answer = beneficiary.hours()
    assert NEW_HOURS["ar"] in answer and seed_hours not in answer  # the next answer, without a deploy
    assert load_org("esrar").hours["ar"] == seed_hours  # the YAML seed is untouched

    back = client.post("/staff/api/orgs/esrar/profile/rollback", headers=mudira, json={"version": 0})
    assert back.status_code == 200 and back.json()["version"] == 2 and back.json()["restores"] == 0
    answer = beneficiary.hours()
    assert seed_hours in answer and NEW_HOURS["ar"] not in answer

    again = client.post("/staff/api/orgs/esrar/profile/rollback", headers=mudira, json={"version": 1})
    assert again.json()["version"] == 3 and NEW_HOURS["ar"] in beneficiary.hours()

    history = client.get("/staff/api/orgs/esrar/profile/versions", headers=mudira).json()
    assert [(v["version"], v["actor"], v["restores"]) for v in history] == [
        (3, "mudira.esrar", 1), (2, "mudira.esrar", 0), (1, "mudira.esrar", None)]
    assert history[-1]["note"] == "الدوام الجديد"
    assert [(a.actor, a.target, a.details["version"]) for a in audits(db, "profile_edit")] == [
        ("mudira.esrar", "esrar", 1)]
    assert [a.details["version"] for a in audits(db, "profile_rollback")] == [2, 3]


def test_only_managers_of_the_association(client: Client, seeded: Seeded, db: Engine) -> None:
    body = {"changes": {"hours": NEW_HOURS}}
    officer = login(client, "amal")
    assert client.post("/staff/api/orgs/esrar/profile", headers=officer, json=body).status_code == 403
    assert client.get("/staff/api/orgs/esrar/profile", headers=officer).status_code == 403
    _manager(db, "mudir.namaa", "namaa")
    other = login(client, "mudir.namaa")
    assert client.post("/staff/api/orgs/esrar/profile", headers=other, json=body).status_code == 404
    assert client.post("/staff/api/orgs/namaa/profile", headers=other, json=body).status_code == 200
    assert client.get("/staff/api/orgs/nope/profile", headers=login(client, "mudir")).status_code == 404
    assert audits(db, "profile_edit")[0].actor == "mudir.namaa"


def test_edits_are_validated_against_the_schema_and_the_policy(client: Client, seeded: Seeded, db: Engine) -> None:
    mudir = login(client, "mudir")

    def edit(org: str, changes: dict[str, Any]) -> tuple[int, str]:
        response = client.post(f"/staff/api/orgs/{org}/profile", headers=mudir, json={"changes": changes})
        return response.status_code, (response.json().get("detail") or {}).get("error", "")

    assert edit("esrar", {"hours": {"ar": "من 9 إلى 4"}}) == (400, "missing_language")
    assert edit("esrar", {"deadline": {"kind": "working_days", "bound": "at_most", "days": 5}})[1] == "invalid_profile"
    assert edit("esrar", {"channels": {"whatsapp": "+966500000000"}})[1] == "invalid_profile"  # routing: not here
    assert edit("esrar", {"faq": [{"id": "Bad Id", "question": {"ar": "س"}, "answer": {"ar": "ج"}}]})[1] == \
        "invalid_profile"
    # An FAQ answer promising "at the latest" on Baseera's "not less than two weeks" is refused.
    faq = [f.model_dump(mode="json") for f in load_org("baseera").faq]
    for item in faq:
        if item["id"] == "deadline":
            item["answer"]["en"] = "You will get a reply within 14 days at the latest."
    assert edit("baseera", {"faq": faq}) == (400, "unfaithful")
    assert audits(db, "profile_edit") == []  # nothing refused was stored


def test_services_synonyms_contacts_ready_replies_and_assumption_answers(client: Client, seeded: Seeded, db: Engine,
                                                                         runtime: Runtime) -> None:
    mudir = login(client, "mudir")
    beneficiary = Asker(runtime, org="alhuda", address="8080")
    assert "لم تُنشر لنا أرقام هاتف أو بريد بعد" in beneficiary.contacts()
    services = [s.model_dump(mode="json") for s in load_org("alhuda").services]
    services[2]["synonyms"] = ["فقدت محفظتي"]
    changes = {"channels": {"phone": "+966124220000"}, "services": services,
               "ready_replies": [{"id": "lost_group", "title": {"ar": "فقدان المجموعة"},
                                  "text": {"ar": "نرجو البقاء في مكانك، وسيصلك مندوبنا."}}]}
    response = client.post("/staff/api/orgs/alhuda/profile", headers=mudir, json={"changes": changes})
    assert response.status_code == 200, response.text
    assert "+966124220000" in beneficiary.contacts()  # the published number, told at once
    shown = client.get("/staff/api/orgs/alhuda/profile", headers=mudir).json()
    # A promise no clause covers is recorded as the manager's own statement, not left without a source.
    assert shown["override"]["promises"]["channels.phone"]["assumption"]["answer"].startswith("mudir ")
    assert shown["editable"]["ready_replies"][0]["id"] == "lost_group"
    # A synonym the manager added picks its service from the beneficiary's own words.
    relief = load_org("alhuda").services[2].name["ar"]
    assert beneficiary.say("ابغى اقدم طلب")
    assert relief in beneficiary.say("فقدت محفظتي")

    answered = client.post("/staff/api/orgs/alhuda/assumptions/hours/answer", headers=mudir,
                           json={"answer": "الدوام صحيح، وفي موسم الحج على مدار الساعة"})
    assert answered.status_code == 200 and answered.json()["version"] == 2
    shown = client.get("/staff/api/orgs/alhuda/profile", headers=mudir).json()
    hours = next(a for a in shown["assumptions"] if a["key"] == "hours")
    assert hours["answer"] == "الدوام صحيح، وفي موسم الحج على مدار الساعة"
    assert shown["editable"]["channels"]["phone"] == "+966124220000"  # the earlier edit is kept
    assert client.post("/staff/api/orgs/alhuda/assumptions/deadline.nope/answer", headers=mudir,
                       json={"answer": "xx"}).status_code == 404


def test_console_page_hours_assumption_json_and_rollback(client: Client, seeded: Seeded, db: Engine,
                                                         runtime: Runtime) -> None:
    from tests.staff.web.test_console import csrf_of, sign_in

    seed_hours = load_org("esrar").hours["ar"]
    beneficiary = Asker(runtime, address="9090")
    officer_csrf = sign_in(client, "amal")
    assert client.get("/staff/orgs/esrar/profile").status_code == 403  # managers only
    client.post("/staff/logout", data={"csrf": officer_csrf})
    csrf = sign_in(client, "mudir")
    assert "/staff/orgs/esrar/profile" in client.get("/staff/orgs").text
    page = client.get("/staff/orgs/esrar/profile")
    assert page.status_code == 200 and seed_hours in page.text and "افتراضات بانتظار تأكيد الجمعية" in page.text
    form = {"csrf": csrf, **{f"hours_{lang}": text for lang, text in NEW_HOURS.items()}}
    assert client.post("/staff/orgs/esrar/hours", data={k: v for k, v in form.items() if k != "csrf"}
                       ).status_code == 403  # no CSRF token, nothing changes
    saved = client.post("/staff/orgs/esrar/hours", data=form)
    assert saved.status_code == 303 and saved.headers["location"].endswith("?done=profile")
    assert NEW_HOURS["ar"] in beneficiary.hours()

    page = client.get(saved.headers["location"]).text
    assert "حُفظ التعديل" in page and "mudir" in page
    csrf = csrf_of(page)
    assert client.post("/staff/orgs/esrar/assumptions/hours", data={"csrf": csrf, "answer": "مؤكد من الإدارة"}
                       ).status_code == 303
    bad = client.post("/staff/orgs/esrar/edit", data={"csrf": csrf, "key": "faq", "value": "[{"})
    assert bad.status_code == 400 and "JSON" in bad.text
    assert client.post("/staff/orgs/esrar/rollback", data={"csrf": csrf, "version": "0"}).status_code == 303
    assert seed_hours in beneficiary.hours()
    assert [a.details["version"] for a in audits(db, "profile_edit")] == [1, 2]
    assert [a.details["version"] for a in audits(db, "profile_rollback")] == [3]


def test_ready_replies_appear_in_the_handoff_page(client: Client, seeded: Seeded, db: Engine,
                                                  runtime: Runtime) -> None:
    import re

    from tests.staff.web.test_console import sign_in

    ready = [{"id": "documents", "title": {"ar": "المستندات الناقصة"},
              "text": {"ar": "فضلًا أرسل صورة الهوية هنا في المحادثة، وسنكمل طلبك."}}]
    response = client.post("/staff/api/orgs/esrar/profile", headers=login(client, "mudir"),
                           json={"changes": {"ready_replies": ready}})
    assert response.status_code == 200, response.text
    Asker(runtime, address="6060").say("ابغى اكلم موظف")
    csrf = sign_in(client, "amal")
    [hid] = re.findall(r'href="/staff/handoffs/(H\d+)"', client.get("/staff").text)
    page = client.get(f"/staff/handoffs/{hid}").text
    assert "ردود جاهزة" in page and "المستندات الناقصة" in page and ready[0]["text"]["ar"] in page
    sent = client.post(f"/staff/handoffs/{hid}/reply", data={"csrf": csrf, "text": ready[0]["text"]["ar"]})
    assert sent.status_code == 303
