"""What a device may call itself: the identifier the phone app makes, and the IMEI printed on the phone."""

from __future__ import annotations

import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

IDENTIFIER_PATTERN = re.compile(r"^[A-Za-z0-9_-]{16,64}$")
IMEI_LENGTH = 15

BAD_IDENTIFIER = _("The device identifier must be 16 to 64 letters, digits, “-” or “_”; "
                   "please reinstall the mobile app.")
BAD_IMEI = _("The IMEI must be 15 digits and its last digit must be a valid check digit; "
             "please copy it again from the phone (dial *#06#).")


def validate_identifier(value: str) -> None:
    if not IDENTIFIER_PATTERN.match(value or ""):
        raise ValidationError(BAD_IDENTIFIER, code="bad_identifier")


def normalize_imei(value: str | None) -> str:
    """Spaces, hyphens and slashes as printed on a label are dropped."""
    return re.sub(r"[\s/-]", "", value or "")


def luhn_valid(digits: str) -> bool:
    total = 0
    for position, char in enumerate(reversed(digits)):
        digit = int(char)
        if position % 2 == 1:
            digit = digit * 2 - 9 if digit > 4 else digit * 2
        total += digit
    return total % 10 == 0


def validate_imei(value: str) -> None:
    if len(value) != IMEI_LENGTH or not value.isascii() or not value.isdigit() or not luhn_valid(value):
        raise ValidationError(BAD_IMEI, code="bad_imei")
