"""Pydantic models of an association's profile (one YAML file per association).

The profile is data the flows read: services and their forms, the body that studies each request,
the reply-deadline rule, channels, contact officers, info answers. Cross-references inside a profile
(committee ids, contact-officer categories, health consent for health data) are checked when the
profile is built, so a broken profile fails at load time and never in the middle of a conversation.
"""

from __future__ import annotations

import re
from datetime import date, timedelta
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, GetCoreSchemaHandler, field_validator, model_validator
from pydantic_core import core_schema

from orgs.holidays import SAUDI_OFFICIAL_HOLIDAYS
from orgs.provenance import Bound, Provenance

DEFAULT_LANGUAGE = "ar"

# The fields a service form may ask for; the intake flow knows how to prompt and validate each one.
STANDARD_FIELDS: frozenset[str] = frozenset(
    {
        "full_name",
        "national_id",  # Saudi national ID or iqama: 10 digits
        "phone",
        "city",
        "district",
        "family_size",
        "monthly_income",
        "date_of_birth",
        "details",
        "diagnosis",  # health data: needs explicit health consent
        "nationality",
        "passport_number",
        "location",  # a shared map location (pilgrims in the field)
        "visit_address",  # where a field visit or a delivery should go
    }
)
HEALTH_FIELDS: frozenset[str] = frozenset({"diagnosis"})
# Free text the beneficiary wrote; in a health service's request it tells of the illness as well.
HEALTH_TEXT_FIELDS: frozenset[str] = frozenset({"details"})

# The promises a profile makes to beneficiaries; each needs a clause or an assumption in `promises`.
# Per-item promises are keyed "studying_body.<committee>", "officer.<category>", "channels.<channel>".
PROMISE_KEYS: frozenset[str] = frozenset(
    {"deadline", "complaint_route", "compensation", "hours", "confidentiality", "satisfaction", "field_visit"}
)

_LANG_RE = re.compile(r"^[a-z]{2,3}$")
_ID_RE = re.compile(r"^[a-z][a-z0-9_]*$")
_E164_RE = re.compile(r"^\+[1-9][0-9]{6,14}$")


class LocalText(dict[str, str]):
    """Text in several languages: ``{"ar": "...", "en": "...", ...}``; Arabic is mandatory.

    >>> LocalText({"ar": "مرحبا", "en": "Hello"}).get("ur")
    'مرحبا'
    """

    def get(self, lang: str | None = DEFAULT_LANGUAGE, default: Any = None) -> str:
        """The text in ``lang``, else the Arabic text (every LocalText has Arabic)."""
        if lang:
            value = dict.get(self, lang)
            if value:
                return value
            # "ar-SA" / "en_GB" style tags fall back to their base language first.
            base = re.split(r"[-_]", lang, maxsplit=1)[0].lower()
            value = dict.get(self, base)
            if value:
                return value
        return dict.get(self, DEFAULT_LANGUAGE) or (default if default is not None else "")

    @classmethod
    def _validate(cls, value: dict[str, str]) -> LocalText:
        cleaned: dict[str, str] = {}
        for lang, text in value.items():
            if not _LANG_RE.match(lang):
                raise ValueError(f"bad language code {lang!r}")
            text = text.strip()
            if text:
                cleaned[lang] = text
        if DEFAULT_LANGUAGE not in cleaned:
            raise ValueError("an Arabic ('ar') text is required")
        return cls(cleaned)

    @classmethod
    def __get_pydantic_core_schema__(
        cls, source: Any, handler: GetCoreSchemaHandler
    ) -> core_schema.CoreSchema:
        return core_schema.no_info_after_validator_function(
            cls._validate,
            core_schema.dict_schema(core_schema.str_schema(), core_schema.str_schema()),
            serialization=core_schema.plain_serializer_function_ser_schema(dict),
        )


class _Model(BaseModel):
    # Unknown keys are errors: a typo in a staff-edited profile must not be silently ignored.
    model_config = ConfigDict(extra="forbid", frozen=True)


def _check_id(value: str) -> str:
    if not _ID_RE.match(value):
        raise ValueError(f"ids are lower_snake_case ascii, got {value!r}")
    return value


def _check_e164(value: str | None) -> str | None:
    if value is not None and not _E164_RE.match(value):
        raise ValueError(f"phone numbers are E.164 (+9665...), got {value!r}")
    return value


class Deadline(_Model):
    """When the beneficiary gets a decision, counted from the date the request is complete.

    ``bound`` is the kind of commitment the policy makes: ``at_most`` (a deadline: "no more than 15
    working days"), ``at_least`` (a minimum: "not less than two weeks", never told as a date) or
    ``none`` (no period stated: the bot promises to tell of each decision, not a date).
    """

    kind: Literal["working_days", "calendar_days"] = "calendar_days"
    bound: Bound = "at_most"
    days: int | None = Field(default=None, gt=0, le=90)
    text: LocalText

    @model_validator(mode="after")
    def _days(self) -> Deadline:
        if self.bound == "none" and self.days is not None:
            raise ValueError("a deadline with bound 'none' states no days")
        if self.bound != "none" and self.days is None:
            raise ValueError(f"a deadline with bound {self.bound!r} needs days")
        return self

    @property
    def is_deadline(self) -> bool:
        """True when the policy sets a last day for the reply (only then is a date promised)."""
        return self.bound == "at_most"


class ComplaintRoute(_Model):
    """What a complainant is told of the route of their complaint, as far as the policy says it."""

    name_committee: bool = False  # the acknowledgement names the complaints committee
    top_management: bool = False  # ... and says that top management follows every complaint
    compensation: bool = False  # a complainant asking for compensation is told the policy's route
    compensation_committee: str | None = None  # the committee whose record states the harm


class Document(_Model):
    id: str
    name: LocalText
    required: bool = True

    check_id = field_validator("id")(_check_id)


class Service(_Model):
    id: str
    name: LocalText
    description: LocalText
    requirements: LocalText  # told to the beneficiary before the form starts
    committees: list[str] = Field(min_length=1)  # who studies the request, in order
    fields: list[str] = Field(min_length=1)
    documents: list[Document] = []
    health_data: bool = False
    category: str = "general"  # beneficiary category: picks the contact officer
    field_visit: bool = False  # the study may include a visit: the family is told at submission
    synonyms: list[str] = []  # other words beneficiaries use for the service (staff add them)
    on_behalf: bool = False  # R15: intake asks whether it is for someone else (a relative, a field representative)

    check_id = field_validator("id")(_check_id)

    @field_validator("fields")
    @classmethod
    def _standard_fields(cls, value: list[str]) -> list[str]:
        unknown = [f for f in value if f not in STANDARD_FIELDS]
        if unknown:
            raise ValueError(f"unknown fields {unknown}; allowed: {sorted(STANDARD_FIELDS)}")
        if len(set(value)) != len(value):
            raise ValueError("a field is listed twice")
        return value

    @model_validator(mode="after")
    def _health(self) -> Service:
        if HEALTH_FIELDS.intersection(self.fields) and not self.health_data:
            raise ValueError(f"service {self.id!r} asks for health data but health_data is false")
        if len({d.id for d in self.documents}) != len(self.documents):
            raise ValueError(f"service {self.id!r} has duplicate document ids")
        return self


class ContactOfficer(_Model):
    category: str
    title: LocalText
    staff: str  # staff console username
    phone: str | None = None

    check_phone = field_validator("phone")(_check_e164)


class Channels(_Model):
    whatsapp: str | None = None  # E.164 sender
    sms: str | None = None  # E.164 sender
    telegram: str | None = None  # bot username, without "@"
    website: str | None = None
    phone: str | None = None  # E.164, for calls
    email: str | None = None

    check_e164 = field_validator("whatsapp", "sms", "phone")(_check_e164)


class Location(_Model):
    name: LocalText
    address: LocalText
    map_url: str | None = None


class FaqItem(_Model):
    id: str
    question: LocalText
    answer: LocalText
    keywords: list[str] = []
    # The built-in information topic this question duplicates ("deadline", "contacts", ...): the menu then
    # lists the topic once; the question still finds this answer.
    topic: Literal["services", "hours", "locations", "contacts", "deadline"] | None = None

    check_id = field_validator("id")(_check_id)


class Satisfaction(_Model):
    ask_after_delivery: bool = True
    survey_note: LocalText


class ReadyReply(_Model):
    """A reply staff keep ready for a common question in a handed-off conversation."""

    id: str
    title: LocalText
    text: LocalText

    check_id = field_validator("id")(_check_id)


class FieldSite(_Model):
    id: str
    name: LocalText

    check_id = field_validator("id")(_check_id)


class Retention(_Model):
    """How long personal data is kept before its content is cleared (PDPL), run daily by `tawasul serve`
    and by `tawasul privacy retention`: messages (and conversations in progress, urgent alerts), requests
    after they are closed (delivered, rejected, closed), complaints after they are resolved."""

    messages_months: int = Field(default=12, ge=1, le=120)
    closed_requests_years: int = Field(default=5, ge=1, le=30)
    resolved_complaints_years: int = Field(default=5, ge=1, le=30)


class OrgProfile(_Model):
    slug: str
    name: LocalText
    reference_prefix: str = Field(pattern=r"^[A-Z]{3}$")
    languages: list[str] = Field(min_length=1)
    timezone: str = "Asia/Riyadh"
    deadline: Deadline
    weekend: list[int] = [4, 5]  # Python weekday numbers: Friday=4, Saturday=5
    holidays: list[date] = Field(default_factory=lambda: list(SAUDI_OFFICIAL_HOLIDAYS))
    committees: dict[str, LocalText] = Field(min_length=1)
    complaints_committee: str
    services: list[Service] = Field(min_length=1)
    acknowledgement: LocalText
    consent: LocalText
    health_consent: LocalText | None = None
    contact_officers: list[ContactOfficer] = Field(min_length=1)
    channels: Channels
    hours: LocalText
    locations: list[Location] = []
    faq: list[FaqItem] = []
    emergency_numbers: dict[str, str] = {"red_crescent": "997", "health": "937", "police": "999"}
    whatsapp_templates: dict[str, str] = {}  # purpose -> Twilio ContentSid
    satisfaction: Satisfaction
    field_sites: list[FieldSite] = []
    complaint_route: ComplaintRoute = ComplaintRoute()
    ready_replies: list[ReadyReply] = []
    retention: Retention = Retention()
    # Staff's own target for the first answer in a handed-off conversation (a timer in the console and the
    # daily digest of late work), not a promise told to beneficiaries: an assumption awaiting each association.
    handoff_first_response_minutes: int = Field(default=120, ge=5, le=7 * 24 * 60)
    # Where each promise comes from: see PROMISE_KEYS and `tawasul orgs check`.
    promises: dict[str, Provenance] = {}

    @field_validator("slug")
    @classmethod
    def _slug(cls, value: str) -> str:
        return _check_id(value)

    @field_validator("languages")
    @classmethod
    def _languages(cls, value: list[str]) -> list[str]:
        if value[0] != DEFAULT_LANGUAGE:
            raise ValueError("'ar' must be the first language")
        if len(set(value)) != len(value) or not all(_LANG_RE.match(v) for v in value):
            raise ValueError(f"bad language list {value}")
        return value

    @field_validator("weekend")
    @classmethod
    def _weekend(cls, value: list[int]) -> list[int]:
        if not all(0 <= d <= 6 for d in value) or len(value) >= 7:
            raise ValueError("weekend days are Python weekday numbers 0-6, and not all seven")
        return value

    @field_validator("whatsapp_templates")
    @classmethod
    def _templates(cls, value: dict[str, str]) -> dict[str, str]:
        bad = {k: v for k, v in value.items() if not re.match(r"^HX[0-9a-fA-F]{32}$", v)}
        if bad:
            raise ValueError(f"Twilio ContentSids look like HX + 32 hex digits: {bad}")
        return value

    @model_validator(mode="after")
    def _references(self) -> OrgProfile:
        for committee_id in self.committees:
            _check_id(committee_id)
        if self.complaints_committee not in self.committees:
            raise ValueError(f"complaints_committee {self.complaints_committee!r} is not in committees")
        service_ids = [s.id for s in self.services]
        if len(set(service_ids)) != len(service_ids):
            raise ValueError("duplicate service ids")
        categories = {o.category for o in self.contact_officers}
        if "general" not in categories:
            raise ValueError("a contact officer with category 'general' is required")
        for service in self.services:
            missing = [c for c in service.committees if c not in self.committees]
            if missing:
                raise ValueError(f"service {service.id!r} names unknown committees {missing}")
            if service.health_data and self.health_consent is None:
                raise ValueError(f"service {service.id!r} handles health data but health_consent is missing")
        faq_ids = [f.id for f in self.faq]
        if len(set(faq_ids)) != len(faq_ids):
            raise ValueError("duplicate faq ids")
        route = self.complaint_route
        if route.compensation_committee is not None and route.compensation_committee not in self.committees:
            raise ValueError(f"compensation_committee {route.compensation_committee!r} is not in committees")
        unknown = [key for key in self.promises if not self._known_promise(key)]
        if unknown:
            raise ValueError(f"promises names unknown promises {unknown}")
        return self

    def _known_promise(self, key: str) -> bool:
        kind, _, name = key.partition(".")
        if kind == "studying_body":
            return name in self.committees
        if kind == "officer":
            return name in {o.category for o in self.contact_officers}
        if kind == "channels":
            return name in Channels.model_fields
        return key in PROMISE_KEYS and not name

    # -- helpers the flows use -------------------------------------------------------------------

    def service(self, service_id: str) -> Service:
        """The service with this id; ``KeyError`` if the profile has none."""
        for service in self.services:
            if service.id == service_id:
                return service
        raise KeyError(service_id)

    def committee_name(self, committee_id: str, lang: str | None = DEFAULT_LANGUAGE) -> str:
        return self.committees[committee_id].get(lang)

    def officer_for(self, category: str) -> ContactOfficer:
        """The contact officer of a beneficiary category, else the 'general' one."""
        by_category = {o.category: o for o in self.contact_officers}
        return by_category.get(category) or by_category["general"]

    def is_working_day(self, day: date) -> bool:
        return day.weekday() not in self.weekend and day not in set(self.holidays)

    def promised(self) -> list[str]:
        """The keys of every promise this profile makes to beneficiaries (see PROMISE_KEYS)."""
        keys = ["deadline"]
        keys += [f"studying_body.{c}" for c in dict.fromkeys(c for s in self.services for c in s.committees)]
        keys.append("complaint_route")
        if self.complaint_route.compensation:
            keys.append("compensation")
        keys += [f"officer.{o.category}" for o in self.contact_officers]
        keys += [f"channels.{name}" for name, value in self.channels.model_dump().items() if value]
        keys += ["hours", "confidentiality", "satisfaction"]
        if any(s.field_visit for s in self.services):
            keys.append("field_visit")
        return keys

    def due_date(self, completed_on: date) -> date | None:
        """The last day for a decision on a request completed on ``completed_on``.

        None unless the policy sets a deadline (bound ``at_most``): a minimum period or no period
        at all gives no date to promise. Working days start the day after completion and skip the
        weekend and holidays; calendar days are simply added.
        """
        if not self.deadline.is_deadline or self.deadline.days is None:
            return None
        if self.deadline.kind == "calendar_days":
            return completed_on + timedelta(days=self.deadline.days)
        holidays = set(self.holidays)
        day, left = completed_on, self.deadline.days
        while left:
            day += timedelta(days=1)
            if day.weekday() not in self.weekend and day not in holidays:
                left -= 1
        return day
