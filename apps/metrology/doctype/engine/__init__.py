"""The procedure compute engine: a procedure definition (plain JSON dict, format_version 1, see
docs/procedure-format.md) plus a record's inputs → every field's value, the rules' verdicts,
检定结论, 不合格项目 and the document kind. No Django.

Public API::

    compute(procedure | CompiledProcedure, inputs, *, today=None, context=None) -> ComputeResult
        .values, .conclusion, .failed_items, .rules, .document_kind, .to_dict(), .to_json()
        Raises InputError / ProcedureError (each with .problems) or FormulaError (field, row).
        context: {"test_type", "sub_type", "item"} (texts), read by formulas as 检测类型, 检测子类型,
        检测项目; a key not given comes from the definition where it fixes it, else blank.
    validate_procedure(procedure) -> list[Problem]          save-time check
    compile_procedure(procedure) -> CompiledProcedure        parsed once, cached by content hash
    run_test_cases(procedure, *, today=None, context=None) -> list[TestCaseResult]
        each case's own "context" overrides ``context`` key by key; "confirmed" is not read
    compare_expected(result_json, expected) -> list[Mismatch]
    common_fields() -> list[dict]                            the ten fields of every procedure
"""

from __future__ import annotations

from .compiler import compile_procedure, fingerprint, validate_procedure
from .compute import compute
from .context import CONTEXT_NAMES
from .definition import COMMON_FIELD_KEYS, FAIL, FORMAT_VERSION, PASS, common_fields, effective_fields
from .model import CompiledProcedure
from .problems import InputError, Problem, ProblemsError, ProcedureError
from .result import ComputeResult, to_json_value
from .rules import Outcome, RuleResult
from .testcases import Mismatch, TestCaseResult, compare_expected, run_test_cases, values_match

__all__ = [
    "COMMON_FIELD_KEYS",
    "CONTEXT_NAMES",
    "FAIL",
    "FORMAT_VERSION",
    "PASS",
    "CompiledProcedure",
    "ComputeResult",
    "InputError",
    "Mismatch",
    "Outcome",
    "Problem",
    "ProblemsError",
    "ProcedureError",
    "RuleResult",
    "TestCaseResult",
    "common_fields",
    "compare_expected",
    "compile_procedure",
    "compute",
    "effective_fields",
    "fingerprint",
    "run_test_cases",
    "to_json_value",
    "validate_procedure",
    "values_match",
]
