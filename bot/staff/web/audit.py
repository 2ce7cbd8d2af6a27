"""The audit log as managers browse it: scoped to their association's data exactly as GET /staff/api/audit
is (every row about its data, whoever wrote it; its own staff's rows about no association), filtered by
staff member, action, record and period, paged and counted in SQL, newest first.

    >>> with transaction() as tx:                                              # doctest: +SKIP
    ...     rows, total = audit_page(tx, who, now, action="show_personal_data", limit=50, offset=0)
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlmodel import Session, and_, col, func, or_, select

from bot.staff.auth import Principal
from bot.staff.schemas import AuditOut
from bot.staff.web.errors import Forbidden
from bot.staff.web.requests import scope_org
from orgs.loader import OrgNotFound, load_org
from storage.models import AuditLog, Staff
from storage.queries import audit

ACTION_AR = {
    "show_personal_data": "اطلاع على بيانات شخصية", "set_status": "تغيير حالة طلب", "handoff_reply": "رد في محادثة",
    "handoff_release": "إنهاء إحالة", "handoff_open_for_alert": "فتح محادثة مع صاحب بلاغ",
    "schedule_visit": "جدولة زيارة ميدانية", "visit_outcome": "نتيجة زيارة ميدانية",
    "site_notice": "تعميم على موقع ميداني", "export_list": "تصدير قائمة", "export_personal_data": "تصدير ببيانات شخصية",
    "late_digest": "ملخص المتأخرات اليومي", "read_late_digest": "اطلاع على ملخص المتأخرات",
    "login": "تسجيل دخول", "login_failed": "محاولة دخول فاشلة", "logout": "تسجيل خروج",
    "read_audit_log": "اطلاع على سجل التدقيق", "monthly_report": "التقرير الشهري", "list": "عرض القوائم",
    "list_requests": "عرض الطلبات", "list_complaints": "عرض الشكاوى", "list_handoffs": "عرض المحادثات المحالة",
    "list_alerts": "عرض البلاغات العاجلة", "list_privacy": "عرض طلبات البيانات الشخصية", "list_timers": "عرض المواعيد",
    "view_dashboard": "فتح لوحة العمل", "view_request": "فتح طلب", "view_complaint": "فتح شكوى",
    "view_handoff": "فتح محادثة", "view_privacy": "فتح طلب بيانات شخصية",
    "complaint_resolve": "إغلاق شكوى", "investigation_record": "محضر تحقيق", "alert_acknowledge": "استلام بلاغ عاجل",
    "privacy_complete": "إنجاز طلب بيانات شخصية", "privacy_erase": "محو بيانات شخصية",
    "privacy_export": "تنزيل نسخة البيانات الشخصية", "ratings_summary": "اطلاع على التقييمات",
    "survey_send": "إرسال استبانة", "staff_create": "إنشاء مستخدم", "staff_update": "تعديل مستخدم",
    "staff_deactivate": "إيقاف مستخدم", "staff_activate": "تفعيل مستخدم", "profile_edit": "تعديل ملف الجمعية",
    "profile_rollback": "استرجاع نسخة من ملف الجمعية", "retention_erase": "مسح بيانات انتهت مدة الاحتفاظ بها",
}


def _tz(org: str | None) -> ZoneInfo:
    try:
        return ZoneInfo(load_org(org).timezone) if org else ZoneInfo("Asia/Riyadh")
    except OrgNotFound:
        return ZoneInfo("Asia/Riyadh")


def audit_query(who: Principal, *, org: str | None = None, actor: str | None = None, action: str | None = None,
                target: str | None = None, since: date | None = None, until: date | None = None) -> Any:
    """The rows `who` may read, filtered; days are whole days in the association's time zone."""
    if not who.is_manager:
        raise Forbidden("هذه الصفحة للإدارة فقط", "managers_only")
    query = select(AuditLog)
    scope = who.org or org
    if scope is not None:
        own = select(Staff.username).where(Staff.org_slug == scope)
        query = query.where(or_(AuditLog.org_slug == scope,
                                and_(col(AuditLog.org_slug).is_(None), col(AuditLog.actor).in_(own))))
    if actor:
        query = query.where(AuditLog.actor == actor.strip())
    if action:
        query = query.where(AuditLog.action == action.strip())
    if target:
        query = query.where(col(AuditLog.target).in_({target.strip(), target.strip().upper()}))
    tz = _tz(scope)
    if since:
        query = query.where(col(AuditLog.at) >= datetime.combine(since, time(), tz))
    if until:
        query = query.where(col(AuditLog.at) < datetime.combine(until + timedelta(days=1), time(), tz))
    return query


def audit_page(tx: Session, who: Principal, now: datetime, *, org: str | None = None, actor: str | None = None,
               action: str | None = None, target: str | None = None, since: date | None = None,
               until: date | None = None, limit: int = 50, offset: int = 0) -> tuple[list[AuditOut], int]:
    """One page of the filtered log and the number of rows the filters match (both from SQL)."""
    org = scope_org(who, org)
    query = audit_query(who, org=org, actor=actor, action=action, target=target, since=since, until=until)
    total = int(tx.exec(select(func.count()).select_from(query.subquery())).one())
    rows = tx.exec(query.order_by(col(AuditLog.id).desc()).offset(offset).limit(limit)).all()
    out = [AuditOut(id=r.id or 0, actor=r.actor, action=r.action, target=r.target, org=r.org_slug, reason=r.reason,
                    details=dict(r.details or {}), at=r.at) for r in rows]
    audit(tx, who.username, "read_audit_log", org, now, org_slug=org, of_actor=actor, of_action=action,
          of_target=target, since=since.isoformat() if since else None, until=until.isoformat() if until else None,
          count=len(out))
    return out, total
