"""The staff side of `tawasul serve`: the REST API under /staff/api and the Arabic console under /staff.

    app.include_router(staff_router(service))

Both run the same scoped, audited functions (`requests`, `work`, `management`); the actions
themselves are bot/staffops, shared with the `tawasul staff` command line.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from fastapi import APIRouter

from bot.staff.web.api import api_router
from bot.staff.web.console import console_router

if TYPE_CHECKING:
    from bot.app import Service


def staff_router(service: Service) -> APIRouter:
    engine, clock = service.runtime.engine, service.runtime.clock
    router = APIRouter()
    router.include_router(api_router(engine, clock))
    router.include_router(console_router(engine, clock))
    return router
