"""Constants of the procedure format (format_version 1) and the common fields of every procedure."""

from __future__ import annotations

import copy
from typing import Any

FORMAT_VERSION = 1

PASS = "合格"
FAIL = "不合格"

VALUE_TYPES = frozenset(
    {"text", "number", "integer", "date", "select", "checkbox", "formula", "signature", "attachment"}
)
FIELD_TYPES = VALUE_TYPES | {"grid", "section"}
GRID_COLUMN_TYPES = frozenset({"text", "number", "integer", "date", "select", "checkbox", "formula"})

OPERATORS = ("<=", "<", ">=", ">", "=", "<>")
METHODS = ("full", "rounded")  # 全数值比较法, 修约值比较法 (GB/T 8170 §4.3)

# Keys the result adds beside the fields' values; no field may use them.
RESULT_KEYS = ("检定结论", "不合格项目", "document_kind", "rule_results")

DEFAULT_DOCUMENT_KINDS = {"pass": "检定证书", "fail": "检定结果通知书"}
CALIBRATION_DOCUMENT_KINDS = {"always": "校准证书"}
CALIBRATION_TYPES = ("校准",)

MAX_TEXT_LENGTH = 10_000  # default upper bound of a text input

_COMMON_FIELDS: tuple[dict[str, Any], ...] = (
    {"key": "委托单位", "label": "委托单位", "type": "text"},
    {"key": "计量器具准确度", "label": "计量器具准确度", "type": "text"},
    {"key": "计量器具型号", "label": "计量器具型号", "type": "text"},
    {"key": "制造单位名称", "label": "制造单位名称", "type": "text"},
    {"key": "产品出厂编号", "label": "产品出厂编号", "type": "text"},
    {"key": "使用单位地址", "label": "使用单位地址", "type": "text"},
    {"key": "出厂日期", "label": "出厂日期", "type": "date"},
    {"key": "检定日期", "label": "检定日期", "type": "date"},
    {"key": "下次检定日期", "label": "下次检定日期", "type": "date"},
    {"key": "结论说明", "label": "结论说明", "type": "text"},
)

COMMON_FIELD_KEYS = tuple(f["key"] for f in _COMMON_FIELDS)


def common_fields() -> list[dict[str, Any]]:
    """Fresh definitions of the ten fields every procedure has (never required for computing)."""
    return [dict(copy.deepcopy(f), required=False, common=True, step=0) for f in _COMMON_FIELDS]


def effective_fields(procedure: dict[str, Any]) -> list[Any]:
    """The common fields (unless the procedure redefines one under the same key) and then the
    procedure's own fields, in order."""
    own = procedure.get("fields")
    own = own if isinstance(own, list) else []
    own_keys = {f.get("key") for f in own if isinstance(f, dict) and isinstance(f.get("key"), str)}
    return [f for f in common_fields() if f["key"] not in own_keys] + list(own)


def document_kinds(procedure: dict[str, Any]) -> dict[str, str]:
    kinds = procedure.get("document_kinds")
    if isinstance(kinds, dict) and kinds:
        return kinds
    if procedure.get("test_type") in CALIBRATION_TYPES:
        return dict(CALIBRATION_DOCUMENT_KINDS)
    return dict(DEFAULT_DOCUMENT_KINDS)
