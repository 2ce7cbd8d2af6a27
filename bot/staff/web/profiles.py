"""Managers keep their association's profile true (issue 13): FAQ, hours, contacts, services, ready replies
and answers to the assumptions awaiting the association.

An edit is merged over the current staff override, validated against the profile schema and against
the promises' sources (bot/flows/promises.py: a sentence may not state more than its source), stored as
the next version (who, when, what), audited, and served by the bot from its next turn. A new promise
the policy does not make (a phone number the association gives, a new contact officer) is recorded as
the manager's own statement. A rollback adds a version that restores an earlier one; nothing is erased.

    POST /staff/api/orgs/esrar/profile {"changes": {"hours": {"ar": "...", "en": "...", ...}}}
"""

from __future__ import annotations

import copy
from datetime import datetime
from typing import Any

from sqlmodel import Session

from bot.flows.promises import check
from bot.staff.auth import Principal
from bot.staff.profile_schemas import AssumptionOut, ProfileOut, ProfileVersionOut
from bot.staff.web.errors import BadInput, NotFound
from bot.staff.web.management import require_manager
from bot.turn.profiles import current_profile
from orgs import OrgNotFound, OrgProfile, OrgProfileError, load_org
from orgs.loader import EDITABLE, REPLACED, merge_override
from storage.models import OrgProfileVersion
from storage.profiles import add_version, latest_version, version, versions
from storage.queries import audit


def _org(who: Principal, slug: str) -> OrgProfile:
    require_manager(who)
    try:
        seed = load_org(slug)
    except OrgNotFound:
        raise NotFound("لا توجد جمعية بهذا الاسم", "no_org") from None
    if not who.may_see(slug):
        raise NotFound("لا توجد جمعية بهذا الاسم", "no_org")
    return seed


def _assumptions(profile: OrgProfile) -> list[AssumptionOut]:
    return [AssumptionOut(key=key, note=p.assumption.note, question=p.assumption.question, answer=p.assumption.answer)
            for key, p in profile.promises.items() if p.assumption is not None]


def show(tx: Session, who: Principal, slug: str) -> ProfileOut:
    _org(who, slug)
    profile = current_profile(tx, slug)
    row = latest_version(tx, org_slug=slug)
    served = profile.model_dump(mode="json")
    return ProfileOut(org=slug, version=row.version if row else 0, editable={k: served[k] for k in sorted(EDITABLE)},
                      override=dict(row.override) if row else {}, assumptions=_assumptions(profile))


def _merged(old: dict[str, Any], changes: dict[str, Any]) -> dict[str, Any]:
    """The new override: mappings merge key by key (promises), texts and lists replace."""
    new = copy.deepcopy(old)
    for key, value in changes.items():
        if isinstance(value, dict) and isinstance(new.get(key), dict) and key not in REPLACED:
            new[key] = {**new[key], **value}
        else:
            new[key] = copy.deepcopy(value)
    return new


def _own_statements(profile: OrgProfile, override: dict[str, Any], who: Principal, now: datetime) -> dict[str, Any]:
    """Promises the edit adds that no clause covers are recorded as the manager's own statement."""
    missing = [key for key in profile.promised() if key not in profile.promises]
    if not missing:
        return override
    given = {key: {"assumption": {"note": "Stated by the association's manager in the staff console.",
                                  "question": "—", "answer": f"{who.username} {now.date().isoformat()}"}}
             for key in missing}
    return _merged(override, {"promises": {**override.get("promises", {}), **given}})


def _validated(slug: str, override: dict[str, Any]) -> OrgProfile:
    try:
        profile = merge_override(slug, override)
    except OrgProfileError as exc:
        raise BadInput(f"التعديل لا يطابق مخطط ملف الجمعية: {exc}", "invalid_profile") from None
    findings = check(profile)
    if findings:
        problems = "؛ ".join(f"{f.key}: {f.problem}" for f in findings[:5])
        raise BadInput(f"التعديل يَعِد المستفيد بأكثر مما تقوله سياسة الجمعية: {problems}", "unfaithful")
    return profile


def _save(tx: Session, who: Principal, slug: str, override: dict[str, Any], changed: list[str], now: datetime,
          action: str, note: str | None, restores: int | None = None, **details: Any) -> ProfileVersionOut:
    row = add_version(tx, org_slug=slug, override=override, changed=changed, actor=who.username, now=now, note=note,
                      restores=restores)
    audit(tx, who.username, action, slug, now, org_slug=slug, version=row.version, changed=changed, **details)
    return _out(row)


def _out(row: OrgProfileVersion) -> ProfileVersionOut:
    return ProfileVersionOut(org=row.org_slug, version=row.version, changed=list(row.changed), actor=row.actor,
                             note=row.note, restores=row.restores, at=row.created_at)


def edit(tx: Session, who: Principal, slug: str, changes: dict[str, Any], note: str | None,
         now: datetime) -> ProfileVersionOut:
    seed = _org(who, slug)
    if "hours" in changes:
        hours = changes["hours"]
        absent = [lang for lang in seed.languages if not isinstance(hours, dict) or not hours.get(lang)]
        if absent:
            raise BadInput(f"أوقات الدوام مطلوبة بكل لغات الجمعية؛ الناقص: {'، '.join(absent)}", "missing_language")
    row = latest_version(tx, org_slug=slug)
    override = _merged(dict(row.override) if row else {}, changes)
    try:
        override = _own_statements(merge_override(slug, override), override, who, now)
    except OrgProfileError as exc:
        raise BadInput(f"التعديل لا يطابق مخطط ملف الجمعية: {exc}", "invalid_profile") from None
    _validated(slug, override)
    return _save(tx, who, slug, override, sorted(changes), now, "profile_edit", note)


def answer_assumption(tx: Session, who: Principal, slug: str, key: str, answer: str,
                      now: datetime) -> ProfileVersionOut:
    _org(who, slug)
    promise = current_profile(tx, slug).promises.get(key)
    if promise is None or promise.assumption is None:
        raise NotFound("لا يوجد افتراض بهذا المفتاح", "no_assumption")
    return edit(tx, who, slug, {"promises": {key: {**promise.model_dump(mode="json"),
                                                   "assumption": {**promise.assumption.model_dump(mode="json"),
                                                                  "answer": answer}}}},
                f"answer to the assumption {key}", now)


def rollback(tx: Session, who: Principal, slug: str, to_version: int, note: str | None,
             now: datetime) -> ProfileVersionOut:
    _org(who, slug)
    if to_version == 0:
        override: dict[str, Any] = {}
    else:
        target = version(tx, org_slug=slug, number=to_version)
        if target is None:
            raise NotFound("لا توجد نسخة بهذا الرقم", "no_version")
        override = dict(target.override)
        _validated(slug, override)
    return _save(tx, who, slug, override, sorted(override), now, "profile_rollback", note, restores=to_version)


def history(tx: Session, who: Principal, slug: str) -> list[ProfileVersionOut]:
    _org(who, slug)
    return [_out(row) for row in versions(tx, org_slug=slug)]
