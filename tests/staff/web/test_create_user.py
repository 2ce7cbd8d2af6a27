"""`tawasul staff create-user`: the user it makes can sign in to the API; bad input is refused in Arabic."""

from __future__ import annotations

import io
import json
from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
from sqlmodel import Session, select

from bot.app import Service, create_app
from bot.staff import auth
from bot.staff import cli as staff
from bot.turn.runtime import Runtime
from connectors.config import Settings
from storage.db import get_engine, make_engine, transaction
from storage.migrate import upgrade
from storage.models import AuditLog, Staff
from tests.staff.web.client import Client

NOW = datetime(2026, 11, 22, 7, 30, tzinfo=UTC)


@pytest.fixture
def url(sqlite_url: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    monkeypatch.setenv("DATABASE_URL", sqlite_url)
    upgrade(sqlite_url)
    get_engine.cache_clear()
    engine = make_engine(sqlite_url)
    with transaction(engine) as tx:  # `--as admin` names a real admin (review item 8)
        auth.create_user(tx, "admin", password="correct horse battery", role="admin", org=None)
    engine.dispose()
    yield sqlite_url
    get_engine.cache_clear()


def create(argv: list[str], password: str, monkeypatch: pytest.MonkeyPatch,
           capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    monkeypatch.setattr("sys.stdin", io.StringIO(password + "\n"))
    code = staff.main(["--json", "create-user", *argv, "--password-stdin", "--as", "admin"], now=lambda: NOW)
    out = capsys.readouterr()
    return code, out.out, out.err


def test_create_user_then_sign_in(url: str, monkeypatch: pytest.MonkeyPatch,
                                  capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = create(["amal", "--org", "esrar", "--role", "officer", "--name", "أمل"], "s3cret-pass",
                          monkeypatch, capsys)
    assert code == 0 and json.loads(out) == {"username": "amal", "role": "officer", "org": "esrar", "created": True}
    engine = make_engine(url)
    with Session(engine) as tx:
        user = tx.exec(select(Staff).where(Staff.username == "amal")).one()
        assert user.password_hash and user.password_hash.startswith("scrypt$") and "s3cret" not in user.password_hash
        assert tx.exec(select(AuditLog)).one().action == "staff_create"
    client = Client(create_app(Service(runtime=Runtime(engine=engine), settings=Settings(), channels={})))
    ok = client.post("/staff/api/login", json={"username": "amal", "password": "s3cret-pass"})
    assert ok.status_code == 200 and ok.json()["org"] == "esrar"
    # Running it again resets the password (and may move the user); the old password stops working.
    code, out, _ = create(["amal", "--all-orgs", "--role", "manager"], "another-pass", monkeypatch, capsys)
    assert code == 0 and json.loads(out)["created"] is False and json.loads(out)["org"] is None
    assert client.post("/staff/api/login", json={"username": "amal", "password": "s3cret-pass"}).status_code == 401
    assert client.post("/staff/api/login", json={"username": "amal", "password": "another-pass"}).json()["role"] \
        == "manager"
    engine.dispose()


def test_create_user_refuses_bad_input(url: str, monkeypatch: pytest.MonkeyPatch,
                                       capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = create(["amal", "--org", "nowhere", "--role", "officer"], "long-enough", monkeypatch, capsys)
    assert code == 1 and "لا توجد جمعية" in err
    code, _, err = create(["amal", "--org", "esrar", "--role", "officer"], "short", monkeypatch, capsys)
    assert code == 1 and "قصيرة" in err
    with pytest.raises(SystemExit):
        create(["amal", "--org", "esrar", "--role", "boss"], "long-enough", monkeypatch, capsys)


def test_sessions_end_on_logout_password_reset_and_deactivation(url: str, monkeypatch: pytest.MonkeyPatch,
                                                                 capsys: pytest.CaptureFixture[str]) -> None:
    # Review item 5: logout kept the token valid, a password reset did not end sessions, no deactivation.
    create(["amal", "--org", "esrar", "--role", "officer"], "first-pass-1", monkeypatch, capsys)
    engine = make_engine(url)
    client = Client(create_app(Service(runtime=Runtime(engine=engine), settings=Settings(), channels={})))

    def token(password: str) -> dict[str, str]:
        signed = client.post("/staff/api/login", json={"username": "amal", "password": password})
        assert signed.status_code == 200, signed.text
        return {"Authorization": f"Bearer {signed.json()['access_token']}"}

    first = token("first-pass-1")
    assert client.get("/staff/api/me", headers=first).status_code == 200
    assert client.post("/staff/api/logout", headers=first).status_code == 204
    assert client.get("/staff/api/me", headers=first).status_code == 401  # the token itself is dead

    second = token("first-pass-1")
    create(["amal", "--org", "esrar", "--role", "officer"], "second-pass-2", monkeypatch, capsys)
    assert client.get("/staff/api/me", headers=second).status_code == 401  # reset ends old sessions

    third = token("second-pass-2")
    assert staff.main(["--json", "deactivate", "amal", "--as", "admin"], now=lambda: NOW) == 0
    assert client.get("/staff/api/me", headers=third).status_code == 401
    assert client.post("/staff/api/login", json={"username": "amal", "password": "second-pass-2"}).status_code == 401
    assert staff.main(["--json", "activate", "amal", "--as", "admin"], now=lambda: NOW) == 0
    assert client.get("/staff/api/me", headers=token("second-pass-2")).status_code == 200
    assert staff.main(["--json", "deactivate", "nobody", "--as", "admin"], now=lambda: NOW) != 0
    with Session(engine) as tx:
        actions = [a.action for a in tx.exec(select(AuditLog)).all()]
    assert {"logout", "staff_deactivate", "staff_activate"} <= set(actions)
    engine.dispose()


def test_the_first_user_of_an_empty_database_then_only_real_users(sqlite_url: str, monkeypatch: pytest.MonkeyPatch,
                                                                  capsys: pytest.CaptureFixture[str]) -> None:
    # A fresh installation makes its first admin; after that `--as` must name a real one (review item 8).
    monkeypatch.setenv("DATABASE_URL", sqlite_url)
    get_engine.cache_clear()
    try:
        code, out, _ = create(["root", "--all-orgs", "--role", "admin"], "first admin pass", monkeypatch, capsys)
        assert code == 0 and json.loads(out)["created"] is True
        code, _, err = create(["amal", "--org", "esrar", "--role", "officer"], "long-enough-1", monkeypatch, capsys)
        assert code == 1 and "لا يوجد موظف باسم admin" in err
    finally:
        get_engine.cache_clear()
