"""Personal-data requests (PDPL: a copy, a correction, a deletion) as staff see them: scoped to their
associations, the 30-day legal deadline in calendar days, no personal data in the list, and completion
through bot/staffops (audited; the beneficiary is told on their channel, in their language)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlmodel import Session, col, select

from bot.staff import actions as staffops
from bot.staff.actions import StaffError
from bot.staff.auth import Principal
from bot.staff.export import person_copy
from bot.staff.reads import past_due, privacy_out
from bot.staff.schemas import PrivacyCompleteOut, PrivacyOut
from bot.staff.web.errors import BadInput
from bot.staff.web.requests import check_reason, count_rows, find_owned, in_org, scope_org
from storage.models import PrivacyRequest
from storage.queries import audit

KIND_AR = {"access": "نسخة من البيانات", "correction": "تصحيح البيانات", "deletion": "حذف البيانات"}


def privacy_query(org: str | None, status: str) -> Any:
    return in_org(select(PrivacyRequest), PrivacyRequest, org).where(PrivacyRequest.status == status)


def late_privacy_query(org: str | None, now: datetime) -> Any:
    """Open privacy requests past their legal deadline, each association's today in its own time zone."""
    return privacy_query(org, "open").where(past_due(col(PrivacyRequest.org_slug), col(PrivacyRequest.due_date),
                                                     org, now))


def list_privacy(tx: Session, who: Principal, now: datetime, org: str | None = None, status: str = "open",
                 log: bool = True, limit: int = 200, offset: int = 0) -> list[PrivacyOut]:
    """Privacy requests of one status (open by default), soonest legal deadline first; cut in SQL."""
    org = scope_org(who, org)
    query = privacy_query(org, status)
    rows = tx.exec(query.order_by(col(PrivacyRequest.due_date), col(PrivacyRequest.id))
                   .offset(offset).limit(limit)).all()
    if log:
        audit(tx, who.username, "list_privacy", org, now, org_slug=org, status=status, count=count_rows(tx, query))
    return [privacy_out(p, now) for p in rows]


def find_privacy(tx: Session, who: Principal, reference: str) -> PrivacyRequest:
    """The request, if it is one of the caller's; another association's is 'not found' too."""
    return find_owned(tx, who, PrivacyRequest, reference, f"لا يوجد طلب بيانات شخصية بالرقم {reference}")


def privacy(tx: Session, who: Principal, reference: str, now: datetime) -> PrivacyOut:
    found = find_privacy(tx, who, reference)
    audit(tx, who.username, "view_privacy", found.reference, now)
    return privacy_out(found, now)


def complete(tx: Session, who: Principal, reference: str, note: str | None, now: datetime) -> PrivacyCompleteOut:
    found = find_privacy(tx, who, reference)
    if found.status == "done":
        raise BadInput(f"طلب البيانات الشخصية {found.reference} منجز من قبل", "already_done")
    try:
        queued = staffops.complete_privacy(tx, found.reference, (note or "").strip() or None, who.username, now)
    except StaffError as exc:
        raise BadInput(str(exc)) from exc
    return PrivacyCompleteOut(**privacy_out(found, now).model_dump(), queued_messages=queued)


def export(tx: Session, who: Principal, reference: str, reason: str | None, now: datetime) -> tuple[str, str]:
    """(file name, text): the person's data in their language, for an access request (reason, audited)."""
    reason = check_reason(reason)
    found = find_privacy(tx, who, reference)
    if found.kind != "access":
        raise BadInput(f"الطلب {found.reference} ليس طلب نسخة من البيانات", "not_an_access_request")
    text = person_copy(tx, found.contact_id, now)
    audit(tx, who.username, "privacy_export", found.reference, now, reason=reason, characters=len(text))
    return f"{found.reference}.txt", text
