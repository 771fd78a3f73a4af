"""The keys a layout may use for a procedure: its fields, grid columns, results and document fields."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from metrology.doctype.engine import effective_fields
from metrology.doctype.engine.definition import RESULT_KEYS

SIGNATURE_KEYS = ("检定员签名", "核验员签名", "批准人签名")
SEAL_KEY = "机构印章"
IMAGE_KEYS = (*SIGNATURE_KEYS, SEAL_KEY)
DOCUMENT_KEYS = ("证书编号", "原始记录编号", "通知书编号", "计量器具名称", "检定依据", "机构名称", "授权证书号",
                 "检定员", "核验员", "批准人", "签发日期", "替代证书编号", *IMAGE_KEYS)


@dataclass(frozen=True)
class AvailableKeys:
    scalars: dict[str, str]                      # key → label
    grids: dict[str, dict[str, str]] = field(default_factory=dict)  # grid key → column key → label

    def all_names(self) -> set[str]:
        return set(self.scalars) | set(self.grids)


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
        scalars.setdefault(key, key)
    return AvailableKeys(scalars=scalars, grids=grids)
