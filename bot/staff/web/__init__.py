"""The staff side of `tawasul serve`: the REST API under /staff/api and the Arabic console under /staff.

    app.state.staff = Backend(engine, clock)      # what the routers read per request
    app.include_router(staff_router)

Both run the same scoped, audited functions (`requests`, `work`, `management`, `privacy`); the actions
themselves are bot/staff/actions.py, shared with the `tawasul staff` command line.
"""

from __future__ import annotations

from fastapi import APIRouter

from bot.staff.web import (
    api,
    console,
    inbox_api,
    inbox_console,
    profile_api,
    profile_console,
    reports_api,
    reports_console,
)
from bot.staff.web.backend import Backend

staff_router = APIRouter()
staff_router.include_router(api.router)
staff_router.include_router(inbox_api.router)
staff_router.include_router(profile_api.router)
staff_router.include_router(inbox_console.router)
staff_router.include_router(console.router)
staff_router.include_router(profile_console.router)
staff_router.include_router(reports_api.router)
staff_router.include_router(reports_console.router)

__all__ = ["Backend", "staff_router"]
