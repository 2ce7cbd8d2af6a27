"""Console routes for managers' edits of their association's profile (/staff/orgs/...), over the same
validated, versioned, audited functions as the API (bot/staff/web/profiles.py)."""

# No `from __future__ import annotations`: FastAPI must see the Annotated aliases.

import json
from urllib.parse import quote

from fastapi import APIRouter, Request
from fastapi.responses import Response
from sqlmodel import Session

from bot.staff.auth import Principal
from bot.staff.web import profile_pages, profiles
from bot.staff.web.backend import Store
from bot.staff.web.console import Posted, act, view
from bot.staff.web.errors import BadInput
from bot.staff.web.management import require_manager
from orgs import all_orgs

router = APIRouter(prefix="/staff/orgs", include_in_schema=False)


@router.get("")
def orgs(b: Store, request: Request) -> Response:
    def build(tx: Session, who: Principal, csrf: str) -> str:
        require_manager(who)
        return profile_pages.orgs_page([slug for slug in sorted(all_orgs()) if who.may_see(slug)])
    return view(request, "ملفات الجمعيات", build)


@router.get("/{org}/profile")
def profile(b: Store, request: Request, org: str) -> Response:
    def build(tx: Session, who: Principal, csrf: str) -> str:
        return profile_pages.profile_page(profiles.show(tx, who, org), profiles.history(tx, who, org), csrf)
    return view(request, "ملف الجمعية", build)


def _back(org: str) -> str:
    return f"/staff/orgs/{quote(org)}/profile?done=profile"


@router.post("/{org}/hours")
def hours(b: Store, request: Request, org: str, form: Posted) -> Response:
    changes = {"hours": {lang: form.get(f"hours_{lang}", "").strip() for lang, _ in profile_pages.LANGS}}
    return act(request, form, lambda tx, who: profiles.edit(tx, who, org, changes, "أوقات الدوام", b.clock()),
               _back(org))


@router.post("/{org}/edit")
def edit(b: Store, request: Request, org: str, form: Posted) -> Response:
    def run(tx: Session, who: Principal) -> object:
        try:
            value = json.loads(form.get("value", ""))
        except json.JSONDecodeError as exc:
            raise BadInput(f"النص ليس JSON صحيحًا: {exc.msg} (السطر {exc.lineno})", "bad_json") from None
        return profiles.edit(tx, who, org, {form.get("key", ""): value}, form.get("note") or None, b.clock())
    return act(request, form, run, _back(org))


@router.post("/{org}/assumptions/{key}")
def answer(b: Store, request: Request, org: str, key: str, form: Posted) -> Response:
    def run(tx: Session, who: Principal) -> object:
        if len(form.get("answer", "").strip()) < 2:
            raise BadInput("اكتب جواب الجمعية")
        return profiles.answer_assumption(tx, who, org, key, form["answer"].strip(), b.clock())
    return act(request, form, run, _back(org))


@router.post("/{org}/rollback")
def rollback(b: Store, request: Request, org: str, form: Posted) -> Response:
    def run(tx: Session, who: Principal) -> object:
        number = form.get("version", "")
        if not number.isdigit():
            raise BadInput("رقم النسخة غير صحيح")
        return profiles.rollback(tx, who, org, int(number), "رجوع من بوابة الموظفين", b.clock())
    return act(request, form, run, _back(org))
