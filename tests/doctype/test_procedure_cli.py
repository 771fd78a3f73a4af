"""`metrology procedure import|export` and `metrology compute CODE@N` against a real site."""

from __future__ import annotations

import json
from pathlib import Path

PACKS = Path(__file__).resolve().parents[2] / "apps" / "metrology" / "packs"
EXAMPLES = Path(__file__).resolve().parents[1] / "data" / "examples"


def test_import_publish_export_and_compute_a_stored_version(cli_sites, tmp_path):
    cli_sites.new_site("institute")
    imported = cli_sites.run("procedure", "import", str(PACKS / "jjg52_pressure_gauge.json"), "--publish",
                             "--authorise")
    assert "JJG52-PG-首次检定@1" in imported.stdout and "已发布" in imported.stdout

    exported = tmp_path / "exported.json"
    cli_sites.run("procedure", "export", "JJG52-PG-首次检定@1", "-o", str(exported))
    original = json.loads((PACKS / "jjg52_pressure_gauge.json").read_text(encoding="utf-8"))
    assert json.loads(exported.read_text(encoding="utf-8")) == {**original, "sub_types": ["首次检定"]}

    example = json.loads((EXAMPLES / "pressure_gauge_jjg52.json").read_text(encoding="utf-8"))["examples"][0]
    values = tmp_path / "values.json"
    values.write_text(json.dumps(example["inputs"], ensure_ascii=False), encoding="utf-8")
    result = json.loads(cli_sites.run("compute", "JJG52-PG-首次检定@1", str(values)).stdout)
    assert result["检定结论"] == example["expected"]["检定结论"]


def test_import_of_an_unauthorised_item_is_refused_clearly(cli_sites):
    cli_sites.new_site("institute")
    result = cli_sites.run("procedure", "import", str(PACKS / "jjg52_pressure_gauge.json"), check=False)
    assert result.returncode == 2 and "R-4.3.5.3" in result.stderr


def test_a_broken_procedure_file_is_refused_with_its_problems(cli_sites, tmp_path):
    cli_sites.new_site("institute")
    definition = json.loads((PACKS / "jjg443_fuel_dispenser.json").read_text(encoding="utf-8"))
    definition["rules"][0]["value"] = "=ABS(示值误差"
    broken = tmp_path / "broken.json"
    broken.write_text(json.dumps(definition, ensure_ascii=False), encoding="utf-8")
    result = cli_sites.run("procedure", "import", str(broken), "--authorise", check=False)
    assert result.returncode == 2
    assert "rules.indication_error" in result.stderr
    (tmp_path / "bad.json").write_text("{oops", encoding="utf-8")
    bad = cli_sites.run("procedure", "import", str(tmp_path / "bad.json"), check=False)
    assert bad.returncode == 2 and "line 1" in bad.stderr.replace("第 1 行", "line 1")


def test_unknown_stored_version_is_a_clear_error(cli_sites, tmp_path):
    cli_sites.new_site("institute")
    values = tmp_path / "values.json"
    values.write_text("{}", encoding="utf-8")
    result = cli_sites.run("compute", "NOPE@3", str(values), check=False)
    assert result.returncode == 2 and "NOPE@3" in result.stderr


def test_a_procedure_goes_through_excel_and_back_unchanged(cli_sites, tmp_path):
    cli_sites.new_site("institute")
    cli_sites.run("procedure", "import", str(PACKS / "jjg443_fuel_dispenser.json"), "--publish", "--authorise")
    workbook = tmp_path / "fuel.xlsx"
    cli_sites.run("procedure", "export", "JJG443-FD-后续检定", "--format", "xlsx", "-o", str(workbook))
    again = tmp_path / "again.json"
    cli_sites.run("procedure", "export", "JJG443-FD-后续检定", "-o", str(again))

    import openpyxl

    sheets = openpyxl.load_workbook(workbook).sheetnames
    assert {"procedure", "fields", "rules", "tables", "test_cases"} <= set(sheets)
    reimported = cli_sites.run("procedure", "import", str(workbook))
    assert "JJG443-FD-后续检定@1" in reimported.stdout  # same content: no new version

    example = json.loads((EXAMPLES / "fuel_dispenser_jjg443.json").read_text(encoding="utf-8"))["examples"][0]
    values = tmp_path / "values.json"
    values.write_text(json.dumps(example["inputs"], ensure_ascii=False), encoding="utf-8")
    from_workbook = json.loads(cli_sites.run("compute", str(workbook), str(values)).stdout)
    assert from_workbook["示值误差"].startswith(example["expected"]["示值误差"][:8])


def test_a_broken_workbook_is_refused_with_sheet_row_and_column(cli_sites, tmp_path):
    import openpyxl

    cli_sites.new_site("institute")
    workbook = tmp_path / "fuel.xlsx"
    from metrology.doctype.xlsform import procedure_to_xlsx

    workbook.write_bytes(procedure_to_xlsx(json.loads((PACKS / "jjg443_fuel_dispenser.json").read_text("utf-8"))))
    book = openpyxl.load_workbook(workbook)
    fields = book["fields"]
    header = [cell.value for cell in fields[1]]
    expression = header.index("expression") + 1
    for row in fields.iter_rows(min_row=2):
        if row[header.index("key")].value == "E":
            row[expression - 1].value = "=(V_J - V_Bt) / V_Bt * 100 +"
            bad_row = row[0].row
    book.save(workbook)
    result = cli_sites.run("procedure", "import", str(workbook), "--authorise", check=False)
    assert result.returncode == 2
    letter = openpyxl.utils.get_column_letter(expression)
    assert f"fields!{letter}{bad_row}" in result.stderr, result.stderr
