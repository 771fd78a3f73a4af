"""#8: work an author can force: request bodies are refused before they are read, and deeply
nested JSON is answered 400 instead of a RecursionError (500)."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from django.urls import reverse
from django.utils.translation import gettext

from metrology.core.limits import MAX_JSON_DEPTH, MiB, JsonTooDeep, json_loads_bounded

DEEP = "[" * 1000 + "]" * 1000
HUGE = 400 * MiB


def _too_large_message(limit_mib: str) -> str:
    return gettext("The request is too large: at most %(limit)s MiB may be sent here.") % {"limit": limit_mib}


def _too_deep_message() -> str:
    return gettext("The JSON is nested more than %(limit)d levels deep.") % {"limit": MAX_JSON_DEPTH}


# -- request bodies through the test client ---------------------------------------------------

def test_a_declared_400_mb_body_is_refused_without_being_read(client):
    """#8: the token endpoint (no login) would read 400 MB before anything else."""
    response = client.post("/api/token/", data=b"{}", content_type="application/json", CONTENT_LENGTH=str(HUGE))
    assert response.status_code == 413
    assert response.json() == {"detail": _too_large_message("12")}


@pytest.mark.django_db
def test_a_body_over_the_limit_is_refused_on_the_desk_too(login, admin):
    body = b"x" * (12 * MiB + 1)
    response = login(admin).post("/desk/print_formats/layout/add/", data=body,
                                 content_type="application/octet-stream")
    assert response.status_code == 413
    assert response.content.decode() == _too_large_message("12")


def test_a_body_under_the_limit_reaches_the_view(client):
    body = json.dumps({"username": "", "password": "x" * (11 * MiB)})
    response = client.post("/api/token/", data=body, content_type="application/json")
    assert response.status_code == 400
    assert "username" in response.json()


def test_the_regulation_library_takes_larger_files_than_the_rest(client):
    """Regulations are up to 50 MiB; their Desk pages accept a body of that size, nothing else does."""
    length = str(51 * MiB)
    elsewhere = client.post("/desk/print_formats/layout/add/", data=b"", content_type="application/octet-stream",
                            CONTENT_LENGTH=length)
    assert elsewhere.status_code == 413
    regulations = client.post("/desk/regulations/regulation/add/", data=b"", content_type="application/octet-stream",
                              CONTENT_LENGTH=str(53 * MiB))
    assert regulations.status_code == 413
    assert regulations.content.decode() == _too_large_message("52")


def test_the_limit_follows_the_site_setting(client, settings):
    settings.REQUEST_BODY_MAX_BYTES = 1 * MiB
    response = client.post("/api/token/", data=b"{}", content_type="application/json",
                           CONTENT_LENGTH=str(1 * MiB + 1))
    assert response.status_code == 413
    assert response.json() == {"detail": _too_large_message("1")}


def test_django_keeps_no_more_form_data_in_memory_than_a_request_may_carry(settings):
    assert settings.DATA_UPLOAD_MAX_MEMORY_SIZE <= settings.REQUEST_BODY_MAX_BYTES
    assert settings.FILE_UPLOAD_MAX_MEMORY_SIZE < settings.REQUEST_BODY_MAX_BYTES


def test_a_content_length_that_is_not_a_number_is_refused(client):
    response = client.post("/api/token/", data=b"{}", content_type="application/json", CONTENT_LENGTH="lots")
    assert response.status_code == 400
    assert response.content.decode() == gettext("The request's Content-Length is not a number.")


# -- request bodies against real servers ------------------------------------------------------

def _request_head(host: str, port: int, length: int) -> bytes:
    return (f"POST /api/token/ HTTP/1.1\r\nHost: {host}:{port}\r\nContent-Type: application/json\r\n"
            f"Content-Length: {length}\r\n\r\n").encode()


def _read_until_closed(sock: socket.socket, timeout: float) -> bytes:
    sock.settimeout(timeout)
    received = b""
    while True:
        chunk = sock.recv(65536)
        if not chunk:
            return received
        received += chunk


def test_the_development_server_answers_413_at_once_and_hangs_up(live_server):
    """#8 (`make run` serves with runserver): the 413 comes before a byte of the body is sent, and
    the server closes the connection instead of reading the 400 MB it was promised."""
    host, port = live_server.thread.host, live_server.thread.port
    with socket.create_connection((host, port), timeout=10) as sock:
        sock.sendall(_request_head(host, port, HUGE))
        started = time.monotonic()
        answer = _read_until_closed(sock, timeout=10)
    assert answer.startswith(b"HTTP/1.1 413"), answer[:200]
    assert time.monotonic() - started < 5


def _children(pid: int) -> list[int]:
    path = Path(f"/proc/{pid}/task/{pid}/children")
    return [int(child) for child in path.read_text().split()] if path.exists() else []


def _peak_memory_kib(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1])
    raise AssertionError("no VmHWM")


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def gunicorn_server():
    port = _free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "metrology.wsgi:application", "--bind", f"127.0.0.1:{port}",
         "--workers", "1", "--timeout", "60"],
        env={"DJANGO_SETTINGS_MODULE": "metrology.settings", **os.environ},
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 60
        while not _children(server.pid):
            assert time.monotonic() < deadline and server.poll() is None, "gunicorn did not start"
            time.sleep(0.2)
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                assert time.monotonic() < deadline, "gunicorn does not answer"
                time.sleep(0.2)
        yield port, _children(server.pid)[0]
    finally:
        server.terminate()
        server.wait(timeout=30)


def test_production_server_refuses_a_streamed_400_mb_upload_without_holding_it(gunicorn_server):
    """#8 under gunicorn (`serve --prod`): while the client streams its 400 MB, the worker answers
    413 after the headers; the client cannot finish sending, and the worker's peak memory barely moves."""
    port, worker = gunicorn_server
    with socket.create_connection(("127.0.0.1", port), timeout=30) as warm_up:  # loads the URLs, DRF…
        warm_up.sendall(_request_head("127.0.0.1", port, 2) + b"{}")
        assert _read_until_closed(warm_up, timeout=30).startswith(b"HTTP/1.1 400")
    peak_before = _peak_memory_kib(worker)
    sent = 0
    with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
        sock.sendall(_request_head("127.0.0.1", port, HUGE))

        def stream_body():
            nonlocal sent
            chunk = b"[" * MiB
            try:
                while sent < 100 * MiB:
                    sock.sendall(chunk)
                    sent += len(chunk)
            except OSError:
                pass  # the server hung up: what we expect

        sender = threading.Thread(target=stream_body, daemon=True)
        sender.start()
        sock.settimeout(20)
        answer = sock.recv(65536)
        sender.join(timeout=20)
    assert answer.startswith(b"HTTP/1.1 413"), answer[:200]
    assert sent < 100 * MiB, "the client could send everything: the server kept reading"
    assert _peak_memory_kib(worker) - peak_before < 20 * 1024


def test_a_chunked_body_without_length_is_not_read_at_all(gunicorn_server):
    """A body without Content-Length cannot get around the limit: Django reads it as empty (the
    middleware relies on that), so the endpoint sees no data at all, whatever streams in."""
    port, _worker = gunicorn_server
    head = (f"POST /api/token/ HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nContent-Type: application/json\r\n"
            "Transfer-Encoding: chunked\r\nConnection: close\r\n\r\n").encode()
    chunk = b"[" * MiB
    with socket.create_connection(("127.0.0.1", port), timeout=30) as sock:
        sock.sendall(head + b"%x\r\n" % len(chunk) + chunk + b"\r\n0\r\n\r\n")
        answer = _read_until_closed(sock, timeout=30)
    assert answer.startswith(b"HTTP/1.1 400"), answer[:200]
    assert b'"username"' in answer  # "this field is required": the body was never parsed


# -- JSON nesting -------------------------------------------------------------------------------

def test_a_thousand_deep_array_to_the_token_endpoint_is_a_400(client):
    """#8: no login needed to reach this parser."""
    response = client.post("/api/token/", data=DEEP, content_type="application/json")
    assert response.status_code == 400
    assert response.json() == {"detail": _too_deep_message()}


@pytest.mark.django_db
def test_a_thousand_deep_array_to_the_people_api_is_a_400(login, admin):
    response = login(admin).post("/api/people/", data=DEEP, content_type="application/json")
    assert response.status_code == 400
    assert response.json() == {"detail": _too_deep_message()}


@pytest.mark.django_db
def test_a_thousand_deep_array_to_the_designers_check_is_a_400(login, admin):
    from metrology.doctype.files import load_definition
    from metrology.doctype.packs import bundled_packs, pack_import

    version = pack_import(actor=admin, definition=load_definition(bundled_packs()[0]), authorise=True)[0]
    url = reverse("desk:doctype_procedureversion_check", args=[version.pk])
    body = '{"definition": ' + DEEP + "}"
    response = login(admin).post(url, data=body, content_type="application/json")
    assert response.status_code == 400
    assert response.json()["message"] == _too_deep_message()


def test_nesting_up_to_the_bound_is_parsed():
    nested = "[" * MAX_JSON_DEPTH + "]" * MAX_JSON_DEPTH
    assert json_loads_bounded(nested) == json.loads(nested)
    with pytest.raises(JsonTooDeep):
        json_loads_bounded("[" + nested + "]")


def test_brackets_inside_strings_do_not_count():
    text = json.dumps({"formula": "[" * 500 + '\\"{' * 300, "nested": [[["x]"]]]})
    assert json_loads_bounded(text) == json.loads(text)


def test_objects_count_like_arrays():
    with pytest.raises(JsonTooDeep):
        json_loads_bounded('{"a": ' * 65 + "1" + "}" * 65)
