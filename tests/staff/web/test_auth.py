"""Passwords, tokens and CSRF tokens (bot/staff/auth.py), without a database."""

from __future__ import annotations

from bot.staff import auth


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
