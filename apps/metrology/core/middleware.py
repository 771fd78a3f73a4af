from __future__ import annotations

import logging
import time
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
    """Django's, with two changes.

    A session in use has its expiry extended at most once a minute (REFRESH_SECONDS), not written
    on every request: on a phone saving a value a second that write was a second database write
    per save. And a busy database does not turn a finished request into a 500: when the session
    write cannot get the lock, the view's own answer is kept and only the expiry is not extended,
    unless the view changed the session (a login): then the request failed and is answered 503.
    """

    REFRESH_SECONDS = 60
    REFRESHED_KEY = "_refreshed"

    def process_response(self, request: HttpRequest, response: HttpResponse) -> HttpResponse:
        self._extend_when_due(request)
        try:
            return super().process_response(request, response)
        except Exception as error:
            if not is_database_busy(error):
                raise
            logger.warning("session not saved, database busy on %s: %s", request.path, error)
            return busy_response(request) if request.session.modified else response

    @classmethod
    def mark_fresh(cls, sender, request: HttpRequest, **kwargs) -> None:
        """A login has just written the session with a full expiry: the next minute need not."""
        request.session[cls.REFRESHED_KEY] = int(time.time())

    def _extend_when_due(self, request: HttpRequest) -> None:
        session = getattr(request, "session", None)
        if session is None or not session.accessed or session.is_empty():
            return
        now = int(time.time())
        if now - int(session.get(self.REFRESHED_KEY, 0)) >= self.REFRESH_SECONDS:
            session[self.REFRESHED_KEY] = now  # marks it modified, so Django saves it with a new expiry
