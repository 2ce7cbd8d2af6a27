"""The five association profiles load, validate, and say what their policies say."""

from __future__ import annotations

import logging
import os
from datetime import date
from pathlib import Path
from typing import Any

import pytest
import yaml
from pydantic import BaseModel, ValidationError

import orgs
from orgs import LocalText, OrgNotFound, OrgProfile, all_orgs, load_org
from orgs.schema import STANDARD_FIELDS

SLUGS = {"baseera", "namaa", "alhuda", "aleman", "esrar"}
PREFIXES = {"baseera": "BSR", "namaa": "NMA", "alhuda": "HDA", "aleman": "EMN", "esrar": "ESR"}
BENEFICIARY_LANGUAGES = ("ar", "en", "ur", "id")
BUILTIN_DIR = Path(orgs.__file__).parent


@pytest.fixture(autouse=True)
def _no_override_dir(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("TAWASUL_ORGS_DIR", raising=False)


def _local_texts(value: Any, path: str = "") -> list[tuple[str, LocalText]]:
    """Every LocalText inside a model, with where it sits."""
    found: list[tuple[str, LocalText]] = []
    if isinstance(value, LocalText):
        found.append((path, value))
    elif isinstance(value, BaseModel):
        for name in type(value).model_fields:
            found += _local_texts(getattr(value, name), f"{path}.{name}")
    elif isinstance(value, dict):
        for key, item in value.items():
            found += _local_texts(item, f"{path}[{key}]")
    elif isinstance(value, list):
        for index, item in enumerate(value):
            found += _local_texts(item, f"{path}[{index}]")
    return found


def test_all_five_profiles_load() -> None:
    profiles = all_orgs()
    assert set(profiles) == SLUGS
    for slug, profile in profiles.items():
        assert isinstance(profile, OrgProfile)
        assert profile.slug == slug
        assert load_org(slug) is profile
        assert 3 <= len(profile.services) <= 5


def test_builtin_files_validate_directly() -> None:
    for path in sorted(BUILTIN_DIR.glob("*.yaml")):
        OrgProfile.model_validate(yaml.safe_load(path.read_text(encoding="utf-8")))


def test_unknown_org() -> None:
    with pytest.raises(OrgNotFound):
        load_org("nope")


def test_reference_prefixes_unique_and_as_agreed() -> None:
    assert {slug: p.reference_prefix for slug, p in all_orgs().items()} == PREFIXES


@pytest.mark.parametrize("slug", sorted(SLUGS))
def test_committees_and_officers(slug: str) -> None:
    profile = load_org(slug)
    assert profile.complaints_committee in profile.committees
    assert profile.complaints_committee == "follow_up"
    for service in profile.services:
        assert service.committees and all(c in profile.committees for c in service.committees)
        assert set(service.fields) <= STANDARD_FIELDS
        assert {"full_name", "phone"} <= set(service.fields)
        if "diagnosis" in service.fields:
            assert service.health_data
        if service.health_data:
            assert profile.health_consent is not None
    categories = {o.category for o in profile.contact_officers}
    assert "general" in categories
    for service in profile.services:
        assert profile.officer_for(service.category).category in (service.category, "general")
    assert profile.officer_for("no-such-category").category == "general"


@pytest.mark.parametrize("slug", sorted(SLUGS))
def test_every_text_has_arabic_and_the_four_languages(slug: str) -> None:
    profile = load_org(slug)
    assert profile.languages[0] == "ar"
    assert set(BENEFICIARY_LANGUAGES) <= set(profile.languages)
    texts = _local_texts(profile)
    assert len(texts) > 40
    for where, text in texts:
        missing = [lang for lang in BENEFICIARY_LANGUAGES if not dict.get(text, lang)]
        assert not missing, f"{slug}{where} lacks {missing}"


@pytest.mark.parametrize("slug", sorted(SLUGS))
def test_channels_contacts_and_templates(slug: str) -> None:
    profile = load_org(slug)
    for purpose, sid in profile.whatsapp_templates.items():
        assert sid.startswith("HXfa4e"), f"{purpose}: template SIDs are placeholders until configured"
    assert profile.emergency_numbers["red_crescent"] == "997"
    assert profile.acknowledgement.get("ar") and profile.consent.get("ar")
    assert profile.satisfaction.ask_after_delivery
    assert {f.id for f in profile.faq} >= {"deadline", "complaint", "channels", "rating"}


def test_channel_addresses_from_the_policies() -> None:
    profiles = all_orgs()
    assert profiles["esrar"].channels.whatsapp == "+966530801110"
    assert profiles["esrar"].channels.website == "https://esrar.org.sa"
    assert profiles["baseera"].channels.phone == "+966126739090"
    assert profiles["baseera"].channels.email == "info@baseera.org.sa"
    assert profiles["namaa"].channels.email == "info@nmamakkyah.sa"
    senders = [p.channels.whatsapp for p in profiles.values() if p.channels.whatsapp]
    assert len(senders) == len(set(senders))


def test_deadlines_follow_the_policies() -> None:
    profiles = all_orgs()
    esrar = profiles["esrar"].deadline
    assert (esrar.kind, esrar.bound, esrar.days) == ("working_days", "at_most", 15)
    assert "15" in esrar.text.get("ar") and "يوم عمل" in esrar.text.get("ar")
    for slug in ("baseera", "aleman"):
        # "خلال مدة لا تقل عن أسبوعين": a minimum, never told as a last day.
        deadline = profiles[slug].deadline
        assert (deadline.kind, deadline.bound, deadline.days) == ("calendar_days", "at_least", 14)
        assert "لا تقل عن أسبوعين" in deadline.text.get("ar")
    for slug in ("alhuda", "namaa"):
        # Al-Huda: "a set period" without a number; Namaa: no period at all. No date is promised.
        deadline = profiles[slug].deadline
        assert (deadline.bound, deadline.days) == ("none", None)
        assert not any(ch.isdigit() for text in deadline.text.values() for ch in text)


def test_aleman_research_and_medical_committees() -> None:
    aleman = load_org("aleman")
    assert aleman.health_consent is not None
    for service in aleman.services:
        assert service.committees == ["research_committee", "medical_committee"]
        assert service.health_data and "diagnosis" in service.fields


def test_namaa_social_research_and_field_sites() -> None:
    namaa = load_org("namaa")
    assert "social_research" in namaa.committees
    assert any(s.committees == ["social_research"] and "visit_address" in s.fields for s in namaa.services)
    assert namaa.field_sites


def test_alhuda_health_and_field_sites() -> None:
    alhuda = load_org("alhuda")
    assert alhuda.health_consent is not None
    assert any(s.health_data for s in alhuda.services)
    assert "juhfa_miqat" in {site.id for site in alhuda.field_sites}
    assert "المسؤولية النظامية" in alhuda.acknowledgement.get("ar")


def test_esrar_officers_per_category_and_compensation() -> None:
    esrar = load_org("esrar")
    assert {s.category for s in esrar.services} <= {o.category for o in esrar.contact_officers}
    assert "investigation" in esrar.committees
    assert "compensation" in {f.id for f in esrar.faq}


def test_holidays_and_working_days() -> None:
    esrar = load_org("esrar")
    for day in (
        date(2026, 2, 22),
        date(2026, 9, 23),
        date(2027, 2, 22),
        date(2027, 9, 23),
        date(2026, 3, 20),
        date(2026, 5, 27),
        date(2027, 3, 9),
        date(2027, 5, 16),
    ):
        assert day in esrar.holidays
    assert esrar.weekend == [4, 5]
    assert not esrar.is_working_day(date(2026, 1, 2))  # a Friday
    assert esrar.is_working_day(date(2026, 1, 4))  # a Sunday
    # Sunday 4 Jan 2026 + 15 working days (Sun-Thu, no holiday) = Sunday 25 Jan.
    assert esrar.due_date(date(2026, 1, 4)) == date(2026, 1, 25)
    # Sunday 15 Mar 2026: Eid al-Fitr (19-22 Mar) pushes the deadline to Tuesday 7 Apr.
    assert esrar.due_date(date(2026, 3, 15)) == date(2026, 4, 7)
    # A minimum period ("not less than two weeks") or none at all has no last day to promise.
    assert load_org("baseera").due_date(date(2026, 3, 15)) is None
    assert load_org("namaa").due_date(date(2026, 3, 15)) is None


def test_local_text_fallback() -> None:
    text = LocalText({"ar": "مرحبا", "en": "Hello"})
    assert text.get("en") == "Hello"
    assert text.get("ur") == "مرحبا"
    assert text.get("en-GB") == "Hello"
    assert text.get(None) == "مرحبا"
    assert text["ar"] == "مرحبا"
    esrar = load_org("esrar")
    assert esrar.name.get("fr") == esrar.name["ar"]
    assert esrar.model_dump()["name"]["en"] == esrar.name["en"]


def _raw(slug: str) -> dict[str, Any]:
    data: dict[str, Any] = yaml.safe_load((BUILTIN_DIR / f"{slug}.yaml").read_text(encoding="utf-8"))
    return data


def test_schema_rejects_broken_references() -> None:
    data = _raw("esrar")
    data["services"][0]["committees"] = ["no_such_committee"]
    with pytest.raises(ValidationError, match="unknown committees"):
        OrgProfile.model_validate(data)

    data = _raw("aleman")
    data["health_consent"] = None
    with pytest.raises(ValidationError, match="health_consent"):
        OrgProfile.model_validate(data)

    data = _raw("namaa")
    data["contact_officers"] = [o for o in data["contact_officers"] if o["category"] != "general"]
    with pytest.raises(ValidationError, match="general"):
        OrgProfile.model_validate(data)

    data = _raw("baseera")
    data["services"][0]["fields"].append("shoe_size")
    with pytest.raises(ValidationError, match="unknown fields"):
        OrgProfile.model_validate(data)

    data = _raw("baseera")
    data["name"] = {"en": "No Arabic"}
    with pytest.raises(ValidationError, match="Arabic"):
        OrgProfile.model_validate(data)

    data = _raw("baseera")
    data["hourz"] = data.pop("hours")
    with pytest.raises(ValidationError):
        OrgProfile.model_validate(data)


def test_override_dir_merges_and_adds(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "esrar.yaml").write_text(
        yaml.safe_dump({"slug": "esrar", "hours": {"ar": "من 9 إلى 2", "en": "9 to 2"}}, allow_unicode=True),
        encoding="utf-8",
    )
    new = _raw("baseera")
    new.update(slug="demo", reference_prefix="DMO")
    new["channels"] = {"whatsapp": "+15550000001"}
    (tmp_path / "demo.yaml").write_text(yaml.safe_dump(new, allow_unicode=True), encoding="utf-8")
    monkeypatch.setenv("TAWASUL_ORGS_DIR", str(tmp_path))

    profiles = all_orgs()
    assert set(profiles) == SLUGS | {"demo"}
    assert profiles["esrar"].hours.get("en") == "9 to 2"
    assert profiles["esrar"].deadline.days == 15  # untouched keys keep the built-in value
    assert load_org("demo").reference_prefix == "DMO"

    # An edit is picked up without a restart.
    path = tmp_path / "esrar.yaml"
    path.write_text(yaml.safe_dump({"hours": {"ar": "من 10 إلى 3"}}, allow_unicode=True), encoding="utf-8")
    stat = path.stat()
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns + 10**9))
    assert load_org("esrar").hours.get("ar") == "من 10 إلى 3"


def test_broken_override_is_skipped(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    (tmp_path / "esrar.yaml").write_text("slug: esrar\ndeadline: {kind: weeks, days: 2}\n", encoding="utf-8")
    (tmp_path / "namaa.yaml").write_text("slug: namaa\nreference_prefix: ESR\n", encoding="utf-8")
    (tmp_path / "junk.yaml").write_text("- not\n- a mapping\n", encoding="utf-8")
    monkeypatch.setenv("TAWASUL_ORGS_DIR", str(tmp_path))
    with caplog.at_level(logging.ERROR, logger="orgs.loader"):
        profiles = all_orgs()
    assert set(profiles) == SLUGS
    assert profiles["esrar"].deadline.kind == "working_days"  # the built-in profile keeps serving
    assert profiles["namaa"].reference_prefix == "NMA"  # a clashing prefix is refused
    assert len([r for r in caplog.records if "ignoring profile override" in r.getMessage()]) == 3
