from __future__ import annotations

import logging
from collections.abc import Callable

from django.contrib.sessions.middleware import SessionMiddleware as DjangoSessionMiddleware
from django.http import HttpRequest, HttpResponse

from metrology.core.busy import busy_response, is_database_busy
from metrology.core.request_context import bind_request

logger = logging.getLogger(__name__)


class RequestContextMiddleware:
    """Makes the client's IP and device known to services that write audit rows; a view that finds
    the database busy answers 503 with a retry message."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        with bind_request(request):
            return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if is_database_busy(exception):
            logger.warning("database busy on %s %s: %s", request.method, request.path, exception)
            return busy_response(request)
        return None


class SessionMiddleware(DjangoSessionMiddleware):
    """Django's, except that a busy database does not turn a finished request into a 500.

    The session is saved after the view (SESSION_SAVE_EVERY_REQUEST); when that write cannot get
    the lock, the view's own answer is kept and only the session's expiry is not extended, unless
    the view changed the session (a login): then the request failed and is answered 503.
    """

    def process_response(self, request: HttpRequest, response: HttpResponse) -> HttpResponse:
        try:
            return super().process_response(request, response)
        except Exception as error:
            if not is_database_busy(error):
                raise
            logger.warning("session not saved, database busy on %s: %s", request.path, error)
            return busy_response(request) if request.session.modified else response
