"""The staff console under /staff: Arabic HTML pages over the same functions as the REST API.

A session is the API's signed token in an HttpOnly, SameSite=Strict cookie; every form carries a
CSRF token bound to that session (the login form: to a pre-login cookie). A form without a valid
token is refused with 403 before anything is read from it.
"""

# No `from __future__ import annotations`: FastAPI must see the local Annotated aliases.

import os
import secrets
from collections.abc import Callable
from datetime import datetime
from typing import Annotated, Any
from urllib.parse import parse_qs, quote

from fastapi import APIRouter, Depends, HTTPException, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import ValidationError
from sqlmodel import Session

from bot.lang.dates import BadDate, parse_day
from bot.staff.auth import (
    TOKEN_TTL_SECONDS,
    LockedOut,
    Principal,
    csrf_ok,
    csrf_token,
    principal_of,
    read_session,
    revoke_sessions,
    sign_in,
    token_for,
)
from bot.staff.schemas import InvestigationIn
from bot.staff.web import management, pages, privacy, requests, work
from bot.staff.web.backend import Store, backend
from bot.staff.web.errors import ApiError, BadInput
from bot.staff.web.html import error_page, login_page, page
from bot.staff.web.signin import Busy, client_ip, run_sign_in, wait_text
from bot.turn.profiles import current_profile
from storage.db import reading, transaction
from storage.queries import audit

COOKIE, PRE_COOKIE = "tawasul_staff", "tawasul_pre"
HEADERS = {
    "Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; "
                               "frame-ancestors 'none'; base-uri 'none'",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "no-store",  # pages may hold personal data
}
DONE = {
    "status": "تم تغيير الحالة وإبلاغ المستفيد.", "reply": "أُرسل الرد إلى المستفيد.",
    "release": "أُنهيت الإحالة وعاد المساعد الآلي للمحادثة.", "resolve": "أُغلقت الشكوى وأُبلغ المستفيد.",
    "investigate": "سُجّل محضر التحقيق.", "ack": "تم استلام البلاغ العاجل.",
    "privacy": "أُنجز طلب البيانات الشخصية وأُبلغ المستفيد.",
    "profile": "حُفظ التعديل نسخةً جديدة، ويعمل به المساعد من الرسالة التالية.",
}
Form = dict[str, str]
Build = Callable[[Session, Principal, str], str]  # (transaction, staff member, CSRF token) -> page body
Clock = Callable[[], datetime]


async def form_data(request: Request) -> Form:
    """A urlencoded form (no multipart parser is needed for these small forms)."""
    if not request.headers.get("content-type", "").startswith("application/x-www-form-urlencoded"):
        return {}
    body = (await request.body()).decode("utf-8", errors="replace")
    try:
        return {k: v[0] for k, v in parse_qs(body, keep_blank_values=True, max_num_fields=40).items()}
    except ValueError:
        raise HTTPException(400, "too many form fields") from None


def secure_cookies(request: Request) -> bool:
    """Cookies only over HTTPS: the request's own scheme, the proxy's X-Forwarded-Proto when
    TAWASUL_TRUST_FORWARDED=1, or always with TAWASUL_SECURE_COOKIES=1."""
    if os.environ.get("TAWASUL_SECURE_COOKIES") == "1" or request.url.scheme == "https":
        return True
    forwarded = request.headers.get("x-forwarded-proto", "").split(",")[0].strip().lower()
    return os.environ.get("TAWASUL_TRUST_FORWARDED") == "1" and forwarded == "https"


def html(content: str, status: int = 200) -> HTMLResponse:
    return HTMLResponse(content, status_code=status, headers=HEADERS)


def redirect(url: str) -> RedirectResponse:
    return RedirectResponse(url, status_code=303, headers=HEADERS)


router = APIRouter(prefix="/staff", include_in_schema=False)
Posted = Annotated[Form, Depends(form_data)]


def session(request: Request) -> tuple[Principal, str] | None:
    token = request.cookies.get(COOKIE) or ""
    found = read_session(token) if token else None
    if found is None:
        return None
    with reading(backend(request).engine) as tx:
        who = principal_of(tx, *found)
    return (who, token) if who else None


def guard(request: Request, form: Form) -> tuple[Principal, str] | Response:
    found = session(request)
    if found is None:
        return redirect("/staff/login")
    if not csrf_ok(found[1], form.get("csrf")):
        return html(error_page("انتهت صلاحية النموذج أو رمز الحماية غير صحيح؛ أعد تحميل الصفحة."), 403)
    return found


def render(title: str, body: str, who: Principal, token: str, flash: str | None = None) -> HTMLResponse:
    return html(page(title, body, who_name=who.display_name, role=who.role, manager=who.is_manager,
                     csrf=csrf_token(token), flash=flash))


def view(request: Request, title: str, build: Build) -> Response:
    found = session(request)
    if found is None:
        return redirect("/staff/login")
    who, token = found
    try:
        with transaction(backend(request).engine) as tx:
            body = build(tx, who, csrf_token(token))
    except ApiError as exc:
        return html(error_page(exc.message), exc.status_code)
    return render(title, body, who, token, DONE.get(request.query_params.get("done", "")))


def act(request: Request, form: Form, run: Callable[[Session, Principal], Any], then: str,
        title: str | None = None, show: Build | None = None) -> Response:
    """Check the session and CSRF token, run the action in one transaction, then redirect (or show)."""
    found = guard(request, form)
    if isinstance(found, Response):
        return found
    who, token = found
    try:
        with transaction(backend(request).engine) as tx:
            run(tx, who)
            body = show(tx, who, csrf_token(token)) if show else ""
    except ApiError as exc:
        return html(error_page(exc.message), exc.status_code)
    except ValidationError:
        return html(error_page("بيانات النموذج غير مكتملة أو غير صحيحة"), 422)
    return render(title or "", body, who, token) if show else redirect(then)


@router.get("/login")
def login_form(b: Store, request: Request) -> Response:
    pre = request.cookies.get(PRE_COOKIE) or secrets.token_urlsafe(16)
    response = html(login_page(csrf_token(pre)))
    response.set_cookie(PRE_COOKIE, pre, httponly=True, samesite="strict", path="/staff",
                        secure=secure_cookies(request))
    return response


@router.post("/login")
async def login(b: Store, request: Request, form: Posted) -> Response:
    pre = request.cookies.get(PRE_COOKIE)
    if not csrf_ok(pre, form.get("csrf")):
        return html(error_page("رمز الحماية غير صحيح؛ أعد تحميل صفحة الدخول."), 403)
    ip = client_ip(request)

    def check() -> str | None:  # on the sign-in threads (bot/staff/web/signin.py): the session token
        who = sign_in(b.engine, form.get("username", ""), form.get("password", ""), b.clock(), via="console",
                      ip=ip)
        if who is None:
            return None
        with transaction(b.engine) as tx:
            return token_for(tx, who)[0]

    try:
        token = await run_sign_in(check)
    except (LockedOut, Busy) as exc:
        wait = exc.retry_after if isinstance(exc, LockedOut) else 1
        refused = html(login_page(csrf_token(pre or ""), wait_text(wait)), 429)
        refused.headers["Retry-After"] = str(wait)
        return refused
    if token is None:
        return html(login_page(csrf_token(pre or ""), "اسم المستخدم أو كلمة المرور غير صحيحة"), 401)
    response = redirect("/staff")
    response.set_cookie(COOKIE, token, max_age=TOKEN_TTL_SECONDS, httponly=True, samesite="strict",
                        path="/staff", secure=secure_cookies(request))
    response.delete_cookie(PRE_COOKIE, path="/staff")
    return response


@router.post("/logout")
def logout(b: Store, request: Request, form: Posted) -> Response:
    found = guard(request, form)
    if isinstance(found, Response):
        return found
    with transaction(b.engine) as tx:  # the token itself stops working, not only the cookie
        revoke_sessions(tx, found[0].username)
        audit(tx, found[0].username, "logout", found[0].username, b.clock(), via="console")
    response = redirect("/staff/login")
    response.delete_cookie(COOKIE, path="/staff")
    return response


@router.get("")
@router.get("/")
def dashboard(b: Store, request: Request) -> Response:
    found = session(request)
    if found is None:
        return redirect("/staff/login")
    who, token = found
    now = b.clock()
    # Read off the writer lock (webhooks and turns go on meanwhile), then one short write for the audit row.
    with reading(b.engine) as tx:
        totals = dashboard_totals(tx, who, now)
        # Each list shows one page (?requests_page=N, the others kept), so the board costs the same at any size.
        paging = {name: pages.page_of(request.query_params.get(f"{name}_page"), totals[name])
                  for name in pages.BOARD_LISTS}

        size = pages.BOARD_PAGE

        def at(name: str) -> int:
            return (paging[name] - 1) * size

        lists = (work.list_alerts(tx, who, now, log=False, limit=size, offset=at("alerts")),
                 work.list_handoffs(tx, who, now, log=False, limit=size, offset=at("handoffs")),
                 requests.list_requests(tx, who, now, log=False, limit=size, offset=at("requests")),
                 work.list_complaints(tx, who, now, log=False, limit=size, offset=at("complaints")))
        open_privacy = privacy.list_privacy(tx, who, now, log=False, limit=size, offset=at("privacy"))
    with transaction(b.engine) as tx:
        audit(tx, who.username, "view_dashboard", who.org, now, org_slug=who.org,
              counts=[len(rows) for rows in (*lists, open_privacy)], pages=paging)
    body = pages.dashboard(*lists, csrf_token(token), privacy=open_privacy, totals=totals, paging=paging)
    return render("لوحة العمل", body, who, token, DONE.get(request.query_params.get("done", "")))


def dashboard_totals(tx: Session, who: Principal, now: datetime) -> dict[str, int]:
    """Each list's full size, counted in SQL: the page shows the first rows of each, and says how many."""
    org = requests.scope_org(who, None)
    count = requests.count_rows
    open_requests, overdue = requests.open_counts(tx, now, org)
    return {
        "alerts": count(tx, work.alerts_query(org, "open")),
        "handoffs": count(tx, work.open_handoffs_query(org)),
        "requests": open_requests,
        "overdue": overdue,
        "complaints": count(tx, work.complaints_query(org, None)),
        "privacy": count(tx, privacy.privacy_query(org, "open")),
        "privacy_overdue": count(tx, privacy.late_privacy_query(org, now)),
    }


def request_view(clock: Clock, reference: str, personal_reason: str | None = None) -> Build:
    def build(tx: Session, who: Principal, csrf: str) -> str:
        now = clock()
        personal = (requests.personal_data(tx, who, reference, personal_reason, now)
                    if personal_reason is not None else None)
        return pages.request_page(requests.detail(tx, who, reference, now), csrf, personal)
    return build


@router.get("/requests/{reference}")
def request_page(b: Store, request: Request, reference: str) -> Response:
    return view(request, f"الطلب {reference.upper()}", request_view(b.clock, reference))


@router.post("/requests/{reference}/personal")
def request_personal(b: Store, request: Request, reference: str, form: Posted) -> Response:
    return act(request, form, lambda tx, who: None, "", f"الطلب {reference.upper()}",
               request_view(b.clock, reference, form.get("reason", "")))


@router.post("/requests/{reference}/status")
def request_status(b: Store, request: Request, reference: str, form: Posted) -> Response:
    return act(request, form, lambda tx, who: requests.set_status(
        tx, who, reference, form.get("status", ""), form.get("note"), b.clock()),
        f"/staff/requests/{quote(reference)}?done=status")


def handoff_view(clock: Clock, handoff_id: str, reason: str | None = None) -> Build:
    def build(tx: Session, who: Principal, csrf: str) -> str:
        now = clock()
        messages = work.handoff_messages(tx, who, handoff_id, reason, now) if reason is not None else None
        found = work.handoff(tx, who, handoff_id, now, full=messages is not None)  # the reason is audited
        return pages.handoff_page(found, csrf, messages, current_profile(tx, found.org).ready_replies)
    return build


@router.get("/handoffs/{handoff_id}")
def handoff_page(b: Store, request: Request, handoff_id: str) -> Response:
    return view(request, f"المحادثة {handoff_id.upper()}", handoff_view(b.clock, handoff_id))


@router.post("/handoffs/{handoff_id}/messages")
def handoff_messages(b: Store, request: Request, handoff_id: str, form: Posted) -> Response:
    return act(request, form, lambda tx, who: None, "", f"المحادثة {handoff_id.upper()}",
               handoff_view(b.clock, handoff_id, form.get("reason", "")))


@router.post("/handoffs/{handoff_id}/reply")
def handoff_reply(b: Store, request: Request, handoff_id: str, form: Posted) -> Response:
    def run(tx: Session, who: Principal) -> object:
        if not form.get("text", "").strip():
            raise BadInput("نص الرد فارغ")
        return work.reply(tx, who, handoff_id, form["text"], b.clock())
    return act(request, form, run, f"/staff/handoffs/{quote(handoff_id)}?done=reply")


@router.post("/handoffs/{handoff_id}/release")
def handoff_release(b: Store, request: Request, handoff_id: str, form: Posted) -> Response:
    return act(request, form, lambda tx, who: work.release(tx, who, handoff_id, b.clock()), "/staff?done=release")


def complaint_view(clock: Clock, reference: str, reason: str | None = None) -> Build:
    def build(tx: Session, who: Principal, csrf: str) -> str:
        now = clock()
        details = work.complaint_details(tx, who, reference, reason, now) if reason is not None else None
        return pages.complaint_page(work.complaint(tx, who, reference, now), csrf, details)
    return build


@router.get("/complaints/{reference}")
def complaint_page(b: Store, request: Request, reference: str) -> Response:
    return view(request, f"الشكوى {reference.upper()}", complaint_view(b.clock, reference))


@router.post("/complaints/{reference}/personal")
def complaint_personal(b: Store, request: Request, reference: str, form: Posted) -> Response:
    return act(request, form, lambda tx, who: None, "", f"الشكوى {reference.upper()}",
               complaint_view(b.clock, reference, form.get("reason", "")))


@router.post("/complaints/{reference}/resolve")
def complaint_resolve(b: Store, request: Request, reference: str, form: Posted) -> Response:
    def run(tx: Session, who: Principal) -> object:
        if len(form.get("outcome", "").strip()) < 2:
            raise BadInput("اكتب نتيجة الشكوى")
        return work.resolve(tx, who, reference, form["outcome"], b.clock())
    return act(request, form, run, f"/staff/complaints/{quote(reference)}?done=resolve")


@router.post("/complaints/{reference}/investigate")
def complaint_investigate(b: Store, request: Request, reference: str, form: Posted) -> Response:
    def run(tx: Session, who: Principal) -> object:
        try:
            held_on = parse_day(form.get("held_on", "")).isoformat()
        except BadDate as exc:
            raise BadInput(str(exc), "bad_date") from exc
        body = InvestigationIn.model_validate({
            "held_on": held_on, "committee": form.get("committee", "").strip(),
            "harm_found": form.get("harm_found") == "1",
            **{k: form.get(k, "").strip() or None for k in ("harm_size", "causes", "compensation_decision")},
        })
        return work.investigate(tx, who, reference, body, b.clock())
    return act(request, form, run, f"/staff/complaints/{quote(reference)}?done=investigate")


def alert_view(clock: Clock, alert_id: int, reason: str | None = None) -> Build:
    def build(tx: Session, who: Principal, csrf: str) -> str:
        now = clock()
        found = (work.alert_detail(tx, who, alert_id, reason, now) if reason is not None
                 else work.alert_out(tx, work.find_alert(tx, who, alert_id)))
        return pages.alert_page(found, csrf)
    return build


@router.get("/alerts/{alert_id}")
def alert_page(b: Store, request: Request, alert_id: int) -> Response:
    return view(request, f"البلاغ العاجل {alert_id}", alert_view(b.clock, alert_id))


@router.post("/alerts/{alert_id}/personal")
def alert_personal(b: Store, request: Request, alert_id: int, form: Posted) -> Response:
    return act(request, form, lambda tx, who: None, "", f"البلاغ العاجل {alert_id}",
               alert_view(b.clock, alert_id, form.get("reason", "")))


@router.post("/alerts/{alert_id}/reply")
def alert_reply(b: Store, request: Request, alert_id: int, form: Posted) -> Response:
    """Write to the person who raised the alert: their conversation goes to staff (a handoff), then the thread."""
    opened: dict[str, str] = {}

    def run(tx: Session, who: Principal) -> object:
        if not form.get("text", "").strip():
            raise BadInput("نص الرد فارغ")
        done = work.reply_to_alert(tx, who, alert_id, form["text"], b.clock())
        opened["id"] = done.id
        return done
    response = act(request, form, run, "/staff?done=reply")
    if opened and response.status_code in (302, 303):
        response.headers["location"] = f"/staff/handoffs/{quote(opened['id'])}?done=reply"
    return response


@router.post("/alerts/{alert_id}/acknowledge")
def alert_ack(b: Store, request: Request, alert_id: int, form: Posted) -> Response:
    return act(request, form, lambda tx, who: work.acknowledge_alert(tx, who, alert_id, b.clock()),
               "/staff?done=ack")


@router.get("/privacy/{reference}")
def privacy_page(b: Store, request: Request, reference: str) -> Response:
    return view(request, f"طلب البيانات الشخصية {reference.upper()}", lambda tx, who, csrf: pages.privacy_page(
        privacy.privacy(tx, who, reference, b.clock()), csrf))


@router.post("/privacy/{reference}/complete")
def privacy_complete(b: Store, request: Request, reference: str, form: Posted) -> Response:
    return act(request, form, lambda tx, who: privacy.complete(tx, who, reference, form.get("note"), b.clock()),
               f"/staff/privacy/{quote(reference)}?done=privacy")


@router.get("/ratings")
def ratings(b: Store, request: Request) -> Response:
    return view(request, "رضا المستفيدين", lambda tx, who, csrf: pages.ratings_page(
        management.ratings_summary(tx, who, b.clock())))
