"""A small synchronous client over httpx's ASGI transport, with a cookie jar.

Starlette's TestClient warns that it is moving off httpx (and warnings are errors here); this
drives the same app in-process without it. Each call runs in its own event loop.
"""

from __future__ import annotations

import asyncio
from typing import Any

import httpx
from fastapi import FastAPI


class Client:
    def __init__(self, app: FastAPI, base_url: str = "http://testserver") -> None:
        self.app, self.base_url = app, base_url
        self.cookies = httpx.Cookies()

    def request(self, method: str, url: str, **kwargs: Any) -> httpx.Response:
        async def go() -> httpx.Response:
            transport = httpx.ASGITransport(app=self.app)
            async with httpx.AsyncClient(transport=transport, base_url=self.base_url, cookies=self.cookies) as c:
                response = await c.request(method, url, **kwargs)
                self.cookies = httpx.Cookies(c.cookies)
                return response

        return asyncio.run(go())

    def get(self, url: str, **kwargs: Any) -> httpx.Response:
        return self.request("GET", url, **kwargs)

    def post(self, url: str, **kwargs: Any) -> httpx.Response:
        return self.request("POST", url, **kwargs)
