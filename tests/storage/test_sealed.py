"""Review item 14 (rest): ID numbers, diagnoses and health free text sealed at rest with a key from the
environment (rotation: several keys, the newest seals, all open; `tawasul db rotate-key`), requests still
found by ID number through a keyed hash, rows written before sealing sealed by the migration, and the
intake summary never echoing the whole ID number on any channel."""

from __future__ import annotations

import json
import random
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from cryptography.fernet import Fernet
from sqlalchemy import inspect, text
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from bot.turn.runtime import Runtime
from storage import cli as dbcli
from storage import sealed
from storage.db import get_engine, make_engine
from storage.migrate import upgrade
from storage.models import Conversation, InboundRecord, ServiceRequest
from storage.queries import requests_by_national_id
from tests.conftest import Clock
from tests.walk import VALID_ANSWERS, Chat, walk_intake

ID_NUMBER, DIAGNOSIS = "1000000008", VALID_ANSWERS["diagnosis"]


def found_in(whole: str, secret: str) -> bool:
    """As written, or as a JSON column escapes it (\\u0633...)."""
    return secret in whole or json.dumps(secret)[1:-1] in whole


def dump(engine: Engine) -> str:
    """Every value of every table, as the database holds it."""
    out: list[str] = []
    with engine.connect() as conn:
        for name in inspect(conn).get_table_names():
            out += ["\t".join(map(str, row)) for row in conn.execute(text(f'SELECT * FROM "{name}"')).all()]
    return "\n".join(out)


@pytest.fixture
def keys(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[str]]:
    """Two fresh keys (the first in use); TAWASUL_DATA_KEY is set from it by `use`."""
    found = [Fernet.generate_key().decode(), Fernet.generate_key().decode()]
    monkeypatch.setenv("TAWASUL_DATA_KEY", found[0])
    sealed.reset()
    yield found
    sealed.reset()


def use(monkeypatch: pytest.MonkeyPatch, *given: str) -> None:
    monkeypatch.setenv("TAWASUL_DATA_KEY", ",".join(given))
    sealed.reset()


def intake(runtime: Runtime, tmp_path: Path, channel: str = "sms") -> list[Any]:
    chat = Chat(runtime, "aleman", "+966557770000", channel=channel)
    walk_intake(chat, tmp_path, first="ابغى اقدم طلب")
    return chat.transcript


def test_sealed_at_rest_open_in_use_and_found_by_id(runtime: Runtime, db: Engine, keys: list[str],
                                                     tmp_path: Path) -> None:
    transcript = intake(runtime, tmp_path)
    whole = dump(db)
    leaks = [line[:300] for line in whole.splitlines() if found_in(line, ID_NUMBER) or found_in(line, DIAGNOSIS)]
    assert leaks == [] and sealed.PREFIX in whole
    with Session(db) as tx:
        [req] = tx.exec(select(ServiceRequest)).all()
        assert req.data["national_id"] == ID_NUMBER and req.data["diagnosis"] == DIAGNOSIS
        assert [r.reference for r in requests_by_national_id(tx, ID_NUMBER)] == [req.reference]
        assert requests_by_national_id(tx, "1087654321") == []
        assert any(m.text == DIAGNOSIS for m in tx.exec(select(InboundRecord)).all())
    # The summary (here over SMS) shows the ID number's last digits only.
    replies = [r.text for _said, out in transcript for r in out]
    assert not any(ID_NUMBER in t for t in replies) and any("••••••0008" in t for t in replies)


def test_rotation_new_key_seals_old_keys_open_then_rotate_key_rewrites(
        runtime: Runtime, db: Engine, keys: list[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    old, new = keys
    intake(runtime, tmp_path)
    before = dump(db)
    use(monkeypatch, new, old)  # a new key in front: the old one still opens
    with Session(db) as tx:
        assert tx.exec(select(ServiceRequest)).one().data["national_id"] == ID_NUMBER
        assert len(requests_by_national_id(tx, ID_NUMBER)) == 1  # found by its hash under the old key
    get_engine.cache_clear()
    try:
        assert dbcli.main(["rotate-key"]) == 0
    finally:
        get_engine().dispose()
        get_engine.cache_clear()
    assert "re-sealed under the newest of 2 key(s)" in capsys.readouterr().out
    after = dump(db)
    assert after != before and not found_in(after, ID_NUMBER)
    use(monkeypatch, new)  # the old key dropped
    with Session(db) as tx:
        req = tx.exec(select(ServiceRequest)).one()
        assert req.data["diagnosis"] == DIAGNOSIS and len(requests_by_national_id(tx, ID_NUMBER)) == 1
        assert tx.exec(select(Conversation)).all()
    use(monkeypatch, old)  # only the old key: a clear error, never garbage
    with Session(db) as tx, pytest.raises(sealed.DataKeyError):
        tx.exec(select(ServiceRequest)).one()


def test_a_malformed_key_is_a_clear_error(monkeypatch: pytest.MonkeyPatch) -> None:
    use(monkeypatch, "not-a-key")
    try:
        with pytest.raises(sealed.DataKeyError, match="Fernet key"):
            sealed.seal("x")
    finally:
        sealed.reset()


def test_without_a_data_key_it_comes_from_the_secret_key(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("TAWASUL_DATA_KEY")
    monkeypatch.setenv("TAWASUL_SECRET_KEY", "s" * 40)
    sealed.reset()
    try:
        first = sealed.keys()
        sealed.reset()
        assert sealed.keys() == first and sealed.unseal(sealed.seal("1000000008")) == "1000000008"
    finally:
        sealed.reset()


def test_the_migration_seals_rows_written_before(sqlite_url: str, keys: list[str]) -> None:
    upgrade(sqlite_url, "0004")
    engine = make_engine(sqlite_url)
    try:
        with engine.begin() as conn:
            conn.execute(text(
                "INSERT INTO contact (org_slug, channel, address, language, language_locked, opted_out, created_at) "
                "VALUES ('aleman', 'sms', '+966550000001', 'ar', 0, 0, '2026-11-01 00:00:00')"))
            conn.execute(text(
                "INSERT INTO service_request (reference, org_slug, contact_id, service_id, status, committees, "
                "data, documents, channel, language, submitted_at, updated_at) VALUES ('AMN-0000-00001', "
                "'aleman', 1, 'financial_aid', 'submitted', '[]', :data, '[]', 'sms', 'ar', "
                "'2026-11-01 00:00:00', '2026-11-01 00:00:00')"),
                {"data": json.dumps({"national_id": ID_NUMBER, "diagnosis": DIAGNOSIS, "city": "جدة"})})
            conn.execute(text(
                "INSERT INTO message_in (channel, provider_id, contact_id, text, payload, received_at, attempts) "
                "VALUES ('sms', 'p1', 1, :t, '{}', '2026-11-01 00:00:00', 0)"), {"t": ID_NUMBER})
        assert found_in(dump(engine), ID_NUMBER) and found_in(dump(engine), DIAGNOSIS)
        upgrade(sqlite_url)
        whole = dump(engine)
        assert not found_in(whole, ID_NUMBER) and not found_in(whole, DIAGNOSIS)
        assert found_in(whole, "جدة")  # only what is sensitive
        with Session(engine) as tx:
            assert tx.exec(select(ServiceRequest)).one().data["national_id"] == ID_NUMBER
            assert tx.exec(select(InboundRecord)).one().text == ID_NUMBER
            assert len(requests_by_national_id(tx, ID_NUMBER)) == 1
    finally:
        engine.dispose()


def test_every_channel_summary_masks_the_id(db: Engine, clock: Clock, keys: list[str], tmp_path: Path) -> None:
    for i, channel in enumerate(("whatsapp", "telegram", "console")):
        runtime = Runtime(engine=db, clock=clock, rng=random.Random(i))
        chat = Chat(runtime, "esrar", f"+96655888000{i}", channel=channel)
        walk_intake(chat, tmp_path, first="ابغى اقدم طلب")
        replies = [r.text for _said, out in chat.transcript for r in out]
        assert not any(ID_NUMBER in t for t in replies), channel


def test_without_any_key_a_development_key_file_is_made_once(monkeypatch: pytest.MonkeyPatch,
                                                             tmp_path: Path) -> None:
    monkeypatch.delenv("TAWASUL_DATA_KEY")
    monkeypatch.delenv("TAWASUL_SECRET_KEY", raising=False)
    monkeypatch.setenv("TAWASUL_DATA_DIR", str(tmp_path))
    sealed.reset()
    try:
        token = sealed.seal("1000000008")
        key_file = tmp_path / "data.key"
        assert key_file.stat().st_mode & 0o777 == 0o600 and list(tmp_path.iterdir()) == [key_file]
        sealed.reset()  # another process: the same key, from the file
        assert sealed.unseal(token) == "1000000008"
    finally:
        sealed.reset()
