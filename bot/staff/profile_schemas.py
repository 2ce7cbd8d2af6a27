"""The staff API's bodies and answers for managers' edits of their association's profile (issue 13)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, Field


class AssumptionOut(BaseModel):
    key: str = Field(description="the promise, e.g. hours, officer.general, studying_body.board")
    note: str
    question: str = Field(description="what the association is asked to confirm")
    answer: str | None


class ProfileOut(BaseModel):
    org: str
    version: int = Field(description="0: the seed profile, unedited")
    editable: dict[str, Any] = Field(description="the parts a manager may change, as the bot serves them now")
    override: dict[str, Any] = Field(description="the staff edits merged over the seed")
    assumptions: list[AssumptionOut]


class ProfileEditIn(BaseModel):
    changes: dict[str, Any] = Field(
        min_length=1,
        description="top-level keys among faq, hours, contact_officers, channels (phone, email, website), "
                    "locations, services, ready_replies, promises; lists and texts replace, mappings merge",
    )
    note: str | None = Field(default=None, max_length=500)


class AssumptionAnswerIn(BaseModel):
    answer: str = Field(min_length=2, max_length=2000)


class RollbackIn(BaseModel):
    version: int = Field(ge=0, description="the version to restore; 0 is the seed")
    note: str | None = Field(default=None, max_length=500)


class ProfileVersionOut(BaseModel):
    org: str
    version: int
    changed: list[str]
    actor: str
    note: str | None
    restores: int | None
    at: datetime
