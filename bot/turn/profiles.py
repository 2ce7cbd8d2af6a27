"""The profile the bot serves: the YAML seed (orgs/), with the latest staff edit from the database over it.

One indexed query per turn finds the latest version, so an edit in the staff console reaches every
`serve` process on its next turn, without a deploy; the merged profile is cached per version. A stored
edit that no longer validates (the seed changed under it) is logged and the seed keeps serving.
"""

from __future__ import annotations

import logging

from sqlmodel import Session

from orgs import OrgProfile, OrgProfileError, load_org
from orgs.loader import with_override
from storage.turnrows import profile_version

log = logging.getLogger(__name__)


def current_profile(tx: Session, slug: str) -> OrgProfile:
    """The association's profile as staff last left it; raises ``OrgNotFound`` for an unknown slug."""
    seed = load_org(slug)
    row = profile_version(tx, slug)
    if row is None or not row[1]:
        return seed
    version, override = row
    try:
        return with_override(slug, override, version)
    except OrgProfileError:
        log.exception("profile edit %s v%s no longer validates; serving the seed", slug, version)
        return seed
