"""#7 item 5: one rule for numbers everywhere (docs/procedure-format.md, "Numbers"): a JSON number with a
fraction or an exponent is refused, never read as text; whole JSON numbers are accepted."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from django.urls import reverse

from metrology.cli import main
from metrology.doctype.json_numbers import FloatInJson, loads_without_floats

REPO = Path(__file__).resolve().parents[2]
FUEL = REPO / "apps" / "metrology" / "packs" / "jjg443_fuel_dispenser.json"
CERTIFICATE = REPO / "tests" / "data" / "templates" / "certificate_jjg443.docx"
INPUTS = json.loads((REPO / "tests" / "data" / "examples" / "fuel_dispenser_jjg443.json")
                    .read_text(encoding="utf-8"))["examples"][0]["inputs"]
FLOAT_D = json.dumps({**INPUTS, "d": "__D__"}, ensure_ascii=False, indent=1).replace('"__D__"', "2.00")


def _line_and_column(text: str, needle: str) -> tuple[int, int]:
    offset = text.index(needle)
    return text.count("\n", 0, offset) + 1, offset - text.rfind("\n", 0, offset)


def test_compute_refuses_a_float_in_the_values_file_naming_file_number_and_position(tmp_path, capsys):
    values = tmp_path / "values.json"
    values.write_text(FLOAT_D, encoding="utf-8")
    assert main(["compute", str(FUEL), str(values)]) == 2
    line, column = _line_and_column(FLOAT_D, "2.00")
    err = capsys.readouterr().err
    assert f'values.json: JSON 中的数值请写成文本，例如 "2.00" 而不是 2.00（第 {line} 行，第 {column} 列）' in err


def test_compute_accepts_whole_json_numbers_and_decimal_strings(tmp_path, capsys):
    values = tmp_path / "values.json"
    values.write_text(json.dumps({**INPUTS, "V0": 20}, ensure_ascii=False), encoding="utf-8")
    assert main(["compute", str(FUEL), str(values)]) == 0
    assert json.loads(capsys.readouterr().out)["V0"] == "20"


def test_compute_refuses_a_float_read_from_standard_input(monkeypatch, capsys):
    import io

    monkeypatch.setattr("sys.stdin", io.StringIO(FLOAT_D))
    assert main(["compute", str(FUEL), "-"]) == 2
    assert '-: JSON 中的数值请写成文本，例如 "2.00"' in capsys.readouterr().err


def test_render_refuses_a_float_in_the_inputs_or_the_document_part(tmp_path, capsys):
    out = tmp_path / "out.docx"
    for name, data in (("inputs.json", {"inputs": {**INPUTS, "h0": 100.0}, "document": {}}),
                       ("document.json", {"inputs": INPUTS, "document": {"证书编号": 1.5}})):
        values = tmp_path / name
        values.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
        assert main(["render", str(CERTIFICATE), str(FUEL), str(values), "-o", str(out)]) == 2
        assert f"{name}: JSON 中的数值请写成文本" in capsys.readouterr().err
        assert not out.exists()


def test_a_procedure_file_with_a_float_is_refused(tmp_path, capsys):
    text = FUEL.read_text(encoding="utf-8").replace('"min": "0"', '"min": 0.5', 1)
    assert '"min": 0.5' in text
    pack = tmp_path / "pack.json"
    pack.write_text(text, encoding="utf-8")
    values = tmp_path / "values.json"
    values.write_text(json.dumps(INPUTS, ensure_ascii=False), encoding="utf-8")
    assert main(["compute", str(pack), str(values)]) == 2
    line, column = _line_and_column(text, "0.5")
    assert f'pack.json: JSON 中的数值请写成文本，例如 "0.5" 而不是 0.5（第 {line} 行，第 {column} 列）' in \
        capsys.readouterr().err


@pytest.mark.parametrize("text, number", [('{"a": [1, {"b": -3.25e2}]}', "-3.25e2"), ('{"a": 1E5}', "1E5"),
                                          ('{"s": "1.5 and \\" 2.5", "n": 0.0}', "0.0")])
def test_the_reader_names_the_first_float_outside_strings(text, number):
    with pytest.raises(FloatInJson) as info:
        loads_without_floats(text, where="x.json")
    problem = info.value.problems[0]
    assert problem.params == {"number": number}
    assert (problem.where, problem.line, problem.column) == ("x.json", 1, text.index(number) + 1)


def test_the_reader_keeps_integers_and_strings():
    assert loads_without_floats('{"n": 3, "s": "2.50", "l": [-1, 0]}') == {"n": 3, "s": "2.50", "l": [-1, 0]}


@pytest.mark.django_db
def test_the_designer_refuses_a_float_input_naming_the_field(login, admin):
    from metrology.doctype.files import load_definition
    from metrology.doctype.packs import pack_import
    from metrology.doctype.services import version_new_draft

    published = pack_import(actor=admin, definition=load_definition(FUEL), authorise=True, publish=True)[0]
    draft = version_new_draft(actor=admin, procedure=published.procedure)
    url = reverse("desk:doctype_procedureversion_test_run", args=[draft.pk])
    body = '{"definition": %s, "inputs": %s}' % (json.dumps(draft.definition, ensure_ascii=False), FLOAT_D)
    answer = login(admin).post(url, body, content_type="application/json").json()
    assert answer["ok"] is False
    assert [(p["where"], p["code"]) for p in answer["problems"]] == [("d", "type")]
    assert "应为以文本形式书写的数值" in answer["problems"][0]["message"]
