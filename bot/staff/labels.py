"""Arabic names for every key staff meet: committees (`general`, `follow_up`), contact officers and their
categories (`officer.communities`, `communities`), complaint categories, handoff reasons, channels,
languages, intents; and phone numbers or references kept left to right inside right-to-left text.

    >>> label("esrar", "officer.general")                     # doctest: +SKIP
    'ضابط الاتصال العام'
    >>> ltr("+966501234567")
    '\\u2066+966501234567\\u2069'

A key with no Arabic name anywhere is shown as itself, never hidden.
"""

from __future__ import annotations

from bot.flows.complaint import CATEGORIES
from bot.lang.i18n import translator
from bot.turn.menu import INTENT_TITLES
from orgs.loader import OrgNotFound, load_org
from orgs.schema import OrgProfile

CHANNEL_AR = {"whatsapp": "واتساب", "sms": "رسائل SMS", "telegram": "تيليجرام", "console": "وحدة التحكم",
              "web": "الموقع"}
LANGUAGE_AR = {"ar": "العربية", "en": "الإنجليزية", "ur": "الأردية", "id": "الإندونيسية"}
REASON_AR = {"asked": "طلب المستفيد", "not_understood": "لم يفهم المساعد", "unclear_procedure": "إجراء غير واضح",
             "urgent": "عاجل", "urgent_alert": "بلاغ عاجل"}
KIND_AR = {"handoff": "محادثة محالة", "alert": "بلاغ عاجل", "complaint": "شكوى"}
# Keys that appear without a profile to name them (an association may also name them in `committees`).
GENERIC_AR = {
    "general": "عام", "follow_up": "لجنة المتابعة", "board": "مجلس الإدارة", "research": "لجنة البحث الاجتماعي",
    "greet": "تحية", "thanks": "شكر", "goodbye": "وداع", "out_of_scope": "خارج نطاق الخدمة", "deny": "نفي",
    "affirm": "موافقة", "cancel": "إلغاء", "timeout": "انتهاء المهلة", "superseded": "إحالة أحدث",
}


# Beneficiary categories (the contact officers' keys) and committees, when no profile names them.
GROUP_AR = {"general": "العام", "pilgrims": "الحجاج والمعتمرين", "patients": "المرضى", "communities": "الجاليات",
            "productive_families": "الأسر المنتجة", "families": "الأسر", "trainees": "المتدربين",
            "new_muslims": "المسلمين الجدد", "members": "الأعضاء", "health": "الشؤون الصحية"}
COMMITTEE_AR = {"general": "اللجنة العامة", "follow_up": "لجنة المتابعة", "board": "مجلس الإدارة",
                "research": "لجنة البحث الاجتماعي"}


def profile_of(slug: str | None) -> OrgProfile | None:
    if not slug:
        return None
    try:
        return load_org(slug)
    except OrgNotFound:
        return None


def ltr(value: object) -> str:
    """A phone number, reference or address kept left to right inside Arabic text (Unicode isolates)."""
    return f"\u2066{value}\u2069"


def officer_label(org: str | None, key: str | None) -> str:
    """A contact officer by staff username (`officer.communities`) or by category (`communities`)."""
    if not key:
        return "—"
    profile = profile_of(org)
    if profile is not None:
        for officer in profile.contact_officers:
            if key in (officer.staff, officer.category, f"officer.{officer.category}"):
                return officer.title.get("ar")
    group = key.removeprefix("officer.")
    return f"ضابط اتصال {GROUP_AR[group]}" if group in GROUP_AR else "ضابط اتصال فئة أخرى"


def committee_label(org: str | None, key: str | None) -> str:
    if not key:
        return "—"
    profile = profile_of(org)
    if profile is not None and key in profile.committees:
        return profile.committee_name(key, "ar")
    return COMMITTEE_AR.get(key, GENERIC_AR.get(key, key))


# Staff's own short names (the beneficiary's menu words, in bot/flows/complaint.py, are first-person).
CATEGORY_AR = {"service": "الخدمة المقدَّمة", "staff": "سلوك أحد الموظفين", "delay": "تأخر في الرد",
               "suggestion": "اقتراح للتحسين", "other": "أخرى"}


def category_label(key: str | None) -> str:
    """A complaint's category in Arabic."""
    if key in CATEGORY_AR:
        return CATEGORY_AR[key]
    titles = dict(CATEGORIES)
    if key in titles:
        return translator("ar").t(titles[key])
    return GENERIC_AR.get(key or "", key or "—")


def intent_label(intent: str | None) -> str | None:
    """What the bot understood a message to ask, in Arabic (None: nothing understood)."""
    if not intent:
        return None
    if intent in INTENT_TITLES:
        return translator("ar").t(INTENT_TITLES[intent])
    return GENERIC_AR.get(intent, intent)


def service_label(org: str | None, service_id: str | None) -> str:
    profile = profile_of(org)
    if profile is not None and service_id:
        for service in profile.services:
            if service.id == service_id:
                return service.name.get("ar")
    return service_id or "—"


def field_site_label(org: str | None, site: str | None) -> str:
    profile = profile_of(org)
    if profile is not None and site:
        for found in profile.field_sites:
            if found.id == site:
                return found.name.get("ar")
    return site or "—"


def label(org: str | None, key: str | None) -> str:
    """Any key by the first Arabic name found: an officer, a committee, a category, a reason, a channel."""
    if not key:
        return "—"
    for table in (REASON_AR, CHANNEL_AR, LANGUAGE_AR, KIND_AR):
        if key in table:
            return table[key]
    profile = profile_of(org)
    if key.startswith("officer.") or (profile and any(key == o.category for o in profile.contact_officers)):
        return officer_label(org, key)
    if profile is not None and key in profile.committees:
        return committee_label(org, key)
    if key in dict(CATEGORIES):
        return category_label(key)
    return GENERIC_AR.get(key, key)
