"""Review item 6 (rest): a growing delay after failed sign-ins, per address and per user, instead of a
hard 15-minute lock: a guesser slows themself down, never the user they guess at (on SQLite and
PostgreSQL, through sign_in and the API)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy.engine import Engine

from bot.staff import auth, throttle
from tests.staff.web.client import Client
from tests.staff.web.conftest import PASSWORD, Seeded

T0 = datetime(2026, 11, 22, 8, 0, tzinfo=UTC)


def attempt(db: Engine, at: datetime, password: str = "wrong guess!", user: str = "amal",
            ip: str = "198.51.100.9") -> str | int:
    """'ok', 'no', or the seconds to wait."""
    try:
        return "ok" if auth.sign_in(db, user, password, at, via="test", ip=ip) else "no"
    except auth.LockedOut as exc:
        return exc.retry_after


def test_the_delay_grows_and_waiting_is_enough(db: Engine, seeded: Seeded) -> None:
    assert [attempt(db, T0) for _ in range(5)] == ["no"] * 5  # free
    assert attempt(db, T0) == 1 and attempt(db, T0) == 1  # refused, and refusals do not count
    waits = []
    at = T0
    for _ in range(4):  # each failure after its wait doubles the next wait
        at += timedelta(seconds=2 ** len(waits))
        assert attempt(db, at) == "no"
        waits.append(attempt(db, at))
    assert waits == [2, 4, 8, 16]
    at += timedelta(seconds=16)
    assert attempt(db, at, PASSWORD) == "ok"  # after the wait the right password works: no lock
    assert attempt(db, at) == "no"  # and a success starts the count afresh


def test_a_guesser_never_locks_the_user_out(db: Engine, seeded: Seeded) -> None:
    assert attempt(db, T0, PASSWORD, ip="203.0.113.5") == "ok"  # amal's usual address
    at = T0
    for _ in range(40):  # someone guessing amal's password as fast as the back-off lets them
        result = attempt(db, at, ip="198.51.100.9")
        at += timedelta(seconds=result if isinstance(result, int) else 0)
    assert isinstance(attempt(db, at, ip="198.51.100.9"), int)  # the guesser waits
    assert attempt(db, at, PASSWORD, ip="203.0.113.5") == "ok"  # amal does not
    # From an address she never used, guessing spread over many machines makes her wait at most a minute.
    wait = attempt(db, at, PASSWORD, ip="192.0.2.77")
    assert wait == "ok" or (isinstance(wait, int) and wait <= throttle.MAX_USER)
    if isinstance(wait, int):
        assert attempt(db, at + timedelta(seconds=wait), PASSWORD, ip="192.0.2.77") == "ok"


def test_one_address_trying_many_names_slows_down(db: Engine, seeded: Seeded) -> None:
    names = [f"user{i}" for i in range(throttle.FREE_ADDRESS)]
    assert all(attempt(db, T0, user=name) == "no" for name in names)
    assert attempt(db, T0, user="someone-else") == 1
    assert attempt(db, T0, PASSWORD, ip="203.0.113.5") == "ok"  # another address: unaffected


def test_the_api_answers_429_with_retry_after(client: Client, seeded: Seeded) -> None:
    for _ in range(5):
        assert client.post("/staff/api/login", json={"username": "amal", "password": "wrong guess!"}).status_code \
            == 401
    refused = client.post("/staff/api/login", json={"username": "amal", "password": PASSWORD})
    assert refused.status_code == 429 and refused.headers["Retry-After"] == "1"
    assert "ثانية" in refused.json()["detail"]["message"]


@pytest.mark.parametrize(("failures", "wait"), [(0, 0.0), (4, 0.0), (5, 1.0), (7, 4.0), (30, 900.0)])
def test_backoff(failures: int, wait: float) -> None:
    assert throttle.backoff(failures, free=5, cap=900.0) == wait
