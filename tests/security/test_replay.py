"""The attacks of the security review, replayed against the real service (`tawasul serve` on loopback,
SQLite and PostgreSQL): each must get a clear refusal, change nothing and leak nothing.

One place to see them all; the deeper tests of each mechanism live beside their code (tests/staff/web,
tests/connectors/test_hostile_webhooks.py, tests/storage/test_sealed.py).
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from urllib.parse import urlencode

import httpx
import pytest
from sqlmodel import Session

from storage.models import Contact, ServiceRequest
from tests.connectors.harness import ServeProcess

PASSWORD = "a long enough password 1"
SID = "SM" + "7" * 32


def _cli(server: ServeProcess, *argv: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
    tawasul = Path(sys.executable).with_name("tawasul")
    env = {**os.environ, "DATABASE_URL": server.db_url}
    return subprocess.run([str(tawasul), "staff", *argv], input=stdin, env=env, capture_output=True, text=True,
                          timeout=60, check=False)


@pytest.fixture(scope="module")
def people(server: ServeProcess) -> dict[str, str]:
    """An admin, an officer of esrar and one of namaa (signed in), and an esrar request."""
    _cli(server, "create-user", "root", "--all-orgs", "--role", "admin", "--password-stdin", stdin=PASSWORD + "\n")
    for name, org in (("esrar.officer", "esrar"), ("namaa.officer", "namaa")):
        done = _cli(server, "create-user", name, "--org", org, "--role", "officer", "--password-stdin", "--as", "root",
                    stdin=PASSWORD + "\n")
        assert done.returncode == 0, done.stderr
    with Session(server.engine) as tx:
        contact = Contact(org_slug="esrar", channel="sms", address="+966551230000", phone="+966551230000")
        tx.add(contact)
        tx.flush()
        assert contact.id is not None
        tx.add(ServiceRequest(reference="ESR-SEC-0001", org_slug="esrar", contact_id=contact.id,
                              service_id="productive_family", data={"full_name": "سارة محمد العتيبي"},
                              channel="sms"))
        tx.commit()
    return {name: _token(server, name) for name in ("esrar.officer", "namaa.officer")}


def _token(server: ServeProcess, username: str, password: str = PASSWORD) -> str:
    r = httpx.post(f"{server.url}/staff/api/login", json={"username": username, "password": password}, timeout=30)
    assert r.status_code == 200, r.text
    return str(r.json()["access_token"])


def _get(server: ServeProcess, path: str, token: str | None = None) -> httpx.Response:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    return httpx.get(server.url + path, headers=headers, timeout=30)


def _sms(**fields: str) -> bytes:
    form = {"MessageSid": SID, "AccountSid": "AC00000000000000000000000000000001", "From": "+966551119999",
            "To": "+966530801110", "NumMedia": "0", "Body": "مرحبا"}
    return urlencode({**form, **fields}).encode()


def _stored(server: ServeProcess, provider_id: str) -> int:
    return int(server.rows("SELECT count(*) FROM message_in WHERE provider_id = :p", p=provider_id)[0][0])


def test_forged_and_unsigned_webhooks_are_refused_and_nothing_is_stored(server: ServeProcess) -> None:
    for auth in ("wrong", "none"):
        assert server.post("twilio", _sms(MessageSid="SM" + "1" * 32), auth=auth).status_code == 403
    update = b'{"update_id": 99, "message": {"message_id": 1, "date": 0, "chat": {"id": 5, "type": "private"}, "text": "x"}}'
    assert server.post("telegram", update, auth="wrong").status_code == 403
    assert _stored(server, "SM" + "1" * 32) == 0


def test_a_file_path_in_the_message_id_reaches_no_file(server: ServeProcess) -> None:
    # Files are named by our own ids, never the provider's: the message may be stored, nothing is written
    # outside the service's data folder.
    r = server.post("twilio", _sms(MessageSid="../../../tmp/tawasul-traversal", NumMedia="0"))
    assert r.status_code in (200, 400)
    assert not Path("/tmp/tawasul-traversal").exists()
    data = server.workdir / "data"
    assert all(".." not in p.name for p in data.rglob("*")) if data.exists() else True


def test_an_oversized_body_is_refused_before_it_is_read(server: ServeProcess) -> None:
    r = server.post("twilio", _sms(Body="x" * (2 * 1024 * 1024)))
    assert r.status_code == 413


def test_the_staff_api_needs_a_real_token(server: ServeProcess, people: dict[str, str]) -> None:
    assert _get(server, "/staff/api/requests").status_code == 401
    assert _get(server, "/staff/api/requests", "forged.token.value").status_code == 401
    assert _get(server, "/staff/api/requests", people["esrar.officer"]).status_code == 200


def test_another_associations_request_is_out_of_reach(server: ServeProcess, people: dict[str, str]) -> None:
    namaa = people["namaa.officer"]
    assert _get(server, "/staff/api/requests/ESR-SEC-0001", namaa).status_code in (403, 404)
    personal = _get(server, "/staff/api/requests/ESR-SEC-0001/personal?reason=checking%20the%20documents", namaa)
    assert personal.status_code in (403, 404)
    assert "سارة" not in personal.text
    listed = _get(server, "/staff/api/requests", namaa)
    assert "ESR-SEC-0001" not in listed.text
    assert _get(server, "/staff/api/requests/ESR-SEC-0001", people["esrar.officer"]).status_code == 200


@pytest.mark.parametrize("reference", ["ESR-SEC-0001' OR '1'='1", "x%27%20OR%201%3D1--", "ESR-SEC-0001;DROP TABLE staff"])
def test_sql_in_a_reference_finds_nothing_and_breaks_nothing(server: ServeProcess, people: dict[str, str],
                                                             reference: str) -> None:
    r = _get(server, f"/staff/api/requests/{reference}", people["esrar.officer"])
    assert r.status_code in (400, 404, 422)
    assert server.rows("SELECT count(*) FROM staff")[0][0] >= 3


def test_personal_data_needs_a_reason(server: ServeProcess, people: dict[str, str]) -> None:
    officer = people["esrar.officer"]
    for reason in ("", "aaaaa", "xxxxxxxxxxxxx"):
        r = _get(server, f"/staff/api/requests/ESR-SEC-0001/personal?reason={reason}", officer)
        assert r.status_code in (400, 422), reason
        assert "سارة" not in r.text


def test_a_token_ends_with_logout(server: ServeProcess, people: dict[str, str]) -> None:
    token = _token(server, "esrar.officer")
    assert _get(server, "/staff/api/me", token).status_code == 200
    r = httpx.post(f"{server.url}/staff/api/logout", headers={"Authorization": f"Bearer {token}"}, timeout=30)
    assert r.status_code == 204
    assert _get(server, "/staff/api/me", token).status_code == 401
    people["esrar.officer"] = _token(server, "esrar.officer")  # the other tests go on with a fresh session


def test_the_console_refuses_a_form_without_its_csrf_token(server: ServeProcess) -> None:
    r = httpx.post(f"{server.url}/staff/login", data={"username": "root", "password": PASSWORD}, timeout=30,
                   follow_redirects=False)
    assert r.status_code in (400, 403)
    assert "set-cookie" not in {k.lower() for k in r.headers} or "session" not in r.headers.get("set-cookie", "")


def test_guessing_slows_down_the_guesser_not_the_service(server: ServeProcess, people: dict[str, str]) -> None:
    codes = [httpx.post(f"{server.url}/staff/api/login", json={"username": "root", "password": f"guess {i}"},
                        timeout=30).status_code for i in range(8)]
    assert set(codes) <= {401, 429} and 429 in codes
    assert httpx.get(f"{server.url}/healthz", timeout=10).status_code == 200
    assert server.post("twilio", _sms(MessageSid="SM" + "2" * 32)).status_code == 200


def test_no_interactive_api_pages(server: ServeProcess) -> None:
    # The OpenAPI document is public by design (the API's contract); the pages that run calls are not.
    for path in ("/docs", "/redoc"):
        assert httpx.get(server.url + path, timeout=10).status_code == 404
