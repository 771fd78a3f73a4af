from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

from metrology.core.request_context import bind_request


class RequestContextMiddleware:
    """Makes the client's IP and device known to services that write audit rows."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        with bind_request(request):
            return self.get_response(request)
