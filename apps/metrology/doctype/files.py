"""Reading procedure definition files (JSON packs, or XLSForm workbooks); no models involved."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.utils.translation import gettext as _

from metrology.doctype.errors import ProcedureRefused


def load_definition(path: Path) -> dict[str, Any]:
    if path.suffix.lower() == ".xlsx":
        from metrology.doctype.xlsform import procedure_from_xlsx

        return procedure_from_xlsx(path.read_bytes())
    try:
        definition = json.loads(path.read_text(encoding="utf-8"), parse_float=str)
    except json.JSONDecodeError as exc:
        raise ProcedureRefused(_("%(file)s is not valid JSON: line %(line)d, column %(column)d")
                               % {"file": path.name, "line": exc.lineno, "column": exc.colno}) from exc
    except UnicodeDecodeError as exc:
        raise ProcedureRefused(_("%(file)s is not UTF-8 text.") % {"file": path.name}) from exc
    if not isinstance(definition, dict):
        raise ProcedureRefused(_("%(file)s must hold one procedure object.") % {"file": path.name})
    return definition
