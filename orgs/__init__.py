"""Association profiles: one YAML file per association, validated by ``orgs.schema``.

>>> load_org("esrar").deadline.days
15
"""

from orgs.loader import OrgNotFound, OrgProfileError, all_orgs, clear_cache, load_org
from orgs.schema import (
    STANDARD_FIELDS,
    ContactOfficer,
    Deadline,
    Document,
    FaqItem,
    LocalText,
    OrgProfile,
    Service,
)

__all__ = [
    "STANDARD_FIELDS",
    "ContactOfficer",
    "Deadline",
    "Document",
    "FaqItem",
    "LocalText",
    "OrgNotFound",
    "OrgProfile",
    "OrgProfileError",
    "Service",
    "all_orgs",
    "clear_cache",
    "load_org",
]
