"""Resident ID card numbers (GB 11643-1999): 17 digits and an ISO 7064 MOD 11-2 check character."""

from __future__ import annotations

import datetime as dt
import unicodedata

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
CHECK_CHARACTERS = "10X98765432"


def check_character(first17: str) -> str:
    return CHECK_CHARACTERS[sum(int(d) * w for d, w in zip(first17, WEIGHTS, strict=True)) % 11]


def birth_date_of(number: str) -> dt.date | None:
    try:
        return dt.date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    except ValueError:
        return None


def normalize_id_number(value: str) -> str:
    """NFKC first, so full-width `１１０１…Ｘ` is the same number as `1101…X` (#8), then upper-cased."""
    return unicodedata.normalize("NFKC", value or "").strip().upper()


def validate_id_number(value: str) -> None:
    number = normalize_id_number(value)
    if len(number) != 18:
        raise ValidationError(
            _("An ID card number has 18 characters; this one has %(count)d.") % {"count": len(number)},
            code="id_length",
        )
    if not number.isascii() or not number[:17].isdigit() or not (number[17].isdigit() or number[17] == "X"):
        raise ValidationError(
            _("An ID card number is 17 digits followed by a digit or X."), code="id_characters"
        )
    born = birth_date_of(number)
    if born is None or born > dt.date.today() or born.year < 1900:
        raise ValidationError(
            _("Characters 7 to 14 of the ID card number are not a valid birth date."), code="id_birth_date"
        )
    expected = check_character(number[:17])
    if number[17] != expected:
        raise ValidationError(
            _("The check digit of the ID card number is wrong: the last character should be %(expected)s.")
            % {"expected": expected},
            code="id_check_digit",
        )


def mask_id_number(value: str | None) -> str:
    """Keep the first three and last four characters: 110***********123X."""
    if not value:
        return ""
    if len(value) <= 7:
        return "*" * len(value)
    return value[:3] + "*" * (len(value) - 7) + value[-4:]
