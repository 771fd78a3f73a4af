"""`metrology compute` and `metrology formula` on the shared worked examples (R-4.3.5.6, R-4.2.3.4d)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from metrology.cli import main
from metrology.doctype.engine import compare_expected

REPO = Path(__file__).resolve().parents[2]
EXAMPLES = REPO / "tests" / "data" / "examples"
PACKS = REPO / "apps" / "metrology" / "packs"
FUEL, GAUGE = PACKS / "jjg443_fuel_dispenser.json", PACKS / "jjg52_pressure_gauge.json"


def _examples(name: str) -> list[dict]:
    return json.loads((EXAMPLES / name).read_text(encoding="utf-8"))["examples"]


def _pack_for(example: dict, tmp_path: Path, pack: Path) -> Path:
    if example["name"] != "F3-rounded":
        return pack
    definition = json.loads(pack.read_text(encoding="utf-8"))
    rule = next(rule for rule in definition["rules"] if rule["label"] == "示值误差")
    rule.update(method="rounded", interval="0.01")
    switched = tmp_path / "fuel-rounded.json"
    switched.write_text(json.dumps(definition, ensure_ascii=False), encoding="utf-8")
    return switched


def _compute(capsys, procedure: Path, inputs: dict, tmp_path: Path) -> tuple[int, str, str]:
    values = tmp_path / "values.json"
    values.write_text(json.dumps(inputs, ensure_ascii=False), encoding="utf-8")
    code = main(["compute", str(procedure), str(values)])
    out, err = capsys.readouterr()
    return code, out, err


@pytest.mark.parametrize(
    "example, pack",
    [(e, FUEL) for e in _examples("fuel_dispenser_jjg443.json")]
    + [(e, GAUGE) for e in _examples("pressure_gauge_jjg52.json")],
    ids=lambda value: value["name"] if isinstance(value, dict) else value.stem,
)
def test_every_worked_example_computes_exactly(capsys, tmp_path, example, pack):
    code, out, err = _compute(capsys, _pack_for(example, tmp_path, pack), example["inputs"], tmp_path)
    assert code == 0, err
    mismatches = compare_expected(json.loads(out), example["expected"])
    assert not mismatches, mismatches


def test_the_examples_cover_what_the_issue_names():
    names = {e["name"] for e in _examples("fuel_dispenser_jjg443.json") + _examples("pressure_gauge_jjg52.json")}
    assert {"F1", "F2", "F3", "F3-rounded", "S2", "S4", "P1", "P2", "P3"} <= names


@pytest.mark.parametrize(
    "case", json.loads((EXAMPLES / "gbt8170_rounding.json").read_text(encoding="utf-8"))["cases"],
    ids=lambda case: f"{case['value']}@{case['interval']}",
)
def test_gbt8170_rounding_through_the_formula_command(capsys, case):
    assert main(["formula", f"ROUNDGB({case['value']}, {case['interval']})"]) == 0
    assert capsys.readouterr().out.strip() == case["expected"]


def test_formula_takes_values_for_names(capsys):
    assert main(["formula", "ROUNDGB((V_J - V_Bt) / V_Bt * 100, 0.01)", "--set", "V_J=20.06",
                 "--set", "V_Bt=19.9992"]) == 0
    assert capsys.readouterr().out.strip() == "0.30"


def test_bad_formula_reports_the_position_and_fails(capsys):
    assert main(["formula", "1 + * 2"]) == 2
    err = capsys.readouterr().err
    assert "5" in err and "*" in err


def test_bad_input_names_the_field_and_fails(capsys, tmp_path):
    inputs = dict(_examples("fuel_dispenser_jjg443.json")[0]["inputs"])
    inputs["runs"] = [dict(inputs["runs"][0], V_J="二十")] + inputs["runs"][1:]
    code, _out, err = _compute(capsys, FUEL, inputs, tmp_path)
    assert code == 2
    assert "runs[1].V_J" in err


def test_missing_values_file_is_a_clear_error(capsys):
    assert main(["compute", str(FUEL), "/nonexistent/values.json"]) == 2
    assert "not found" in capsys.readouterr().err


def test_the_installed_command_runs_as_a_program(tmp_path):
    values = tmp_path / "values.json"
    values.write_text(json.dumps(_examples("pressure_gauge_jjg52.json")[0]["inputs"]), encoding="utf-8")
    result = subprocess.run([sys.executable, "-m", "metrology.cli", "compute", str(GAUGE), str(values)],
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["检定结论"] == "合格"
    rounded = subprocess.run([sys.executable, "-m", "metrology.cli", "formula", "ROUNDGB(10.5002, 1)"],
                             capture_output=True, text=True, timeout=60)
    assert rounded.stdout.strip() == "11"


def _sub_type_procedure(tmp_path: Path) -> Path:
    """One definition for two sub-types: the limit is looked up by the record's sub-type."""
    definition = {
        "format_version": 1, "code": "SCALE", "name": "电子天平检定", "test_type": "检定",
        "sub_types": ["首次检定", "后续检定"],
        "fields": [{"key": "error", "type": "number"},
                   {"key": "mpe", "type": "formula", "expression": '=LOOKUP("限值", 检测子类型)'}],
        "tables": [{"name": "限值", "keys": ["子类型"], "values": ["mpe"],
                    "rows": [{"子类型": "首次检定", "mpe": "1"}, {"子类型": "后续检定", "mpe": "2"}]}],
        "rules": [{"id": "e", "label": "示值误差", "value": "=ABS(error)", "operator": "<=", "limit": "=mpe"}],
    }
    path = tmp_path / "scale.json"
    path.write_text(json.dumps(definition, ensure_ascii=False), encoding="utf-8")
    return path


def test_compute_takes_the_records_sub_type_for_formulas(capsys, tmp_path):
    procedure, values = _sub_type_procedure(tmp_path), tmp_path / "values.json"
    values.write_text('{"error": "1.5"}', encoding="utf-8")
    answers = {}
    for sub_type in ("首次检定", "后续检定"):
        assert main(["compute", str(procedure), str(values), "--sub-type", sub_type]) == 0
        result = json.loads(capsys.readouterr().out)
        answers[sub_type] = (result["mpe"], result["检定结论"])
    assert answers == {"首次检定": ("1", "不合格"), "后续检定": ("2", "合格")}
    assert main(["compute", str(procedure), str(values), "--test-type", "检定"]) == 2  # no sub-type: no limit
    assert "限值" in capsys.readouterr().err
