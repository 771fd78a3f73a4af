"""The public verification page (R-4.3.12): reached from a certificate's QR code, without login.

It shows what the certificate says in public terms — number, instrument, the client partly masked,
conclusion, dates, and whether it is valid or void — and checks an uploaded PDF's SHA-256 against the
file issued. The token is 192 random bits; each address may ask a limited number of times a minute.
"""

from __future__ import annotations

import hashlib

from django.core.cache import cache
from django.http import Http404, HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from metrology.certificates.models import Certificate
from metrology.core.request_context import client_ip

REQUESTS_PER_MINUTE = 30
MAX_UPLOAD = 20 * 1024 * 1024


def masked(text: str) -> str:
    """The client's name with its middle hidden: 示范加油站有限公司 → 示范****公司."""
    text = (text or "").strip()
    if len(text) <= 2:
        return text[:1] + "*" * (len(text) - 1)
    keep = max(1, len(text) // 4)
    return text[:keep] + "*" * (len(text) - 2 * keep) + text[-keep:]


def _too_many(request: HttpRequest) -> bool:
    key = f"certificate-verify:{client_ip(request)}"
    cache.add(key, 0, 60)
    return cache.incr(key) > REQUESTS_PER_MINUTE


def _uploaded_matches(request: HttpRequest, certificate: Certificate) -> bool | None:
    upload = request.FILES.get("pdf")
    if upload is None or upload.size > MAX_UPLOAD:
        return None
    digest = hashlib.sha256()
    for chunk in upload.chunks():
        digest.update(chunk)
    return digest.hexdigest() == certificate.pdf_sha256


@never_cache
@require_http_methods(["GET", "POST"])
def certificate_verify(request: HttpRequest, token: str) -> HttpResponse:
    if _too_many(request):
        response = HttpResponse(_("Too many requests; please try again in a minute."), status=429,
                                content_type="text/plain; charset=utf-8")
        response["Retry-After"] = "60"
        return response
    certificate = (Certificate.objects.select_related("record__item", "replaces").exclude(state=Certificate.State.NUMBERED)
                   .filter(public_token=token[:64]).first())
    if certificate is None:
        raise Http404
    record = certificate.record
    context = {
        "certificate": certificate, "record": record, "client": masked(record.client),
        "valid": certificate.state == Certificate.State.ISSUED,
        "matches": _uploaded_matches(request, certificate) if request.method == "POST" else None,
        "checked": request.method == "POST",
        "replacements": certificate.replaced_by.exclude(state=Certificate.State.NUMBERED),
    }
    return TemplateResponse(request, "certificates/verify.html", context)
