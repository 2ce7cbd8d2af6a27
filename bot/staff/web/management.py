"""For management (R9, R11): satisfaction results per service and the audit log.

Ratings are "a tool for improvement, not for punishment": the summary has counts and averages
only, never who rated. An association's manager reads every audit entry about
their association's data, by anyone (never another association's); a manager of every association (org
null) reads all of them.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime

from sqlmodel import Session, and_, col, or_, select

from bot.staff.auth import Principal
from bot.staff.schemas import AuditOut, RatingsOut, ServiceRatings
from bot.staff.web.errors import Forbidden
from bot.staff.web.requests import in_org, scope_org
from storage.models import AuditLog, Rating, ServiceRequest, Staff
from storage.queries import audit

SCORES = ("1", "2", "3", "4", "5")


def require_manager(who: Principal) -> None:
    if not who.is_manager:
        raise Forbidden("هذه الصفحة للإدارة فقط", "managers_only")


def _average(scores: list[int]) -> float | None:
    return round(sum(scores) / len(scores), 2) if scores else None


def ratings_summary(tx: Session, who: Principal, now: datetime, org: str | None = None) -> RatingsOut:
    require_manager(who)
    org = scope_org(who, org)
    query = in_org(select(Rating, ServiceRequest.service_id).join(
        ServiceRequest, col(Rating.request_id) == col(ServiceRequest.id), isouter=True), Rating, org)
    groups: dict[tuple[str, str], list[int | None]] = defaultdict(list)
    for rating, service_id in tx.exec(query).all():
        key = service_id or ("survey" if rating.survey_id is not None else "general")
        groups[(rating.org_slug, key)].append(rating.score)
    services = []
    every: list[int] = []
    for (org_slug, service), scores in sorted(groups.items()):
        given = [s for s in scores if s is not None]
        every += given
        services.append(ServiceRatings(
            org=org_slug, service=service, count=len(given), declined=len(scores) - len(given),
            average=_average(given), distribution={k: sum(1 for s in given if str(s) == k) for k in SCORES},
        ))
    audit(tx, who.username, "ratings_summary", org, now, org_slug=org)
    return RatingsOut(services=services, total=len(every), average=_average(every))


def audit_log(tx: Session, who: Principal, now: datetime, actor: str | None = None, action: str | None = None,
              limit: int = 200, offset: int = 0) -> list[AuditOut]:
    require_manager(who)
    query = select(AuditLog)
    if who.org is not None:
        # Every row about the association's data, whoever wrote it (another association's staff never
        # can, but an all-associations admin or the system can); and its own staff's rows about no
        # association in particular (sign-ins of a user of another org are that org's).
        own = select(Staff.username).where(Staff.org_slug == who.org)
        query = query.where(or_(AuditLog.org_slug == who.org,
                                and_(col(AuditLog.org_slug).is_(None), col(AuditLog.actor).in_(own))))
    if actor:
        query = query.where(AuditLog.actor == actor)
    if action:
        query = query.where(AuditLog.action == action)
    rows = tx.exec(query.order_by(col(AuditLog.id).desc()).offset(offset).limit(limit)).all()
    out = [AuditOut(id=r.id or 0, actor=r.actor, action=r.action, target=r.target, org=r.org_slug, reason=r.reason,
                    details=dict(r.details or {}), at=r.at) for r in rows]
    audit(tx, who.username, "read_audit_log", who.org, now, org_slug=who.org, of_actor=actor, of_action=action, count=len(out))
    return out
