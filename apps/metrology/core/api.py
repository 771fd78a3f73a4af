"""Base pieces of the JSON API: permission checks by catalogue code, and errors in one shape."""

from __future__ import annotations

from django.core.exceptions import ValidationError as DjangoValidationError
from rest_framework import permissions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler
from rest_framework.views import set_rollback

from metrology.core.busy import busy_api_body, is_database_busy, retry_after
from metrology.core.errors import ApplicationError
from metrology.core.permissions import perm


class HasCode(permissions.BasePermission):
    """Read with any of `view_codes` or `manage_codes`; write only with `manage_codes` (set on the view)."""

    def has_permission(self, request, view) -> bool:
        manage = tuple(getattr(view, "manage_codes", ()))
        view_codes = tuple(getattr(view, "view_codes", ())) + manage
        codes = view_codes if request.method in permissions.SAFE_METHODS else manage
        return any(request.user.has_perm(perm(code)) for code in codes)


def exception_handler(exc, context):
    if is_database_busy(exc):
        set_rollback()
        return Response(busy_api_body(), status=status.HTTP_503_SERVICE_UNAVAILABLE,
                        headers={"Retry-After": retry_after()})
    if isinstance(exc, ApplicationError):
        body = {"detail": exc.message}
        if exc.field:
            body = {exc.field: [exc.message]}
        return Response(body, status=status.HTTP_400_BAD_REQUEST)
    if isinstance(exc, DjangoValidationError):
        body = exc.message_dict if hasattr(exc, "error_dict") else {"detail": exc.messages}
        return Response(body, status=status.HTTP_400_BAD_REQUEST)
    return drf_exception_handler(exc, context)


def csrf_refused(request) -> bool:
    """Whether Django's CSRF check refuses the request: for JSON endpoints that check it themselves,
    after the session, so that a refusal is JSON too (csrf_exempt on the view)."""
    from django.http import HttpResponse
    from django.middleware.csrf import CsrfViewMiddleware

    return CsrfViewMiddleware(lambda _request: HttpResponse()).process_view(request, None, (), {}) is not None
