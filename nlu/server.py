"""Start and stop a local Rasa NLU server (`rasa run --enable-api`) in the NLU environment.

    with running_server() as url:        # trains nothing: the model must exist (see nlu.train)
        httpx.post(f"{url}/model/parse", params=token_params(), json={"text": "مرحبا"})

The API requires a token (`--auth-token`, nlu/auth.py): TAWASUL_NLU_TOKEN, or one made for this process.

The server binds to 127.0.0.1 on a free port unless one is given, and is ready when
`POST /model/parse` answers with an intent (GET /status answers before the model is loaded).
Its output goes to a log file (Rasa is noisy), whose path is in the error if it fails to start.
"""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import httpx

from nlu import paths
from nlu.auth import server_token, token_params

__all__ = ["ServerError", "free_port", "running_server", "serve_command", "wait_ready"]

STARTUP_TIMEOUT = float(os.environ.get("TAWASUL_NLU_STARTUP_TIMEOUT", "180"))


class ServerError(RuntimeError):
    """The NLU server could not be started or did not become ready."""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def serve_command(model: Path, port: int, host: str = "127.0.0.1", token: str | None = None) -> list[str]:
    """The `rasa run` command line serving `model` (API only, token required, no channels, one worker)."""
    return [
        str(paths.rasa_executable()),
        "run",
        "--enable-api",
        "--model",
        str(model),
        "--interface",
        host,
        "--port",
        str(port),
        "--response-timeout",
        "30",
        # One argument, "--auth-token=…": a token that starts with "-" would otherwise read as an option.
        f"--auth-token={token or server_token()}",
    ]


def wait_ready(url: str, timeout: float, process: subprocess.Popen[bytes] | None = None) -> None:
    """Poll until the server parses a message, or raise ServerError."""
    deadline = time.monotonic() + timeout
    with httpx.Client(timeout=5.0) as http:
        while time.monotonic() < deadline:
            if process is not None and process.poll() is not None:
                raise ServerError(f"the NLU server exited with code {process.returncode}")
            try:
                r = http.post(f"{url}/model/parse", params=token_params(), json={"text": "ping"})
                if r.status_code == 200 and (r.json().get("intent") or {}).get("name"):
                    return
            except (httpx.HTTPError, ValueError):
                pass
            time.sleep(0.5)
    raise ServerError(f"the NLU server at {url} was not ready within {timeout:.0f} s")


@contextlib.contextmanager
def running_server(
    port: int | None = None, model: Path | None = None, timeout: float = STARTUP_TIMEOUT, threads: int | None = None
) -> Iterator[str]:
    """Run a Rasa server for the duration of the block and yield its base URL.

    `threads`: the cores its embedding may use (several servers on one machine share its cores: each
    taking them all would oversubscribe them, and OpenMP's waiting workers then spin against each other)."""
    model = model or paths.MODEL
    if not paths.rasa_executable().exists():
        raise ServerError(f"no NLU environment at {paths.venv_dir()}: run nlu/setup_env.sh")
    if not model.exists():
        raise ServerError(f"no NLU model at {model}: run `tawasul nlu train`")
    port = port or free_port()
    url = f"http://127.0.0.1:{port}"
    log_file = Path(tempfile.gettempdir()) / f"tawasul-nlu-{port}.log"
    workdir = tempfile.TemporaryDirectory(prefix="tawasul-nlu-")
    with open(log_file, "wb") as log:
        process = subprocess.Popen(
            serve_command(model, port),
            stdout=log,
            stderr=subprocess.STDOUT,
            cwd=workdir.name,
            env=paths.rasa_env() | ({"OMP_NUM_THREADS": str(threads), "TAWASUL_E5_THREADS": str(threads)}
                                    if threads else {}),
            start_new_session=True,
        )
    nice = int(os.environ.get("TAWASUL_NLU_NICE", "5"))
    if nice and sys.platform == "linux":
        # Below the webhooks of a `serve` on the same host (bot/turn/priority.py), as the turns are: set before
        # the server starts its threads, which inherit it. Nothing competes on a host of its own.
        with contextlib.suppress(OSError):
            os.setpriority(os.PRIO_PROCESS, process.pid, min(19, nice))
    try:
        try:
            wait_ready(url, timeout, process)
        except ServerError as exc:
            raise ServerError(f"{exc} (log: {log_file})") from None
        yield url
    finally:
        _stop(process)
        workdir.cleanup()


def _stop(process: subprocess.Popen[bytes]) -> None:
    """SIGTERM the server's process group, then SIGKILL if it lingers."""
    if process.poll() is not None:
        return
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=5)
