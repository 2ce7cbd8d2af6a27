"""A rehearsal before a `serve` process takes its first webhook.

The first turns of a process do work that is done once: the association profiles read and validated, the
language models of nlu/langid_nb.py built, every FAQ's and service's search terms (bot/flows/info_search.py),
the message catalogues, compiled statements. Done by the first beneficiaries' turns, it held the interpreter
lock for up to half a second at a time while their webhooks waited (webhook p99 15x its p50 in the first
seconds of a `serve`). Here a few messages per association run through the real runtime on a private SQLite
database in a temporary directory, with the bot-side NLU parts only (no server is asked, nothing is sent,
nothing is kept), before the service starts listening.

    seconds = warm(["esrar", "namaa"])           # `serve` calls it; TAWASUL_WARM=0 skips it
"""

from __future__ import annotations

import logging
import random
import tempfile
import time
from collections.abc import Iterable

from sqlmodel import SQLModel

from bot.messages import InboundMessage
from bot.turn.runtime import Runtime
from nlu.client import NLUClient
from storage.db import make_engine

log = logging.getLogger("tawasul.warm")

# A greeting, a question, a request and thanks, in the four languages our beneficiaries write.
REHEARSAL = ("السلام عليكم", "متى تفتحون؟", "ابغى اقدم طلب مساعدة", "hello, I need help with food",
             "assalam o alaikum, mujhe madad chahiye", "halo, saya butuh bantuan", "شكرا لكم")


def warm(orgs: Iterable[str]) -> float:
    """Run the rehearsal for each association; the seconds it took."""
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="tawasul-warm-") as directory:
        engine = make_engine(f"sqlite:///{directory}/warm.db")  # not get_engine's: never the service's database
        try:
            SQLModel.metadata.create_all(engine)
            runtime = Runtime(engine=engine, nlu=NLUClient(None), rng=random.Random(0))
            for n, slug in enumerate(orgs):
                for i, text in enumerate(REHEARSAL):
                    accepted = runtime.accept(InboundMessage("telegram", f"{9 * 10**9 + n}", f"warm-{n}-{i}", text,
                                                             slug))
                    if accepted is not None:
                        runtime.process_contact(accepted[1])
        finally:
            engine.dispose()
    seconds = time.perf_counter() - started
    log.info("warmed up in %.2f s", seconds)
    return seconds
