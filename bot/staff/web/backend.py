"""What the staff routers need from the running app: its database and its clock.

`bot/app.py` puts one `Backend` on `app.state.staff`; the module-level routers of `api.py` and
`console.py` receive it per request through the `Store` dependency (tests give their own engine and clock).
"""

# No `from __future__ import annotations`: FastAPI must see the Annotated alias.

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Annotated

from fastapi import Depends, Request
from sqlalchemy.engine import Engine


@dataclass(frozen=True)
class Backend:
    engine: Engine
    clock: Callable[[], datetime]


def backend(request: Request) -> Backend:
    found: Backend = request.app.state.staff
    return found


Store = Annotated[Backend, Depends(backend)]
