"""Bodies and answers of the staff workspace's reports, timers, field work and audit-page endpoints."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from pydantic import BaseModel, Field

from bot.staff.schemas import AuditOut


class RequestTimer(BaseModel):
    reference: str
    org: str
    service: str
    service_name: str = ""
    status: str
    due_date: date | None
    working_days_left: int | None = Field(description="working days to the deadline; negative once late")
    late: bool


class HandoffTimer(BaseModel):
    id: str
    org: str
    officer: str
    reason: str
    opened_at: datetime
    target_minutes: int = Field(description="the association's first-response target")
    first_response_at: datetime | None
    response_minutes: int | None
    minutes_left: int | None = Field(description="before the first answer: minutes to the target (negative: late)")
    late: bool


class TimersOut(BaseModel):
    requests: list[RequestTimer]
    handoffs: list[HandoffTimer]


class DigestOut(BaseModel):
    org: str
    day: date
    created_at: datetime
    body: dict[str, Any] = Field(description="late requests, handoffs and personal-data requests, with totals")


class AuditPageOut(BaseModel):
    rows: list[AuditOut]
    total: int
    limit: int
    offset: int


class VisitOutcomeIn(BaseModel):
    visited: bool = True
    outcome: str = Field(min_length=2, max_length=2000)


class VisitOutcomeOut(BaseModel):
    reference: str
    visited: bool
    at: datetime


class SiteOut(BaseModel):
    site: str
    name: str
    contacts: int


class SiteNoticeIn(BaseModel):
    text: str = Field(min_length=2, max_length=1000)
    template: str | None = Field(default=None, description="an approved WhatsApp template's purpose (profile)")


class SiteNoticeOut(BaseModel):
    id: int
    org: str
    site: str
    text: str
    template: str | None
    actor: str
    counts: dict[str, int]
    created_at: datetime
