"""An open-loop load of value saves: arrivals on a fixed schedule whatever the server answers.

Saves are spread evenly over time (arrival k at start + k / rate) and dealt to the inspectors in
turn, so each inspector saves every inspectors / rate seconds. A dispatcher thread hands each
arrival, at its time, to a pool of sender threads; latency is measured from the scheduled time, so
a slow server or a busy client shows as latency instead of as fewer arrivals (no coordinated
omission). Plain http.client, one connection per request (gunicorn's sync workers close each one).
"""

from __future__ import annotations

import http.client
import json
import threading
import time
import uuid
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

REQUEST_TIMEOUT_SECONDS = 10.0
SENDER_THREADS = 256
REPEAT_EVERY = 10  # every 10th save of an inspector sends the previous one again (same request id)


@dataclass
class Inspector:
    """A logged-in phone: its session cookies, CSRF token, device and the task it types into."""

    username: str
    device: str
    cookie: str
    csrf_token: str
    record_id: int = 0
    values: list[dict[str, Any]] = field(default_factory=list)  # in step order
    saves: int = 0  # how many saves were scheduled so far
    last_body: bytes = b""

    def headers(self) -> dict[str, str]:
        return {"Content-Type": "application/json", "Accept": "application/json", "Cookie": self.cookie,
                "X-CSRFToken": self.csrf_token, "X-Device-Id": self.device}

    def next_save(self) -> tuple[bytes, bool, bool]:
        """The next request body; whether it repeats the previous one; whether it completes F1."""
        self.saves += 1
        if self.saves % REPEAT_EVERY == 0 and self.last_body:
            return self.last_body, True, False
        typed = (self.saves - 1 - (self.saves - 1) // REPEAT_EVERY) % len(self.values)
        body = json.dumps({**self.values[typed], "request_id": f"{self.username}-{uuid.uuid4().hex}"},
                          ensure_ascii=False).encode()
        self.last_body = body
        return body, False, typed == len(self.values) - 1


@dataclass
class Outcome:
    latency: float  # seconds from the scheduled time to the whole answer read
    lag: float  # seconds from the scheduled time to the request leaving (the client's own delay)
    error: str = ""  # empty when the save was accepted as expected


@dataclass
class LoadResult:
    rate: float
    seconds: float
    outcomes: list[Outcome]

    @property
    def errors(self) -> Counter:
        return Counter(o.error for o in self.outcomes if o.error)

    def percentile(self, p: int, *, of: str = "latency") -> float:
        values = sorted(getattr(o, of) for o in self.outcomes)
        if not values:
            return float("nan")
        return values[min(len(values) - 1, max(0, round(p / 100 * len(values) + 0.5) - 1))]

    @property
    def achieved_rate(self) -> float:
        return len(self.outcomes) / self.seconds

    def summary(self) -> str:
        ms = {p: self.percentile(p) * 1000 for p in (50, 95, 99)}
        errors = sum(self.errors.values())
        detail = f" ({', '.join(f'{k}: {v}' for k, v in self.errors.most_common(4))})" if errors else ""
        return (f"{self.rate:5.0f} saves/s × {self.seconds:g} s: {len(self.outcomes)} saves, "
                f"p50 {ms[50]:.1f} ms, p95 {ms[95]:.1f} ms, p99 {ms[99]:.1f} ms, "
                f"max {max((o.latency for o in self.outcomes), default=0) * 1000:.0f} ms, "
                f"errors {errors}{detail}; client lag p95 {self.percentile(95, of='lag') * 1000:.1f} ms")


def request(port: int, method: str, path: str, body: bytes | None, headers: dict[str, str]
            ) -> tuple[int, dict[str, str], bytes]:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=REQUEST_TIMEOUT_SECONDS)
    try:
        connection.request(method, path, body=body, headers=headers)
        response = connection.getresponse()
        return response.status, {k.lower(): v for k, v in response.getheaders() if k.lower() != "set-cookie"} | {
            "set-cookie": response.msg.get_all("Set-Cookie") or []}, response.read()
    finally:
        connection.close()


def _check(status: int, payload: bytes, *, repeated: bool, completes: bool) -> str:
    """Why an answer is not what an accepted save looks like, or ''."""
    if status != 200:
        return f"HTTP {status}"
    answer = json.loads(payload)
    if answer.get("repeated") is not repeated:
        return "repeat not recognised" if repeated else "new save taken as a repeat"
    live = answer.get("live") or {}
    if live.get("errors"):
        return "live results report an error"
    if completes and live.get("检定结论") != "合格":
        return "F1 complete without the verdict 合格"
    return ""


def _save(port: int, inspector: Inspector, body: bytes, repeated: bool, completes: bool, scheduled: float
          ) -> Outcome:
    lag = time.perf_counter() - scheduled
    try:
        status, _headers, payload = request(port, "POST", f"/api/records/{inspector.record_id}/values/", body,
                                            inspector.headers())
        error = _check(status, payload, repeated=repeated, completes=completes)
    except (OSError, http.client.HTTPException, ValueError) as exc:
        error = type(exc).__name__
    return Outcome(time.perf_counter() - scheduled, lag, error)


def run_load(*, port: int, inspectors: list[Inspector], rate: float, seconds: float, warmup: float = 0.0
             ) -> LoadResult:
    """Send rate saves a second for warmup + seconds; saves scheduled in the warm-up are not counted."""
    total = round(rate * (warmup + seconds))
    counted_from = round(rate * warmup)
    outcomes: list[Outcome | None] = [None] * total
    lock = threading.Lock()

    def send(k: int, inspector: Inspector, body: bytes, repeated: bool, completes: bool, at: float) -> None:
        outcome = _save(port, inspector, body, repeated, completes, at)
        with lock:
            outcomes[k] = outcome

    with ThreadPoolExecutor(max_workers=SENDER_THREADS, thread_name_prefix="inspector") as pool:
        start = time.perf_counter() + 0.05
        for k in range(total):
            at = start + k / rate
            pause = at - time.perf_counter()
            if pause > 0:
                time.sleep(pause)
            inspector = inspectors[k % len(inspectors)]
            body, repeated, completes = inspector.next_save()
            pool.submit(send, k, inspector, body, repeated, completes, at)
    counted = [o for o in outcomes[counted_from:] if o is not None]
    return LoadResult(rate, seconds, counted)
