"""Free text picks a service the way beneficiaries name it (dialect, no hamza, taa marbuta as ه)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from bot.flows.base import ContactView, Context
from bot.flows.intake.form import _match_service
from orgs import load_org


@pytest.mark.parametrize(
    ("org", "text", "service"),
    [
        ("esrar", "ابغى اقدم على دعم الاسر المنتجه", "family_support"),
        ("esrar", "ابي دورة تدريبيه", "training"),
        ("esrar", "٣", "marketing"),
        ("esrar", "عضويه", "membership"),
        ("aleman", "محتاج مواصلات للعلاج", "treatment_transport"),
        ("aleman", "ابغى جهاز طبي", "medical_devices"),
        ("alhuda", "ضايع ابغى ارشاد", "pilgrim_guidance"),
        ("esrar", "ابغى اقدم طلب", None),
    ],
)
def test_free_text_service_choice(org: str, text: str, service: str | None) -> None:
    ctx = Context(org=load_org(org), now=datetime.now(UTC), lang="ar", contact=ContactView(1, "console"))
    found = _match_service(ctx, text)
    assert (found.id if found else None) == service
