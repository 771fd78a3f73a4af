"""Where the current request came from, for audit rows written deep inside services."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass

from django.http import HttpRequest


@dataclass(frozen=True)
class RequestOrigin:
    ip: str = ""
    # As the client claims it (X-Device-Id, else User-Agent): nothing authorises devices yet, so
    # audit rows mark it claimed (AuditEvent.device_claimed) and the Desk shows it as unverified.
    device: str = ""


_origin: ContextVar[RequestOrigin] = ContextVar("request_origin", default=RequestOrigin())


def client_ip(request: HttpRequest) -> str:
    # REMOTE_ADDR only: X-Forwarded-For is client-controlled unless a trusted proxy rewrites it.
    return request.META.get("REMOTE_ADDR", "") or ""


@contextmanager
def bind_request(request: HttpRequest) -> Iterator[None]:
    origin = RequestOrigin(
        ip=client_ip(request),
        device=(request.headers.get("X-Device-Id") or request.headers.get("User-Agent") or "")[:200],
    )
    token = _origin.set(origin)
    try:
        yield
    finally:
        _origin.reset(token)


def current_origin() -> RequestOrigin:
    return _origin.get()
