"""The keys a layout may use for a procedure: its fields, grid columns, results and document fields."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from metrology.doctype.engine import effective_fields
from metrology.doctype.engine.definition import RESULT_KEYS

SIGNATURE_KEYS = ("检定员签名", "核验员签名", "批准人签名")
SEAL_KEY = "机构印章"
IMAGE_KEYS = (*SIGNATURE_KEYS, SEAL_KEY)
# The measurement standards used: a table of rows, one per standard (records.preview.standards_printed).
STANDARDS_KEY = "计量标准器"
DOCUMENT_GRIDS: dict[str, dict[str, str]] = {
    STANDARDS_KEY: {"名称": "名称", "测量范围": "测量范围", "准确度": "准确度", "证书编号": "证书编号", "有效期至": "有效期至"},
}
# The system's own fields of a document. The standards' table is here too, so a layout renders (with no
# rows) where no standards are given (print_formats.context); it is offered as a table, not a value.
DOCUMENT_KEYS = ("证书编号", "原始记录编号", "通知书编号", "计量器具名称", "检定依据", "机构名称", "授权证书号",
                 "检定员", "核验员", "批准人", "签发日期", "替代证书编号", "检定地点", "环境温度", "相对湿度",
                 STANDARDS_KEY, *IMAGE_KEYS)


@dataclass(frozen=True)
class AvailableKeys:
    scalars: dict[str, str]                      # key → label
    grids: dict[str, dict[str, str]] = field(default_factory=dict)  # grid key → column key → label
    # The document's own tables (DOCUMENT_GRIDS) the procedure does not define a grid of the same name for.
    document_grids: dict[str, dict[str, str]] = field(default_factory=dict)

    def all_names(self) -> set[str]:
        return set(self.scalars) | set(self.grids) | set(self.document_grids)

    def columns_of(self, grid: str) -> dict[str, str]:
        return self.grids.get(grid) or self.document_grids.get(grid, {})


def available_keys(procedure: dict[str, Any]) -> AvailableKeys:
    scalars: dict[str, str] = {}
    grids: dict[str, dict[str, str]] = {}
    for spec in effective_fields(procedure):
        if not isinstance(spec, dict) or not isinstance(spec.get("key"), str) or spec.get("type") == "section":
            continue
        label = str(spec.get("label") or spec["key"])
        if spec.get("type") == "grid":
            columns = spec.get("columns")
            grids[spec["key"]] = {str(c.get("key")): str(c.get("label") or c.get("key"))
                                  for c in columns if isinstance(c, dict)} if isinstance(columns, list) else {}
        else:
            scalars[spec["key"]] = label
    for key in (*RESULT_KEYS[:3], *DOCUMENT_KEYS):
        if key not in DOCUMENT_GRIDS:
            scalars.setdefault(key, key)
    document_grids = {key: dict(columns) for key, columns in DOCUMENT_GRIDS.items()
                      if key not in grids and key not in scalars}
    return AvailableKeys(scalars=scalars, grids=grids, document_grids=document_grids)
