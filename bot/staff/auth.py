"""Staff credentials: scrypt password hashes, HMAC-signed expiring tokens, CSRF tokens (stdlib only).

A token is ``base64url(json) + "." + base64url(hmac_sha256)``, e.g. the payload
``{"u": "amal", "exp": 1764000000, "n": "k3…"}``. The key is ``TAWASUL_SECRET_KEY``; without it a
random key is made per process, so tokens die with the process (set the key when several
`serve` processes sit behind a load balancer). A token is only as good as the staff row behind
it: every request re-reads the row, so deactivating a user ends their sessions at once.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import math
import os
import secrets
import time
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import text
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from bot.staff.throttle import FREE_PAIR, address_key, wait_before
from storage.db import is_sqlite, transaction
from storage.models import AuditLog, Staff

ROLES = ("officer", "medical", "manager", "admin")
HEALTH_ROLES = frozenset({"medical", "manager", "admin"})  # may read health data (R12)
MANAGER_ROLES = frozenset({"manager", "admin"})  # ratings, audit log (R9, R11)
TOKEN_TTL_SECONDS = int(os.environ.get("TAWASUL_STAFF_TOKEN_TTL", str(8 * 3600)))
MIN_PASSWORD = 10
MIN_SECRET_KEY = 32
# The passwords tried first by anyone guessing (and their Arabic-keyboard look-alikes): never accepted.
COMMON_PASSWORDS = frozenset({
    "password", "password1", "password12", "password123", "passw0rd", "qwerty", "qwerty123", "qwertyuiop",
    "1234567890", "0123456789", "123456789", "12345678910", "1q2w3e4r5t", "1qaz2wsx3edc", "iloveyou",
    "welcome123", "admin12345", "administrator", "letmein123", "abc1234567", "abcdefghij", "asdfghjkl",
    "zxcvbnm123", "superman12", "football12", "changeme12", "tawasul123", "ضصثقفغعهخح", "شسيبلاتنمك",
})
LOCKOUT_AFTER = FREE_PAIR  # failed sign-ins of one user from one address before the back-off starts
_SCRYPT = {"n": 2**14, "r": 8, "p": 1}


def _secret_key() -> bytes:
    """TAWASUL_SECRET_KEY (at least MIN_SECRET_KEY characters), or a random key for this process alone."""
    given = os.environ.get("TAWASUL_SECRET_KEY", "")
    if given and len(given) < MIN_SECRET_KEY:
        raise RuntimeError(f"TAWASUL_SECRET_KEY must be at least {MIN_SECRET_KEY} characters")
    return given.encode() or secrets.token_bytes(32)


_KEY: bytes = _secret_key()


def password_problem(username: str, password: str) -> str | None:
    """Why a new password is refused (Arabic, for staff), or None when it is acceptable."""
    if len(password) < MIN_PASSWORD:
        return f"كلمة المرور قصيرة: {MIN_PASSWORD} أحرف على الأقل"
    folded = password.strip().lower()
    if folded in COMMON_PASSWORDS or len(set(folded)) < 4 or (username and username.lower() in folded):
        return "كلمة المرور سهلة التخمين؛ اختر عبارة أطول لا تتضمن اسم المستخدم"
    return None


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def hash_password(password: str) -> str:
    """``scrypt$n$r$p$salt$hash``; a fresh 16-byte salt every time."""
    salt = secrets.token_bytes(16)
    digest = hashlib.scrypt(password.encode(), salt=salt, dklen=32, **_SCRYPT)
    return f"scrypt${_SCRYPT['n']}${_SCRYPT['r']}${_SCRYPT['p']}${_b64(salt)}${_b64(digest)}"


def verify_password(password: str, stored: str | None) -> bool:
    if not stored or not stored.startswith("scrypt$"):
        # Same cost as a real check, so a missing user does not answer faster than a wrong password.
        hashlib.scrypt(password.encode(), salt=b"0" * 16, dklen=32, **_SCRYPT)
        return False
    _, n, r, p, salt, digest = stored.split("$")
    again = hashlib.scrypt(password.encode(), salt=_unb64(salt), dklen=32, n=int(n), r=int(r), p=int(p))
    return hmac.compare_digest(again, _unb64(digest))


def _sign(payload: bytes) -> str:
    return _b64(hmac.new(_KEY, payload, hashlib.sha256).digest())


def issue_token(username: str, now: float | None = None, ttl: int = TOKEN_TTL_SECONDS,
                version: int = 0) -> tuple[str, int]:
    """(token, expiry as a Unix time); `version` is the user's token version (see `revoke_sessions`)."""
    expires = int((now if now is not None else time.time()) + ttl)
    payload = json.dumps({"u": username, "exp": expires, "v": version, "n": secrets.token_urlsafe(8)},
                         separators=(",", ":"))
    body = _b64(payload.encode())
    return f"{body}.{_sign(body.encode())}", expires


def read_token(token: str, now: float | None = None) -> str | None:
    """The username in a valid, unexpired token; None otherwise (never raises on bad input)."""
    session = read_session(token, now)
    return session[0] if session else None


def read_session(token: str, now: float | None = None) -> tuple[str, int] | None:
    """(username, token version) of a valid, unexpired token; None otherwise (never raises on bad input)."""
    body, _, signature = token.strip().partition(".")
    if not body or not signature or not hmac.compare_digest(signature, _sign(body.encode())):
        return None
    try:
        payload = json.loads(_unb64(body))
    except ValueError:
        return None
    if not isinstance(payload, dict) or int(payload.get("exp", 0)) < (now if now is not None else time.time()):
        return None
    username, version = payload.get("u"), payload.get("v", 0)
    if not isinstance(username, str) or not isinstance(version, int):
        return None
    return username, version


def csrf_token(session: str) -> str:
    """The form token bound to one session (or one pre-login cookie)."""
    return _sign(b"csrf|" + session.encode())


def csrf_ok(session: str | None, token: str | None) -> bool:
    return bool(session and token and hmac.compare_digest(token, csrf_token(session)))


class LockedOut(Exception):
    """Too many recent failed sign-ins (bot/staff/throttle.py): try again after `retry_after` seconds.
    The caller answers 429 with Retry-After. Not a lock: waiting is enough, and it never grows by itself."""

    def __init__(self, username: str, retry_after: float) -> None:
        super().__init__(username)
        self.retry_after = max(1, math.ceil(retry_after))


@dataclass(frozen=True)
class Principal:
    """The signed-in staff member as every handler sees them."""

    username: str
    role: str
    org: str | None  # None: every association
    display_name: str

    @property
    def sees_health(self) -> bool:
        return self.role in HEALTH_ROLES

    @property
    def is_manager(self) -> bool:
        return self.role in MANAGER_ROLES

    def may_see(self, org_slug: str) -> bool:
        return self.org is None or self.org == org_slug


def principal_of(tx: Session, username: str, version: int | None = None) -> Principal | None:
    """The active staff member `username`; with a token's `version`, only while that version is current."""
    staff = tx.exec(select(Staff).where(Staff.username == username)).first()
    if staff is None or not staff.active or (version is not None and version != staff.token_version):
        return None
    return Principal(staff.username, staff.role, staff.org_slug, staff.display_name)


def revoke_sessions(tx: Session, username: str) -> bool:
    """End every session of a user (logout, password reset, deactivation): their tokens stop working."""
    staff = tx.exec(select(Staff).where(Staff.username == username)).first()
    if staff is None:
        return False
    staff.token_version += 1
    tx.add(staff)
    return True


def set_active(tx: Session, username: str, active: bool) -> bool:
    """Deactivate (every session ends) or reactivate a staff user; False when there is no such user."""
    staff = tx.exec(select(Staff).where(Staff.username == username)).first()
    if staff is None:
        return False
    staff.active = active
    if not active:
        staff.token_version += 1
    tx.add(staff)
    return True


def token_for(tx: Session, who: Principal) -> tuple[str, int]:
    """A new session token for a signed-in staff member, at their current token version."""
    staff = tx.exec(select(Staff).where(Staff.username == who.username)).one()
    return issue_token(who.username, version=staff.token_version)


def sign_in(engine: Engine, username: str, password: str, now: datetime, via: str,
            ip: str | None = None) -> Principal | None:
    """Check a password, audited either way; None when wrong. Raises LockedOut while a back-off after
    repeated failures (of this user from this address, of this address, or of this user from unfamiliar
    addresses) is running; see bot/staff/throttle.py.

    The slow part (scrypt, tens of milliseconds) runs between two short transactions, never inside one:
    a flood of logins must not hold the database (or, on SQLite, this process's writer queue) while it
    hashes, or every webhook and staff page would wait behind it.
    """
    username = username.strip()[:64]
    address = address_key(ip)
    with transaction(engine) as tx:
        if not is_sqlite(engine):
            # One attempt per username, then per address, at a time (always in this order: no deadlock);
            # SQLite serialises writers anyway.
            for key in (username, address):
                tx.exec(text("SELECT pg_advisory_xact_lock(hashtext(:k))").bindparams(k=key))  # type: ignore[call-overload]
        wait = wait_before(tx, username, address, now)
        if wait > 0:
            raise LockedOut(username, wait)
        staff = tx.exec(select(Staff).where(Staff.username == username)).first()
        stored = staff.password_hash if staff is not None and staff.active else None
        # The attempt counts as failed from now on, so parallel guesses see it before its hash is done.
        attempt = AuditLog(actor=username, action="login_failed", target=address, details={"via": via}, at=now,
                           org_slug=staff.org_slug if staff is not None else None)
        tx.add(attempt)
        tx.flush()
        attempt_id = attempt.id
    ok = verify_password(password, stored)  # constant work for unknown users too
    if not ok or stored is None:
        return None
    with transaction(engine) as tx:
        who = principal_of(tx, username)
        row = tx.get(AuditLog, attempt_id)
        if who is not None and row is not None:
            row.action = "login"
            tx.add(row)
    return who


def create_user(tx: Session, username: str, *, password: str, role: str, org: str | None,
                display_name: str | None = None) -> tuple[Staff, bool]:
    """Create a staff user, or reset an existing one's password, role and org; (row, created).

    Raises ValueError (Arabic, for staff) for a bad role, org, username or a short password."""
    if role not in ROLES:
        raise ValueError(f"الدور غير معروف؛ الأدوار: {'، '.join(ROLES)}")
    problem = password_problem(username, password)
    if problem:
        raise ValueError(problem)
    if not username or len(username) > 64 or not username.isprintable() or " " in username:
        raise ValueError("اسم المستخدم غير صالح")
    if org is not None:
        from orgs.loader import OrgNotFound, load_org

        try:
            load_org(org)  # a typo would make a user who sees nothing
        except OrgNotFound as exc:
            raise ValueError(f"لا توجد جمعية بالرمز {org}") from exc
    staff = tx.exec(select(Staff).where(Staff.username == username)).first()
    created = staff is None
    staff = staff or Staff(username=username, display_name=display_name or username)
    staff.role, staff.org_slug, staff.password_hash, staff.active = role, org, hash_password(password), True
    if not created:
        staff.token_version += 1  # a reset password ends the sessions opened with the old one
    if display_name:
        staff.display_name = display_name
    tx.add(staff)
    tx.flush()
    return staff, created
