"""The one place that wires everything: `tawasul serve` (webhooks, /healthz, the staff console and API,
the turn runner, the outbox worker, Telegram polling) and `tawasul telegram`.

    GET  /healthz             {"status": "ok", "database": "ok", "nlu": "unreachable", ...}
    POST /webhooks/twilio     WhatsApp and SMS (form-encoded, X-Twilio-Signature)
    POST /webhooks/telegram   Telegram updates (JSON, X-Telegram-Bot-Api-Secret-Token)

A webhook only verifies, parses and stores (`Runtime.accept`) and answers; the turn runs in the
turn runner's threads and replies leave through the outbox worker, so a provider never waits on NLU.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import gc
import logging
import os
import signal
import sys
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from typing import Any

import httpx
from fastapi import APIRouter, FastAPI, Request, Response
from fastapi.responses import JSONResponse, PlainTextResponse
from sqlalchemy import text as sql
from starlette.concurrency import run_in_threadpool

from bot.errors import InputError, SignatureError
from bot.inbox import Inbox, record_of
from bot.messages import Channel, Inbound, WebhookRequest
from bot.staff.web import Backend, staff_router
from bot.turn.priority import FullCollections, WebhooksFirst
from bot.turn.runtime import Runtime
from connectors import build_channels
from connectors.config import Settings
from orgs.directory import OrgDirectory
from storage.db import Leader, get_engine, only_one, reading
from storage.queries import contact_by_address

log = logging.getLogger("tawasul.web")
MAX_WEBHOOK_BYTES = int(os.environ.get("TAWASUL_WEBHOOK_MAX_BYTES", str(1024 * 1024)))


@dataclass
class Service:
    """What the app needs: the runtime, the channels, and the background machinery (or none)."""

    runtime: Runtime
    settings: Settings
    channels: dict[str, Channel]
    submit: Callable[[int], None] = lambda _contact_id: None  # hand a contact to the turn runner
    on_status: Callable[[str, Any], object] | None = None  # delivery status callback sink
    inbox: Inbox | None = None  # the journal of verified webhooks (bot/inbox.py), when serving
    first: WebhooksFirst = field(default_factory=WebhooksFirst)  # background threads step aside for webhooks
    started: list[Callable[[], None]] = field(default_factory=list)
    stopped: list[Callable[[], None]] = field(default_factory=list)


def nlu_status(url: str | None) -> str:
    """'reachable', 'unreachable' or 'not configured'; never raises (health must not fail on NLU)."""
    if not url:
        return "not configured"
    for server in url.split(","):  # NLU_URL may list several servers: reachable when any one is
        try:
            httpx.get(server.strip().rstrip("/") + "/", timeout=0.5)
        except httpx.HTTPError:
            continue
        return "reachable"
    return "unreachable"


router = APIRouter()  # /healthz and the provider webhooks; the service is the app's (`app.state.service`)


def service_of(request: Request) -> Service:
    found: Service = request.app.state.service
    return found


@router.get("/healthz")
def healthz(request: Request) -> JSONResponse:
    service = service_of(request)
    try:
        with service.runtime.engine.connect() as conn:
            conn.execute(sql("SELECT 1"))
        database = "ok"
    except Exception as exc:  # noqa: BLE001 - health reports any database failure as a 503
        log.warning("health: database check failed (%s)", type(exc).__name__)
        database = "error"
    body = {
        "status": "ok" if database == "ok" else "error",
        "database": database,
        "dialect": service.runtime.engine.dialect.name,
        "nlu": "starting" if getattr(service.runtime.nlu, "starting", False)
        else nlu_status(getattr(service.runtime.nlu, "url", None) or os.environ.get("NLU_URL")),
        "channels": sorted(service.channels),
    }
    return JSONResponse(body, status_code=200 if database == "ok" else 503)


@router.post("/webhooks/twilio")
async def twilio_webhook(request: Request) -> Response:
    """WhatsApp and SMS (form-encoded, X-Twilio-Signature)."""
    return await webhook("twilio", request)


@router.post("/webhooks/telegram")
async def telegram_webhook(request: Request) -> Response:
    """Telegram updates (JSON, X-Telegram-Bot-Api-Secret-Token)."""
    return await webhook("telegram", request)


async def webhook(name: str, request: Request) -> Response:
    """Verify, parse, store, answer: the turn runs later, in the turn runner's threads (which step aside
    meanwhile: bot/turn/priority.py)."""
    service = service_of(request)
    with service.first.answering():
        return await _webhook(service, name, request)


async def _webhook(service: Service, name: str, request: Request) -> Response:
    channel = service.channels.get(name)
    if channel is None:
        return PlainTextResponse("channel not configured", status_code=404)
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > MAX_WEBHOOK_BYTES:
        return PlainTextResponse("payload too large", status_code=413)
    chunks, size = [], 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > MAX_WEBHOOK_BYTES:  # a body without (or with a false) Content-Length stops here
            return PlainTextResponse("payload too large", status_code=413)
        chunks.append(chunk)
    body = b"".join(chunks)
    hook = WebhookRequest(
        path=request.url.path,
        query=request.url.query,
        headers={k.lower(): v for k, v in request.headers.items()},
        body=body,
    )
    inbox = service.inbox
    if inbox is not None and inbox.journal_first and inbox.journal is not None:
        return await journal_only(inbox, name, channel, hook)
    return await run_in_threadpool(handle, service, name, channel, hook)


async def journal_only(inbox: Inbox, name: str, channel: Channel, hook: WebhookRequest) -> Response:
    """TAWASUL_WEBHOOK_ACCEPT=journal: verify, journal and answer here, on the event loop (no worker thread,
    no database, no writer lock); only the flush to disk waits, in the journal's own thread."""
    try:
        channel.verify(hook)  # a hash of the body: microseconds
    except SignatureError as exc:
        log.warning("%s webhook rejected: %s", name, exc)
        return PlainTextResponse("forbidden", status_code=403)
    journal = inbox.journal
    assert journal is not None
    seq = journal.write(record_of(name, hook))
    await asyncio.get_running_loop().run_in_executor(inbox.syncer, journal.sync)
    inbox.leave(seq)  # the replayer parses and stores it at once
    media_type, content = channel.ack_body
    return Response(content=content, media_type=media_type)


def handle(service: Service, name: str, channel: Channel, hook: WebhookRequest) -> Response:
    try:
        channel.verify(hook)  # before any parsing: a forged body is never looked at
    except SignatureError as exc:
        log.warning("%s webhook rejected: %s", name, exc)
        return PlainTextResponse("forbidden", status_code=403)
    if service.inbox is None:
        return dispatch(service, name, channel, hook)
    # Journaled (on disk) first: with the database away the provider still gets its 2xx, and the message is
    # stored by the inbox's replayer when the database is back.
    response: Response | None = service.inbox.receive(name, hook, lambda: dispatch(service, name, channel, hook))
    if response is None:
        media_type, content = channel.ack_body
        return Response(content=content, media_type=media_type)
    return response


def dispatch(service: Service, name: str, channel: Channel, hook: WebhookRequest) -> Response:
    """Parse a verified webhook, store its messages and hand their contacts to the turn runner; the answer.
    A database error propagates (the inbox keeps the journaled request for later)."""
    try:
        parsed: Inbound = channel.parse(hook)
        for msg in parsed.messages:
            accepted = service.runtime.accept(msg)  # stored (or a duplicate) -> the provider may stop retrying
            if accepted is not None:
                service.submit(accepted[1])
    except InputError as exc:
        log.info("%s webhook ignored: %s", name, exc)
        return PlainTextResponse("bad request", status_code=400)
    except (KeyError, TypeError, ValueError, AttributeError, RecursionError) as exc:
        # A signed payload of a shape we do not understand: a clear 400 (a 500 would be retried for ever).
        log.warning("%s webhook unreadable (%s)", name, type(exc).__name__)
        return PlainTextResponse("bad request", status_code=400)
    if parsed.status is not None and service.on_status is not None:
        service.on_status(name, parsed.status)
    media_type, content = channel.ack_body
    return Response(content=content, media_type=media_type)


def create_app(service: Service) -> FastAPI:
    @contextlib.asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        for start in service.started:
            start()
        try:
            yield
        finally:
            for stop in service.stopped:
                stop()

    docs = os.environ.get("TAWASUL_DOCS") == "1"  # the interactive /docs page only where asked for
    app = FastAPI(title="Tawasul", version="0.1.0", lifespan=lifespan, docs_url="/docs" if docs else None,
                  redoc_url=None)
    app.state.service = service
    app.state.staff = Backend(service.runtime.engine, service.runtime.clock)
    app.include_router(router)
    app.include_router(staff_router)  # /staff (console) and /staff/api (REST)
    return app


def build_service(
    *, worker: bool = True, settings: Settings | None = None, poll: bool | None = None, nlu: Any = None
) -> Service:
    """The production wiring: NLU client, runtime, channels, turn runner, outbox worker, polling.

    Telegram is polled (no webhook) when `poll` is True, or by default when a bot token is set
    but no TELEGRAM_WEBHOOK_SECRET: `make run` with only TELEGRAM_BOT_TOKEN gives a working bot.
    """
    from bot.turn.optout import intercept
    from bot.turn.outbox import OutboxWorker, record_status
    from bot.turn.runner import TurnRunner, media_fetcher
    from connectors.config import install_redaction
    from nlu.client import NLUClient

    settings = settings or Settings.from_env(OrgDirectory())
    install_redaction(settings)
    nlu_url = os.environ.get("NLU_URL")
    if nlu is None and nlu_url:
        nlu = NLUClient(nlu_url)
    runtime = Runtime(engine=get_engine(), nlu=nlu,
                      default_org=settings.default_org, intercept=intercept)
    channels = build_channels(settings)
    service = Service(runtime=runtime, settings=settings, channels=channels)
    runtime.step_aside = service.first.step_aside
    telegram = channels.get("telegram")
    if telegram is not None:
        telegram.org_of_chat = lambda chat: org_of_address(runtime, "telegram", chat)  # type: ignore[attr-defined]
    from bot.staff.retention import apply_retention
    from bot.staff.timers import write_digests
    from bot.turn.sweep import sweep_handoffs

    every = float(os.environ.get("TAWASUL_SWEEP_SECONDS", "60"))
    daily = float(os.environ.get("TAWASUL_RETENTION_SECONDS", str(24 * 3600)))
    engine = runtime.engine
    # Several `serve` processes may share one PostgreSQL database: each periodic job runs in one at a time.
    runner = TurnRunner(runtime, prepare=media_fetcher(runtime, channels), step_aside=service.first.step_aside,
                        periodic=((every, only_one(engine, "sweep:handoffs",
                                                   lambda: sweep_handoffs(engine, runtime.clock()))),
                                  (daily, only_one(engine, "retention",
                                                   lambda: apply_retention(engine, runtime.clock()))),
                                  # Hourly, idempotent: the first run of each association's day writes its digest.
                                  (float(os.environ.get("TAWASUL_DIGEST_SECONDS", "3600")),
                                   only_one(engine, "digests", lambda: write_digests(engine, runtime.clock())))))
    service.submit = runner.submit
    service.started.append(runner.start)
    service.stopped.append(runner.stop)
    inbox = Inbox(lambda name, hook: dispatch(service, name, service.channels[name], hook))
    service.inbox = inbox
    service.started.append(inbox.start)  # after the runner: what it replays is handed to running threads
    service.stopped.insert(0, inbox.stop)
    service.on_status = lambda _name, status: record_status(runtime.engine, status)
    if worker:
        outbox = OutboxWorker(runtime.engine, channels,  # each sender claims one row at a time
                              senders=int(os.environ.get("TAWASUL_OUTBOX_SENDERS", "8")),
                              step_aside=service.first.step_aside)
        runner.queued = outbox.wake  # a turn's replies leave at once, not after the senders' idle wait
        service.started.append(outbox.start)
        service.stopped.append(outbox.stop)
    if poll is None:
        poll = bool(settings.telegram_bot_token and not settings.telegram_webhook_secret)
    if poll and telegram is not None:
        from connectors.telegram.polling import Poller

        def accept(msg: Any) -> int | None:
            accepted = runtime.accept(msg)
            return accepted[1] if accepted else None

        leader = Leader(engine, "telegram:poll")
        poller = Poller(telegram, accept, runner.submit, may_poll=leader.held)  # type: ignore[arg-type]
        service.started.append(poller.start)
        service.stopped.insert(0, poller.stop)
        service.stopped.append(leader.release)
    for channel in channels.values():
        service.stopped.append(channel.close)
    return service


def org_of_address(runtime: Runtime, channel: str, address: str) -> str | None:
    """The org this chat last spoke with (a Telegram chat keeps the org its /start link chose)."""
    with reading(runtime.engine) as tx:  # a read: the webhook takes the writer lock once, to accept
        found = contact_by_address(tx, channel, address)
        return found.org_slug if found else None


class Terminated(SystemExit):
    """SIGTERM, as an exception: `with` blocks close on the way out."""


def _terminated(signum: int, _frame: object) -> None:
    raise Terminated(128 + signum)


def main(argv: list[str]) -> int:
    import uvicorn

    from storage.migrate import upgrade

    parser = argparse.ArgumentParser(prog="tawasul serve")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8000)
    parser.add_argument("--no-worker", action="store_true", help="do not run the outbound delivery worker")
    parser.add_argument("--no-nlu", action="store_true", help="without NLU_URL, do not start a local NLU server")
    args = parser.parse_args(argv)
    upgrade()
    # uvicorn stops gracefully on SIGTERM/SIGINT, then re-raises the signal it caught. With the default
    # SIGTERM action that kills the process before the exit stack below runs, leaving the Rasa child
    # (~580 MB) behind; SIGINT would end in a traceback. As an exception each unwinds instead: the service stops, the child is stopped.
    signal.signal(signal.SIGTERM, _terminated)
    signal.signal(signal.SIGINT, _terminated)
    # Turn, outbox and webhook threads share one interpreter lock; by default a busy thread keeps it for
    # 5 ms before the event loop may answer a webhook. A shorter slice trades a little throughput for that.
    sys.setswitchinterval(float(os.environ.get("TAWASUL_SWITCH_INTERVAL", "0.001")))
    with contextlib.ExitStack() as stack:
        nlu = None
        if not args.no_nlu:
            from nlu.local import LocalNLU


            # Without NLU_URL a local Rasa server starts in the background; until it is ready the
            # bot serves through menus, digits and regex entities.
            nlu = LocalNLU(stack, background=True)
        service = build_service(worker=not args.no_worker, nlu=nlu)
        if os.environ.get("TAWASUL_WARM", "1") != "0":
            # The once-per-process work of the first turns, done before the first webhook waits on it.
            from bot.turn.warm import warm
            from orgs.loader import all_orgs

            warm(all_orgs())
        # What is loaded by now (profiles, models, modules, compiled statements) lives as long as the process:
        # kept out of the collector's full passes, which otherwise walk it all and held every thread for
        # a quarter of a second at a time (the rare slow webhook of an idle service).
        gc.collect()
        gc.freeze()
        # ... and the full passes that remain, run between webhooks (bot/turn/priority.py).
        collections = FullCollections(service.first, every=float(os.environ.get("TAWASUL_FULL_GC_SECONDS", "30")))
        service.started.append(collections.start)
        service.stopped.append(collections.stop)
        log.info("serving on http://%s:%d (channels: %s)", args.host, args.port,
                 ", ".join(service.channels) or "none")
        uvicorn.run(create_app(service), host=args.host, port=args.port, log_level="warning", access_log=False)
    return 0


def telegram_main(argv: list[str]) -> int:
    """`tawasul telegram set-webhook | delete-webhook | poll`."""
    from connectors.config import install_redaction
    from connectors.telegram.channel import TelegramChannel
    from connectors.telegram.polling import ALLOWED_UPDATES

    parser = argparse.ArgumentParser(prog="tawasul telegram")
    sub = parser.add_subparsers(dest="action", required=True)
    sub.add_parser("set-webhook", help="point Telegram at PUBLIC_BASE_URL/webhooks/telegram")
    sub.add_parser("delete-webhook", help="stop webhook delivery (before polling elsewhere)")
    sub.add_parser("poll", help="run the bot by long polling (no public URL needed)")
    args = parser.parse_args(argv)
    settings = Settings.from_env(OrgDirectory())
    install_redaction(settings)
    if not settings.telegram_bot_token:
        print("TELEGRAM_BOT_TOKEN is not set")
        return 2
    channel = TelegramChannel(settings)
    try:
        if args.action == "set-webhook":
            if not (settings.public_base_url and settings.telegram_webhook_secret):
                print("PUBLIC_BASE_URL and TELEGRAM_WEBHOOK_SECRET must both be set")
                return 2
            url = f"{settings.public_base_url}/webhooks/telegram"
            channel.call(lambda bot: bot.set_webhook(url, secret_token=settings.telegram_webhook_secret,
                                                     allowed_updates=ALLOWED_UPDATES))
            print(f"webhook set to {url}")
            return 0
        if args.action == "delete-webhook":
            channel.call(lambda bot: bot.delete_webhook())
            print("webhook deleted")
            return 0
        return _poll_forever(settings)
    finally:
        channel.close()


def _poll_forever(settings: Settings) -> int:
    import signal
    import threading
    import time

    service = build_service(settings=settings, poll=True)
    for start in service.started:
        start()
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    try:
        while not stop.is_set():
            time.sleep(0.5)
    except KeyboardInterrupt:
        pass
    for halt in service.stopped:
        halt()
    return 0
