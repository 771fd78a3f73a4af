from __future__ import annotations

import secrets

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET
from drf_spectacular.views import SpectacularSwaggerSplitView

from metrology.core.health import health_report, public_health
from metrology.core.permissions import perm


def may_see_health_details(request: HttpRequest) -> bool:
    """Administrators, and monitors sending the site's `health_token` in X-Health-Token (#8)."""
    if request.user.is_authenticated and request.user.has_perm(perm("roles_manage")):
        return True
    token = str(settings.SITE.setting("health_token", "") or "")
    given = request.headers.get("X-Health-Token", "")
    return bool(token) and secrets.compare_digest(given.encode(), token.encode())


@never_cache
@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    """Anyone learns whether the site is up; only those allowed see what each part reports."""
    report = health_report()
    body = report if may_see_health_details(request) else public_health(report)
    return JsonResponse(body, status=503 if report["status"] == "down" else 200)


# The docs page loads its script in a second request, so no inline script is needed (CSP).
api_docs = login_required(SpectacularSwaggerSplitView.as_view(url_name="api-schema"))
