"""Who may run a `tawasul staff` command: the `--as` user must be an existing, active staff member, and
each command is held to that user's association and role exactly as the API holds a signed-in user.

    >>> with transaction() as tx:                                          # doctest: +SKIP
    ...     who = acting_user(tx, "amal", "list")      # StaffError when amal is unknown or deactivated

The one exception is the very first user: `create-user` on a database with no staff at all (how a fresh
installation gets its first admin). User management is for managers and admins: one of an association
manages that association's users only and never makes an all-associations user; only an admin makes an
admin.
"""

from __future__ import annotations

from sqlmodel import Session, func, select

from bot.staff.actions import StaffError
from bot.staff.auth import Principal, principal_of
from storage.models import Staff

BOOTSTRAP = Principal("", "admin", None, "")  # stands for the installer while no staff user exists


def acting_user(tx: Session, actor: str, command: str) -> Principal:
    """The active staff member named by --as; StaffError (Arabic) when there is none."""
    if not actor or len(actor) > 64:
        raise StaffError("اسم المستخدم مطلوب (--as)")
    who = principal_of(tx, actor)
    if who is not None:
        return who
    if command == "create-user" and tx.exec(select(func.count()).select_from(Staff)).one() == 0:
        return Principal(actor, BOOTSTRAP.role, None, actor)
    staff = tx.exec(select(Staff).where(Staff.username == actor)).first()
    if staff is not None:
        raise StaffError(f"المستخدم {actor} موقوف")
    raise StaffError(f"لا يوجد موظف باسم {actor} (--as يسمّي مستخدمًا مسجّلًا؛ أنشئه بـ create-user)")


def require_manager(who: Principal) -> None:
    if not who.is_manager:
        raise StaffError("هذا الإجراء للإدارة فقط")


def check_user_admin(tx: Session, who: Principal, username: str, *, org: str | None = None,
                     role: str | None = None, all_orgs: bool = False) -> None:
    """May `who` create, change, deactivate or activate the user `username` (given the new org and role)?"""
    require_manager(who)
    if role == "admin" and who.role != "admin":
        raise StaffError("لا يمنح دور المسؤول (admin) إلا مسؤول")
    if who.org is None:
        return
    if all_orgs or (org is not None and org != who.org):
        raise StaffError("لا تملك صلاحية على هذه الجمعية")
    existing = tx.exec(select(Staff).where(Staff.username == username)).first()
    if existing is not None and existing.org_slug != who.org:
        raise StaffError(f"لا يوجد مستخدم باسم {username}")  # another association's user: not told apart
