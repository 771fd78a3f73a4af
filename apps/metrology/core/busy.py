"""A busy database (a lock held too long, a deadlock) answers 503 with a retry message, never a 500.

The writer's transaction has been rolled back when this is raised, so nothing of the request was
saved and trying again is safe. The time a write waits for a lock is the site's
`database_lock_timeout` (settings.DATABASE_LOCK_TIMEOUT).
"""

from __future__ import annotations

from django.conf import settings
from django.db import OperationalError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.template.loader import render_to_string
from django.utils.translation import gettext as _

# MariaDB/MySQL: lock wait timeout exceeded, deadlock found when trying to get lock.
LOCK_ERROR_CODES = {1205, 1213}
LOCK_ERROR_TEXTS = ("database is locked", "database table is locked", "lock wait timeout", "deadlock")


def is_database_busy(error: BaseException) -> bool:
    if not isinstance(error, OperationalError):
        return False
    code = error.args[0] if error.args else None
    return code in LOCK_ERROR_CODES or any(text in str(error).lower() for text in LOCK_ERROR_TEXTS)


def busy_message() -> str:
    return _("The database is busy with another change, so nothing was saved. Please try again in a "
             "few seconds.")


def busy_api_body() -> dict[str, str]:
    return {"detail": busy_message(), "code": "database_busy"}


def retry_after() -> str:
    return str(settings.BUSY_RETRY_AFTER_SECONDS)


def busy_response(request: HttpRequest) -> HttpResponse:
    """JSON for the API, a page for the Desk; neither touches the database."""
    if request.path.startswith("/api/"):
        response = JsonResponse(busy_api_body(), status=503)
    else:
        page = render_to_string("desk/busy.html", {"message": busy_message(), "path": request.path})
        response = HttpResponse(page, status=503)
    response["Retry-After"] = retry_after()
    return response
