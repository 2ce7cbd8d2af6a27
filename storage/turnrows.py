"""The statements a turn runs on every message, built once in SQLAlchemy Core.

A turn reads the contact's oldest pending message and session, locks the contact, reads what a flow may
see (requests, complaints, the open alert, the profile's version) and writes the session, the message's
processed mark and the replies. Through the ORM each of those cost 0.4-1 ms of Python on a 2 GHz core
(building the statement, its cache key, loading entities into the identity map, the unit of work's flush);
here each is a statement built at import, run with bound parameters, rows read as tuples: 0.1-0.2 ms.
Only the contact stays an ORM entity: the flows' effects (bot/turn/apply.py) change it.

Sealed columns (texts, session state) are sealed and unsealed by their column types, as through the ORM.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from functools import lru_cache
from typing import Any

from sqlalchemy import Table, bindparam, exists, func, insert, select, union_all, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlmodel import Session

from storage.models import (
    Complaint,
    Contact,
    Conversation,
    InboundRecord,
    OrgProfileVersion,
    OutboundRecord,
    ServiceRequest,
    StatusChange,
    UrgentAlert,
)


def _table(model: Any) -> Table:
    table = model.__table__
    assert isinstance(table, Table)
    return table


IN, SESSION, CONTACT = _table(InboundRecord), _table(Conversation), _table(Contact)
OUT, REQUEST, CHANGE = _table(OutboundRecord), _table(ServiceRequest), _table(StatusChange)
COMPLAINT, ALERT, PROFILE = _table(Complaint), _table(UrgentAlert), _table(OrgProfileVersion)


@dataclass(frozen=True)
class PendingMessage:
    """An accepted message a turn runs (what `build_input` and the intercept hook read of it)."""

    id: int
    contact_id: int
    channel: str
    text: str
    payload: dict[str, Any]


@dataclass(frozen=True)
class SessionRow:
    """A contact's stored conversation: its state, its version (None: no row yet), when it last changed."""

    contact_id: int
    state: dict[str, Any]
    version: int | None
    updated_at: datetime | None


class SessionMoved(RuntimeError):
    """The session changed after the turn read it (a write outside the contact's lock): read again."""


_OLDEST_PENDING = (
    select(IN.c.id, IN.c.contact_id, IN.c.channel, IN.c.text, IN.c.payload,
           SESSION.c.state, SESSION.c.version, SESSION.c.updated_at)
    .select_from(IN.outerjoin(SESSION, SESSION.c.contact_id == IN.c.contact_id))
    .where(IN.c.contact_id == bindparam("contact_id"), IN.c.processed_at.is_(None))
    .order_by(IN.c.id)
    .limit(1)
)


def oldest_pending(tx: Session, contact_id: int) -> tuple[PendingMessage, SessionRow] | None:
    """The contact's oldest message not yet processed, with the contact's session, in one statement."""
    row = tx.connection().execute(_OLDEST_PENDING, {"contact_id": contact_id}).first()
    if row is None:
        return None
    message = PendingMessage(row.id, row.contact_id, row.channel, row.text or "", dict(row.payload or {}))
    return message, SessionRow(contact_id, dict(row.state or {}), row.version, row.updated_at)


def _scalar(query: Any, label: str) -> Any:
    return query.scalar_subquery().label(label)


_PENDING = select(IN.c.id).where(IN.c.contact_id == CONTACT.c.id, IN.c.processed_at.is_(None)).order_by(IN.c.id)
# The contact and, in the same statement, what a turn checks and what tells which reads a flow's context
# needs: on PostgreSQL one round trip where there were seven.
_LOCK = select(
    Contact,
    _scalar(select(SESSION.c.version).where(SESSION.c.contact_id == CONTACT.c.id), "version"),
    _scalar(_PENDING.limit(1), "first"),
    _scalar(_PENDING.limit(1).offset(1), "second"),
    _scalar(select(ALERT.c.created_at).where(ALERT.c.contact_id == CONTACT.c.id, ALERT.c.status == "open")
            .order_by(ALERT.c.id.desc()).limit(1), "alert_at"),
    _scalar(select(func.count()).select_from(COMPLAINT).where(COMPLAINT.c.contact_id == CONTACT.c.id), "complaints"),
    _scalar(select(func.count()).select_from(REQUEST).where(REQUEST.c.contact_id == CONTACT.c.id), "requests"),
    _scalar(select(func.count()).select_from(PROFILE).where(PROFILE.c.org_slug == CONTACT.c.org_slug), "edits"),
).where(CONTACT.c.id == bindparam("contact_id"))
_LOCK_FOR_UPDATE = _LOCK.with_for_update(of=CONTACT)


@dataclass(frozen=True)
class Locked:
    """The contact of a turn, locked, with what the turn checks before it runs and the sizes of what its
    flow may see (a read is skipped when there is nothing to read)."""

    contact: Contact
    version: int | None  # the session's (None: no session yet)
    first: int | None  # the oldest pending message
    more: bool  # another message waits after it
    alert_at: datetime | None  # the open urgent alert's time
    complaints: int
    requests: int
    profile_edited: bool  # staff edited the association's profile (else the seed serves)


def lock_turn(tx: Session, contact_id: int) -> Locked:
    """The contact, locked against another turn for it (FOR UPDATE on PostgreSQL; on SQLite the turn's
    BEGIN IMMEDIATE already serialises writers), with its session's version and the rest of `Locked`."""
    sqlite = tx.get_bind().dialect.name == "sqlite"
    row = tx.execute(_LOCK if sqlite else _LOCK_FOR_UPDATE, {"contact_id": contact_id}).one()
    return Locked(row[0], row.version, row.first, row.second is not None,
                  row.alert_at if isinstance(row.alert_at, datetime) else None, int(row.complaints or 0),
                  int(row.requests or 0), bool(row.edits))


_INSERT_SESSION = insert(SESSION).values(contact_id=bindparam("key"), state=bindparam("state"), version=1,
                                         updated_at=bindparam("now"))
_UPDATE_SESSION = (
    update(SESSION)
    .where(SESSION.c.contact_id == bindparam("key"), SESSION.c.version == bindparam("seen"))
    .values(state=bindparam("state"), version=SESSION.c.version + 1, updated_at=bindparam("now"))
)
_MARK_PROCESSED = (
    update(IN).where(IN.c.id == bindparam("message")).values(processed_at=bindparam("now"), payload=bindparam("payload"))
)
# On PostgreSQL the message's processed mark rides with the session's write (a data-modifying WITH): one
# round trip for both. SQLite has no such WITH: two statements there.
_MARK_CTE = _MARK_PROCESSED.cte("processed")
_SAVE_AND_MARK = {"insert": _INSERT_SESSION.add_cte(_MARK_CTE), "update": _UPDATE_SESSION.add_cte(_MARK_CTE)}


def save_session(tx: Session, row: SessionRow, state: dict[str, Any], now: datetime,
                 processed: tuple[int, dict[str, Any]] | None = None) -> None:
    """Store the session's new state over the version the turn read, and mark the turn's message
    `processed` (its id, its payload) in the same go; SessionMoved if the session changed since (a new row
    that appeared meanwhile fails its primary key: an IntegrityError), and the turn runs again."""
    conn = tx.connection()
    params: dict[str, Any] = {"key": row.contact_id, "state": state, "now": now}
    kind = "insert" if row.version is None else "update"
    if kind == "update":
        params["seen"] = row.version
    if processed is not None and conn.dialect.name == "postgresql":
        done = conn.execute(_SAVE_AND_MARK[kind], {**params, "message": processed[0], "payload": processed[1]})
    else:
        if processed is not None:
            conn.execute(_MARK_PROCESSED, {"message": processed[0], "now": now, "payload": processed[1]})
        done = conn.execute(_INSERT_SESSION if kind == "insert" else _UPDATE_SESSION, params)
    if kind == "update" and done.rowcount != 1:
        raise SessionMoved(f"contact {row.contact_id}'s session changed during its turn")


_INSERT_OUT = insert(OUT).returning(OUT.c.id)
_OUT_TABLE_COLUMNS = tuple(c for c in OUT.columns if c.name != "id")
_OUT_COLUMNS = tuple(c.name for c in _OUT_TABLE_COLUMNS)


def queue_replies(tx: Session, rows: list[OutboundRecord]) -> None:
    """Insert the outbox rows and set their ids, in order. The rows are plain carriers of their values for
    the caller (`OutboundRecord.model_construct`: never added to a session), so the id goes to their dict."""
    conn = tx.connection()
    for row in rows:
        values = {name: row.__dict__[name] for name in _OUT_COLUMNS}  # its values, not the ORM descriptors
        row.__dict__["id"] = int(conn.execute(_INSERT_OUT, values).scalar_one())


@lru_cache(maxsize=16)
def _finish_statement(kind: str, replies: int) -> Any:
    """PostgreSQL: the processed mark, the session's write and the replies in ONE statement (data-modifying
    WITHs); each reply is a SELECT of its values that yields a row only if the session was written, so none
    is queued over a newer session."""
    saved = (_INSERT_SESSION if kind == "insert" else _UPDATE_SESSION).returning(SESSION.c.version).cte("saved")
    rows = [select(*[bindparam(f"{c.name}_{i}", type_=c.type) for c in _OUT_TABLE_COLUMNS])
            .where(exists(select(saved.c.version))) for i in range(replies)]
    return (insert(OUT).from_select(list(_OUT_COLUMNS), rows[0] if replies == 1 else union_all(*rows))
            .add_cte(_MARK_CTE).add_cte(saved).returning(OUT.c.id))


def finish_turn(tx: Session, row: SessionRow, state: dict[str, Any], now: datetime,
                processed: tuple[int, dict[str, Any]], replies: list[OutboundRecord]) -> None:
    """A turn's writes: its message marked processed (id, payload), the session's new state over the version
    the turn read (SessionMoved if it changed since) and its replies queued (their ids set, in order).
    On PostgreSQL one round trip for up to 4 replies; otherwise one statement each."""
    conn = tx.connection()
    if conn.dialect.name != "postgresql" or not replies or len(replies) > 4:
        save_session(tx, row, state, now, processed)
        queue_replies(tx, replies)
        return
    kind = "insert" if row.version is None else "update"
    params: dict[str, Any] = {"key": row.contact_id, "state": state, "now": now, "message": processed[0],
                              "payload": processed[1]}
    if kind == "update":
        params["seen"] = row.version
    for i, reply in enumerate(replies):
        params.update({f"{name}_{i}": reply.__dict__[name] for name in _OUT_COLUMNS})
    ids = sorted(int(i) for i in conn.execute(_finish_statement(kind, len(replies)), params).scalars())
    if len(ids) != len(replies):  # the session was not written: nothing was queued either
        raise SessionMoved(f"contact {row.contact_id}'s session changed during its turn")
    for reply, new_id in zip(replies, ids, strict=True):  # ids are drawn in the order of the rows
        reply.__dict__["id"] = new_id


# ---- what a flow may see ------------------------------------------------------------------------------
_OPEN_ALERT = (
    select(ALERT.c.created_at)
    .where(ALERT.c.contact_id == bindparam("contact_id"), ALERT.c.status == "open")
    .order_by(ALERT.c.id.desc()).limit(1)
)
_COMPLAINTS = (
    select(COMPLAINT.c.reference, COMPLAINT.c.status, COMPLAINT.c.committee, COMPLAINT.c.created_at,
           COMPLAINT.c.outcome)
    .where(COMPLAINT.c.contact_id == bindparam("contact_id")).order_by(COMPLAINT.c.id.desc())
)
_REQUESTS = (
    select(REQUEST.c.id, REQUEST.c.reference, REQUEST.c.service_id, REQUEST.c.status, REQUEST.c.submitted_at,
           REQUEST.c.due_date, REQUEST.c.committees)
    .where(REQUEST.c.contact_id == bindparam("contact_id"))
    .order_by(REQUEST.c.submitted_at.desc(), REQUEST.c.id.desc())
)
_CHANGES = (
    select(CHANGE.c.request_id, CHANGE.c.note, CHANGE.c.actor)
    .where(CHANGE.c.request_id.in_(bindparam("ids", expanding=True))).order_by(CHANGE.c.id)
)
_PROFILE_VERSION = (
    select(PROFILE.c.version, PROFILE.c.override)
    .where(PROFILE.c.org_slug == bindparam("slug")).order_by(PROFILE.c.version.desc()).limit(1)
)


@dataclass(frozen=True)
class RequestRow:
    reference: str
    service_id: str
    status: str
    submitted_at: datetime
    due_date: date | None
    committees: tuple[str, ...]
    last_note: str | None  # the newest change's note, unless the beneficiary wrote it


@dataclass(frozen=True)
class ComplaintRow:
    reference: str
    status: str
    committee: str
    created_at: datetime
    outcome: str | None


def open_alert_at(tx: Session, contact_id: int) -> datetime | None:
    found = tx.connection().execute(_OPEN_ALERT, {"contact_id": contact_id}).scalar_one_or_none()
    return found if isinstance(found, datetime) else None


def complaints_of(tx: Session, contact_id: int) -> list[ComplaintRow]:
    return [ComplaintRow(r.reference, r.status, r.committee, r.created_at, r.outcome)
            for r in tx.connection().execute(_COMPLAINTS, {"contact_id": contact_id})]


def requests_of(tx: Session, contact_id: int) -> list[RequestRow]:
    """The contact's own requests, newest first, each with the note of its newest status change."""
    conn = tx.connection()
    rows = conn.execute(_REQUESTS, {"contact_id": contact_id}).all()
    latest: dict[int, tuple[str | None, str]] = {}
    if rows:
        for change in conn.execute(_CHANGES, {"ids": [r.id for r in rows]}):
            latest[change.request_id] = (change.note, change.actor)
    out = []
    for r in rows:
        note, actor = latest.get(r.id, (None, "beneficiary"))
        out.append(RequestRow(r.reference, r.service_id, r.status, r.submitted_at, r.due_date,
                              tuple(r.committees or ()), note if actor != "beneficiary" else None))
    return out


def profile_version(tx: Session, org_slug: str) -> tuple[int, dict[str, Any]] | None:
    """The newest staff edit of the association's profile: (version, override), or None (the seed)."""
    row = tx.connection().execute(_PROFILE_VERSION, {"slug": org_slug}).first()
    return (int(row.version), dict(row.override or {})) if row is not None else None


# ---- a webhook's accept ---------------------------------------------------------------------------------
_CONTACT_BY_ADDRESS = (
    select(CONTACT.c.id, CONTACT.c.phone)
    .where(CONTACT.c.channel == bindparam("channel"), CONTACT.c.address == bindparam("address"),
           CONTACT.c.org_slug == bindparam("org"))
    .order_by(CONTACT.c.id.desc()).limit(1)
)
_NEW_CONTACT = {dialect: insert_(CONTACT).on_conflict_do_nothing().returning(CONTACT.c.id)
                for dialect, insert_ in (("sqlite", sqlite_insert), ("postgresql", pg_insert))}
_NEW_INBOUND = {dialect: insert_(IN).on_conflict_do_nothing(index_elements=["channel", "provider_id"])
                .returning(IN.c.id) for dialect, insert_ in (("sqlite", sqlite_insert), ("postgresql", pg_insert))}
_TOUCH_CONTACT = (
    update(CONTACT).where(CONTACT.c.id == bindparam("key"))
    .values(last_inbound_at=bindparam("now"), phone=func.coalesce(CONTACT.c.phone, bindparam("phone")))
)


def contact_for(tx: Session, *, org_slug: str, channel: str, address: str, phone: str | None,
                now: datetime) -> int:
    """The id of the contact writing from `address` on `channel` to `org_slug`, created on its first message
    (a concurrent creation by another process is found, not duplicated: the unique key holds)."""
    conn = tx.connection()
    key = {"channel": channel, "address": address, "org": org_slug}
    found = conn.execute(_CONTACT_BY_ADDRESS, key).first()
    if found is not None:
        return int(found.id)
    created = conn.execute(_NEW_CONTACT[conn.dialect.name], {
        "org_slug": org_slug, "channel": channel, "address": address, "phone": phone, "language": None,
        "language_locked": False, "opted_out": False, "last_inbound_at": None, "created_at": now}).scalar()
    if created is not None:
        return int(created)
    return int(conn.execute(_CONTACT_BY_ADDRESS, key).one().id)


def store_inbound(tx: Session, *, contact_id: int, channel: str, provider_id: str, text: str,
                  payload: dict[str, Any], phone: str | None, now: datetime) -> int | None:
    """Store an accepted message and note the contact's last message (and phone, if it had none); the
    message's id, or None when the (channel, provider_id) key already holds it (a provider's retry)."""
    conn = tx.connection()
    found = conn.execute(_NEW_INBOUND[conn.dialect.name], {
        "channel": channel, "provider_id": provider_id, "contact_id": contact_id, "text": text, "payload": payload,
        "received_at": now, "processed_at": None, "attempts": 0, "error": None}).scalar()
    if found is None:
        return None
    conn.execute(_TOUCH_CONTACT, {"key": contact_id, "now": now, "phone": phone})
    return int(found)
