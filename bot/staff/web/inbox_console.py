"""The workspace in the console (issue 14): /staff/inbox (live), /staff/threads/C7, /staff/search and
/staff/ready-replies, over the same functions as the API. The session cookie and CSRF tokens of
bot/staff/web/console.py; the inbox's events stream and row refreshes are read with the same cookie.
These pages run one script of ours (/staff/inbox.js), so their CSP allows script-src 'self'."""

# No `from __future__ import annotations`: FastAPI must see the local Annotated aliases.

from collections.abc import Callable
from typing import Any
from urllib.parse import quote

from fastapi import APIRouter, Request
from fastapi.responses import FileResponse, HTMLResponse, JSONResponse, Response, StreamingResponse
from sqlmodel import Session

from bot.staff.auth import Principal, csrf_token
from bot.staff.inbox_schemas import ReadyReplyOut
from bot.staff.labels import field_site_label, service_label
from bot.staff.web import inbox, inbox_pages, ownership, profiles, search, thread, work
from bot.staff.web.backend import Store, backend
from bot.staff.web.console import HEADERS, Posted, act, guard, html, redirect, render, session
from bot.staff.web.errors import ApiError, BadInput
from bot.staff.web.html import error_page
from bot.staff.web.inbox_api import SSE_HEADERS, STREAM_SECONDS, event_stream
from bot.turn.profiles import current_profile
from storage.db import reading, transaction
from storage.models import Handoff

router = APIRouter(prefix="/staff", include_in_schema=False)
SCRIPTED = {**HEADERS, "Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'; script-src 'self'; "
                                                 "connect-src 'self'; img-src 'self'; form-action 'self'; "
                                                 "frame-ancestors 'none'; base-uri 'none'"}
FILTERS = ("view", "channel", "service", "language", "field_site")
DONE = {"claim": "استلمت المحادثة، وأُبلغ المستفيد باسمك.", "assign": "أُسندت المحادثة وأُبلغ المستفيد.",
        "transfer": "حُوّلت المحادثة وأُبلغ المستفيد.", "note": "حُفظت الملاحظة الداخلية (لا تصل إلى المستفيد).",
        "reply": "أُرسل الرد إلى المستفيد.", "ready": "حُفظت الردود الجاهزة نسخةً جديدة من ملف الجمعية."}


def _scripted(response: HTMLResponse) -> HTMLResponse:
    response.headers.update(SCRIPTED)
    return response


def _filters(request: Request) -> dict[str, str]:
    found = {k: request.query_params.get(k, "").strip() for k in FILTERS}
    if found["view"] not in ("mine", "unassigned", "all", "closed"):
        found["view"] = "all"
    return found


def _inbox(b: Any, tx: Session, who: Principal, f: dict[str, str], log: bool = True) -> Any:
    return inbox.inbox(tx, who, b.clock(), view=f["view"], channel=f["channel"] or None,  # type: ignore[arg-type]
                       service=f["service"] or None, language=f["language"] or None,
                       field_site=f["field_site"] or None, log=log)


def _choices(tx: Session, who: Principal) -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
    """(service, Arabic name) and (field site, Arabic name) of the caller's associations, for the filters."""
    orgs = [who.org] if who.org else []
    services = [(s.id, service_label(o, s.id)) for o in orgs for s in current_profile(tx, o).services]
    sites = [(s.id, field_site_label(o, s.id)) for o in orgs for s in current_profile(tx, o).field_sites]
    return services, sites


@router.get("/inbox.js")
def script() -> Response:
    return Response(inbox_pages.INBOX_JS, media_type="application/javascript",
                    headers={"Cache-Control": "no-cache", "X-Content-Type-Options": "nosniff"})


@router.get("/inbox")
def inbox_page(b: Store, request: Request) -> Response:
    found = session(request)
    if found is None:
        return redirect("/staff/login")
    who, token = found
    f = _filters(request)
    try:
        with transaction(b.engine) as tx:
            data = _inbox(b, tx, who, f)
            services, sites = _choices(tx, who)
    except ApiError as exc:
        return html(error_page(exc.message), exc.status_code)
    body = inbox_pages.inbox_page(data, csrf_token(token), f, services, sites)
    return _scripted(render("صندوق الوارد", body, who, token, DONE.get(request.query_params.get("done", ""))))


@router.get("/inbox/rows")
def inbox_rows(b: Store, request: Request) -> Response:
    found = session(request)
    if found is None:
        return JSONResponse({"error": "unauthorized"}, 401)
    who, token = found
    with transaction(b.engine) as tx:
        data = _inbox(b, tx, who, _filters(request))
    return JSONResponse({"rows": inbox_pages.inbox_rows(data.items, csrf_token(token)),
                         "counts": data.counts.model_dump(), "version": data.version}, headers=HEADERS)


@router.get("/inbox/events")
def inbox_events(b: Store, request: Request, since: str | None = None) -> Response:
    found = session(request)
    if found is None:
        return JSONResponse({"error": "unauthorized"}, 401)
    since = request.headers.get("last-event-id") or since  # a reconnection: the last version it saw
    return StreamingResponse(event_stream(b, found[0], None, since, STREAM_SECONDS, request.is_disconnected),
                             media_type="text/event-stream", headers=SSE_HEADERS)


@router.post("/inbox/handoffs/{handoff_id}/claim")
def claim_from_inbox(b: Store, request: Request, handoff_id: str, form: Posted) -> Response:
    taken: dict[str, str] = {}

    def run(tx: Session, who: Principal) -> object:
        done = ownership.claim(tx, who, handoff_id, b.clock())
        taken["conversation"] = done.conversation
        return done
    response = act(request, form, run, "/staff/inbox?done=claim")
    if taken and response.status_code == 303:
        response.headers["location"] = f"/staff/threads/{taken['conversation']}?done=claim"
    return response


def _thread_view(b: Any, request: Request, key: str, reason: str | None = None) -> Response:
    found = session(request)
    if found is None:
        return redirect("/staff/login")
    who, token = found
    try:
        with transaction(b.engine) as tx:
            data = thread.thread(tx, who, key, reason, b.clock(), via="console")
            ready = thread.ready_for(tx, who, key)
            people = ownership.colleagues(tx, data.org)
            cats = [(o.category, o.title.get("ar")) for o in current_profile(tx, data.org).contact_officers]
    except ApiError as exc:
        code = exc.detail.get("error") if isinstance(exc.detail, dict) else None
        if code == "reason_required" and reason is None:
            return render(f"المحادثة {key.upper()}", inbox_pages.reason_page(key.upper(), csrf_token(token)), who,
                          token)
        return html(error_page(exc.message), exc.status_code)
    body = inbox_pages.thread_page(data, csrf_token(token), ready, people, cats)
    return _scripted(render(f"المحادثة {data.conversation}", body, who, token,
                            DONE.get(request.query_params.get("done", ""))))


@router.get("/threads/{key}")
def thread_page(b: Store, request: Request, key: str) -> Response:
    return _thread_view(b, request, key)


@router.post("/threads/{key}/open")
def thread_open(b: Store, request: Request, key: str, form: Posted) -> Response:
    found = guard(request, form)
    if isinstance(found, Response):
        return found
    return _thread_view(b, request, key, form.get("reason", ""))


def _then(key: str, done: str) -> str:
    return f"/staff/threads/{quote(key)}?done={done}"


def _on_handoff(b: Any, key: str, step: Callable[[Session, Principal, str], object]) -> Callable[[Session, Principal], object]:
    def run(tx: Session, who: Principal) -> object:
        data = thread.conversation_of(tx, who, key)
        open_one = work.open_handoffs_query(None).where(Handoff.contact_id == data.id)
        handoff = tx.exec(open_one).first()
        if handoff is None:
            raise BadInput("لا توجد إحالة مفتوحة في هذه المحادثة", "handoff_closed")
        return step(tx, who, f"H{handoff.id}")
    return run


@router.post("/threads/{key}/reply")
def thread_reply(b: Store, request: Request, key: str, form: Posted) -> Response:
    def step(tx: Session, who: Principal, hid: str) -> object:
        if not form.get("text", "").strip():
            raise BadInput("نص الرد فارغ")
        return work.reply(tx, who, hid, form["text"], b.clock())
    return act(request, form, _on_handoff(b, key, step), _then(key, "reply"))


@router.post("/threads/{key}/claim")
def thread_claim(b: Store, request: Request, key: str, form: Posted) -> Response:
    return act(request, form, _on_handoff(b, key, lambda tx, who, hid: ownership.claim(tx, who, hid, b.clock())),
               _then(key, "claim"))


@router.post("/threads/{key}/assign")
def thread_assign(b: Store, request: Request, key: str, form: Posted) -> Response:
    return act(request, form, _on_handoff(b, key, lambda tx, who, hid: ownership.assign(
        tx, who, hid, form.get("to", ""), b.clock())), _then(key, "assign"))


@router.post("/threads/{key}/transfer")
def thread_transfer(b: Store, request: Request, key: str, form: Posted) -> Response:
    return act(request, form, _on_handoff(b, key, lambda tx, who, hid: ownership.transfer(
        tx, who, hid, form.get("category", ""), b.clock())), _then(key, "transfer"))


@router.post("/threads/{key}/notes")
def thread_note(b: Store, request: Request, key: str, form: Posted) -> Response:
    return act(request, form, lambda tx, who: thread.add_note(tx, who, key, form.get("text", ""), b.clock()),
               _then(key, "note"))


@router.get("/threads/{key}/media/{message_id}/{index}")
def thread_media(b: Store, request: Request, key: str, message_id: int, index: int) -> Response:
    found = session(request)
    if found is None:
        return redirect("/staff/login")
    try:
        with transaction(backend(request).engine) as tx:
            path = thread.media_file(tx, found[0], key, message_id, index, b.clock())
    except ApiError as exc:
        return html(error_page(exc.message), exc.status_code)
    return FileResponse(path, headers={"Cache-Control": "no-store", "X-Content-Type-Options": "nosniff"})


@router.get("/search")
def search_page(b: Store, request: Request) -> Response:
    found = session(request)
    if found is None:
        return redirect("/staff/login")
    who, token = found
    kind, value = request.query_params.get("kind", "phone"), request.query_params.get("q", "").strip()
    hits = None
    if value:
        if kind not in ("phone", "name", "id_number", "reference"):
            kind = "phone"
        try:
            with transaction(b.engine) as tx:
                hits = search.search(tx, who, b.clock(), **{kind: value})
        except ApiError as exc:
            return html(error_page(exc.message), exc.status_code)
    return render("البحث", inbox_pages.search_page(hits, kind, value), who, token)


def _ready_org(request: Request, who: Principal) -> str:
    return request.query_params.get("org") or who.org or "esrar"


@router.get("/ready-replies")
def ready_page(b: Store, request: Request) -> Response:
    found = session(request)
    if found is None:
        return redirect("/staff/login")
    who, token = found
    org = _ready_org(request, who)
    try:
        with reading(b.engine) as tx:
            profiles.show(tx, who, org)  # managers of this association only
            replies = [ReadyReplyOut(id=r.id, title=dict(r.title), text=dict(r.text))
                       for r in current_profile(tx, org).ready_replies]
    except ApiError as exc:
        return html(error_page(exc.message), exc.status_code)
    return render("الردود الجاهزة", inbox_pages.ready_editor(org, replies, csrf_token(token)), who, token,
                  DONE.get(request.query_params.get("done", "")))


@router.post("/ready-replies")
def ready_save(b: Store, request: Request, form: Posted) -> Response:
    def run(tx: Session, who: Principal) -> object:
        org = _ready_org(request, who)
        old = {r.id: r for r in current_profile(tx, org).ready_replies}
        replies = []
        for n in range(min(int(form.get("count", "0") or 0), 30)):
            rid = form.get(f"id{n}", "").strip()
            if not rid:
                continue
            texts = {lang: form.get(f"text_{lang}{n}", "").strip() for lang in ("ar", "en", "ur", "id")}
            title = {**(dict(old[rid].title) if rid in old else {}), "ar": form.get(f"title{n}", "").strip()}
            replies.append({"id": rid, "title": title, "text": {k: v for k, v in texts.items() if v}})
        return profiles.edit(tx, who, org, {"ready_replies": replies}, "ready replies (console)", b.clock())
    return act(request, form, run, f"/staff/ready-replies?org={quote(_ready_org(request, session_or_none(request)))}&done=ready")


def session_or_none(request: Request) -> Principal:
    found = session(request)
    return found[0] if found else Principal("", "officer", None, "")
