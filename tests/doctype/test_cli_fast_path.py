"""#7: the command line on a procedure *file* needs neither a site nor Django, still speaks Chinese,
and renders one document to PDF with the cold converter."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from metrology.cli import main
from metrology.print_formats import converter
from metrology.testing.cli_sites import ISOLATED_VARIABLES

REPO = Path(__file__).resolve().parents[2]
PACKS = REPO / "apps" / "metrology" / "packs"
FUEL = PACKS / "jjg443_fuel_dispenser.json"
DATA = REPO / "tests" / "data"
CERTIFICATE = DATA / "templates" / "certificate_jjg443.docx"

# Runs the real command in a fresh interpreter, then reports which Django modules it imported.
RUN_AND_LIST_DJANGO = (
    "import sys\n"
    "from metrology.cli import main\n"
    "code = main(sys.argv[1:])\n"
    "loaded = sorted(m for m in sys.modules if m == 'django' or m.startswith('django.'))\n"
    "print('DJANGO-MODULES', loaded, file=sys.stderr)\n"
    "raise SystemExit(code)\n"
)


def _example(index: int = 0) -> dict:
    examples = DATA / "examples" / "fuel_dispenser_jjg443.json"
    return json.loads(examples.read_text(encoding="utf-8"))["examples"][index]


def _write(path: Path, data: object) -> Path:
    path.write_text(json.dumps(data, ensure_ascii=False, indent=1), encoding="utf-8")
    return path


def _env(sites: Path) -> dict[str, str]:
    kept = {k: v for k, v in os.environ.items() if k not in ISOLATED_VARIABLES}
    return {**kept, "METROLOGY_SITES_DIR": str(sites)}


def _metrology(env: dict[str, str], *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-c", RUN_AND_LIST_DJANGO, *args], env=env, capture_output=True,
                          text=True, timeout=120, stdin=subprocess.DEVNULL)


def _django_modules(result: subprocess.CompletedProcess) -> str:
    return next(line for line in result.stderr.splitlines() if line.startswith("DJANGO-MODULES"))


def test_file_commands_import_no_django_even_with_a_site(cli_sites, tmp_path):
    """#7 item 4: with a current site, compute/formula/render of a file still never load Django."""
    cli_sites.new_site("institute")
    env = cli_sites.env()
    example = _example()
    values = _write(tmp_path / "values.json", example["inputs"])

    computed = _metrology(env, "compute", str(FUEL), str(values))
    assert computed.returncode == 0, computed.stderr
    assert json.loads(computed.stdout)["检定结论"] == example["expected"]["检定结论"]
    assert _django_modules(computed) == "DJANGO-MODULES []"

    bad = _write(tmp_path / "bad.json", {**example["inputs"], "V0": "二十"})
    refused = _metrology(env, "compute", str(FUEL), str(bad))
    assert refused.returncode == 2
    assert "V0: 应为数值" in refused.stderr  # the catalogue's Chinese, without Django
    assert _django_modules(refused) == "DJANGO-MODULES []"

    formula = _metrology(env, "formula", "ROUNDGB(1 +, 0.01)")
    assert formula.returncode == 2 and "第 1 行" in formula.stderr
    assert _django_modules(formula) == "DJANGO-MODULES []"

    document = _write(tmp_path / "document.json", {"inputs": example["inputs"], "document": {"证书编号": "JD-7"}})
    out = tmp_path / "certificate.docx"
    rendered = _metrology(env, "render", str(CERTIFICATE), str(FUEL), str(document), "-o", str(out))
    assert rendered.returncode == 0, rendered.stderr
    assert out.read_bytes().startswith(b"PK")
    assert _django_modules(rendered) == "DJANGO-MODULES []"


def test_the_installed_command_prints_chinese_problems_without_a_site(tmp_path):
    """#7: no site at all: the messages still come from the zh_Hans catalogue."""
    values = _write(tmp_path / "values.json", {**_example()["inputs"], "runs": "三次"})
    command = [str(REPO / ".venv" / "bin" / "metrology"), "compute", str(FUEL), str(values)]
    result = subprocess.run(command, env=_env(tmp_path / "no-sites"), capture_output=True, text=True,
                            timeout=120)
    assert result.returncode == 2
    assert "runs: 应为由行（对象）组成的列表" in result.stderr


def test_file_commands_follow_the_language_of_the_site(tmp_path):
    """#7: a site configured in English gets English messages from the same command."""
    sites = tmp_path / "sites"
    (sites / "english").mkdir(parents=True)
    _write(sites / "english" / "site_config.json", {"secret_key": "k" * 50, "language": "en"})
    (sites / "currentsite").write_text("english\n", encoding="utf-8")
    values = _write(tmp_path / "values.json", {**_example()["inputs"], "V0": "twenty"})
    result = _metrology(_env(sites), "compute", str(FUEL), str(values))
    assert result.returncode == 2
    assert "V0: Expected a number, got 'twenty'" in result.stderr


def test_render_of_one_document_to_pdf_uses_the_cold_converter(tmp_path, monkeypatch):
    """#7 item 4: one document from the command line does not start a warm LibreOffice."""
    warm_starts = []
    monkeypatch.setattr(converter, "_warm_server", lambda soffice: warm_starts.append(soffice))
    document = _write(tmp_path / "document.json",
                      {"inputs": _example()["inputs"], "document": {"证书编号": "JD-77"}})
    out = tmp_path / "certificate.pdf"
    assert main(["render", str(CERTIFICATE), str(FUEL), str(document), "-o", str(out)]) == 0
    assert warm_starts == []
    text = subprocess.run(["pdftotext", "-layout", str(out), "-"], capture_output=True, text=True, timeout=60,
                          check=True).stdout
    assert "JD-77" in text and "检定结论：合格" in text
