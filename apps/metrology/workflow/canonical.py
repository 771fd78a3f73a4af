"""The canonical content of a raw record: what a signature is bound to (docs/signatures.md).

Format "record/1": a JSON object with exactly these keys —

    format, record, raw_record_number, procedure_version, item, sub_type, inspector,
    inputs, results, conclusion, failed_items, standards, attachments

serialised with keys sorted, no whitespace (separators "," and ":"), non-ASCII characters as they
are (ensure_ascii off) and encoded as UTF-8. Values are as stored: numbers entered are decimal
strings, dates ISO 8601 strings; standards are [certificate number, valid until] pairs in the order
of their certificate numbers, attachments the stored file ids sorted. The record's state is not part
of it: taking a step does not change what was signed; changing a value, a standard or a photo does.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

from metrology.records.models import Record

FORMAT = "record/1"


def canonical_content(record: Record) -> dict[str, Any]:
    standards = sorted(
        [used.standard.certificate_number, used.valid_until.isoformat()]
        for used in record.standards_used.select_related("standard")
    )
    return {
        "format": FORMAT,
        "record": record.pk,
        "raw_record_number": record.raw_record_number or "",
        "procedure_version": record.version_id,
        "item": record.item.code,
        "sub_type": record.sub_type_id,
        "inspector": record.inspector.username,
        "inputs": record.inputs,
        "results": record.results,
        "conclusion": record.conclusion,
        "failed_items": record.failed_items,
        "standards": standards,
        "attachments": sorted(record.attachments.values_list("file_id", flat=True)),
    }


def canonical_bytes(record: Record) -> bytes:
    return json.dumps(canonical_content(record), sort_keys=True, separators=(",", ":"), ensure_ascii=False,
                      default=str).encode("utf-8")


def content_sha256(record: Record) -> str:
    return hashlib.sha256(canonical_bytes(record)).hexdigest()
