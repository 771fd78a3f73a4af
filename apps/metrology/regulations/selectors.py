"""Reads of the regulation library: full-text search, and the 检定依据 text for certificates."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace

from django.db.models import Count, Q, QuerySet, Value
from django.db.models.functions import Length, Replace
from django.utils.translation import gettext as _

from metrology.regulations.codes import code_stem, normalise_code
from metrology.regulations.errors import RegulationRefused
from metrology.regulations.models import Regulation, RegulationGram, Status, today
from metrology.regulations.search import Snippet, normalise, query_gram_keys, snippet

BASIS_SEPARATOR = "、"


# -- full-text search --------------------------------------------------------------------------


@dataclass(frozen=True)
class SearchHit:
    regulation: Regulation
    in_code: bool
    in_title: bool
    occurrences: int
    snippet: Snippet | None


def _candidates(phrase: str) -> QuerySet[Regulation]:
    if len(phrase) < 2:  # no bigram to look up: let the database narrow it, then check below
        return Regulation.objects.filter(Q(search_text__contains=phrase) | Q(code__icontains=phrase)
                                         | Q(title__icontains=phrase))
    grams = query_gram_keys(phrase)
    holding_all = (RegulationGram.objects.filter(gram__in=grams).values("regulation")
                   .annotate(found=Count("gram")).filter(found=len(grams)).values("regulation"))
    return Regulation.objects.filter(pk__in=holding_all)


def regulation_search(query: str, *, limit: int = 50) -> list[SearchHit]:
    """Regulations whose code, title or text contain the phrase (spaces and line breaks ignored,
    Latin letters in any case): code and title hits first, then by number of occurrences."""
    phrase = normalise(query or "")
    if not phrase:
        return []
    candidates = _candidates(phrase)
    heads = {r.pk: r for r in candidates.only("id", "code", "title", "effective_date", "withdrawal_date")}
    # REPLACE matches exactly on both databases (unlike LIKE under MariaDB's collation), and the
    # texts stay in the database: characters removed / phrase length = occurrences.
    removed = Length("search_text") - Length(Replace("search_text", Value(phrase), Value("")))
    counts = dict(candidates.annotate(removed=removed).filter(removed__gt=0).values_list("pk", "removed"))
    hits = []
    for pk, regulation in heads.items():
        hit = SearchHit(regulation, in_code=phrase in normalise(regulation.code),
                        in_title=phrase in normalise(regulation.title),
                        occurrences=int(counts.get(pk, 0)) // len(phrase), snippet=None)
        if hit.in_code or hit.in_title or hit.occurrences:
            hits.append(hit)
    hits.sort(key=lambda h: (not h.in_code, not h.in_title, -h.occurrences, h.regulation.code))
    top = hits[:limit]
    texts = dict(Regulation.objects.filter(pk__in=[h.regulation.pk for h in top if h.occurrences])
                 .values_list("pk", "text"))
    return [replace(hit, snippet=snippet(texts[hit.regulation.pk], phrase)) if hit.occurrences else hit
            for hit in top]


# -- the regulations behind an item, and the 检定依据 text -----------------------------------------


@dataclass(frozen=True)
class BasisEntry:
    """One cited code as the library knows it on a given day; `problem` is "" when it can be cited."""

    code: str
    regulation: Regulation | None
    problem: str  # "", "unknown", "withdrawn" or "upcoming"
    replacement: Regulation | None = None

    @property
    def text(self) -> str:
        return str(self.regulation) if self.regulation is not None else self.code


def regulations_by_code(codes: Iterable[str]) -> dict[str, Regulation]:
    wanted = [normalise_code(code) for code in codes if code and code.strip()]
    return {r.code: r for r in Regulation.objects.filter(code__in=wanted)}


def regulations_for_item(item) -> list[Regulation]:
    """The library's regulations for `item.regulation_codes`, in the item's order; unknown codes are left out
    (see `basis_entries` to find them)."""
    codes = [code for code in item.regulation_codes or [] if code and code.strip()]
    found = regulations_by_code(codes)
    ordered = dict.fromkeys(normalise_code(code) for code in codes)
    return [found[code] for code in ordered if code in found]


def _replacement(code: str, on: dt.date) -> Regulation | None:
    stem = code_stem(code)
    newer = Regulation.objects.current(on).filter(code__startswith=f"{stem}-").exclude(code=code)
    return next((r for r in newer.order_by("-code") if code_stem(r.code) == stem), None)


def basis_entries(codes: Iterable[str], *, on: dt.date | None = None) -> list[BasisEntry]:
    """Each cited code (duplicates dropped, order kept) with what the library says about it on `on`."""
    day = on or today()
    ordered = list(dict.fromkeys(normalise_code(code) for code in codes if code and code.strip()))
    found = regulations_by_code(ordered)
    entries = []
    for code in ordered:
        regulation = found.get(code)
        if regulation is None:
            entries.append(BasisEntry(code, None, "unknown"))
            continue
        status = regulation.status_on(day)
        problem = "" if status == Status.CURRENT else status
        replacement = _replacement(code, day) if status == Status.WITHDRAWN else None
        entries.append(BasisEntry(code, regulation, problem, replacement))
    return entries


def basis_problems(entries: Iterable[BasisEntry]) -> list[str]:
    messages = []
    for entry in entries:
        if entry.problem == "unknown":
            messages.append(_("%(code)s is not in the regulation library.") % {"code": entry.code})
        elif entry.problem == "withdrawn" and entry.replacement is not None:
            messages.append(_("%(code)s is withdrawn; the current edition is %(new)s.")
                            % {"code": entry.code, "new": entry.replacement.code})
        elif entry.problem == "withdrawn":
            messages.append(_("%(code)s is withdrawn.") % {"code": entry.code})
        elif entry.problem == "upcoming":
            messages.append(_("%(code)s is not yet in force.") % {"code": entry.code})
    return messages


def basis_for(
    codes: Iterable[str], *, on: dt.date | None = None, strict: bool = False,
    titles: Mapping[str, str] | None = None,
) -> str:
    """The 检定依据 printed on a certificate: `JJG 443-2023《燃油加油机检定规程》、…`, titles from the library.

    A code the library does not know is printed as given, with its title from `titles` (e.g. the
    procedure's own `regulation.title`) when there is one; a withdrawn or not-yet-effective regulation
    is still printed as cited. Either way `basis_entries` flags it, and with `strict=True` such a
    code is refused (RegulationRefused "basis") instead of printed.
    """
    entries = basis_entries(codes, on=on)
    if strict and (problems := basis_problems(entries)):
        raise RegulationRefused("basis", " ".join(problems))
    known_titles = {normalise_code(code): title for code, title in (titles or {}).items() if title}
    parts = []
    for entry in entries:
        if entry.regulation is None and entry.code in known_titles:
            parts.append(f"{entry.code}《{known_titles[entry.code]}》")
        else:
            parts.append(entry.text)
    return BASIS_SEPARATOR.join(parts)
