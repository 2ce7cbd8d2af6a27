"""What the sign-in handlers (API and console) need from the request: the caller's address for the
back-off (bot/staff/throttle.py), and how long to wait, in Arabic for staff."""

from __future__ import annotations

import math
import os

from fastapi import Request


def client_ip(request: Request) -> str | None:
    """The caller's address for the sign-in back-off: the proxy's X-Forwarded-For (its last hop, the one
    our proxy added) when TAWASUL_TRUST_FORWARDED=1, else the connection's."""
    if os.environ.get("TAWASUL_TRUST_FORWARDED") == "1":
        forwarded = [p.strip() for p in request.headers.get("x-forwarded-for", "").split(",") if p.strip()]
        if forwarded:
            return forwarded[-1]
    return request.client.host if request.client else None


def wait_text(seconds: int) -> str:
    """The wait, for staff: in seconds under two minutes, else in minutes (rounded up)."""
    if seconds < 120:
        return f"محاولات دخول فاشلة كثيرة؛ حاول بعد {seconds} ثانية"
    return f"محاولات دخول فاشلة كثيرة؛ حاول بعد {math.ceil(seconds / 60)} دقيقة"
