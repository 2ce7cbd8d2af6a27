"""The staff REST API's bodies and answers (pydantic): what /openapi.json documents."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, Literal

from pydantic import BaseModel, Field

Status = Literal["draft", "submitted", "under_study", "needs_info", "accepted", "rejected", "delivered", "closed"]


class LoginIn(BaseModel):
    username: str = Field(min_length=1, max_length=64)
    password: str = Field(min_length=1, max_length=256)


class TokenOut(BaseModel):
    access_token: str
    token_type: Literal["bearer"] = "bearer"
    expires_at: datetime
    username: str
    role: str
    org: str | None


class MeOut(BaseModel):
    username: str
    display_name: str
    role: str
    org: str | None = Field(description="null: every association")
    sees_health_data: bool
    is_manager: bool


class RequestSummary(BaseModel):
    """A request without personal data."""

    reference: str
    org: str
    service: str
    service_name: str
    status: str
    channel: str
    submitted_at: datetime
    due_date: date | None
    due_date_text: str | None = Field(description="Gregorian and Hijri, in Arabic")
    working_days_left: int | None = Field(description="negative when overdue")
    overdue: bool


class HistoryItem(BaseModel):
    status: str
    note: str | None
    actor: str
    at: datetime


class RequestDetail(RequestSummary):
    committees: list[str]
    history: list[HistoryItem]


class PersonalData(BaseModel):
    """Personal data of a request: audited with its reason; health fields only for allowed roles."""

    reference: str
    contact_address: str
    contact_phone: str | None
    language: str
    on_behalf_of: str | None
    data: dict[str, Any]
    documents: list[dict[str, Any]]
    withheld: list[str] = Field(description="fields and documents withheld from this role (health data)")


class StatusIn(BaseModel):
    status: Status
    note: str | None = Field(default=None, max_length=2000)


class StatusOut(BaseModel):
    reference: str
    status: str
    queued_messages: int


class HandoffOut(BaseModel):
    id: str
    org: str
    contact_address: str
    channel: str
    officer: str
    category: str
    reason: str
    status: str
    opened_at: datetime
    waiting_messages: int


class ReplyIn(BaseModel):
    text: str = Field(min_length=1, max_length=4000)


class HandoffActionOut(BaseModel):
    id: str
    status: str


class HandoffMessage(BaseModel):
    at: datetime
    text: str


class InvestigationOut(BaseModel):
    id: int
    held_on: date
    committee: str
    harm_found: bool
    harm_size: str | None
    causes: str | None
    compensation_decision: str | None
    recorded_by: str


class ComplaintOut(BaseModel):
    reference: str
    org: str
    category: str
    committee: str
    status: str
    request_reference: str | None
    outcome: str | None
    channel: str
    filed_at: datetime
    investigations: list[InvestigationOut]


class ComplaintDetails(BaseModel):
    reference: str
    contact_address: str
    details: str
    attachments: list[dict[str, Any]]


class ResolveIn(BaseModel):
    outcome: str = Field(min_length=2, max_length=4000)


class InvestigationIn(BaseModel):
    held_on: date
    committee: str = Field(min_length=1, max_length=64)
    harm_found: bool
    harm_size: str | None = None
    causes: str | None = None
    compensation_decision: str | None = None
    notify: bool = True


class AlertOut(BaseModel):
    id: int
    org: str
    contact_address: str
    channel: str
    latitude: float | None
    longitude: float | None
    text: str | None
    status: str
    created_at: datetime
    masked: bool = Field(default=False, description="a list's view: address masked, location to about 11 km, "
                                                    "text withheld; GET /alerts/{id}?reason= shows the whole")


class ServiceRatings(BaseModel):
    org: str
    service: str = Field(description="service id, 'survey' or 'general'")
    count: int
    declined: int
    average: float | None
    distribution: dict[str, int] = Field(description="score '1'..'5' -> count")


class RatingsOut(BaseModel):
    services: list[ServiceRatings]
    total: int
    average: float | None


class VisitIn(BaseModel):
    date: date
    time: str | None = Field(default=None, pattern=r"^([01]?[0-9]|2[0-3]):[0-5][0-9]$")
    note: str | None = Field(default=None, max_length=500)
    researcher: str | None = Field(default=None, max_length=80, description="the name the family is told")


class VisitOut(BaseModel):
    reference: str
    date: date
    time: str | None
    queued_messages: int


class AuditOut(BaseModel):
    id: int
    actor: str
    action: str
    target: str | None
    org: str | None = Field(default=None, description="the association whose data the row is about")
    reason: str | None
    details: dict[str, Any]
    at: datetime


class ErrorOut(BaseModel):
    detail: dict[str, str] = Field(description='{"error": code, "message": Arabic text for staff}')


class PrivacyOut(BaseModel):
    """A personal-data request (PDPL) without personal data: no details, no contact."""

    reference: str
    org: str
    kind: str = Field(description="access | correction | deletion")
    status: str
    filed_at: datetime
    due_date: date
    due_date_text: str = Field(description="Gregorian and Hijri, in Arabic")
    days_left: int | None = Field(description="calendar days to the 30-day legal deadline; negative when overdue; "
                                              "null once done")
    overdue: bool


class PrivacyCompleteIn(BaseModel):
    note: str | None = Field(default=None, max_length=2000, description="told to the beneficiary (optional)")


class PrivacyCompleteOut(PrivacyOut):
    queued_messages: int
