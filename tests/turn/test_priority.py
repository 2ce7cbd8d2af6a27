"""Webhooks first (bot/turn/priority.py): the turn runner and the outbox step aside while a webhook is being
answered, never for longer than the bound, and the app marks every webhook it answers."""

from __future__ import annotations

import os
import threading
import time

import pytest
from fastapi import Request, Response
from fastapi.responses import PlainTextResponse

from bot import app as app_module
from bot.app import Service, create_app
from bot.messages import InboundMessage
from bot.turn.priority import WebhooksFirst
from bot.turn.runner import TurnRunner
from bot.turn.runtime import Runtime
from connectors.config import Settings
from orgs.directory import OrgDirectory
from tests.staff.web.client import Client


def test_step_aside_returns_at_once_when_no_webhook_is_answered() -> None:
    first = WebhooksFirst(max_wait=5.0)
    started = time.perf_counter()
    first.step_aside()
    assert time.perf_counter() - started < 0.05


def test_step_aside_waits_for_the_webhook_then_goes_on() -> None:
    first = WebhooksFirst(max_wait=5.0)
    resumed: list[float] = []
    with first.answering():
        waiter = threading.Thread(target=lambda: (first.step_aside(), resumed.append(time.perf_counter())))
        waiter.start()
        time.sleep(0.2)
        assert not resumed  # still waiting: a webhook is being answered
        released = time.perf_counter()
    waiter.join(2)
    assert resumed and resumed[0] >= released and resumed[0] - released < 1.0


def test_a_stream_of_webhooks_never_holds_the_background_longer_than_the_bound() -> None:
    first = WebhooksFirst(max_wait=0.1)
    with first.answering():  # one webhook after another: there is always one being answered
        started = time.perf_counter()
        first.step_aside()
        waited = time.perf_counter() - started
    assert 0.09 <= waited < 1.0
    assert not first.busy


def test_a_turn_waits_while_a_webhook_is_answered(runtime: Runtime) -> None:
    first = WebhooksFirst(max_wait=5.0)
    runner = TurnRunner(runtime, threads=1, step_aside=first.step_aside)
    accepted = runtime.accept(InboundMessage(channel="telegram", address="9101", provider_id="p-1", text="مرحبا"))
    assert accepted is not None
    runner.start()
    try:
        with first.answering():
            runner.submit(accepted[1])
            time.sleep(0.3)
            assert not runtime_processed(runtime, accepted[0])  # the turn stepped aside
        deadline = time.monotonic() + 10
        while not runtime_processed(runtime, accepted[0]) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert runtime_processed(runtime, accepted[0])  # and ran once the webhook was answered
    finally:
        runner.stop()


def runtime_processed(runtime: Runtime, inbound_id: int) -> bool:
    from sqlmodel import Session

    from storage.models import InboundRecord

    with Session(runtime.engine) as tx:
        row = tx.get(InboundRecord, inbound_id)
        return row is not None and row.processed_at is not None


def test_the_app_marks_each_webhook_while_it_is_answered(runtime: Runtime, monkeypatch: pytest.MonkeyPatch) -> None:
    service = Service(runtime=runtime, settings=Settings.from_env(OrgDirectory()), channels={})
    seen: list[bool] = []

    async def answer(svc: Service, name: str, request: Request) -> Response:
        seen.append(svc.first.busy)
        return PlainTextResponse("ok")

    monkeypatch.setattr(app_module, "_webhook", answer)
    client = Client(create_app(service))
    assert client.post("/webhooks/telegram", content=b"{}").status_code == 200
    assert client.post("/webhooks/twilio", content=b"").status_code == 200
    assert seen == [True, True]  # marked while answered
    assert not service.first.busy  # and no longer after


def test_a_turn_steps_aside_once_the_nlu_has_answered(runtime: Runtime) -> None:
    calls: list[str] = []
    runtime.step_aside = lambda: calls.append("aside")
    replies = runtime.handle(InboundMessage(channel="telegram", address="9102", provider_id="p-2", text="السلام عليكم"))
    assert replies and calls == ["aside"]  # once, between the NLU's answer and the turn's transaction


def test_full_collections_take_over_the_collectors_full_passes_and_give_them_back() -> None:
    import gc

    from bot.turn.priority import FullCollections

    before = gc.get_threshold()
    collections = FullCollections(WebhooksFirst(), every=3600)
    collections.start()
    try:
        assert gc.get_threshold()[:2] == before[:2]  # the young generations as before
        assert gc.get_threshold()[2] > 10**6  # no automatic full pass
    finally:
        collections.stop()
    assert gc.get_threshold() == before


def test_a_full_pass_waits_for_the_webhook_being_answered() -> None:
    import gc

    from bot.turn.priority import FullCollections

    first = WebhooksFirst()
    collections = FullCollections(first, every=3600, max_wait=5.0)
    passes: list[float] = []
    gc.callbacks.append(lambda phase, info: passes.append(time.perf_counter())
                        if phase == "start" and info["generation"] == 2 else None)
    collections.start()  # no automatic full pass meanwhile
    try:
        with first.answering():
            collector = threading.Thread(target=collections.collect)
            collector.start()
            time.sleep(0.2)
            assert not passes  # not in the middle of a webhook
            answered = time.perf_counter()
        collector.join(5)
    finally:
        collections.stop()
        gc.callbacks.pop()
    assert passes and passes[0] >= answered and collections.passes == 1


def test_a_full_pass_is_not_put_off_for_ever_by_a_stream_of_webhooks() -> None:
    from bot.turn.priority import FullCollections

    first = WebhooksFirst()
    collections = FullCollections(first, every=3600, max_wait=0.1)
    with first.answering():
        started = time.perf_counter()
        collections.collect()
        assert 0.09 <= time.perf_counter() - started < 2.0
    assert collections.passes == 1


@pytest.mark.skipif(not hasattr(os, "getpriority") or os.uname().sysname != "Linux",
                    reason="a thread's own niceness is Linux's")
def test_background_threads_run_below_the_webhooks_and_only_themselves() -> None:
    from bot.turn.priority import lower_priority

    main_before = os.getpriority(os.PRIO_PROCESS, threading.get_native_id())
    seen: dict[str, int] = {}

    def background() -> None:
        start = os.getpriority(os.PRIO_PROCESS, threading.get_native_id())
        seen["now"] = lower_priority(3) - start

    thread = threading.Thread(target=background)
    thread.start()
    thread.join(5)
    assert seen["now"] == min(3, 19 - main_before)  # this thread is lower by 3 ...
    assert os.getpriority(os.PRIO_PROCESS, threading.get_native_id()) == main_before  # ... the webhook's is not


def test_the_background_niceness_is_checked(monkeypatch: pytest.MonkeyPatch) -> None:
    from bot.turn.priority import background_nice

    monkeypatch.setenv("TAWASUL_BACKGROUND_NICE", "0")
    assert background_nice() == 0
    monkeypatch.setenv("TAWASUL_BACKGROUND_NICE", "25")
    with pytest.raises(ValueError):
        background_nice()
