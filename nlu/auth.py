"""The NLU server's API token (review item 16): Rasa runs with `--auth-token`, and every request to it
carries the token as Rasa expects it, in the `token` query parameter. A request without it gets 401.

    >>> httpx.post(f"{url}/model/parse", params=token_params(), json={"text": "مرحبا"})   # doctest: +SKIP

The token is TAWASUL_NLU_TOKEN; a process that starts a server without one makes a random token and puts
it in its own environment, so its clients (and the processes it starts) send it. A server on NLU_URL run
by someone else needs TAWASUL_NLU_TOKEN set to its token. The token never goes to our logs: httpx's
request lines, which show the query, have it replaced by `***` (`hide_token_in_logs`).
"""

from __future__ import annotations

import logging
import os
import re
import secrets

TOKEN_ENV = "TAWASUL_NLU_TOKEN"


def server_token() -> str:
    """The token a server we start is given: TAWASUL_NLU_TOKEN, or a new one for this process."""
    token = os.environ.get(TOKEN_ENV, "").strip()
    if not token:
        token = secrets.token_hex(32)  # letters and digits only: safe on any command line
        os.environ[TOKEN_ENV] = token
    return token


def client_token() -> str | None:
    return os.environ.get(TOKEN_ENV, "").strip() or None


def token_params(token: str | None = None) -> dict[str, str]:
    """The query parameters of a request to the server."""
    token = token or client_token()
    return {"token": token} if token else {}


_TOKEN_IN_URL = re.compile(r"([?&]token=)[^&\s\"']+")


class HideToken(logging.Filter):
    """Replace the value of a `token` query parameter in a log record by ***."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        if "token=" in message:
            record.msg, record.args = _TOKEN_IN_URL.sub(r"\1***", message), ()
        return True


def hide_token_in_logs() -> None:
    """Put HideToken on httpx's logger (once), whose INFO lines show every request's URL."""
    logger = logging.getLogger("httpx")
    if not any(isinstance(f, HideToken) for f in logger.filters):
        logger.addFilter(HideToken())
