"""Managers' endpoints for their association's profile, under the staff API (/staff/api/orgs/...).

    GET  /staff/api/orgs/esrar/profile                       what the bot serves, the edits, the assumptions
    POST /staff/api/orgs/esrar/profile                       {"changes": {...}, "note": "..."} -> the new version
    GET  /staff/api/orgs/esrar/profile/versions              who changed what, when
    POST /staff/api/orgs/esrar/profile/rollback              {"version": 2} (0: the seed) -> a new version
    POST /staff/api/orgs/esrar/assumptions/hours/answer      {"answer": "..."}
"""

# No `from __future__ import annotations`: FastAPI must see the Annotated aliases.

from fastapi import APIRouter

from bot.staff.profile_schemas import (
    AssumptionAnswerIn,
    ProfileEditIn,
    ProfileOut,
    ProfileVersionOut,
    RollbackIn,
)
from bot.staff.web import profiles
from bot.staff.web.api import ERRORS, Who
from bot.staff.web.backend import Store
from storage.db import transaction

router = APIRouter(prefix="/staff/api/orgs", tags=["profiles"], responses=ERRORS)


@router.get("/{org}/profile", response_model=ProfileOut, summary="The profile as the bot serves it (managers)")
def get_profile(b: Store, who: Who, org: str) -> ProfileOut:
    with transaction(b.engine) as tx:
        return profiles.show(tx, who, org)


@router.post("/{org}/profile", response_model=ProfileVersionOut,
             summary="Edit FAQ, hours, contacts, services, ready replies (managers; validated, versioned, audited)")
def edit_profile(b: Store, who: Who, org: str, body: ProfileEditIn) -> ProfileVersionOut:
    with transaction(b.engine) as tx:
        return profiles.edit(tx, who, org, body.changes, body.note, b.clock())


@router.get("/{org}/profile/versions", response_model=list[ProfileVersionOut],
            summary="The history of the profile's edits, newest first (managers)")
def profile_versions(b: Store, who: Who, org: str) -> list[ProfileVersionOut]:
    with transaction(b.engine) as tx:
        return profiles.history(tx, who, org)


@router.post("/{org}/profile/rollback", response_model=ProfileVersionOut,
             summary="Restore an earlier version (0: the seed) as a new version (managers)")
def rollback_profile(b: Store, who: Who, org: str, body: RollbackIn) -> ProfileVersionOut:
    with transaction(b.engine) as tx:
        return profiles.rollback(tx, who, org, body.version, body.note, b.clock())


@router.post("/{org}/assumptions/{key}/answer", response_model=ProfileVersionOut,
             summary="The association's answer to an assumption awaiting it (managers)")
def answer_assumption(b: Store, who: Who, org: str, key: str, body: AssumptionAnswerIn) -> ProfileVersionOut:
    with transaction(b.engine) as tx:
        return profiles.answer_assumption(tx, who, org, key, body.answer, b.clock())
