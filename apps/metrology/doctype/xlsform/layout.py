"""The workbook layout: sheet names, their columns (stable English keys) and each column's codec."""

from __future__ import annotations

from .cells import Boolean, Codec, Integer, JsonObject, KeyColumns, Range, Text, TextList

PROCEDURE = "procedure"
FIELDS = "fields"
RULES = "rules"
TABLES = "tables"
TEST_CASES = "test_cases"
TABLE_PREFIX = "table."
REQUIRED_SHEETS = (PROCEDURE, FIELDS)

MAX_ROWS = 5_000
MAX_COLUMNS = 200
MAX_CELL_CHARS = 32_767  # Excel's limit

TEXT = Text()
BOOLEAN = Boolean()
INTEGER = Integer()
JSON = JsonObject()
JSON_DATA = JsonObject(decimal_strings=True)
OPTIONS = TextList(";；")
SUB_TYPES = TextList(";；、")
NAMES = TextList(";；")
KEY_COLUMNS = KeyColumns()
RANGE = Range()

EXTRA = "extra"  # a JSON object of attributes without a column of their own; applied last

# -- procedure: one setting per row ---------------------------------------------------------
PROCEDURE_HEADER = ("key", "value", "note")
SETTINGS: dict[str, tuple[Codec, str]] = {
    "format_version": (INTEGER, "格式版本，固定为 1"),
    "code": (TEXT, "规程代码（必填），如 JJG443-FD"),
    "name": (TEXT, "名称（必填），如 燃油加油机检定"),
    "test_type": (TEXT, "检测类型（必填）：检定、校准、期间核查、使用中检查、测试"),
    "sub_types": (SUB_TYPES, "子类型，用 ; 或 、 分隔，如 首次检定;后续检定"),
    "version": (TEXT, "版本"),
    "item.name": (TEXT, "计量器具名称"),
    "item.period_months": (INTEGER, "检定周期（月，整数）"),
    "regulation.code": (TEXT, "规程编号，如 JJG 443-2023"),
    "regulation.title": (TEXT, "规程名称"),
    "about": (TEXT, "说明"),
    "document_kinds.pass": (TEXT, "合格时出具的文书，如 检定证书"),
    "document_kinds.fail": (TEXT, "不合格时出具的文书，如 检定结果通知书"),
    "document_kinds.always": (TEXT, "总是出具的文书（校准：校准证书）；填写时不填 pass/fail"),
    EXTRA: (JSON, "其他属性（JSON 对象），一般留空"),
}
# Settings under these prefixes may have any sub-key (text); the ones listed above are typed.
SETTING_GROUPS = ("item", "regulation", "document_kinds")
DOCUMENT_KINDS = ("pass", "fail", "always")
SECTIONS = ("fields", "tables", "rules", "test_cases")

# -- fields: one field per row; a grid's columns follow its row with `grid` = the grid key ----
FIELD_COLUMNS: dict[str, Codec] = {
    "key": TEXT,
    "label": TEXT,
    "type": TEXT,
    "grid": TEXT,
    "required": BOOLEAN,
    "default": TEXT,  # BOOLEAN for checkboxes
    "unit": TEXT,
    "resolution": TEXT,
    "display_interval": TEXT,
    "min": TEXT,
    "max": TEXT,
    "pattern": TEXT,
    "max_length": INTEGER,
    "options": OPTIONS,
    "expression": TEXT,
    "help": TEXT,
    "step": INTEGER,
    "rows_fixed": INTEGER,
    "rows_min": INTEGER,
    "rows_max": INTEGER,
    EXTRA: JSON,
}
ROW_COUNTS = {"rows_fixed": "fixed", "rows_min": "min", "rows_max": "max"}
# Columns of the fields sheet that are not field attributes of the same name.
FIELD_LAYOUT_COLUMNS = ("grid", *ROW_COUNTS, EXTRA)

# -- rules ------------------------------------------------------------------------------------
RULE_COLUMNS: dict[str, Codec] = {
    "id": TEXT,
    "label": TEXT,
    "value": TEXT,
    "operator": TEXT,
    "limit": TEXT,
    "method": TEXT,
    "interval": TEXT,
    "applies_if": TEXT,
    "each": TEXT,
    EXTRA: JSON,
}

# -- tables: one row per table; its rows on the sheet named in `sheet` ------------------------
TABLE_COLUMNS: dict[str, Codec] = {
    "name": TEXT,
    "sheet": TEXT,
    "keys": KEY_COLUMNS,
    "values": NAMES,
    "about": TEXT,
    EXTRA: JSON,
}

# -- test cases -------------------------------------------------------------------------------
CONTEXT_PREFIX = "context."  # context.test_type, context.sub_type, context.item → the case's `context`
CONTEXT_KEYS = ("test_type", "sub_type", "item")
TEST_CASE_COLUMNS: dict[str, Codec] = {
    "name": TEXT,
    "note": TEXT,
    "inputs": JSON_DATA,
    "expected": JSON_DATA,
    "confirmed": BOOLEAN,
    **{CONTEXT_PREFIX + key: TEXT for key in CONTEXT_KEYS},
    EXTRA: JSON,
}

SHEET_COLUMNS: dict[str, dict[str, Codec]] = {
    FIELDS: FIELD_COLUMNS,
    RULES: RULE_COLUMNS,
    TABLES: TABLE_COLUMNS,
    TEST_CASES: TEST_CASE_COLUMNS,
}

WIDTHS = {
    "key": 18, "value": 40, "note": 50, "label": 24, "type": 10, "grid": 10, "expression": 60,
    "help": 30, "options": 24, "limit": 40, "applies_if": 24, "inputs": 80, "expected": 80,
    "about": 40, "keys": 24, "values": 24, "extra": 20, "name": 18, "id": 18, "confirmed": 10,
    "context.test_type": 12, "context.sub_type": 14, "context.item": 14,
}
DEFAULT_WIDTH = 12
