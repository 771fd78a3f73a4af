"""The number a scheme being edited would give next, made by the same code as allocation; nothing is saved."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from django.utils.translation import gettext as _

from metrology.numbering.models import DATE_PART_CHOICES, NumberCounter, NumberingScheme
from metrology.numbering.patterns import Reset, reset_problem
from metrology.numbering.rules import day, shape_problem, width_problem

PREVIEW_PARTS = ("prefix", "date_part", "separator", "sequence_width", "suffix", "reset")


def _draft(scheme: NumberingScheme | None) -> NumberingScheme:
    if scheme is None:
        return NumberingScheme()
    return NumberingScheme(pk=scheme.pk, **{field: getattr(scheme, field) for field in PREVIEW_PARTS})


def _apply(draft: NumberingScheme, parts: Mapping[str, str]) -> list[str]:
    """Set the parts given on the draft; the problems of those that cannot be used."""
    problems = []
    for field in ("prefix", "separator", "suffix"):
        if field in parts:
            limit = NumberingScheme._meta.get_field(field).max_length
            setattr(draft, field, str(parts[field])[:limit])
    if "date_part" in parts:
        if parts["date_part"] in dict(DATE_PART_CHOICES):
            draft.date_part = parts["date_part"]
        else:
            problems.append(_("Choose a date part from the list."))
    if "reset" in parts:
        if parts["reset"] in Reset.values:
            draft.reset = parts["reset"]
        else:
            problems.append(_("Choose when the sequence restarts from the list."))
    if "sequence_width" in parts:
        text = str(parts["sequence_width"]).strip()
        if text.isdigit() and 1 <= int(text) <= 12:
            draft.sequence_width = int(text)
        else:
            problems.append(_("The sequence digits must be a whole number from 1 to 12."))
    return problems


def number_preview_for(
    *, parts: Mapping[str, str], scheme: NumberingScheme | None = None, on: dt.date | None = None
) -> dict[str, Any]:
    """{"number": the next number with these parts, "problems": why saving them would be refused}."""
    on = day(on)
    draft = _draft(scheme)
    problems = _apply(draft, parts)
    if (why := reset_problem(date_part=draft.date_part, reset=draft.reset)) is not None:
        problems.append(why)
    if (shape := shape_problem(draft, on=on)) is not None:
        problems.append(shape[1])
    if (too_wide := width_problem(draft, on=on)) is not None:
        problems.append(too_wide)
    last = 0
    if draft.pk is not None:
        last = (NumberCounter.objects.filter(scheme_id=draft.pk, period=draft.period(on))
                .values_list("last_sequence", flat=True).first()) or 0
    return {"number": draft.number_text(last + 1, on), "problems": [str(problem) for problem in problems]}
