"""A Content-Security-Policy on every response (#8).

Scripts come only from our own static files: the templates hold no inline script (the designer's
texts travel in a `<script type="application/json">` data block, which is never executed) and the
API docs use drf-spectacular's split view, whose script is a separate request. Inline styles are
allowed: the Desk's templates and Django's admin use `<style>` blocks and `style` attributes.
Referrer-Policy and X-Content-Type-Options come from Django's SecurityMiddleware
(SECURE_REFERRER_POLICY, SECURE_CONTENT_TYPE_NOSNIFF).
"""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

CONTENT_SECURITY_POLICY = "; ".join((
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data:",
    "object-src 'none'",
    "frame-ancestors 'none'",
    "base-uri 'self'",
    "form-action 'self'",
))
# A PDF opened in the browser is shown by the browser's own viewer, which a policy written for
# HTML pages (object-src 'none', default-src 'self') can stop; it still may not be framed.
PDF_CONTENT_SECURITY_POLICY = "frame-ancestors 'none'; base-uri 'self'; form-action 'self'"


def content_security_policy_for(response: HttpResponse) -> str:
    content_type = response.get("Content-Type", "")
    return PDF_CONTENT_SECURITY_POLICY if content_type.startswith("application/pdf") else CONTENT_SECURITY_POLICY


class SecurityHeadersMiddleware:
    """Adds the Content-Security-Policy unless a view set its own."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if "Content-Security-Policy" not in response:
            response["Content-Security-Policy"] = content_security_policy_for(response)
        return response
