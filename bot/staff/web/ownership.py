"""Who a handed-off conversation is with: claim, assign to a colleague, transfer to another category's
contact officer. One staff member at a time, enforced by the database: every change is one conditional
UPDATE naming the holder the caller saw, so of two claims at once exactly one wins (the other: Conflict).
The beneficiary is told in their language who is with them now (the first name only).

    >>> with transaction() as tx:                                  # doctest: +SKIP
    ...     claim(tx, who, "H12", now)              # -> OwnershipOut(assignee="amal", told="أمل من ...")
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import or_, update
from sqlmodel import Session, col, select

from bot.flows.base import Reply, Result
from bot.staff.auth import Principal, principal_of
from bot.staff.inbox_schemas import OwnershipOut
from bot.staff.web.errors import ApiError, BadInput, NotFound
from bot.staff.web.work import find_handoff
from bot.turn.notify import context_for, push
from bot.turn.profiles import current_profile
from bot.turn.write import conversation_of
from storage.models import Handoff, Staff
from storage.queries import audit, lock_contact


class Conflict(ApiError):
    """Someone else changed who holds the conversation first (409)."""

    status, code = 409, "taken"


def first_name(tx: Session, username: str | None) -> str | None:
    """A staff member's first name as beneficiaries are told it (never the username or a surname)."""
    if not username:
        return None
    staff = tx.exec(select(Staff).where(Staff.username == username)).first()
    name = (staff.display_name if staff else "") or username
    return name.split()[0] if name.split() else username


def _open(tx: Session, who: Principal, handoff_id: str) -> Handoff:
    found = find_handoff(tx, who, handoff_id)
    if found.status != "open":
        raise BadInput(f"المحادثة H{found.id} مغلقة", "handoff_closed")
    return found


def _move(tx: Session, found: Handoff, seen: str | None, now: datetime, **values: object) -> None:
    """The one race-safe write: succeeds only while the holder is still the one the caller saw."""
    holder = col(Handoff.assignee).is_(None) if seen is None else col(Handoff.assignee) == seen
    done = tx.execute(update(Handoff).where(col(Handoff.id) == found.id, col(Handoff.status) == "open", holder)
                      .values(assigned_at=now, **values))
    if done.rowcount != 1:  # type: ignore[attr-defined]
        raise Conflict("تغيّر المسؤول عن هذه المحادثة قبل قليل؛ حدّث الصفحة.")
    tx.refresh(found)


def _may_move(who: Principal, found: Handoff) -> None:
    if found.assignee not in (None, who.username) and not who.is_manager:
        raise Conflict(f"المحادثة H{found.id} مع زميل آخر؛ يطلب منه أو من الإدارة تحويلها.")


def _tell(tx: Session, found: Handoff, who: Principal, now: datetime, officer_title: bool = False) -> str:
    """Tell the beneficiary, in their language, who is with them now; the text told."""
    contact = lock_contact(tx, found.contact_id)
    ctx = context_for(tx, contact, now)
    name = first_name(tx, found.assignee)
    lines = []
    if officer_title:
        lines.append(ctx.t("I have passed your conversation to the {officer}.",
                           officer=ctx.local(ctx.org.officer_for(found.category).title)))
    if name:
        lines.append(ctx.t("{name} from {org} is with you now and will answer you here.", name=name,
                           org=ctx.local(ctx.org.name)))
    text = "\n".join(lines)
    if text:
        state = dict(conversation_of(tx, contact).state or {})
        event = {"type": "handoff_owner", "handoff": found.id, "assignee": found.assignee}
        push(tx, contact, Result(state, (Reply(text),), (), (event,)), now=now, set_state=False,
             meta={"ownership": who.username})
    return text


def _out(tx: Session, found: Handoff, told: str) -> OwnershipOut:
    return OwnershipOut(id=f"H{found.id}", conversation=f"C{found.contact_id}", assignee=found.assignee,
                        assignee_name=first_name(tx, found.assignee), category=found.category,
                        officer=found.officer, told=told)


def claim(tx: Session, who: Principal, handoff_id: str, now: datetime) -> OwnershipOut:
    """Take an unassigned conversation (taking one's own again changes nothing and tells nobody)."""
    found = _open(tx, who, handoff_id)
    if found.assignee == who.username:
        return _out(tx, found, "")
    if found.assignee is not None:
        raise Conflict(f"المحادثة H{found.id} مع {first_name(tx, found.assignee)} الآن.")
    _move(tx, found, None, now, assignee=who.username)
    told = _tell(tx, found, who, now)
    audit(tx, who.username, "handoff_claim", f"H{found.id}", now, org_slug=found.org_slug)
    return _out(tx, found, told)


def assign(tx: Session, who: Principal, handoff_id: str, to: str, now: datetime) -> OwnershipOut:
    """Give the conversation to a colleague of the same association (an active staff user)."""
    found = _open(tx, who, handoff_id)
    _may_move(who, found)
    colleague = principal_of(tx, to.strip())
    if colleague is None or not colleague.may_see(found.org_slug):
        raise NotFound(f"لا يوجد زميل باسم {to} في هذه الجمعية", "no_such_colleague")
    if colleague.username == found.assignee:
        return _out(tx, found, "")
    _move(tx, found, found.assignee, now, assignee=colleague.username)
    told = _tell(tx, found, who, now)
    audit(tx, who.username, "handoff_assign", f"H{found.id}", now, org_slug=found.org_slug, to=colleague.username)
    return _out(tx, found, told)


def transfer(tx: Session, who: Principal, handoff_id: str, category: str, now: datetime) -> OwnershipOut:
    """Pass the conversation to the contact officer of another beneficiary category (the profile's); with
    them when that officer is a staff user here, else unassigned in that category."""
    found = _open(tx, who, handoff_id)
    _may_move(who, found)
    officers = {o.category: o for o in current_profile(tx, found.org_slug).contact_officers}
    if category not in officers:
        raise BadInput(f"لا يوجد ضابط اتصال للفئة {category} في هذه الجمعية", "no_such_category")
    officer = officers[category].staff
    holder = principal_of(tx, officer)
    new = holder.username if holder is not None and holder.may_see(found.org_slug) else None
    if category == found.category and new == found.assignee:
        raise BadInput("المحادثة عند هذا الضابط أصلًا", "same_officer")
    _move(tx, found, found.assignee, now, assignee=new, category=category, officer=officer)
    told = _tell(tx, found, who, now, officer_title=True)
    audit(tx, who.username, "handoff_transfer", f"H{found.id}", now, org_slug=found.org_slug, category=category,
          to=new)
    return _out(tx, found, told)


def held_by(tx: Session, usernames: set[str]) -> dict[str, str]:
    """username -> first name, for lists."""
    if not usernames:
        return {}
    rows = tx.exec(select(Staff).where(col(Staff.username).in_(usernames))).all()
    return {s.username: (s.display_name.split() or [s.username])[0] for s in rows}


def colleagues(tx: Session, org: str) -> list[tuple[str, str]]:
    """(username, display name) of the active staff who may hold a conversation of `org`."""
    rows = tx.exec(select(Staff).where(Staff.active == True, or_(col(Staff.org_slug) == org,
                                                                  col(Staff.org_slug).is_(None)))
                   .order_by(col(Staff.username))).all()
    return [(s.username, s.display_name) for s in rows]
