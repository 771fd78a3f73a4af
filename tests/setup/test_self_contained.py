"""No test reads outside the repository: a clone alone runs its own suite (#7).

Two checks: the code of tests/ and apps/ builds no path beside the repository (`../shared`,
`REPO.parent / "shared"`, `parents[N]` above the root), and a copy of the repository with a
`shared/` folder beside it runs its data-reading tests while the repository_boundary plugin refuses
a test that opens the folder beside it.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
SCANNED = ("tests", "apps")

FILE_PATH = r"Path\(__file__\)(?:\.resolve\(\)|\.absolute\(\))?"
CLIMB = re.compile(FILE_PATH + r"(?P<before>(?:\.parent\b)*)"
                   r"(?:\.parents\[(?P<index>\d+)\])?(?P<after>(?:\.parent\b)*)")
ROOT_NAME = re.compile(r"^(?P<name>[A-Za-z_]\w*)\s*(?::\s*Path\s*)?=\s*(?P<value>" + FILE_PATH + r"\S*)\s*$",
                       re.M)
SIBLING_LITERAL = re.compile(r"""["'](?:\.\./)+shared\b|/\s*["']\.\.["']|["']\.\.["']\s*[,)]""")


def _levels_up(match: re.Match) -> int:
    index = match["index"]
    return match["before"].count(".parent") + (int(index) + 1 if index is not None else 0) + \
        match["after"].count(".parent")


def paths_outside_the_repository(relative: str, source: str) -> list[str]:
    """The expressions in `source` (the file `relative` to the repository) that leave the repository."""
    to_root = len(Path(relative).parts)  # `.parent`s from the file to the repository root
    found = [match[0] for match in CLIMB.finditer(source) if _levels_up(match) > to_root]
    found += [match[0] for match in SIBLING_LITERAL.finditer(source)]
    for assignment in ROOT_NAME.finditer(source):
        climb = CLIMB.match(assignment["value"])
        if climb and _levels_up(climb) == to_root:  # a name for the repository root: it must not climb
            found += re.findall(rf"\b{assignment['name']}\.parents?\b\S*", source)
    return found


def _python_files() -> list[Path]:
    return [path for folder in SCANNED for path in (REPO / folder).rglob("*.py")
            if "__pycache__" not in path.parts and path != Path(__file__).resolve()]


def test_no_test_or_app_module_builds_a_path_beside_the_repository():
    offenders = {}
    for path in _python_files():
        relative = str(path.relative_to(REPO))
        if found := paths_outside_the_repository(relative, path.read_text(encoding="utf-8")):
            offenders[relative] = found

    assert offenders == {}, "copy the files into tests/data (see tests/data/README.md)"


@pytest.mark.parametrize("relative, source", [
    ("tests/formula/test_x.py", 'SHARED = Path(__file__).resolve().parents[2].parent / "shared"'),
    ("tests/doctype/test_x.py", 'EXAMPLES = Path(__file__).resolve().parents[3] / "shared" / "data"'),
    ("tests/print_formats/test_x.py",
     'REPO = Path(__file__).resolve().parents[2]\nCERTIFICATE = REPO.parent / "shared" / "data" / "c.docx"'),
    ("tests/conftest.py",
     'REPO_ROOT = Path(__file__).resolve().parents[1]\nSHARED = REPO_ROOT.parent / "shared"'),
    ("tests/x/test_x.py", 'EXAMPLES = Path(__file__).parent.parent.parent.parent / "shared"'),
    ("tests/x/test_x.py", 'open("../shared/data/examples/a.json")'),
    ("tests/x/test_x.py", 'os.path.join(HERE, "..", "..", "..", "shared")'),
], ids=["parents-then-parent", "parents-above-root", "root-name-dot-parent", "conftest-root-name",
        "parent-chain", "relative-literal", "os-path-join"])
def test_the_scan_finds_each_way_back_to_shared(relative, source):
    """The check above can fail: each of these is how the suite used to, or could, read ../shared."""
    assert paths_outside_the_repository(relative, source)


def test_the_scan_accepts_paths_inside_the_repository():
    source = ('REPO = Path(__file__).resolve().parents[2]\nDATA = REPO / "tests" / "data"\n'
              'PACKS = Path(__file__).resolve().parents[2] / "apps" / "metrology" / "packs"\n'
              'HERE = Path(__file__).parent\nEXAMPLES = Path(__file__).resolve().parents[1] / "data"\n')
    assert paths_outside_the_repository("tests/engine/test_x.py", source) == []


PLANTED = '''
from pathlib import Path

def test_reads_the_folder_beside_the_repository():
    Path(__file__).resolve().parents[1].joinpath("..", "shared", "probe.json").read_text()
'''


def test_a_copy_of_the_repository_runs_its_data_tests_and_refuses_reads_beside_it(tmp_path):
    world = tmp_path / "world"
    copy = world / "repository"
    ignore = shutil.ignore_patterns("__pycache__", ".pytest_cache", ".hypothesis")
    for folder in ("apps", "tests"):
        shutil.copytree(REPO / folder, copy / folder, ignore=ignore)
    shutil.copy2(REPO / "pyproject.toml", copy / "pyproject.toml")
    (world / "shared").mkdir()
    (world / "shared" / "probe.json").write_text("{}")  # were it readable, the planted test would pass
    (copy / "tests" / "test_planted_escape.py").write_text(PLANTED)
    (tmp_path / "tmp").mkdir()
    env = {name: value for name, value in os.environ.items() if not name.startswith("PYTEST_")}
    env["TMPDIR"] = str(tmp_path / "tmp")  # the boundary lets tests use the temporary folder

    done = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider",
         "tests/formula/test_formula_rounding.py", "tests/engine/test_engine_examples.py",
         "tests/test_planted_escape.py"],
        cwd=copy, env=env, capture_output=True, text=True, timeout=180)

    output = done.stdout + done.stderr
    assert done.returncode == 1, output
    assert re.search(r"\b1 failed, \d+ passed\b", output), output
    assert "FAILED tests/test_planted_escape.py::test_reads_the_folder_beside_the_repository" in output
    assert "ReadOutsideRepository" in output
    assert f"REFUSED {world / 'shared' / 'probe.json'}" in output
