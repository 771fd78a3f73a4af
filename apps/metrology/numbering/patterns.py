"""Number text and period keys from a scheme's parts: pure functions, no database."""

from __future__ import annotations

import datetime as dt

from django.db import models
from django.utils.translation import gettext_lazy as _


class DatePart(models.TextChoices):
    NONE = "", _("no date")
    YYYY = "YYYY", "YYYY"
    YY = "YY", "YY"
    YYYYMM = "YYYYMM", "YYYYMM"
    YYMM = "YYMM", "YYMM"
    MM = "MM", "MM"


class Reset(models.TextChoices):
    NEVER = "never", _("never")
    YEARLY = "yearly", _("every year")
    MONTHLY = "monthly", _("every month")


STRFTIME = {
    DatePart.NONE: "",
    DatePart.YYYY: "%Y",
    DatePart.YY: "%y",
    DatePart.YYYYMM: "%Y%m",
    DatePart.YYMM: "%y%m",
    DatePart.MM: "%m",
}
SHOWS_YEAR = {DatePart.YYYY, DatePart.YY, DatePart.YYYYMM, DatePart.YYMM}
SHOWS_MONTH = {DatePart.YYYYMM, DatePart.YYMM, DatePart.MM}


def period_key(reset: str, on: dt.date) -> str:
    """The counter a date counts in: '' (never reset), '2025' (yearly) or '2025-03' (monthly)."""
    if reset == Reset.YEARLY:
        return f"{on.year:04d}"
    if reset == Reset.MONTHLY:
        return f"{on.year:04d}-{on.month:02d}"
    return ""


def format_number(
    *, prefix: str, date_part: str, separator: str, width: int, suffix: str, sequence: int, on: dt.date
) -> str:
    """`JD` + `2025` + `-` + `0007` + `/Z`; the sequence grows past its width rather than wrap."""
    date_text = on.strftime(STRFTIME[DatePart(date_part)])
    joiner = separator if date_text else ""
    return f"{prefix}{date_text}{joiner}{sequence:0{width}d}{suffix}"


def reset_problem(*, date_part: str, reset: str) -> str | None:
    """Why a reset rule would repeat numbers with this date part, or None when they stay unique."""
    if reset == Reset.YEARLY and date_part not in SHOWS_YEAR:
        return str(_("A yearly reset needs the year in the date part, or each year would repeat the numbers "
                     "of the year before."))
    if reset == Reset.MONTHLY and not (date_part in SHOWS_YEAR and date_part in SHOWS_MONTH):
        return str(_("A monthly reset needs the year and the month in the date part (YYYYMM or YYMM), or "
                     "numbers would repeat."))
    return None
