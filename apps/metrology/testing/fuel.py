"""The JJG 443 fuel-dispenser pack and its worked examples, as the records, mobile and bench code types
them in: one value at a time, in the order an inspector enters them, each save with its request id."""

from __future__ import annotations

import json
import uuid
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[3]
FUEL_PACK = REPO_ROOT / "apps" / "metrology" / "packs" / "jjg443_fuel_dispenser.json"
FUEL_EXAMPLES = REPO_ROOT / "tests" / "data" / "examples" / "fuel_dispenser_jjg443.json"


def fuel_pack() -> dict:
    return json.loads(FUEL_PACK.read_text(encoding="utf-8"))


def fuel_example(name: str) -> dict:
    examples = json.loads(FUEL_EXAMPLES.read_text(encoding="utf-8"))["examples"]
    return next(e for e in examples if e["name"] == name)


def entry_order(inputs: dict) -> list[dict]:
    """Single values in the order an inspector types them: scalars, then grid cells row by row."""
    scalars = [{"field": key, "value": value} for key, value in inputs.items() if not isinstance(value, list)]
    cells = [{"field": key, "row": number, "column": column, "value": value}
             for key, rows in inputs.items() if isinstance(rows, list)
             for number, row in enumerate(rows, 1) for column, value in row.items()]
    return scalars + cells


def request_id() -> str:
    return str(uuid.uuid4())


def api_start(client, sub_type) -> dict:
    """Start a fuel-dispenser task through the API (the client is on an authorised device)."""
    response = client.post("/api/records/", {"item": "JJG443-FD", "sub_type": sub_type.pk}, format="json")
    assert response.status_code == 201, response.json()
    return response.json()


def api_save(client, record_id, **value):
    return client.post(f"/api/records/{record_id}/values/", {"request_id": request_id(), **value}, format="json")
