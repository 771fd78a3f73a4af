"""Writes on items, test types and procedure versions; each in one transaction with its audit row."""

from __future__ import annotations

import copy
import json
import re
from dataclasses import asdict, dataclass, field
from decimal import ROUND_HALF_EVEN, Context, Decimal, DecimalException
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from metrology.accounts.models import Person
from metrology.core.audit import audit_log
from metrology.core.audited import instance_save
from metrology.doctype.engine import (
    Mismatch,
    Problem,
    ProblemsError,
    TestCaseResult,
    compute,
    effective_fields,
    run_test_cases,
    validate_procedure,
)
from metrology.doctype.errors import ProcedureRefused
from metrology.doctype.formula import FormulaError, format_decimal, parse_decimal
from metrology.doctype.messages import problem_text
from metrology.doctype.models import Item, Procedure, ProcedureVersion, TestType

Status = ProcedureVersion.Status


def _refused_for_problems(problems: list[Problem]) -> ProcedureRefused:
    return ProcedureRefused(_("The procedure has %(count)d problem(s).") % {"count": len(problems)}, problems)


def _validated(definition: dict[str, Any]) -> dict[str, Any]:
    problems = validate_procedure(definition)
    if problems:
        raise _refused_for_problems(problems)
    return definition


def _storable(definition: Any, *, allow_problems: bool) -> dict[str, Any]:
    """A draft may be stored with problems (the designer saves work in progress); a file import
    is refused unless complete. Either way it must be a JSON object."""
    if not isinstance(definition, dict):
        raise ProcedureRefused(_("The definition must be a JSON object."))
    return definition if allow_problems else _validated(definition)


def _authorised(item: Item) -> Item:
    if not item.is_authorised:
        raise ProcedureRefused(
            _("%(item)s is not an authorised item, so no procedure can be made for it (R-4.3.5.3).")
            % {"item": item}
        )
    return item


def item_save(*, actor: Person | None, item: Item) -> Item:
    return instance_save(actor=actor, instance=item, action="item.updated" if item.pk else "item.created")


@transaction.atomic
def procedure_create(
    *, actor: Person | None, item: Item, sub_type: TestType, code: str, name: str, definition: dict[str, Any],
    allow_problems: bool = False,
) -> ProcedureVersion:
    """A new procedure for an authorised item × sub-type, with its first draft (complete unless
    `allow_problems`: the Desk starts one to be finished in the designer)."""
    _authorised(item)
    if sub_type.parent_id is None:
        raise ProcedureRefused(_("Choose a sub-type (e.g. 首次检定), not the test type itself."))
    procedure = Procedure(item=item, sub_type=sub_type, code=code, name=name)
    procedure.full_clean()
    procedure.save()
    definition = _storable(definition, allow_problems=allow_problems)
    version = ProcedureVersion(procedure=procedure, number=1, definition=definition, created_by=actor)
    version.save()
    audit_log(actor=actor, action="procedure.created", obj=procedure,
              after={"code": code, "item": item.code, "sub_type": str(sub_type), "version": 1})
    return version


@transaction.atomic
def version_save_draft(
    *, actor: Person | None, version: ProcedureVersion, definition: dict[str, Any], change_note: str = "",
    allow_problems: bool = False,
) -> ProcedureVersion:
    """Store the draft's definition; with `allow_problems` (the designer) even one that would not
    yet publish, so that nothing typed is lost."""
    version = ProcedureVersion.objects.select_for_update().get(pk=version.pk)
    if version.status != Status.DRAFT:
        raise ProcedureRefused(_("A published version never changes; edit a new draft instead."))
    before = version.fingerprint
    version.definition = _storable(definition, allow_problems=allow_problems)
    version.change_note = change_note or version.change_note
    version.save()
    if version.fingerprint != before:
        audit_log(actor=actor, action="procedure.draft_saved", obj=version,
                  before={"fingerprint": before}, after={"fingerprint": version.fingerprint})
    return version


@transaction.atomic
def version_publish(*, actor: Person | None, version: ProcedureVersion) -> ProcedureVersion:
    """Publish a draft without problems whose test cases all pass, one of them confirmed by a
    person; the previous published version retires."""
    version = ProcedureVersion.objects.select_for_update().get(pk=version.pk)
    if version.status != Status.DRAFT:
        raise ProcedureRefused(_("Only a draft can be published."))
    _authorised(version.procedure.item)
    reports = _publishable(version.definition, record_context(version.procedure))
    now = timezone.now()
    for previous in version.procedure.versions.filter(status=Status.PUBLISHED):
        previous.status, previous.retired_at = Status.RETIRED, now
        previous.save(update_fields=["status", "retired_at"])
        audit_log(actor=actor, action="procedure.retired", obj=previous)
    version.status, version.published_by, version.published_at = Status.PUBLISHED, actor, now
    version.save(update_fields=["status", "published_by", "published_at"])
    audit_log(actor=actor, action="procedure.published", obj=version,
              after={"version": version.number, "fingerprint": version.fingerprint,
                     "test_cases": [report.name for report in reports],
                     "confirmed_test_cases": [report.name for report in reports if report.confirmed]})
    return version


@transaction.atomic
def version_new_draft(*, actor: Person | None, procedure: Procedure) -> ProcedureVersion:
    """The draft to edit: the existing one, or a copy of the newest version as the next number.

    The procedure row is locked first (parent before its versions, the platform's lock order), so
    two people starting a draft at once get the same draft instead of a clash over its number.
    """
    procedure = Procedure.objects.select_for_update().get(pk=procedure.pk)
    existing = procedure.draft_version()
    if existing is not None:
        return existing
    latest = procedure.latest_version()
    version = ProcedureVersion(procedure=procedure, number=latest.number + 1,
                               definition=copy.deepcopy(latest.definition), created_by=actor)
    version.save()
    audit_log(actor=actor, action="procedure.draft_created", obj=version, after={"from_version": latest.number})
    return version


# -- checking a definition: its problems, then how each test case fares (R-4.3.5.6–7) ----------

@dataclass(frozen=True)
class Difference:
    """One value of a test case that the computation does not reproduce."""

    field: str
    field_label: str
    row: int | None
    column: str | None
    column_label: str | None
    expected: Any
    computed: Any
    message: str


@dataclass(frozen=True)
class CaseReport:
    """A test case's outcome. An unconfirmed case (`"confirmed": false`, copied from a test run)
    is the engine's own answer until a person checks it; a case without the key was written by one."""

    name: str
    confirmed: bool
    passed: bool
    error: str | None = None
    differences: list[Difference] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    def summary(self) -> str:
        return self.error or "；".join(difference.message for difference in self.differences)


def record_context(procedure: Procedure) -> dict[str, str]:
    """The context a record of this procedure has (its item, test type and sub-type by name), which
    formulas read as 检测项目, 检测类型 and 检测子类型."""
    return {"item": procedure.item.name, "test_type": procedure.sub_type.parent.name,
            "sub_type": procedure.sub_type.name}


def definition_check(
    definition: Any, *, context: dict[str, Any] | None = None,
) -> tuple[list[Problem], list[CaseReport]]:
    """The definition's problems; when there are none, a report per test case, in order. `context`
    (see `record_context`) is what a case without its own context is computed with."""
    problems = validate_procedure(definition)
    if problems:
        return problems, []
    labels = _Labels(definition)
    cases = definition.get("test_cases") or []
    results = run_test_cases(definition, context=context)
    return [], [_case_report(definition, case, result, labels, context)
                for case, result in zip(cases, results, strict=True)]


def _publishable(definition: dict[str, Any], context: dict[str, Any]) -> list[CaseReport]:
    """A version publishes only without problems, with every test case passing and at least one
    of them confirmed by a person, so that the engine does not vouch for itself."""
    problems, reports = definition_check(definition, context=context)
    if problems:
        raise _refused_for_problems(problems)
    if not reports:
        raise ProcedureRefused(_("Add at least one test case before publishing: it is the validation evidence."))
    failing = [report for report in reports if not report.passed]
    if failing:
        details = "；".join(report.summary() for report in failing)
        raise ProcedureRefused(_("These test cases fail, so the version cannot be published: %(details)s")
                               % {"details": details}, case_results=reports)
    if not any(report.confirmed for report in reports):
        raise ProcedureRefused(
            _("Confirm at least one test case before publishing: a case copied from a test run only repeats "
              "what the engine computed until a person has checked its expected values."),
            case_results=reports)
    return reports


def _is_confirmed(case: dict[str, Any]) -> bool:
    return bool(case.get("confirmed", True))


class _Labels:
    """Labels of the fields and grid columns a test case's values are named by."""

    def __init__(self, definition: dict[str, Any]):
        self.fields: dict[str, str] = {"document_kind": _("document kind")}
        self.columns: dict[str, dict[str, str]] = {}
        for spec in effective_fields(definition):
            key = spec.get("key")
            self.fields[key] = str(spec.get("label") or key)
            self.columns[key] = {column.get("key"): str(column.get("label") or column.get("key"))
                                 for column in spec.get("columns") or []}

    def locate(self, path: str) -> tuple[str, int | None, str | None]:
        """`runs[2].E` → ("runs", 2, "E"); the longest known key wins, as keys may hold dots."""
        known = [key for key in self.fields if path == key or path.startswith((f"{key}[", f"{key}."))]
        key = max(known, key=len) if known else re.split(r"[\[.]", path, maxsplit=1)[0]
        rest = path[len(key):]
        cell = re.fullmatch(r"\[(\d+)\](?:\.(.+))?", rest)
        if cell:
            return key, int(cell[1]), cell[2]
        return key, None, rest[1:] or None

    def field(self, key: str) -> str:
        return self.fields.get(key, key)

    def column(self, key: str, column: str | None) -> str | None:
        return None if column is None else self.columns.get(key, {}).get(column, column)


def _case_report(definition: dict[str, Any], case: dict[str, Any], result: TestCaseResult,
                 labels: _Labels, context: dict[str, Any] | None) -> CaseReport:
    confirmed = _is_confirmed(case)
    if result.error is not None:
        error = _("Test case %(case)s could not be computed: %(error)s") % {
            "case": result.name, "error": _compute_error_text(definition, case, context) or result.error}
        return CaseReport(result.name, confirmed, False, error=error)
    differences = [_difference(result.name, mismatch, labels) for mismatch in result.mismatches]
    return CaseReport(result.name, confirmed, result.passed, differences=differences)


def _compute_error_text(definition: dict[str, Any], case: dict[str, Any],
                        context: dict[str, Any] | None) -> str | None:
    """The failure of the case's computation in the reader's language (the engine's result keeps
    only its English text)."""
    try:
        compute(definition, case.get("inputs", {}), context=_case_context(context, case.get("context")))
    except ProblemsError as error:
        return "；".join(problem_text(problem) for problem in error.problems)
    except FormulaError as error:
        return problem_text(error)
    return None


def _case_context(default: dict[str, Any] | None, own: Any) -> Any:
    """A case's own context over the default, key by key, as `run_test_cases` does."""
    if own is None:
        return default
    return {**default, **own} if default and isinstance(own, dict) else own


_ROW_COUNT = " (rows)"
_MISSING = "(missing)"


def _difference(case: str, mismatch: Mismatch, labels: _Labels) -> Difference:
    path, counting_rows = mismatch.path, mismatch.path.endswith(_ROW_COUNT)
    key, row, column = labels.locate(path.removesuffix(_ROW_COUNT))
    field_label, column_label = labels.field(key), labels.column(key, column)
    computed = None if mismatch.actual == _MISSING else mismatch.actual
    if counting_rows:
        where = f"“{field_label}”"
        message = _("Test case %(case)s: %(where)s should have %(expected)s rows, computed %(computed)s") % {
            "case": case, "where": where, "expected": mismatch.expected, "computed": computed}
    else:
        where = _where(field_label, row, column_label)
        values = {"case": case, "where": where, "expected": _shown(mismatch.expected)}
        if mismatch.actual == _MISSING:
            message = _("Test case %(case)s: %(where)s should be %(expected)s, but the result has no such value")
            message %= values
        else:
            message = _("Test case %(case)s: %(where)s should be %(expected)s, computed %(computed)s") % {
                **values, "computed": _shown_as_compared(computed, mismatch.expected)}
    return Difference(key, field_label, row, column, column_label, mismatch.expected, computed, message)


def _where(field_label: str, row: int | None, column_label: str | None) -> str:
    if row is not None and column_label is not None:
        return _("%(field)s row %(row)d “%(column)s”") % {"field": field_label, "row": row,
                                                           "column": column_label}
    if row is not None:
        return _("%(field)s row %(row)d") % {"field": field_label, "row": row}
    if column_label is not None:
        return _("%(field)s “%(column)s”") % {"field": field_label, "column": column_label}
    return f"“{field_label}”"


def _shown(value: Any) -> str:
    if value is None or value == "" or value == []:
        return _("(empty)")
    if isinstance(value, list):
        return "、".join(_shown(item) for item in value)
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if isinstance(value, dict):
        return json.dumps(value, ensure_ascii=False)
    return str(value)


def _shown_as_compared(computed: Any, expected: Any) -> str:
    """A computed number rounded to the expected one's last digit, as the comparison saw it."""
    got, want = _decimal(computed), _decimal(expected)
    if got is None or want is None:
        return _shown(computed)
    try:
        quantum = Decimal((0, (1,), want.as_tuple().exponent))
        return format_decimal(got.quantize(quantum, rounding=ROUND_HALF_EVEN, context=Context(prec=200)))
    except DecimalException:
        return _shown(computed)


def _decimal(value: Any) -> Decimal | None:
    if not isinstance(value, str):
        return None
    try:
        return parse_decimal(value)
    except ValueError:
        return None
