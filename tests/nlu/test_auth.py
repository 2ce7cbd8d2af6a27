"""Review item 16: the NLU server's API runs with `--auth-token`, our client sends the token (`?token=`,
as Rasa expects), and a request without it is refused (that part needs the NLU environment)."""

from __future__ import annotations

import logging
from pathlib import Path

import httpx
import pytest

from nlu import auth, paths
from nlu.client import NLUClient
from nlu.server import serve_command
from tests.nlu.test_client import RASA_ANSWER


def _token_of(cmd: list[str]) -> str:
    [arg] = [a for a in cmd if a.startswith("--auth-token=")]
    return arg.split("=", 1)[1]


def test_the_server_command_requires_the_token(monkeypatch: pytest.MonkeyPatch) -> None:
    cmd = serve_command(Path("model.tar.gz"), 5005, token="s3cr3t-token")
    assert _token_of(cmd) == "s3cr3t-token" and "--enable-api" in cmd
    monkeypatch.delenv(auth.TOKEN_ENV, raising=False)
    made = serve_command(Path("model.tar.gz"), 5005)  # none given: one made per start, kept for our clients
    token = _token_of(made)
    assert len(token) >= 32 and auth.client_token() == token and token.isalnum()
    monkeypatch.setenv(auth.TOKEN_ENV, "given-by-the-operator")
    assert _token_of(serve_command(Path("model.tar.gz"), 5005)) == "given-by-the-operator"
    # A token that starts with "-" stays one argument (it failed one start in twenty as "--auth-token", "-x…").
    monkeypatch.setenv(auth.TOKEN_ENV, "-starts-with-a-dash")
    assert "--auth-token=-starts-with-a-dash" in serve_command(Path("model.tar.gz"), 5005)


def test_the_client_sends_the_token_and_never_logs_it(monkeypatch: pytest.MonkeyPatch,
                                                      caplog: pytest.LogCaptureFixture) -> None:
    monkeypatch.setenv(auth.TOKEN_ENV, "tok-123456")
    seen: list[str | None] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request.url.params.get("token"))
        if request.url.params.get("token") != "tok-123456":
            return httpx.Response(401, json={"message": "User is not authenticated."})
        return httpx.Response(200, json=RASA_ANSWER)

    caplog.set_level(logging.DEBUG)
    with NLUClient("http://nlu.test", timeout=0.5, transport=httpx.MockTransport(handler)) as client:
        assert client.parse("وش صار على طلبي").intent == "check_status"
    with NLUClient("http://nlu.test", timeout=0.5, transport=httpx.MockTransport(handler), token="wrong") as client:
        assert client.parse("وش صار على طلبي").intent is None  # refused: the bot goes on without the NLU
    assert seen[0] == "tok-123456" and "wrong" in seen
    assert "tok-123456" not in caplog.text and "token=***" in caplog.text  # httpx logs the URL: redacted


def test_the_real_server_refuses_a_request_without_the_token(nlu_url: str) -> None:
    refused = httpx.post(f"{nlu_url}/model/parse", json={"text": "مرحبا"}, timeout=10)
    assert refused.status_code == 401
    wrong = httpx.post(f"{nlu_url}/model/parse", params={"token": "not-it"}, json={"text": "مرحبا"}, timeout=10)
    assert wrong.status_code == 401
    ok = httpx.post(f"{nlu_url}/model/parse", params=auth.token_params(), json={"text": "مرحبا"}, timeout=10)
    assert ok.status_code == 200 and ok.json()["intent"]["name"]
    with NLUClient(nlu_url, timeout=10.0) as client:
        assert client.parse("وش صار على طلبي").intent == "check_status"
    assert paths.rasa_executable().exists()
