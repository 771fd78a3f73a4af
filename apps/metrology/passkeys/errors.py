"""Refusals of fingerprint and face checks, with the messages people see."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from metrology.core.errors import ApplicationError

NOT_CONFIRMED = _("The fingerprint or face check did not succeed; please try again.")
NO_CHALLENGE = _("The fingerprint or face check has expired or was already used; please start it again.")
NONE_REGISTERED = _("No fingerprint or face is registered for this person yet; please register one first.")
NOT_ENABLED = _("This fingerprint or face credential is not registered to this person, or has been revoked.")
NOT_VERIFIED = _("The device did not check a fingerprint, face or screen lock; please use a device that does.")
REGISTRATION_FAILED = _("The fingerprint or face could not be registered; please try again.")
ALREADY_REGISTERED = _("This fingerprint or face credential is already registered.")
ALREADY_REVOKED = _("This fingerprint or face credential is already revoked.")
MAY_NOT_REVOKE = _("You may revoke only your own fingerprint and face credentials.")


class PasskeyRefused(ApplicationError):
    """A fingerprint or face registration or check refused; the message says why."""
