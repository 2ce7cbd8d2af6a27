"""Passwords, tokens and CSRF tokens (bot/staff/auth.py); signing in against the database."""

from __future__ import annotations

import threading
from datetime import UTC, datetime

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import select

from bot.staff import auth
from storage.db import transaction
from storage.models import AuditLog


def test_password_hashes_are_salted_and_checked() -> None:
    first, second = auth.hash_password("pass-word-1"), auth.hash_password("pass-word-1")
    assert first != second and first.startswith("scrypt$16384$8$1$")
    assert auth.verify_password("pass-word-1", first) and auth.verify_password("pass-word-1", second)
    assert not auth.verify_password("pass-word-2", first)
    assert not auth.verify_password("pass-word-1", None) and not auth.verify_password("x", "plain-text")


def test_tokens_expire_and_cannot_be_forged() -> None:
    token, expires = auth.issue_token("amal", now=1_000_000, ttl=60)
    assert expires == 1_000_060
    assert auth.read_token(token, now=1_000_059) == "amal"
    assert auth.read_token(token, now=1_000_061) is None
    body, signature = token.split(".")
    other, _ = auth.issue_token("mudir", now=1_000_000, ttl=60)
    assert auth.read_token(other.split(".")[0] + "." + signature, now=1_000_000) is None  # signature of another
    assert auth.read_token(body, now=1_000_000) is None and auth.read_token("", now=0) is None
    assert auth.read_token("a.b.c", now=0) is None


def test_csrf_token_is_bound_to_its_session() -> None:
    assert auth.csrf_ok("session-a", auth.csrf_token("session-a"))
    assert not auth.csrf_ok("session-b", auth.csrf_token("session-a"))
    assert not auth.csrf_ok(None, auth.csrf_token("session-a")) and not auth.csrf_ok("session-a", None)


def test_password_hashing_holds_no_transaction(db: Engine, monkeypatch: pytest.MonkeyPatch) -> None:
    # Review item 2: scrypt ran inside the login's transaction, so a flood of logins queued every webhook
    # and staff page behind it. While a password is being checked, another writer must get through.
    got_through: list[bool] = []

    def hashing_while_someone_writes(password: str, stored: str | None) -> bool:
        def write() -> None:
            with transaction(db) as tx:
                tx.add(AuditLog(actor="webhook", action="probe", at=datetime.now(UTC)))
            got_through.append(True)

        writer = threading.Thread(target=write)
        writer.start()
        writer.join(timeout=5)
        return False

    monkeypatch.setattr(auth, "verify_password", hashing_while_someone_writes)
    assert auth.sign_in(db, "nobody-at-all", "guess", datetime.now(UTC), via="test") is None
    assert got_through == [True]
    with transaction(db) as tx:
        failed = tx.exec(select(AuditLog).where(AuditLog.action == "login_failed")).all()
    assert [a.actor for a in failed] == ["nobody-at-all"]


def test_weak_passwords_and_short_secret_keys_are_refused() -> None:
    # Review item 15: 8 characters and no deny-list; no minimum for TAWASUL_SECRET_KEY.
    assert auth.password_problem("amal", "password123")
    assert auth.password_problem("amal", "amal-2026-x")  # the username inside
    assert auth.password_problem("amal", "aaaaaaaaaaaa")
    assert auth.password_problem("amal", "short-1")
    assert auth.password_problem("amal", "correct horse battery") is None
    import os
    import subprocess
    import sys

    env = {**os.environ, "TAWASUL_SECRET_KEY": "too-short"}
    done = subprocess.run([sys.executable, "-c", "import bot.staff.auth"], env=env, capture_output=True,
                          text=True, timeout=60, check=False)
    assert done.returncode != 0 and "TAWASUL_SECRET_KEY must be at least 32" in done.stderr


def test_parallel_guesses_cannot_pass_the_lockout(db: Engine, seeded: object) -> None:
    # Review item 6: on PostgreSQL 21 parallel guesses got through a limit of 5.
    from concurrent.futures import ThreadPoolExecutor

    moment = datetime.now(UTC)  # one instant: the back-off's first delay never ends during the test

    def guess(i: int) -> str:
        try:
            auth.sign_in(db, "amal", f"wrong guess {i}", moment, via="test")
        except auth.LockedOut:
            return "locked"
        return "checked"

    with ThreadPoolExecutor(max_workers=12) as pool:
        outcomes = list(pool.map(guess, range(24)))
    assert outcomes.count("checked") <= auth.LOCKOUT_AFTER
    assert outcomes.count("locked") >= 24 - auth.LOCKOUT_AFTER


def test_a_reason_for_personal_data_is_words_not_keystrokes() -> None:
    # Review item 11: any five characters passed as the reason for reading someone's personal data.
    from bot.staff.reads import reason_ok

    for weak in ("aaaaa", "12345", "xxxxx xxxxx", "ok ok", "", None, ".....", "abc d"):
        assert not reason_ok(weak), weak
    for fine in ("اتصال المستفيد", "studying the request", "دراسة الشكوى", "مراجعة المحادثة المغلقة"):
        assert reason_ok(fine), fine
