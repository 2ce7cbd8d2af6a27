"""The staff REST API under /staff/api (JSON; documented in /openapi.json). Bearer tokens from
POST /staff/api/login; every call runs in one transaction that also writes its audit row.

    POST /staff/api/login {"username": "amal", "password": "..."}  -> {"access_token": "...", ...}
    GET  /staff/api/requests?overdue=true                     Authorization: Bearer <token>
    GET  /staff/api/requests/ESR-1234-56782/personal?reason=متابعة+اتصال+المستفيد
    POST /staff/api/privacy/PRV-1234-56782/complete {"note": "..."}
"""

# No `from __future__ import annotations`: FastAPI must see the local Annotated aliases.

from datetime import UTC, datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import PlainTextResponse
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from bot.staff.auth import (
    LockedOut,
    Principal,
    principal_of,
    read_session,
    revoke_sessions,
    sign_in,
    token_for,
)
from bot.staff.schemas import (
    AlertOut,
    AuditOut,
    ComplaintDetails,
    ComplaintOut,
    ErrorOut,
    HandoffActionOut,
    HandoffMessage,
    HandoffOut,
    InvestigationIn,
    LoginIn,
    MeOut,
    PersonalData,
    PrivacyCompleteIn,
    PrivacyCompleteOut,
    PrivacyOut,
    RatingsOut,
    ReplyIn,
    RequestDetail,
    RequestSummary,
    ResolveIn,
    Status,
    StatusIn,
    StatusOut,
    TokenOut,
    VisitIn,
    VisitOut,
)
from bot.staff.web import management, privacy, requests, work
from bot.staff.web.backend import Store
from bot.staff.web.errors import TooMany, Unauthorized
from bot.staff.web.signin import Busy, client_ip, run_sign_in, wait_text
from storage.db import transaction
from storage.queries import audit

ERRORS: dict[int | str, dict[str, Any]] = {
    code: {"model": ErrorOut} for code in (400, 401, 403, 404, 429)
}
Reason = Annotated[str | None, Query(description="why personal data is needed (audited, 5+ characters)")]


router = APIRouter(prefix="/staff/api", tags=["staff"], responses=ERRORS)
bearer = HTTPBearer(auto_error=False, description="token from POST /staff/api/login")


def current(b: Store, creds: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)]) -> Principal:
    session = read_session(creds.credentials) if creds is not None else None
    if session is None:
        raise Unauthorized("يلزم تسجيل الدخول (رمز غير صالح أو منتهي)")
    with transaction(b.engine) as tx:
        who = principal_of(tx, *session)
    if who is None:
        raise Unauthorized("المستخدم غير موجود أو موقوف، أو انتهت هذه الجلسة")
    return who

Who = Annotated[Principal, Depends(current)]


@router.post("/login", response_model=TokenOut, summary="Sign in; returns a bearer token")
async def login(b: Store, body: LoginIn, request: Request) -> TokenOut:
    ip = client_ip(request)

    def check() -> tuple[Principal, str, int] | None:  # on the sign-in threads (bot/staff/web/signin.py)
        who = sign_in(b.engine, body.username, body.password, b.clock(), via="staff_api", ip=ip)
        if who is None:
            return None
        with transaction(b.engine) as tx:
            return (who, *token_for(tx, who))

    try:
        signed = await run_sign_in(check)
    except LockedOut as exc:
        raise TooMany(wait_text(exc.retry_after), exc.retry_after) from exc
    except Busy as exc:
        raise TooMany(wait_text(1), 1) from exc
    if signed is None:
        raise Unauthorized("اسم المستخدم أو كلمة المرور غير صحيحة", "bad_credentials")
    who, token, expires = signed
    return TokenOut(access_token=token, expires_at=datetime.fromtimestamp(expires, UTC),
                    username=who.username, role=who.role, org=who.org)


@router.post("/logout", status_code=204, summary="End every session of the signed-in staff member")
def logout(b: Store, who: Who) -> None:
    with transaction(b.engine) as tx:
        revoke_sessions(tx, who.username)
        audit(tx, who.username, "logout", who.username, b.clock(), via="staff_api")


@router.get("/me", response_model=MeOut, summary="The signed-in staff member")
def me(b: Store, who: Who) -> MeOut:
    return MeOut(username=who.username, display_name=who.display_name, role=who.role, org=who.org,
                 sees_health_data=who.sees_health, is_manager=who.is_manager)


@router.get("/requests", response_model=list[RequestSummary],
            summary="Requests, soonest deadline first (open ones unless a status is given)")


def list_requests(b: Store, who: Who, org: str | None = None, status: Status | None = None, overdue: bool | None = None,
                  limit: Annotated[int, Query(ge=1, le=1000)] = 200,
                  offset: Annotated[int, Query(ge=0)] = 0) -> list[RequestSummary]:
    with transaction(b.engine) as tx:
        return requests.list_requests(tx, who, b.clock(), org=org, status=status, overdue=overdue,
                                      limit=limit, offset=offset)


@router.get("/requests/{reference}", response_model=RequestDetail, summary="One request, no personal data")
def get_request(b: Store, who: Who, reference: str) -> RequestDetail:
    with transaction(b.engine) as tx:
        return requests.detail(tx, who, reference, b.clock())


@router.get("/requests/{reference}/personal", response_model=PersonalData,
            summary="The beneficiary's data on a request (reason required; audited)")


def get_personal(b: Store, who: Who, reference: str, reason: Reason = None) -> PersonalData:
    with transaction(b.engine) as tx:
        return requests.personal_data(tx, who, reference, reason, b.clock())


@router.post("/requests/{reference}/status", response_model=StatusOut,
             summary="Change a request's status; the beneficiary is told on their channel")


def set_status(b: Store, who: Who, reference: str, body: StatusIn) -> StatusOut:
    with transaction(b.engine) as tx:
        return requests.set_status(tx, who, reference, body.status, body.note, b.clock())


@router.post("/requests/{reference}/visit", response_model=VisitOut,
             summary="Schedule the field visit of a request whose service includes one; the family is told")
def schedule_visit(b: Store, who: Who, reference: str, body: VisitIn) -> VisitOut:
    with transaction(b.engine) as tx:
        return requests.schedule_visit(tx, who, reference, body.date, body.time, body.note, b.clock(),
                                       body.researcher)


@router.get("/handoffs", response_model=list[HandoffOut], summary="Open handoffs")
def list_handoffs(b: Store, who: Who, org: str | None = None,
                  limit: Annotated[int, Query(ge=1, le=1000)] = 200,
                  offset: Annotated[int, Query(ge=0)] = 0) -> list[HandoffOut]:
    with transaction(b.engine) as tx:
        return work.list_handoffs(tx, who, b.clock(), org, limit=limit, offset=offset)


@router.get("/handoffs/{handoff_id}/messages", response_model=list[HandoffMessage],
            summary="What the beneficiary wrote since the handoff (reason required; audited)")


def handoff_messages(b: Store, who: Who, handoff_id: str, reason: Reason = None) -> list[HandoffMessage]:
    with transaction(b.engine) as tx:
        return work.handoff_messages(tx, who, handoff_id, reason, b.clock())


@router.post("/handoffs/{handoff_id}/reply", response_model=HandoffActionOut,
             summary="Answer in a handed-off conversation")


def handoff_reply(b: Store, who: Who, handoff_id: str, body: ReplyIn) -> HandoffActionOut:
    with transaction(b.engine) as tx:
        return work.reply(tx, who, handoff_id, body.text, b.clock())


@router.post("/handoffs/{handoff_id}/release", response_model=HandoffActionOut,
             summary="Give the conversation back to the bot")


def handoff_release(b: Store, who: Who, handoff_id: str) -> HandoffActionOut:
    with transaction(b.engine) as tx:
        return work.release(tx, who, handoff_id, b.clock())


@router.get("/complaints", response_model=list[ComplaintOut],
            summary="Complaints (unresolved unless a status is given), without their text")


def list_complaints(b: Store, who: Who, org: str | None = None, status: str | None = None,
                    limit: Annotated[int, Query(ge=1, le=1000)] = 200,
                    offset: Annotated[int, Query(ge=0)] = 0) -> list[ComplaintOut]:
    with transaction(b.engine) as tx:
        return work.list_complaints(tx, who, b.clock(), org, status, limit=limit, offset=offset)


@router.get("/complaints/{reference}", response_model=ComplaintOut, summary="One complaint")
def get_complaint(b: Store, who: Who, reference: str) -> ComplaintOut:
    with transaction(b.engine) as tx:
        return work.complaint(tx, who, reference, b.clock())


@router.get("/complaints/{reference}/personal", response_model=ComplaintDetails,
            summary="A complaint's text and attachments (reason required; audited)")


def complaint_personal(b: Store, who: Who, reference: str, reason: Reason = None) -> ComplaintDetails:
    with transaction(b.engine) as tx:
        return work.complaint_details(tx, who, reference, reason, b.clock())


@router.post("/complaints/{reference}/resolve", response_model=ComplaintOut,
             summary="Close a complaint with its outcome; the beneficiary is told")


def resolve(b: Store, who: Who, reference: str, body: ResolveIn) -> ComplaintOut:
    with transaction(b.engine) as tx:
        return work.resolve(tx, who, reference, body.outcome, b.clock())


@router.post("/complaints/{reference}/investigations", response_model=ComplaintOut,
             summary="Record the committee's investigation (R10)")


def investigate(b: Store, who: Who, reference: str, body: InvestigationIn) -> ComplaintOut:
    with transaction(b.engine) as tx:
        return work.investigate(tx, who, reference, body, b.clock())


@router.get("/privacy", response_model=list[PrivacyOut],
            summary="Personal-data requests (PDPL), soonest 30-day deadline first; no personal data")


def list_privacy(b: Store, who: Who, org: str | None = None,
                 status: Annotated[str, Query(pattern="^(open|done)$")] = "open",
                 limit: Annotated[int, Query(ge=1, le=1000)] = 200,
                 offset: Annotated[int, Query(ge=0)] = 0) -> list[PrivacyOut]:
    with transaction(b.engine) as tx:
        return privacy.list_privacy(tx, who, b.clock(), org, status, limit=limit, offset=offset)


@router.post("/privacy/{reference}/complete", response_model=PrivacyCompleteOut,
             summary="Mark a personal-data request done; the beneficiary is told on their channel")


def complete_privacy(b: Store, who: Who, reference: str, body: PrivacyCompleteIn) -> PrivacyCompleteOut:
    with transaction(b.engine) as tx:
        return privacy.complete(tx, who, reference, body.note, b.clock())


@router.get("/privacy/{reference}/export", response_class=PlainTextResponse,
            summary="A copy of the person's data as a file in their language (access requests; reason; audited)")
def export_privacy(b: Store, who: Who, reference: str, reason: Reason = None) -> PlainTextResponse:
    with transaction(b.engine) as tx:
        name, text = privacy.export(tx, who, reference, reason, b.clock())
    return PlainTextResponse(text, headers={"Content-Disposition": f'attachment; filename="{name}"',
                                            "Cache-Control": "no-store"})


@router.get("/alerts", response_model=list[AlertOut], summary="Urgent alerts, newest first")
def list_alerts(b: Store, who: Who, org: str | None = None,
                status: Annotated[str, Query(pattern="^(open|acknowledged)$")] = "open",
                limit: Annotated[int, Query(ge=1, le=1000)] = 200,
                offset: Annotated[int, Query(ge=0)] = 0) -> list[AlertOut]:
    with transaction(b.engine) as tx:
        return work.list_alerts(tx, who, b.clock(), org, status, limit=limit, offset=offset)


@router.get("/alerts/{alert_id}", response_model=AlertOut,
            summary="One urgent alert in full: address, exact location, text (reason required; audited)")
def get_alert(b: Store, who: Who, alert_id: int, reason: Reason = None) -> AlertOut:
    with transaction(b.engine) as tx:
        return work.alert_detail(tx, who, alert_id, reason, b.clock())


@router.post("/alerts/{alert_id}/acknowledge", response_model=AlertOut, summary="Take an urgent alert")
def acknowledge(b: Store, who: Who, alert_id: int) -> AlertOut:
    with transaction(b.engine) as tx:
        return work.acknowledge_alert(tx, who, alert_id, b.clock())


@router.post("/alerts/{alert_id}/reply", response_model=HandoffActionOut,
             summary="Write to the person who raised an urgent alert (their conversation goes to staff)")
def alert_reply(b: Store, who: Who, alert_id: int, body: ReplyIn) -> HandoffActionOut:
    with transaction(b.engine) as tx:
        return work.reply_to_alert(tx, who, alert_id, body.text, b.clock())


@router.get("/ratings/summary", response_model=RatingsOut, summary="Satisfaction per service (managers)")
def ratings(b: Store, who: Who, org: str | None = None) -> RatingsOut:
    with transaction(b.engine) as tx:
        return management.ratings_summary(tx, who, b.clock(), org)


@router.get("/audit", response_model=list[AuditOut], summary="The audit log, newest first (managers)")
def audit_log(b: Store, who: Who, actor: str | None = None, action: str | None = None,
              limit: Annotated[int, Query(ge=1, le=1000)] = 200,
              offset: Annotated[int, Query(ge=0)] = 0) -> list[AuditOut]:
    with transaction(b.engine) as tx:
        return management.audit_log(tx, who, b.clock(), actor, action, limit, offset)
