from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest


def institute(request: HttpRequest) -> dict[str, str]:
    return {"institute_name": settings.INSTITUTE_NAME}
