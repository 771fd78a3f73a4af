from __future__ import annotations

from metrology.core.errors import ApplicationError


class CertificateRefused(ApplicationError):
    """A certificate cannot be issued or changed; the message says why, for the person who can fix it."""
