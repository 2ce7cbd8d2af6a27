"""The staff workspace's REST API (issue 14) under /staff/api, in /openapi.json:

    GET  /staff/api/inbox?view=mine|unassigned|all|closed&channel=&service=&language=&field_site=
    GET  /staff/api/inbox/events?since=<version>            server-sent events: {"version", "counts"}
    POST /staff/api/handoffs/H12/claim | /assign {"to": "amal"} | /transfer {"category": "communities"}
    GET  /staff/api/threads/C7?reason=...                   the whole conversation (one reason a day)
    POST /staff/api/threads/C7/notes {"text": "..."}         internal note (never sent)
    GET  /staff/api/threads/C7/ready-replies                in the beneficiary's language
    GET|PUT /staff/api/orgs/esrar/ready-replies             the association's ready replies (PUT: managers)
    GET  /staff/api/search?phone=|name=|id_number=|reference=
"""

# No `from __future__ import annotations`: FastAPI must see the local Annotated aliases.

import asyncio
import json
import time
from collections.abc import AsyncIterator, Callable
from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import FileResponse, StreamingResponse
from starlette.concurrency import run_in_threadpool

from bot.staff.auth import Principal
from bot.staff.inbox_schemas import (
    AssignIn,
    InboxOut,
    NoteIn,
    NoteOut,
    OwnershipOut,
    ReadyRepliesIn,
    ReadyReplyFor,
    ReadyReplyOut,
    SearchHit,
    ThreadOut,
    TransferIn,
    View,
)
from bot.staff.profile_schemas import ProfileVersionOut
from bot.staff.web import inbox, ownership, profiles, search, thread
from bot.staff.web.api import ERRORS, Reason, Who
from bot.staff.web.backend import Backend, Store
from bot.staff.web.requests import scope_org
from bot.turn.profiles import current_profile
from storage.db import reading, transaction

router = APIRouter(prefix="/staff/api", tags=["workspace"], responses=ERRORS)
POLL_SECONDS = 0.5  # how often the events stream looks at the database (any process may have changed it)
HEARTBEAT_SECONDS = 15.0
# A stream ends after this long and the browser reconnects at once (with Last-Event-ID): `serve` waits for open
# responses when it stops, so no console holds it up for longer than this.
STREAM_SECONDS = 20.0


def event_stream(b: Backend, who: Principal, org: str | None, since: str | None, timeout: float,
                 disconnected: Callable[[], object]) -> AsyncIterator[str]:
    """Server-sent events: one `inbox` event whenever the inbox's version changes (the first at once when
    `since` differs), a comment line as heartbeat, until `timeout` seconds (the browser reconnects)."""
    scope = scope_org(who, org)

    def look() -> tuple[str, dict[str, int]]:
        with reading(b.engine) as tx:
            return inbox.version(tx, scope), inbox.counts(tx, who, scope).model_dump()

    async def stream() -> AsyncIterator[str]:
        last, quiet = since, time.monotonic()
        end = time.monotonic() + timeout
        yield "retry: 1000\n\n"
        while time.monotonic() < end:
            if await disconnected():  # type: ignore[misc]
                return
            version, counts = await run_in_threadpool(look)
            if version != last:
                last, quiet = version, time.monotonic()
                yield f"event: inbox\nid: {version}\ndata: {json.dumps({'version': version, 'counts': counts})}\n\n"
            elif time.monotonic() - quiet > HEARTBEAT_SECONDS:
                quiet = time.monotonic()
                yield ": still here\n\n"
            await asyncio.sleep(POLL_SECONDS)

    return stream()


SSE_HEADERS = {"Cache-Control": "no-store", "X-Accel-Buffering": "no"}


@router.get("/inbox", response_model=InboxOut, summary="The live inbox: handoffs, urgent alerts, new complaints")
def get_inbox(b: Store, who: Who, view: View = "all", org: str | None = None, channel: str | None = None,
              service: str | None = None, language: str | None = None, field_site: str | None = None,
              limit: Annotated[int, Query(ge=1, le=1000)] = 200) -> InboxOut:
    with transaction(b.engine) as tx:
        return inbox.inbox(tx, who, b.clock(), view=view, org=org, channel=channel, service=service,
                           language=language, field_site=field_site, limit=limit)


@router.get("/inbox/events", summary="Server-sent events: the inbox changed (version and counts, no personal data)",
            response_class=StreamingResponse, responses={200: {"content": {"text/event-stream": {}}}})
def inbox_events(b: Store, who: Who, request: Request, org: str | None = None, since: str | None = None,
                 timeout: Annotated[float, Query(ge=1, le=3600)] = STREAM_SECONDS) -> StreamingResponse:
    since = request.headers.get("last-event-id") or since
    stream = event_stream(b, who, org, since, timeout, request.is_disconnected)
    return StreamingResponse(stream, media_type="text/event-stream", headers=SSE_HEADERS)


@router.post("/handoffs/{handoff_id}/claim", response_model=OwnershipOut,
             summary="Take an unassigned conversation; the beneficiary is told who is with them (409 if taken)")
def claim(b: Store, who: Who, handoff_id: str) -> OwnershipOut:
    with transaction(b.engine) as tx:
        return ownership.claim(tx, who, handoff_id, b.clock())


@router.post("/handoffs/{handoff_id}/assign", response_model=OwnershipOut,
             summary="Give the conversation to a colleague; the beneficiary is told")
def assign(b: Store, who: Who, handoff_id: str, body: AssignIn) -> OwnershipOut:
    with transaction(b.engine) as tx:
        return ownership.assign(tx, who, handoff_id, body.to, b.clock())


@router.post("/handoffs/{handoff_id}/transfer", response_model=OwnershipOut,
             summary="Pass the conversation to another category's contact officer; the beneficiary is told")
def transfer(b: Store, who: Who, handoff_id: str, body: TransferIn) -> OwnershipOut:
    with transaction(b.engine) as tx:
        return ownership.transfer(tx, who, handoff_id, body.category, b.clock())


@router.get("/threads/{conversation}", response_model=ThreadOut,
            summary="The whole conversation: messages both ways, notes, requests, complaints (one reason a day; "
                    "audited)")
def get_thread(b: Store, who: Who, conversation: str, reason: Reason = None) -> ThreadOut:
    with transaction(b.engine) as tx:
        return thread.thread(tx, who, conversation, reason, b.clock(), via="staff_api")


@router.post("/threads/{conversation}/notes", response_model=NoteOut,
             summary="An internal note: staff see it, the beneficiary never does")
def add_note(b: Store, who: Who, conversation: str, body: NoteIn) -> NoteOut:
    with transaction(b.engine) as tx:
        return thread.add_note(tx, who, conversation, body.text, b.clock())


@router.get("/threads/{conversation}/media/{message_id}/{index}", response_class=FileResponse,
            summary="An attachment of the conversation (after the day's reason; audited)")
def media(b: Store, who: Who, conversation: str, message_id: int, index: int) -> FileResponse:
    with transaction(b.engine) as tx:
        path = thread.media_file(tx, who, conversation, message_id, index, b.clock())
    return FileResponse(path, headers={"Cache-Control": "no-store", "X-Content-Type-Options": "nosniff"})


@router.get("/threads/{conversation}/ready-replies", response_model=list[ReadyReplyFor],
            summary="The association's ready replies in the beneficiary's language")
def ready_for(b: Store, who: Who, conversation: str) -> list[ReadyReplyFor]:
    with reading(b.engine) as tx:
        return thread.ready_for(tx, who, conversation)


@router.get("/orgs/{org}/ready-replies", response_model=list[ReadyReplyOut],
            summary="The association's ready replies in every language")
def list_ready(b: Store, who: Who, org: str) -> list[ReadyReplyOut]:
    with reading(b.engine) as tx:
        scope_org(who, org)
        return [ReadyReplyOut(id=r.id, title=dict(r.title), text=dict(r.text))
                for r in current_profile(tx, org).ready_replies]


@router.put("/orgs/{org}/ready-replies", response_model=ProfileVersionOut,
            summary="Replace the association's ready replies (its managers; a new profile version, audited)")
def put_ready(b: Store, who: Who, org: str, body: ReadyRepliesIn) -> ProfileVersionOut:
    replies = [r.model_dump() for r in body.replies]
    with transaction(b.engine) as tx:
        return profiles.edit(tx, who, org, {"ready_replies": replies}, body.note or "ready replies", b.clock())


@router.get("/search", response_model=list[SearchHit],
            summary="Find conversations by phone, name, ID number or reference (one key; masked; audited)")
def find(b: Store, who: Who, phone: str | None = None, name: str | None = None, id_number: str | None = None,
         reference: str | None = None) -> list[SearchHit]:
    with transaction(b.engine) as tx:
        return search.search(tx, who, b.clock(), phone=phone, name=name, id_number=id_number, reference=reference)
