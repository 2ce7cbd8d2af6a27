"""R15 field sites: a Telegram `/start alhuda-SITE` link records the site on the request it leads to."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from sqlmodel import Session, select

from bot.messages import InboundMessage
from bot.turn.runtime import Runtime
from connectors.config import Settings
from connectors.telegram.channel import TelegramChannel
from orgs.directory import OrgDirectory
from storage.models import ServiceRequest
from tests.walk import Chat, walk_intake

START = Path(__file__).parents[1] / "fixtures" / "telegram" / "start_deeplink.json"


def _start(text: str) -> dict[str, Any]:
    update: dict[str, Any] = json.loads(START.read_text(encoding="utf-8"))
    update["message"]["text"] = text
    return update


@pytest.mark.parametrize(("link", "org", "site"), [
    ("/start alhuda-juhfa_miqat", "alhuda", "juhfa_miqat"),
    ("/start alhuda-nowhere", "alhuda", None),  # a site the profile does not list is not recorded
    ("/start alhuda", "alhuda", None),
])
def test_deep_link_carries_the_field_site(link: str, org: str, site: str | None) -> None:
    (msg,) = TelegramChannel(Settings(directory=OrgDirectory())).parse_update(_start(link)).messages
    assert msg.org_slug == org and msg.text == ""
    assert msg.raw["field_site"] == site


def test_plain_text_has_no_field_site() -> None:
    (msg,) = TelegramChannel(Settings(directory=OrgDirectory())).parse_update(_start("السلام عليكم")).messages
    assert "field_site" not in msg.raw


def _link(runtime: Runtime, address: str, site: str | None, provider_id: str) -> None:
    runtime.handle(InboundMessage("telegram", address, provider_id, org_slug="alhuda", raw={"field_site": site}))


def test_request_from_a_field_site_records_it(runtime: Runtime, tmp_path: Path) -> None:
    _link(runtime, "7001", "juhfa_miqat", "fs1")
    replies = walk_intake(Chat(runtime, "alhuda", "7001", channel="telegram"), tmp_path)
    assert any(e["type"] == "request_submitted" for r in replies for e in r.events)
    _link(runtime, "7002", "rabigh_city", "fs2")
    _link(runtime, "7002", None, "fs3")  # a later plain link: no site any more
    walk_intake(Chat(runtime, "alhuda", "7002", channel="telegram"), tmp_path)
    with Session(runtime.engine) as tx:
        requests = {r.contact_id: r.data for r in tx.exec(select(ServiceRequest)).all()}
    sites = sorted(str(d.get("field_site")) for d in requests.values())
    assert sites == ["None", "juhfa_miqat"]
