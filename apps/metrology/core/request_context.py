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
    # The enabled device a mobile session was opened on (verified by the devices app), else as the
    # client claims it (X-Device-Id, else User-Agent): audit rows mark a claimed one
    # (AuditEvent.device_claimed) and the Desk shows it as unverified.
    device: str = ""
    device_verified: bool = False


_origin: ContextVar[RequestOrigin] = ContextVar("request_origin", default=RequestOrigin())


def client_ip(request: HttpRequest) -> str:
    # REMOTE_ADDR only: X-Forwarded-For is client-controlled unless a trusted proxy rewrites it.
    return request.META.get("REMOTE_ADDR", "") or ""


@contextmanager
def bind_request(request: HttpRequest) -> Iterator[None]:
    verified = getattr(request, "verified_device", None)  # set by devices.middleware for a device session
    claimed = request.headers.get("X-Device-Id") or request.headers.get("User-Agent") or ""
    origin = RequestOrigin(ip=client_ip(request), device=(verified or claimed)[:200], device_verified=bool(verified))
    token = _origin.set(origin)
    try:
        yield
    finally:
        _origin.reset(token)


def current_origin() -> RequestOrigin:
    return _origin.get()
