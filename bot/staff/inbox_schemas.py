"""The JSON shapes of the staff workspace (issue 14) in /openapi.json: the live inbox, ownership, the whole
conversation with its notes, ready replies and search. Lists carry masked addresses only; the whole
address only in a conversation opened with the day's reason."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, Field

from bot.staff.schemas import ComplaintOut, RequestSummary

View = Literal["mine", "unassigned", "all", "closed"]


class InboxItem(BaseModel):
    kind: Literal["handoff", "alert", "complaint"]
    id: str = Field(description='"H12", "A3" or a complaint reference')
    conversation: str = Field(description='the conversation (contact) to open: "C7"')
    org: str
    contact_address: str = Field(description="masked: the last digits only")
    channel: str
    channel_ar: str
    language: str | None
    language_ar: str | None
    service: str | None = Field(description="the service of the person's latest request")
    service_ar: str | None
    field_site: str | None
    field_site_ar: str | None
    category: str | None = Field(description="handoff: the beneficiary category; complaint: its category")
    category_ar: str | None
    officer: str | None = Field(description="the contact officer the policy names for the category")
    officer_ar: str | None
    assignee: str | None = Field(description="the staff member the conversation is with (None: nobody yet)")
    assignee_name: str | None
    status: str
    status_ar: str
    opened_at: datetime
    waiting_seconds: int = Field(description="since the beneficiary last waited for staff")
    unread: int = Field(description="messages from the beneficiary since staff last acted")
    urgent: bool


class InboxCounts(BaseModel):
    mine: int
    unassigned: int
    all: int
    urgent: int
    unread: int


class InboxOut(BaseModel):
    view: View
    items: list[InboxItem]
    counts: InboxCounts
    version: str = Field(description="changes whenever the inbox does (the events stream sends it)")


class AssignIn(BaseModel):
    to: str = Field(min_length=1, max_length=64, description="the colleague's username")


class TransferIn(BaseModel):
    category: str = Field(min_length=1, max_length=64, description="the category whose contact officer takes it")


class OwnershipOut(BaseModel):
    id: str
    conversation: str
    assignee: str | None
    assignee_name: str | None
    category: str
    officer: str
    told: str = Field(description="what the beneficiary was told, in their language")


class Attachment(BaseModel):
    name: str
    content_type: str | None
    size: int | None = None
    url: str | None = Field(description="the file through the staff API (same access rules), if stored")


class ThreadEntry(BaseModel):
    kind: Literal["in", "out", "note"]
    author: str = Field(description='"beneficiary", "bot" or the staff username')
    author_name: str
    at: datetime
    text: str
    language: str | None = None
    gloss_ar: str | None = Field(default=None, description="what the bot understood, in Arabic (non-Arabic messages)")
    attachments: list[Attachment] = []
    location: dict[str, float] | None = None
    map_url: str | None = None
    withheld: bool = Field(default=False, description="a health answer withheld from this role (R12)")


class NoteIn(BaseModel):
    text: str = Field(min_length=1, max_length=4000)


class NoteOut(BaseModel):
    id: int
    conversation: str
    author: str
    author_name: str
    text: str
    at: datetime


class ThreadOut(BaseModel):
    conversation: str
    org: str
    contact_address: str
    channel: str
    language: str | None
    handoff: str | None = Field(description="the open (or latest) handoff")
    handoff_status: str | None
    assignee: str | None
    assignee_name: str | None
    category: str | None
    reason_of_day: str = Field(description="the reason this staff member gave today to open it")
    open_alert: str | None = Field(default=None, description='an urgent alert of theirs still open: "A3"')
    entries: list[ThreadEntry]
    requests: list[RequestSummary]
    complaints: list[ComplaintOut]


class ReadyReplyOut(BaseModel):
    id: str
    title: dict[str, str]
    text: dict[str, str]


class ReadyReplyFor(BaseModel):
    id: str
    title_ar: str
    language: str = Field(description="the beneficiary's language, which `text` is in")
    text: str


class ReadyRepliesIn(BaseModel):
    replies: list[ReadyReplyOut]
    note: str | None = None


class SearchHit(BaseModel):
    conversation: str
    org: str
    contact_address: str = Field(description="masked")
    channel: str
    language: str | None
    matched: str = Field(description="phone | name | id_number | reference")
    requests: list[str]
    complaints: list[str]
    open_handoff: str | None
