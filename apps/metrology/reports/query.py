"""A report's definition (columns, filters, order, grouping) checked and turned into one database query.

The definition is untrusted input: every column must be one the person may see (columns_for), every
operator one of OPERATORS, every value parsed for the column's kind; a refusal names the filter's
position and column in Chinese. The database filters, sorts, groups and counts: no Python loop over rows.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db.models import Avg, Count, Q, QuerySet, Sum
from django.utils.translation import gettext as _

from metrology.core.errors import ApplicationError
from metrology.records.models import Record
from metrology.reports.columns import (
    DATE, NUMBER, Column, display_expression, field_value, sort_expression,
)
from metrology.reports.models import RecordField

OPERATORS = ("eq", "ne", "contains", "in", "between", "empty", "not_empty")
AGGREGATES = {"count": None, "sum": Sum, "avg": Avg}
CHARTS = ("bar", "line", "pie")
MAX_COLUMNS, MAX_FILTERS, MAX_SORTS, MAX_IN_VALUES, MAX_TEXT = 40, 20, 5, 200, 200



class ReportRefused(ApplicationError):
    pass


@dataclass(frozen=True)
class Filter:
    column: Column
    op: str
    values: tuple[Any, ...]


@dataclass(frozen=True)
class Report:
    columns: tuple[Column, ...]
    filters: tuple[Filter, ...]
    order: tuple[tuple[Column, bool], ...]
    group_by: Column | None
    aggregate: str
    aggregate_column: Column | None
    chart: str | None = None


def _column(allowed: dict[str, Column], column_id: Any, where: str, field: str) -> Column:
    column = allowed.get(column_id) if isinstance(column_id, str) else None
    if column is None:
        raise ReportRefused(_("%(where)s: there is no column “%(column)s” you may use.")
                            % {"where": where, "column": str(column_id)[:60]}, field=field)
    return column


def _value(column: Column, raw: Any, where: str, field: str) -> Any:
    if raw is None or isinstance(raw, (dict, list, bool)):
        raise ReportRefused(_("%(where)s: give a value for %(column)s.") % {"where": where, "column": column.label}, field=field)
    text = str(raw).strip()[:MAX_TEXT]
    if column.kind == NUMBER:
        try:
            number = Decimal(text)
        except InvalidOperation:
            number = None
        if number is None or not number.is_finite():
            raise ReportRefused(_("%(where)s: “%(value)s” is not a number, and %(column)s holds numbers.")
                                % {"where": where, "value": text, "column": column.label}, field=field)
        return number
    if column.kind == DATE:
        try:
            return dt.date.fromisoformat(text)
        except ValueError:
            raise ReportRefused(_("%(where)s: “%(value)s” is not a date like 2026-12-03, and %(column)s holds "
                                  "dates.") % {"where": where, "value": text, "column": column.label}, field=field) from None
    return text


def _filter(allowed: dict[str, Column], raw: Any, position: int) -> Filter:
    where, field = _("Filter %(n)d") % {"n": position}, f"filters.{position}"
    if not isinstance(raw, dict):
        raise ReportRefused(_("%(where)s cannot be read.") % {"where": where}, field=field)
    column = _column(allowed, raw.get("column"), where, field)
    op = raw.get("op")
    if op not in OPERATORS:
        raise ReportRefused(_("%(where)s: choose how to compare %(column)s.") % {"where": where, "column": column.label},
                            field=field)
    if op in ("empty", "not_empty"):
        return Filter(column, op, ())
    given = raw.get("value")
    if op in ("in", "between"):
        items = given if isinstance(given, list) else [given]
        if op == "between" and len(items) != 2:
            raise ReportRefused(_("%(where)s: “between” needs two values, from and to.") % {"where": where},
                                field=field)
        if op == "in" and not 1 <= len(items) <= MAX_IN_VALUES:
            raise ReportRefused(_("%(where)s: choose from 1 to %(max)d values.") % {"where": where, "max": MAX_IN_VALUES},
                                field=field)
        return Filter(column, op, tuple(_value(column, item, where, field) for item in items))
    if op == "contains" and column.kind != "text":
        raise ReportRefused(_("%(where)s: “contains” compares text, and %(column)s does not hold text.")
                            % {"where": where, "column": column.label},
                            field=field)
    return Filter(column, op, (_value(column, given, where, field),))


def report_parse(spec: Any, allowed: dict[str, Column]) -> Report:
    """The definition as the Desk sends or a saved report keeps it, checked against what the person may see."""
    if not isinstance(spec, dict):
        raise ReportRefused(_("The report's definition cannot be read."))
    column_ids = spec.get("columns") or []
    if not isinstance(column_ids, list) or not 1 <= len(column_ids) <= MAX_COLUMNS:
        raise ReportRefused(_("Choose from 1 to %(max)d columns.") % {"max": MAX_COLUMNS}, field="columns")
    columns = tuple(_column(allowed, cid, _("Column %(n)d") % {"n": n}, "columns")
                    for n, cid in enumerate(column_ids, 1))
    raw_filters = spec.get("filters") or []
    if not isinstance(raw_filters, list) or len(raw_filters) > MAX_FILTERS:
        raise ReportRefused(_("A report has at most %(max)d filters.") % {"max": MAX_FILTERS}, field="filters")
    filters = tuple(_filter(allowed, raw, n) for n, raw in enumerate(raw_filters, 1))
    raw_order = spec.get("order") or []
    if not isinstance(raw_order, list) or len(raw_order) > MAX_SORTS:
        raise ReportRefused(_("A report sorts by at most %(max)d columns.") % {"max": MAX_SORTS}, field="order")
    order = []
    for n, raw in enumerate(raw_order, 1):
        raw = raw if isinstance(raw, dict) else {}
        column = _column(allowed, raw.get("column"), _("Sort %(n)d") % {"n": n}, f"order.{n}")
        order.append((column, bool(raw.get("desc"))))
    group_by = spec.get("group_by")
    group = _column(allowed, group_by, _("Group by"), "group_by") if group_by else None
    aggregate = spec.get("aggregate") or "count"
    if aggregate not in AGGREGATES:
        raise ReportRefused(_("Group totals are a count, a sum or an average."), field="aggregate")
    aggregate_column = None
    if aggregate != "count":
        aggregate_column = _column(allowed, spec.get("aggregate_column"), _("Group total"), "aggregate_column")
        if aggregate_column.kind != NUMBER:
            raise ReportRefused(_("Group total: %(column)s does not hold numbers, so it cannot be summed or "
                                  "averaged.") % {"column": aggregate_column.label}, field="aggregate_column")
    chart = spec.get("chart") or None
    if chart is not None and chart not in CHARTS:
        raise ReportRefused(_("A chart is a bar, line or pie chart."), field="chart")
    return Report(columns, filters, tuple(order), group, aggregate, aggregate_column, chart)


def _field_rows(column: Column) -> QuerySet:
    return RecordField.objects.filter(key=column.key, row__isnull=True)


def _field_condition(f: Filter) -> Q:
    rows = _field_rows(f.column)
    target = {NUMBER: "number", DATE: "date"}.get(f.column.kind, "text")
    if f.op == "empty":
        return ~Q(pk__in=rows.values("record_id"))
    if f.op == "not_empty":
        return Q(pk__in=rows.values("record_id"))
    lookups = {"eq": {target: f.values[0]}, "ne": None, "contains": {"text__icontains": f.values[0]},
               "in": {f"{target}__in": f.values}, "between": {f"{target}__range": f.values}}
    if f.op == "ne":
        return Q(pk__in=rows.exclude(**{target: f.values[0]}).values("record_id"))
    return Q(pk__in=rows.filter(**lookups[f.op]).values("record_id"))


def _core_condition(f: Filter, name: str) -> Q:
    text = f.column.kind == "text"
    if f.op == "empty":
        return Q(**{f"{name}__isnull": True}) | (Q(**{name: ""}) if text else Q())
    if f.op == "not_empty":
        return Q(**{f"{name}__isnull": False}) & (~Q(**{name: ""}) if text else Q())
    if f.op == "ne":
        return ~Q(**{name: f.values[0]})
    lookup = {"eq": "exact", "contains": "icontains", "in": "in", "between": "range"}[f.op]
    return Q(**{f"{name}__{lookup}": f.values if f.op in ("in", "between") else f.values[0]})


def _alias(column: Column, aliases: dict[str, str]) -> str:
    return aliases.setdefault(column.id, f"c{len(aliases)}")


def filtered(base: QuerySet, report: Report) -> tuple[QuerySet, dict[str, str]]:
    """The records the filters keep, with each needed core subquery column annotated under an alias."""
    aliases: dict[str, str] = {}
    queryset = base
    for f in report.filters:
        if f.column.is_field:
            queryset = queryset.filter(_field_condition(f))
        elif f.column.path is not None:
            queryset = queryset.filter(_core_condition(f, f.column.path))
        else:
            name = _alias(f.column, aliases)
            queryset = queryset.alias(**{name: display_expression(f.column)}).filter(_core_condition(f, name))
    return queryset, aliases


def report_rows(base: QuerySet, report: Report, *, offset: int = 0, limit: int = 50) -> tuple[int, list[dict]]:
    """The matching records as rows of the chosen columns (display values), sorted, one page of them."""
    queryset, _aliases = filtered(base, report)
    names = {column.id: f"v{n}" for n, column in enumerate(report.columns)}
    queryset = _sorted(queryset.annotate(**{names[c.id]: display_expression(c) for c in report.columns}), report)
    total = queryset.count()
    rows = queryset.values("pk", *names.values())[offset:offset + limit]
    return total, [{"id": row["pk"], **{cid: _shown(report, cid, row[name]) for cid, name in names.items()}}
                   for row in rows]


def _sorted(queryset: QuerySet, report: Report) -> QuerySet:
    ordering = []
    for n, (column, desc) in enumerate(report.order):
        name = f"o{n}"
        queryset = queryset.annotate(**{name: sort_expression(column)})
        expression = queryset.query.annotations[name]
        ordering.append(expression.desc(nulls_last=True) if desc else expression.asc(nulls_first=True))
    return queryset.order_by(*ordering, "-pk")


def _shown(report: Report, column_id: str, value: Any) -> Any:
    column = next(c for c in report.columns if c.id == column_id)
    if value is None:
        return ""
    if column.choices:
        return str(column.choices.get(value, value))
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    return value


def report_groups(base: QuerySet, report: Report) -> list[dict]:
    """Counts (and a sum or average) per value of the group-by column, largest first."""
    group = report.group_by
    if group is None:
        return []
    queryset, _aliases = filtered(base, report)
    annotations = {"g": display_expression(group)}
    totals = {"count": Count("pk")}
    if report.aggregate_column is not None:
        annotations["x"] = field_value(report.aggregate_column.key, NUMBER)
        totals["value"] = AGGREGATES[report.aggregate]("x")
    rows = queryset.annotate(**annotations).values("g").annotate(**totals).order_by("-count", "g")
    return [{"group": _group_label(group, row["g"]), "count": row["count"],
             **({"value": _number(row["value"])} if report.aggregate_column is not None else {})}
            for row in rows]


def _group_label(column: Column, value: Any) -> str:
    if value is None or value == "":
        return _("(empty)")
    if column.choices:
        return str(column.choices.get(value, value))
    return value.isoformat() if isinstance(value, dt.date) else str(value)


def _number(value: Any) -> str:
    if value is None:
        return ""
    return format(Decimal(value).quantize(Decimal("1e-6")).normalize(), "f")


def distinct_values(base: QuerySet, column: Column, *, limit: int = 200) -> list[str]:
    """The values present in the column, to pick a filter's value from."""
    if column.is_field:
        values = _field_rows(column).filter(record_id__in=base.values("pk")).values_list("text", flat=True)
        return sorted(set(values.distinct().order_by("text")[:limit]))
    if column.path is not None:
        values = base.exclude(**{f"{column.path}__isnull": True}).values_list(column.path, flat=True)
    else:
        values = base.annotate(g=display_expression(column)).exclude(g__isnull=True).values_list("g", flat=True)
    shown = [_group_label(column, v) for v in values.distinct().order_by()[:limit]]
    return sorted({v for v in shown if v != _("(empty)")})


def base_records() -> QuerySet:
    return Record.objects.all()


def typed_expression(column: Column):
    """The column's value as its kind: numbers as numbers, dates as dates (for exports)."""
    if column.is_field:
        return field_value(column.key, column.kind)
    return display_expression(column)


def export_values(base: QuerySet, report: Report, *, chunk_size: int = 2000):
    """Every matching row, sorted as on screen, as tuples of typed values (Decimal, date, str or None)
    in the report's column order. The sorted ids are read first, then the values a chunk of ids at a
    time: MariaDB's client holds a whole result in memory, so one query for 100,000 rows would too."""
    queryset, _aliases = filtered(base, report)
    ids = list(_sorted(queryset, report).values_list("pk", flat=True))
    names = [f"v{n}" for n in range(len(report.columns))]
    values = base.model.objects.annotate(**{name: typed_expression(c)
                                            for name, c in zip(names, report.columns, strict=True)})
    for start in range(0, len(ids), chunk_size):
        chunk = ids[start:start + chunk_size]
        found = {row[0]: row[1:] for row in values.filter(pk__in=chunk).values_list("pk", *names)}
        for pk in chunk:
            if pk in found:  # a record deleted meanwhile is left out
                yield tuple(_typed(column, value) for column, value in zip(report.columns, found[pk], strict=True))


def _typed(column: Column, value: Any) -> Any:
    if value is None:
        return None
    if column.choices:
        return str(column.choices.get(value, value))
    return value
