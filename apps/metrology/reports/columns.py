"""The columns a report can show, filter, sort and group by: the record's core columns (R-4.2.5.3) and
every field any procedure defines, found by label or key."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from django.db.models import Expression, F, OuterRef, Subquery
from django.utils.translation import gettext_lazy as _

from metrology.certificates.models import Certificate
from metrology.doctype.engine import COMMON_FIELD_KEYS
from metrology.doctype.models import ProcedureVersion
from metrology.reports.models import RecordField
from metrology.workflow.models import Meaning, Signature

TEXT, NUMBER, DATE = "text", "number", "date"
FIELD_PREFIX = "f:"
NUMBER_TYPES = frozenset({"number", "integer", "formula"})


@dataclass(frozen=True)
class Column:
    id: str
    label: str
    kind: str = TEXT
    path: str | None = None  # a field of Record (or through its relations) when the column is one
    subquery: Callable[[], Expression] | None = None
    needs: tuple[str, ...] = ("reports_query",)
    choices: dict[str, str] = field(default_factory=dict)

    @property
    def is_field(self) -> bool:
        return self.id.startswith(FIELD_PREFIX)

    @property
    def key(self) -> str:
        return self.id.removeprefix(FIELD_PREFIX)


def _latest_certificate(value: str) -> Subquery:
    return Subquery(Certificate.objects.filter(record=OuterRef("pk")).order_by("-numbered_at", "-id")
                    .values(value)[:1])


def _signer(meaning: str) -> Subquery:
    return Subquery(Signature.objects.filter(record=OuterRef("pk"), meaning=meaning)
                    .order_by("-signed_at", "-id").values("signer__name")[:1])


CERTIFICATE_COLUMN = ("reports_query", "certificates_query")

CORE_COLUMNS: dict[str, Column] = {column.id: column for column in (
    Column("item", _("instrument (item)"), path="item__name"),
    Column("sub_type", _("test sub-type"), path="sub_type__name"),
    Column("accuracy", _("instrument accuracy"), path="accuracy_class"),
    Column("model", _("instrument model"), path="instrument_model"),
    Column("serial", _("serial number"), path="serial_number"),
    Column("manufacture_date", _("date of manufacture"), DATE, path="manufacture_date"),
    Column("manufacturer", _("manufacturer"), path="manufacturer"),
    Column("client", _("client"), path="client"),
    Column("address", _("user's address"), path="user_address"),
    Column("raw_record_number", _("raw record number"), path="raw_record_number"),
    Column("certificate_number", _("certificate number"), subquery=lambda: _latest_certificate("number"),
           needs=CERTIFICATE_COLUMN),
    Column("certificate_state", _("certificate state"), subquery=lambda: _latest_certificate("state"),
           needs=CERTIFICATE_COLUMN, choices=dict(Certificate.State.choices)),
    Column("date", _("verification date"), DATE, path="verification_date"),
    Column("validity", _("next verification date"), DATE, path="next_verification_date"),
    Column("conclusion", _("verification conclusion"), path="conclusion"),
    Column("inspector", _("inspector"), path="inspector__name"),
    Column("verifier", _("verifier"), subquery=lambda: _signer(Meaning.VERIFIED)),
    Column("approver", _("approver"), subquery=lambda: _signer(Meaning.APPROVED)),
    Column("state", _("record state"), path="state"),
)}


def field_catalogue() -> dict[str, Column]:
    """Every value field of every procedure version in use (grids and sections aside), by key; a key
    several procedures define is one column, labelled with each label it has."""
    labels: dict[str, list[str]] = {}
    kinds: dict[str, str] = {}
    definitions = ProcedureVersion.objects.exclude(status=ProcedureVersion.Status.DRAFT).values_list(
        "definition", flat=True)
    for definition in definitions:
        for spec in (definition or {}).get("fields") or []:
            key, kind = spec.get("key"), spec.get("type")
            if not isinstance(key, str) or key in COMMON_FIELD_KEYS or kind in ("grid", "section", None):
                continue
            label = str(spec.get("label") or key)
            if label not in labels.setdefault(key, []):
                labels[key].append(label)
            kinds.setdefault(key, NUMBER if kind in NUMBER_TYPES else DATE if kind == "date" else TEXT)
    return {f"{FIELD_PREFIX}{key}": Column(f"{FIELD_PREFIX}{key}", "／".join(names), kinds[key])
            for key, names in sorted(labels.items())}


def field_value(key: str, kind: str = TEXT) -> Subquery:
    """The record's value of a procedure field, as text (what was entered) or as a number or date."""
    value = {NUMBER: "number", DATE: "date"}.get(kind, "text")
    return Subquery(RecordField.objects.filter(record=OuterRef("pk"), key=key, row__isnull=True)
                    .values(value)[:1])


def display_expression(column: Column) -> Expression:
    if column.path is not None:
        return F(column.path)
    if column.subquery is not None:
        return column.subquery()
    return field_value(column.key)


def sort_expression(column: Column) -> Expression:
    return field_value(column.key, column.kind) if column.is_field else display_expression(column)


def columns_for(person) -> dict[str, Column]:
    """The columns this person may see — and so filter, sort and group by: nothing else is accepted."""
    from metrology.core.permissions import perm

    every = {**CORE_COLUMNS, **field_catalogue()}
    return {cid: column for cid, column in every.items()
            if all(person.has_perm(perm(code)) for code in column.needs)}


def search(columns: dict[str, Column], text: str) -> list[Column]:
    """Columns whose label or key contains the text (R-4.2.5.3)."""
    needle = text.strip().lower()
    return [c for c in columns.values() if not needle or needle in str(c.label).lower() or needle in c.key.lower()]
