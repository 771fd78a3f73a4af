"""`metrology serve --prod` (gunicorn) for the bench, and the phones' logins and tasks over HTTP."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
from http.cookies import SimpleCookie
from pathlib import Path

from bench_site import BIN, PASSWORD, SITE_NAME, Phone, environment
from open_loop import Inspector, request

READY_TIMEOUT_SECONDS = 90


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def start(sites: Path, port: int, workers: int, log: Path) -> subprocess.Popen:
    """The server in a session of its own (a Ctrl-C reaches the bench, which stops it in order)."""
    with log.open("wb") as out:
        server = subprocess.Popen(
            [str(BIN / "metrology"), "--site", SITE_NAME, "serve", "--prod", "--port", str(port),
             "--workers", str(workers)],
            env=environment(sites), stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
            start_new_session=True)
    try:
        _wait_until_ready(server, port, log)
    except BaseException:
        stop(server)
        print(log.read_text(encoding="utf-8", errors="replace")[-3000:], file=sys.stderr)
        raise
    return server


def _wait_until_ready(server: subprocess.Popen, port: int, log: Path) -> None:
    deadline = time.monotonic() + READY_TIMEOUT_SECONDS
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit("bench/entry: the server stopped at start")
        try:
            if request(port, "GET", "/healthz", None, {})[0] == 200:
                return
        except OSError:
            pass
        time.sleep(0.2)
    raise SystemExit(f"bench/entry: the server did not answer within {READY_TIMEOUT_SECONDS} s")


def stop(server: subprocess.Popen) -> None:
    """SIGTERM to `metrology serve`, which stops gunicorn and the job worker; then whatever is left."""
    if server.poll() is None:
        server.send_signal(signal.SIGTERM)
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            pass
    try:
        os.killpg(server.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass
    server.wait()


def wait_until_idle(port: int, *, quick: float = 0.1, limit: float = 60.0) -> None:
    """Until /healthz answers within `quick` seconds: what an overloaded step left queued is done."""
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline:
        start = time.perf_counter()
        try:
            if request(port, "GET", "/healthz", None, {})[0] == 200 and time.perf_counter() - start < quick:
                return
        except OSError:
            pass
        time.sleep(0.5)


def is_access_line(line: str) -> bool:
    """gunicorn's access log line: '127.0.0.1 - - [date] "POST /api/… HTTP/1.1" 200 …'."""
    return line.startswith("127.0.0.1 - ")


def _cookies(headers: dict) -> str:
    jar = SimpleCookie()
    for line in headers["set-cookie"]:
        jar.load(line)
    return "; ".join(f"{name}={morsel.value}" for name, morsel in jar.items())


def log_in(port: int, phone: Phone) -> Inspector:
    """The mobile app's login on an enabled device (POST /api/devices/login/)."""
    body = json.dumps({"username": phone.username, "password": PASSWORD, "device_identifier": phone.device,
                       "device_name": "bench phone"}).encode()
    status, headers, payload = request(port, "POST", "/api/devices/login/", body,
                                       {"Content-Type": "application/json", "User-Agent": "bench/entry"})
    if status != 200:
        raise SystemExit(f"bench/entry: login of {phone.username} refused: HTTP {status} {payload[:300]!r}")
    return Inspector(phone.username, phone.device, _cookies(headers), json.loads(payload)["csrf_token"])


def start_task(port: int, inspector: Inspector, item: str, sub_type: int, values: list[dict]) -> None:
    """A fuel-dispenser task (POST /api/records/), into which the inspector then types F1."""
    body = json.dumps({"item": item, "sub_type": sub_type, "serial_number": f"SN-{inspector.username}"}).encode()
    status, _headers, payload = request(port, "POST", "/api/records/", body, inspector.headers())
    if status != 201:
        raise SystemExit(f"bench/entry: {inspector.username} could not start a task: HTTP {status} "
                         f"{payload[:300]!r}")
    inspector.record_id = json.loads(payload)["id"]
    inspector.values = values
