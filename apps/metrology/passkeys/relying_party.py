"""Who we are to the authenticator: RP ID, name and the origins a response may come from.

WebAuthn works only in a secure context (HTTPS, or http://localhost) and on a domain name, never an
IP address. Behind a proxy, or when the phone app and the Desk are served on different host names of
one domain, set METROLOGY_WEBAUTHN_RP_ID (the registrable domain) and METROLOGY_WEBAUTHN_ORIGINS.
"""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest
from django.http.request import split_domain_port
from django.utils.translation import gettext


def rp_id(request: HttpRequest) -> str:
    configured = getattr(settings, "METROLOGY_WEBAUTHN_RP_ID", "")
    if configured:
        return configured
    domain, _port = split_domain_port(request.get_host())
    return domain


def origins(request: HttpRequest) -> list[str]:
    configured = getattr(settings, "METROLOGY_WEBAUTHN_ORIGINS", None)
    if configured:
        return [configured] if isinstance(configured, str) else list(configured)
    return [f"{request.scheme}://{request.get_host()}"]


def rp_name() -> str:
    return getattr(settings, "INSTITUTE_NAME", "") or gettext("Metrology data platform")
