"""`metrology formula`, `metrology compute` and `metrology procedure import|export`.

`formula`, and `compute` of a procedure file, run without Django (issue 7): this module and what it
imports for them are Django-free, and the engine is imported only when a command needs it.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import re
import sys
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

EXIT_BAD_INPUT = 2
DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def add_parsers(commands: argparse._SubParsersAction) -> None:
    add_file_parsers(commands)
    add_procedure_parser(commands)


def add_file_parsers(commands: argparse._SubParsersAction) -> None:
    """`formula` and `compute`: the commands that work on a formula or a procedure file."""
    formula = commands.add_parser("formula", help="计算一个公式 / evaluate one formula expression")
    formula.add_argument("expression", help="e.g. 'ROUNDGB(12.1498, 0.1)'")
    formula.add_argument("--set", action="append", default=[], metavar="KEY=VALUE",
                         help="给名称赋值 / give a name a value (number, TRUE/FALSE, YYYY-MM-DD or text)")

    run = commands.add_parser("compute", help="按规程计算一条记录 / compute a record with a procedure")
    run.add_argument("procedure", help="规程文件 (.json/.xlsx) 或已存版本 / a procedure file or a stored CODE[@N]")
    run.add_argument("values", help="录入值 JSON 文件 / the entered values (JSON), '-' for stdin")
    run.add_argument("--test-type", help="检测类型（公式中的 检测类型）/ the record's test type, read by formulas as 检测类型")
    run.add_argument("--sub-type", help="检测子类型，如 后续检定（公式中的 检测子类型）/ the record's sub-type, read as 检测子类型")
    run.add_argument("--item", help="检测项目（公式中的 检测项目）/ the record's item, read as 检测项目")


def add_procedure_parser(commands: argparse._SubParsersAction) -> None:
    procedure = commands.add_parser("procedure", help="规程导入导出 / import or export procedures")
    actions = procedure.add_subparsers(dest="procedure_command", metavar="ACTION", required=True)
    do_import = actions.add_parser("import", help="导入规程文件 / import a procedure file (.json or .xlsx)")
    do_import.add_argument("file")
    do_import.add_argument("--publish", action="store_true", help="测试用例通过后发布 / publish if test cases pass")
    do_import.add_argument("--authorise", action="store_true",
                           help="将新项目标记为已授权 / mark a newly created item as authorised")
    do_export = actions.add_parser("export", help="导出规程版本 / export a procedure version")
    do_export.add_argument("version", help="CODE or CODE@N")
    do_export.add_argument("--format", choices=("json", "xlsx"), default="json")
    do_export.add_argument("-o", "--output", help="输出文件 / output file (default: stdout for json)")


def _fail(lines: list[str]) -> int:
    for line in lines:
        print(line, file=sys.stderr)
    return EXIT_BAD_INPUT


def _problem_lines(error: Exception) -> list[str]:
    from metrology.doctype.engine import ProblemsError
    from metrology.doctype.formula import FormulaError
    from metrology.doctype.messages import problem_text

    if isinstance(error, ProblemsError) or _is_workbook_error(error):
        return [problem_text(problem) for problem in error.problems]
    if isinstance(error, FormulaError):
        return [problem_text(error)]
    return [str(getattr(error, "message", error))]


def _is_workbook_error(error: Exception) -> bool:
    errors = sys.modules.get("metrology.doctype.xlsform.errors")  # not loaded: no workbook was read
    return errors is not None and isinstance(error, errors.WorkbookError)


def _typed(raw: str) -> Any:
    if raw.upper() in ("TRUE", "FALSE"):
        return raw.upper() == "TRUE"
    if DATE.match(raw):
        try:
            return dt.date.fromisoformat(raw)
        except ValueError:
            return raw
    try:
        return Decimal(raw) if raw.strip() and Decimal(raw).is_finite() else raw
    except InvalidOperation:
        return raw


def cmd_formula(args: argparse.Namespace) -> int:
    from metrology.doctype.formula import FormulaError, evaluate, format_decimal, parse

    env = {}
    for assignment in args.set:
        key, sep, raw = assignment.partition("=")
        if not sep or not key.strip():
            return _fail([f"--set {assignment!r}: KEY=VALUE"])
        env[key.strip()] = _typed(raw)
    try:
        value = evaluate(parse(args.expression), env)
    except FormulaError as error:
        return _fail(_problem_lines(error))
    print(format_decimal(value) if isinstance(value, Decimal) else _display(value))
    return 0


def _display(value: Any) -> str:
    from metrology.doctype.formula import format_decimal

    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, list):
        return json.dumps([format_decimal(v) if isinstance(v, Decimal) else v for v in value], ensure_ascii=False)
    return "" if value is None else str(value)


def read_procedure_file(path: Path) -> dict[str, Any]:
    from metrology.doctype.files import load_definition

    return load_definition(path)


def read_values(path: str) -> tuple[Any, dict[str, Any]]:
    """The entered values, and the document fields when the file has `inputs` and `document`."""
    from metrology.doctype.json_numbers import loads_without_floats

    text = sys.stdin.read() if path == "-" else Path(path).read_text(encoding="utf-8")
    values = loads_without_floats(text, where="-" if path == "-" else Path(path).name)
    if isinstance(values, dict) and "inputs" in values:
        return values["inputs"], values.get("document") or {}
    return values, {}


def procedure_is_file(reference: str) -> bool:
    """A procedure file (worked on without a site) rather than a stored CODE[@N]."""
    return Path(reference).is_file()


def resolve_procedure(reference: str, stored_version) -> dict[str, Any]:
    if procedure_is_file(reference):
        return read_procedure_file(Path(reference))
    return stored_version(reference).definition


def user_error_lines(error: Exception) -> list[str] | None:
    """The clear message for a user's mistake; None for anything else (a bug, to propagate)."""
    from metrology.core.errors import ApplicationError
    from metrology.doctype.engine import ProblemsError
    from metrology.doctype.formula import FormulaError

    if isinstance(error, FileNotFoundError):
        return [f"{error.filename}: file not found (文件不存在)"]
    if isinstance(error, json.JSONDecodeError):
        return [f"not valid JSON: line {error.lineno}, column {error.colno} (JSON 格式错误)"]
    if isinstance(error, (ProblemsError, FormulaError, ApplicationError)) or _is_workbook_error(error):
        return _problem_lines(error)
    return None


def cmd_compute(args: argparse.Namespace, *, stored_version) -> int:
    from metrology.doctype.engine import compute

    try:
        inputs, _document = read_values(args.values)
        result = compute(resolve_procedure(args.procedure, stored_version), inputs, context=_context(args))
    except Exception as error:  # noqa: BLE001 — user errors get their message; the rest propagates
        lines = user_error_lines(error)
        if lines is None:
            raise
        return _fail(lines)
    print(json.dumps(result.to_json(), ensure_ascii=False, indent=2))
    return 0


def _context(args: argparse.Namespace) -> dict[str, str]:
    """The record's context from --test-type, --sub-type and --item (others: the definition's own)."""
    given = {"test_type": args.test_type, "sub_type": args.sub_type, "item": args.item}
    return {key: value for key, value in given.items() if value is not None}


def cmd_procedure(args: argparse.Namespace) -> int:
    from metrology.doctype.engine import ProcedureError
    from metrology.doctype.errors import ProcedureRefused
    from metrology.doctype.packs import pack_import
    from metrology.doctype.selectors import version_by_label

    try:
        if args.procedure_command == "import":
            definition = read_procedure_file(Path(args.file))
            for version in pack_import(actor=None, definition=definition, authorise=args.authorise,
                                       publish=args.publish):
                print(f"{version.label}  {version.get_status_display()}")
            return 0
        version = version_by_label(args.version)
    except ProcedureRefused as error:
        return _fail([error.message, *_problem_lines(ProcedureError(error.problems))] if error.problems
                     else [error.message])
    except Exception as error:  # noqa: BLE001 — user errors get their message; the rest propagates
        lines = user_error_lines(error)
        if lines is None:
            raise
        return _fail(lines)
    return _export(version.definition, args.format, args.output)


def _export(definition: dict[str, Any], fmt: str, output: str | None) -> int:
    if fmt == "xlsx":
        from metrology.doctype.xlsform import procedure_to_xlsx

        if not output:
            return _fail(["--format xlsx needs -o FILE (xlsx 格式须指定输出文件)"])
        Path(output).write_bytes(procedure_to_xlsx(definition))
        return 0
    text = json.dumps(definition, ensure_ascii=False, indent=1) + "\n"
    if output:
        Path(output).write_text(text, encoding="utf-8")
    else:
        sys.stdout.write(text)
    return 0
