"""SQLModel tables: the one shared store of every channel, flow and staff action.

Personal data (names, ID numbers, phones, health details) lives only in `Contact.phone`,
`ServiceRequest.data` and the message texts; nothing here is ever logged.
Uniqueness (one inbound per provider id, one reference per request) is enforced by the
database, never by read-then-write.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import JSON, Column, Index, UniqueConstraint, event, text
from sqlmodel import Field, SQLModel

from storage.sealed import SealedJSON, SealedText, id_hash_of, name_hash_of


def utcnow() -> datetime:
    return datetime.now(UTC)


def as_utc(moment: datetime) -> datetime:
    """An aware UTC datetime (the store keeps UTC); naive input is taken as UTC."""
    return moment.astimezone(UTC) if moment.tzinfo else moment.replace(tzinfo=UTC)


class Contact(SQLModel, table=True):
    """A beneficiary as reached on one channel address (a phone, a Telegram chat)."""

    # The webhook's look-up is by (channel, address) alone when no org is known yet.
    __table_args__ = (UniqueConstraint("org_slug", "channel", "address"),
                      Index("ix_contact_channel_address", "channel", "address"))
    id: int | None = Field(default=None, primary_key=True)
    org_slug: str = Field(index=True, max_length=32)
    channel: str = Field(max_length=16)  # console | whatsapp | sms | telegram | web
    address: str = Field(max_length=128)  # channel-specific id: E.164 phone, chat id, console name
    phone: str | None = Field(default=None, max_length=32)
    language: str | None = Field(default=None, max_length=8)
    language_locked: bool = False  # the contact chose a language explicitly
    opted_out: bool = False
    last_inbound_at: datetime | None = None  # WhatsApp 24-hour session window
    created_at: datetime = Field(default_factory=utcnow)


class Conversation(SQLModel, table=True):
    """The flow state of one contact (a JSON document owned by the flow engine)."""

    __tablename__ = "conversation_session"
    contact_id: int = Field(primary_key=True, foreign_key="contact.id")
    # The fields being filled in (an ID number, a diagnosis) are sealed at rest (storage/sealed.py).
    state: dict[str, Any] = Field(default_factory=dict, sa_column=Column(SealedJSON, nullable=False))
    version: int = 0
    updated_at: datetime = Field(default_factory=utcnow)


# A request staff still have to answer; the partial indexes below and the board's queries spell it alike
# (literal values: a planner can only match a partial index's condition written out the same way).
OPEN_STATUSES = ("submitted", "under_study", "needs_info", "accepted")
OPEN_SQL = "status IN ({})".format(", ".join(f"'{s}'" for s in OPEN_STATUSES))


class ServiceRequest(SQLModel, table=True):
    __tablename__ = "service_request"
    # The staff board: requests of one status by deadline, and the open ones (all orgs, or one) in deadline
    # order straight from a partial index, so a page of 200 reads 200 index entries, not every open request.
    __table_args__ = (
        Index("ix_service_request_org_slug_status_due_date", "org_slug", "status", "due_date"),
        Index("ix_service_request_open_due", "due_date", "id", sqlite_where=text(OPEN_SQL),
              postgresql_where=text(OPEN_SQL)),
        Index("ix_service_request_open_org_due", "org_slug", "due_date", "id", sqlite_where=text(OPEN_SQL),
              postgresql_where=text(OPEN_SQL)),
    )
    id: int | None = Field(default=None, primary_key=True)
    reference: str = Field(unique=True, max_length=32)
    org_slug: str = Field(index=True, max_length=32)
    contact_id: int = Field(index=True, foreign_key="contact.id")
    service_id: str = Field(max_length=64)
    status: str = Field(default="submitted", max_length=32)
    committees: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    # ID numbers, diagnosis and free text sealed at rest; the ID number also as a keyed hash, to find it by.
    data: dict[str, Any] = Field(default_factory=dict, sa_column=Column(SealedJSON, nullable=False))
    national_id_hash: str | None = Field(default=None, index=True, max_length=64)
    name_hash: str | None = Field(default=None, index=True, max_length=64)  # the full name's keyed hash (search)
    documents: list[dict[str, Any]] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    channel: str = Field(max_length=16)
    language: str = Field(default="ar", max_length=8)
    submitted_at: datetime = Field(default_factory=utcnow)
    due_date: date | None = None
    on_behalf_of: str | None = Field(default=None, max_length=128)  # field representative
    updated_at: datetime = Field(default_factory=utcnow)


@event.listens_for(ServiceRequest, "before_insert")
@event.listens_for(ServiceRequest, "before_update")
def _hash_id_number(_mapper: Any, _connection: Any, target: ServiceRequest) -> None:
    target.national_id_hash = id_hash_of(target.data)
    target.name_hash = name_hash_of(target.data)


class StatusChange(SQLModel, table=True):
    __tablename__ = "request_status_change"
    id: int | None = Field(default=None, primary_key=True)
    request_id: int = Field(index=True, foreign_key="service_request.id")
    status: str = Field(max_length=32)
    note: str | None = None
    actor: str = Field(max_length=64)  # "beneficiary", "system" or a staff username
    at: datetime = Field(default_factory=utcnow)


class Acknowledgement(SQLModel, table=True):
    """The beneficiary's acknowledgement that the data is correct (R4): exact text, time, channel."""

    id: int | None = Field(default=None, primary_key=True)
    request_id: int = Field(index=True, foreign_key="service_request.id")
    contact_id: int = Field(index=True, foreign_key="contact.id")
    text: str
    language: str = Field(max_length=8)
    channel: str = Field(max_length=16)
    at: datetime = Field(default_factory=utcnow)


class Consent(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    contact_id: int = Field(index=True, foreign_key="contact.id")
    purpose: str = Field(max_length=64)  # request_processing | health_data | surveys ...
    granted: bool
    text: str
    channel: str = Field(max_length=16)
    at: datetime = Field(default_factory=utcnow)


class InboundRecord(SQLModel, table=True):
    """Every accepted inbound message; the unique key drops a provider's retry."""

    __tablename__ = "message_in"
    __table_args__ = (UniqueConstraint("channel", "provider_id"),)
    id: int | None = Field(default=None, primary_key=True)
    channel: str = Field(max_length=16)
    provider_id: str = Field(max_length=128)
    contact_id: int = Field(index=True, foreign_key="contact.id")
    text: str = Field(default="", sa_column=Column(SealedText, nullable=False))  # sealed at rest: it holds IDs
    payload: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    received_at: datetime = Field(default_factory=utcnow)
    processed_at: datetime | None = Field(default=None, index=True)
    attempts: int = 0  # turns that failed on this message; at MAX_TURN_ATTEMPTS it is set aside
    error: str | None = None


class OutboundRecord(SQLModel, table=True):
    """The outbox: written in the same transaction as the turn, delivered by a worker."""

    __tablename__ = "message_out"
    id: int | None = Field(default=None, primary_key=True)
    contact_id: int = Field(index=True, foreign_key="contact.id")
    channel: str = Field(max_length=16)
    to_address: str = Field(max_length=128)
    text: str = Field(sa_column=Column(SealedText, nullable=False))  # sealed at rest: a summary holds data
    buttons: list[dict[str, Any]] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    language: str = Field(default="ar", max_length=8)
    session: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    events: list[dict[str, Any]] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    meta: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    in_reply_to: int | None = Field(default=None, foreign_key="message_in.id")
    status: str = Field(default="queued", index=True, max_length=16)
    provider_id: str | None = Field(default=None, index=True, max_length=128)
    attempts: int = 0
    next_attempt_at: datetime = Field(default_factory=utcnow)
    claimed_until: datetime | None = None
    # The earliest send attempt whose outcome is not known yet (set just before the network call, cleared
    # once the provider answered): such a row is reconciled with the provider before any resend.
    attempted_at: datetime | None = None
    last_error: str | None = None
    created_at: datetime = Field(default_factory=utcnow)
    sent_at: datetime | None = None


# The staff board's unresolved complaints and open handoffs, oldest first: walked in order, cut at the page.
UNRESOLVED_SQL = "status != 'resolved'"
OPEN_HANDOFF_SQL = "status = 'open'"


class Complaint(SQLModel, table=True):
    __table_args__ = (Index("ix_complaint_unresolved_filed", "created_at", "id", sqlite_where=text(UNRESOLVED_SQL),
                            postgresql_where=text(UNRESOLVED_SQL)),)
    id: int | None = Field(default=None, primary_key=True)
    reference: str = Field(unique=True, max_length=32)
    org_slug: str = Field(index=True, max_length=32)
    contact_id: int = Field(index=True, foreign_key="contact.id")
    request_reference: str | None = Field(default=None, max_length=32)
    category: str = Field(max_length=64)
    details: str
    attachments: list[dict[str, Any]] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    committee: str = Field(max_length=64)
    status: str = Field(default="open", index=True, max_length=32)  # open | in_progress | resolved | investigating
    outcome: str | None = None
    channel: str = Field(max_length=16)
    created_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow)


class Investigation(SQLModel, table=True):
    """R10: the dated committee record of a complaint escalated for compensation."""

    id: int | None = Field(default=None, primary_key=True)
    complaint_id: int = Field(index=True, foreign_key="complaint.id")
    held_on: date
    committee: str = Field(max_length=64)
    harm_found: bool
    harm_size: str | None = None
    causes: str | None = None
    compensation_decision: str | None = None
    recorded_by: str = Field(max_length=64)
    created_at: datetime = Field(default_factory=utcnow)


class Rating(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    org_slug: str = Field(index=True, max_length=32)
    contact_id: int = Field(index=True, foreign_key="contact.id")
    request_id: int | None = Field(default=None, foreign_key="service_request.id")
    survey_id: int | None = None
    score: int | None = None  # None when the beneficiary declined
    comment: str | None = None
    channel: str = Field(max_length=16)
    created_at: datetime = Field(default_factory=utcnow)


class Handoff(SQLModel, table=True):
    __table_args__ = (Index("ix_handoff_open_opened", "opened_at", "id", sqlite_where=text(OPEN_HANDOFF_SQL),
                            postgresql_where=text(OPEN_HANDOFF_SQL)),)
    id: int | None = Field(default=None, primary_key=True)
    org_slug: str = Field(index=True, max_length=32)
    contact_id: int = Field(index=True, foreign_key="contact.id")
    category: str = Field(max_length=64)
    officer: str = Field(max_length=64)
    reason: str = Field(max_length=64)  # asked | not_understood | unclear_procedure | urgent
    status: str = Field(default="open", index=True, max_length=16)  # open | closed
    opened_at: datetime = Field(default_factory=utcnow)
    last_activity_at: datetime = Field(default_factory=utcnow)
    closed_at: datetime | None = None
    closed_by: str | None = Field(default=None, max_length=64)
    # The one staff member the conversation is with (None: unassigned). Changed only by a conditional
    # UPDATE naming the holder the caller saw (bot/staff/inbox.py), so two claims never both win.
    assignee: str | None = Field(default=None, index=True, max_length=64)
    assigned_at: datetime | None = None


class Volunteer(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    org_slug: str = Field(index=True, max_length=32)
    contact_id: int = Field(index=True, foreign_key="contact.id")
    data: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    created_at: datetime = Field(default_factory=utcnow)


class PrivacyRequest(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    reference: str = Field(unique=True, max_length=32)
    org_slug: str = Field(index=True, max_length=32)
    contact_id: int = Field(index=True, foreign_key="contact.id")
    kind: str = Field(max_length=16)  # access | correction | deletion
    details: str | None = None
    status: str = Field(default="open", index=True, max_length=16)
    due_date: date
    created_at: datetime = Field(default_factory=utcnow)


class UrgentAlert(SQLModel, table=True):
    # Every turn asks for the contact's open alert.
    __table_args__ = (Index("ix_urgentalert_contact_id_status", "contact_id", "status"),)
    id: int | None = Field(default=None, primary_key=True)
    org_slug: str = Field(index=True, max_length=32)
    contact_id: int = Field(foreign_key="contact.id")
    latitude: float | None = None
    longitude: float | None = None
    text: str | None = None
    status: str = Field(default="open", index=True, max_length=16)
    created_at: datetime = Field(default_factory=utcnow)


class Survey(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    org_slug: str = Field(index=True, max_length=32)
    period_start: date
    period_end: date
    question: str
    created_by: str = Field(max_length=64)
    created_at: datetime = Field(default_factory=utcnow)


class Staff(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    username: str = Field(unique=True, max_length=64)
    display_name: str = Field(max_length=128)
    org_slug: str | None = Field(default=None, max_length=32)  # None: all associations
    role: str = Field(default="officer", max_length=32)  # officer | manager | admin
    password_hash: str | None = None
    active: bool = True
    token_version: int = 0  # bumped on logout, password reset and deactivation: older tokens stop working


class AuditLog(SQLModel, table=True):
    """Who did what, when: every staff action and every staff read of personal data."""

    id: int | None = Field(default=None, primary_key=True)
    actor: str = Field(index=True, max_length=64)
    action: str = Field(max_length=64)
    target: str | None = Field(default=None, index=True, max_length=128)  # sign-ins: the address, "ip:..."
    # The association whose data the row is about (None: none in particular, or every association), so a
    # manager reads every row about their association's data, whoever wrote it.
    org_slug: str | None = Field(default=None, index=True, max_length=32)
    reason: str | None = None
    details: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    at: datetime = Field(default_factory=utcnow)


class OrgProfileVersion(SQLModel, table=True):
    """One version of the staff edits of an association's profile, merged over its YAML seed (orgs/).

    Versions are never changed or deleted: an edit adds the next version holding the whole override,
    a rollback adds one that copies an earlier version's override (version 0 is the seed itself).
    The latest version is what the bot serves, in every process, without a deploy.
    """

    __table_args__ = (UniqueConstraint("org_slug", "version"),)
    id: int | None = Field(default=None, primary_key=True)
    org_slug: str = Field(index=True, max_length=32)
    version: int
    override: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    changed: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))  # top-level keys
    actor: str = Field(max_length=64)
    note: str | None = None
    restores: int | None = None  # a rollback: the version whose override this one copies
    created_at: datetime = Field(default_factory=utcnow)


class LateDigest(SQLModel, table=True):
    """One association's daily digest of late work for its manager (bot/staff/timers.py): references and
    counts only, never personal data. One per association and day, enforced by the database, so several
    `serve` processes running the daily job write it once."""

    __tablename__ = "late_digest"
    __table_args__ = (UniqueConstraint("org_slug", "day"),)
    id: int | None = Field(default=None, primary_key=True)
    org_slug: str = Field(max_length=32)
    day: date
    body: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    created_at: datetime = Field(default_factory=utcnow)


class SiteNotice(SQLModel, table=True):
    """A notice staff sent to every contact of one field site (Al-Huda's pilgrims, R15)."""

    __tablename__ = "site_notice"
    id: int | None = Field(default=None, primary_key=True)
    org_slug: str = Field(index=True, max_length=32)
    site: str = Field(max_length=64)
    text: str
    template: str | None = Field(default=None, max_length=64)  # the approved WhatsApp template's purpose
    actor: str = Field(max_length=64)
    counts: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    created_at: datetime = Field(default_factory=utcnow)


class StaffNote(SQLModel, table=True):
    """An internal note on a conversation: staff read it, the beneficiary never receives it (nothing in
    the outbox refers to it)."""

    __tablename__ = "staff_note"
    id: int | None = Field(default=None, primary_key=True)
    org_slug: str = Field(index=True, max_length=32)
    contact_id: int = Field(index=True, foreign_key="contact.id")
    handoff_id: int | None = Field(default=None, foreign_key="handoff.id")
    author: str = Field(max_length=64)
    text: str = Field(sa_column=Column(SealedText, nullable=False))  # sealed at rest: notes quote people
    created_at: datetime = Field(default_factory=utcnow)


class ThreadAccess(SQLModel, table=True):
    """The reason a staff member gave to open one conversation on one day (in the association's time zone):
    one reason a conversation a day, each opening still audited. Unique in the database, so two tabs
    opening at once write one row."""

    __tablename__ = "thread_access"
    __table_args__ = (UniqueConstraint("staff", "contact_id", "day"),)
    id: int | None = Field(default=None, primary_key=True)
    staff: str = Field(max_length=64)
    contact_id: int = Field(index=True, foreign_key="contact.id")
    day: date
    reason: str
    at: datetime = Field(default_factory=utcnow)
