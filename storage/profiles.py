"""Versions of the staff edits of association profiles (see ``OrgProfileVersion``): keyword-only data functions.

    >>> latest_version(tx, org_slug="esrar")  # doctest: +SKIP
    OrgProfileVersion(org_slug='esrar', version=3, override={'hours': {...}}, ...)
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlmodel import Session, col, select

from storage.models import OrgProfileVersion


def latest_version(tx: Session, *, org_slug: str) -> OrgProfileVersion | None:
    """The version the bot serves now (None: the YAML seed, unedited)."""
    return tx.exec(select(OrgProfileVersion).where(OrgProfileVersion.org_slug == org_slug)
                   .order_by(col(OrgProfileVersion.version).desc())).first()


def versions(tx: Session, *, org_slug: str, limit: int = 100) -> list[OrgProfileVersion]:
    """The history, newest first."""
    return list(tx.exec(select(OrgProfileVersion).where(OrgProfileVersion.org_slug == org_slug)
                        .order_by(col(OrgProfileVersion.version).desc()).limit(limit)).all())


def version(tx: Session, *, org_slug: str, number: int) -> OrgProfileVersion | None:
    return tx.exec(select(OrgProfileVersion).where(OrgProfileVersion.org_slug == org_slug,
                                                   OrgProfileVersion.version == number)).first()


def add_version(tx: Session, *, org_slug: str, override: dict[str, Any], changed: list[str], actor: str,
                now: datetime, note: str | None = None, restores: int | None = None) -> OrgProfileVersion:
    """The next version; two editors saving at once cannot both take the same number (unique constraint)."""
    latest = latest_version(tx, org_slug=org_slug)
    row = OrgProfileVersion(org_slug=org_slug, version=(latest.version if latest else 0) + 1, override=override,
                            changed=changed, actor=actor, note=note, restores=restores, created_at=now)
    tx.add(row)
    tx.flush()
    return row
