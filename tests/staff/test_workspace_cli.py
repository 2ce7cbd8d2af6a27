"""`tawasul staff inbox|claim|assign|transfer|thread|note|search|ready-replies`: the workspace from the command
line, held to the `--as` user as the API is (another association's conversation is "not found")."""

from __future__ import annotations

import random

import pytest
from sqlalchemy.engine import Engine

from bot.messages import InboundMessage
from bot.staff import auth
from bot.turn.runtime import Runtime
from storage.db import transaction
from tests.staff.test_cli import NOW, engine, queued, run  # noqa: F401 - the engine fixture


def test_the_workspace_from_the_command_line(engine: Engine, capsys: pytest.CaptureFixture[str]) -> None:  # noqa: F811
    with transaction(engine) as tx:
        auth.create_user(tx, "badr", password="correct horse battery", role="officer", org="namaa")
    runtime = Runtime(engine=engine, clock=lambda: NOW, rng=random.Random(3))
    runtime.handle(InboundMessage("whatsapp", "+966501230000", f"m-{random.random()}", "مجھے انسان سے بات کرنی ہے",
                                  "esrar"))
    code, box = run(["inbox", "--view", "unassigned", "--as", "officer.general"], capsys)
    assert code == 0 and [i["kind"] for i in box["items"] if i["kind"] == "handoff"] == ["handoff"]
    [item] = [i for i in box["items"] if i["kind"] == "handoff"]
    assert item["contact_address"].endswith("0000") and "96650123" not in item["contact_address"]
    assert run(["claim", item["id"], "--as", "badr"], capsys)[0] == 1  # another association's: not found
    code, claimed = run(["claim", item["id"], "--as", "officer.general"], capsys)
    assert code == 0 and claimed["assignee"] == "officer.general" and queued(engine, "+966501230000")[-1].language == "ur"
    code, moved = run(["transfer", item["id"], "--category", "productive_families", "--as", "officer.general"], capsys)
    assert code == 0 and moved["assignee"] == "officer.families"  # that officer is a staff user here
    assert run(["thread", item["conversation"], "--as", "officer.general"], capsys)[0] == 1  # no reason yet
    code, shown = run(["thread", item["conversation"], "--reason", "متابعة طلب المستفيد", "--as", "officer.general"],
                      capsys)
    assert code == 0 and shown["entries"][0]["gloss_ar"] and shown["entries"][0]["language"] == "ur"
    code, _ = run(["note", item["conversation"], "لا يُرسل أبدًا", "--as", "officer.general"], capsys, minutes=2)
    assert code == 0 and all("لا يُرسل" not in o.text for o in queued(engine, "+966501230000"))
    code, ready = run(["ready-replies", item["conversation"], "--as", "officer.general"], capsys)
    assert code == 0 and {r["language"] for r in ready} == {"ur"}
    code, hits = run(["search", "--phone", "0501230000", "--as", "officer.general"], capsys)
    assert code == 0 and [h["conversation"] for h in hits] == [item["conversation"]]
    assert run(["search", "--phone", "0501230000", "--as", "badr"], capsys)[1] == []
