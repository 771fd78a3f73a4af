"""Reading procedure definition files (JSON packs, or XLSForm workbooks); no models, no Django."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from metrology.core.plain_gettext import gettext as _
from metrology.doctype.errors import ProcedureRefused
from metrology.doctype.json_numbers import FloatInJson, loads_without_floats


def load_definition(path: Path) -> dict[str, Any]:
    if path.suffix.lower() == ".xlsx":
        from metrology.doctype.xlsform import procedure_from_xlsx

        return procedure_from_xlsx(path.read_bytes())
    try:
        definition = loads_without_floats(path.read_text(encoding="utf-8"), where=path.name)
    except json.JSONDecodeError as exc:
        raise ProcedureRefused(_("%(file)s is not valid JSON: line %(line)d, column %(column)d")
                               % {"file": path.name, "line": exc.lineno, "column": exc.colno}) from exc
    except UnicodeDecodeError as exc:
        raise ProcedureRefused(_("%(file)s is not UTF-8 text.") % {"file": path.name}) from exc
    except FloatInJson as exc:
        from metrology.doctype.messages import problem_text

        raise ProcedureRefused(problem_text(exc.problems[0])) from exc
    if not isinstance(definition, dict):
        raise ProcedureRefused(_("%(file)s must hold one procedure object.") % {"file": path.name})
    return definition
