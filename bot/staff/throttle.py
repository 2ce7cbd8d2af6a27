"""Sign-in back-off (review item 6): a growing delay after repeated failures, per address and per user,
instead of a hard lock on the username, so that nobody can lock a known user out by guessing.

Three counts of failed sign-ins in the last WINDOW, read from the audit log (shared by every process;
an attempt's row names the user as actor and the address as target "ip:203.0.113.7"):

- this user from this address, since their last success from it: FREE_PAIR free, then 1 s, 2 s, 4 s, ...
  up to MAX_PAIR after the latest failure;
- this address, whatever the user (one machine trying many names): FREE_ADDRESS free, then growing;
- this user from every address (guessing spread over many machines): FREE_USER free, then growing up to
  MAX_USER; never applied to an address the user signed in from in the last FAMILIAR days, so the
  real user keeps getting in while the guessers wait.

An attempt made during a delay is refused (429 with Retry-After) without checking the password and
without counting: waiting is all it takes, and refusals never lengthen the delay.

    >>> backoff(6, free=5, cap=900.0)
    2.0
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlmodel import Session, col, func, select

from storage.models import AuditLog

WINDOW = timedelta(minutes=15)
FREE_PAIR, MAX_PAIR = 5, 900.0
FREE_ADDRESS, MAX_ADDRESS = 20, 900.0
FREE_USER, MAX_USER = 20, 60.0
FAMILIAR = timedelta(days=30)
UNKNOWN_ADDRESS = "ip:unknown"


def address_key(ip: str | None) -> str:
    return f"ip:{ip.strip()[:100]}" if ip and ip.strip() else UNKNOWN_ADDRESS


def backoff(failures: int, *, free: int, cap: float) -> float:
    """Seconds to wait after the latest of `failures` failed attempts (0 while under `free`)."""
    if failures < free:
        return 0.0
    return min(cap, 2.0 ** (failures - free))


def _failures(tx: Session, since: datetime, *, actor: str | None = None,
              target: str | None = None) -> tuple[int, datetime | None]:
    query = select(func.count(), func.max(AuditLog.at)).where(AuditLog.action == "login_failed",
                                                             col(AuditLog.at) >= since)
    if actor is not None:
        query = query.where(AuditLog.actor == actor)
    if target is not None:
        query = query.where(AuditLog.target == target)
    count, latest = tx.exec(query).one()
    return int(count), latest


def _last_success(tx: Session, username: str, address: str, since: datetime) -> datetime | None:
    latest: datetime | None = tx.exec(select(func.max(AuditLog.at)).where(
        AuditLog.action == "login", AuditLog.actor == username, AuditLog.target == address,
        col(AuditLog.at) >= since)).one()
    return latest


def _remaining(latest: datetime | None, delay: float, now: datetime) -> float:
    if latest is None or delay <= 0:
        return 0.0
    return max(0.0, delay - (now - _aware(latest, now)).total_seconds())


def wait_before(tx: Session, username: str, address: str, now: datetime) -> float:
    """Seconds this attempt must still wait (0: go ahead and check the password)."""
    start = now - WINDOW
    success = _last_success(tx, username, address, now - FAMILIAR)
    pair_since = start if success is None else max(start, _aware(success, now))  # a success starts afresh
    pair, pair_latest = _failures(tx, pair_since, actor=username, target=address)
    waits = [_remaining(pair_latest, backoff(pair, free=FREE_PAIR, cap=MAX_PAIR), now)]
    if address != UNKNOWN_ADDRESS:
        spread, spread_latest = _failures(tx, start, target=address)
        waits.append(_remaining(spread_latest, backoff(spread, free=FREE_ADDRESS, cap=MAX_ADDRESS), now))
    if success is None:  # an address this user has not signed in from lately
        every, every_latest = _failures(tx, start, actor=username)
        waits.append(_remaining(every_latest, backoff(every, free=FREE_USER, cap=MAX_USER), now))
    return max(waits)


def _aware(moment: datetime, like: datetime) -> datetime:
    """`moment` comparable with `like` (SQLite returns naive UTC datetimes)."""
    if moment.tzinfo is None and like.tzinfo is not None:
        return moment.replace(tzinfo=like.tzinfo)
    return moment
