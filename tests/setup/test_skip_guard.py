"""A run cannot go green by skipping: in CI a skip off tests/skip-allowlist.txt fails it (#7)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
OFFICE_COMMANDS = {"soffice", "libreoffice", "unoserver", "unoconvert", "unoping", "unocompare"}

PROBE = '''
import pytest

def test_runs():
    pass

def test_needs_the_licence_server():
    pytest.skip("licence server unreachable")

@pytest.mark.skip(reason="waiting for the JJG 52 revision")
def test_new_edition():
    pass
'''


def _path_without_libreoffice(tmp_path: Path) -> str:
    """A PATH with every command of the current one except LibreOffice's."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    for folder in os.environ["PATH"].split(os.pathsep):
        if not os.path.isdir(folder):
            continue
        for entry in os.scandir(folder):
            target = bin_dir / entry.name
            if entry.name not in OFFICE_COMMANDS and not os.path.lexists(target):
                target.symlink_to(entry.path)
    return str(bin_dir)


def test_a_ci_run_with_libreoffice_removed_from_path_fails_instead_of_skipping(tmp_path):
    env = {name: value for name, value in os.environ.items() if not name.startswith("PYTEST_")}
    env.pop("METROLOGY_SOFFICE", None)
    env.update(CI="true", PATH=_path_without_libreoffice(tmp_path))

    done = subprocess.run(
        [sys.executable, "-m", "pytest", "tests/print_formats/test_converter.py", "-k", "test_xlsx_converts",
         "-p", "no:cacheprovider"],
        cwd=REPO, env=env, capture_output=True, text=True, timeout=180)

    output = done.stdout + done.stderr
    assert done.returncode != 0, output
    assert "skipped" not in output.lower()
    assert "not installed: LibreOffice" in output
    assert "1 error" in output


def _probe_run(tmp_path: Path, *, ci: bool, allowlist: str) -> subprocess.CompletedProcess:
    (tmp_path / "pytest.ini").write_text("[pytest]\nskip_allowlist = allowed-skips.txt\n")
    (tmp_path / "allowed-skips.txt").write_text(allowlist)
    (tmp_path / "test_probe.py").write_text(PROBE)
    env = {name: value for name, value in os.environ.items()
           if name not in {"CI", "METROLOGY_NO_SKIPS"} and not name.startswith("PYTEST_")}
    # Without plugin autoloading (no Django, no site): the guard alone, and a quick start.
    env.update(PYTEST_DISABLE_PLUGIN_AUTOLOAD="1", **({"CI": "true"} if ci else {}))
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-c", str(tmp_path / "pytest.ini"), "--rootdir", str(tmp_path),
         "-p", "metrology.testing.skip_guard", "-p", "no:cacheprovider", "-rs", "test_probe.py"],
        cwd=tmp_path, env=env, capture_output=True, text=True, timeout=60)


ONE_ALLOWED = "test_probe.py::test_needs_the_licence_server  # the vendor's server is outside CI\n"
BOTH_ALLOWED = ONE_ALLOWED + "reason: waiting for the JJG 52  # until the revision is published\n"


@pytest.mark.parametrize("ci, allowlist, status, refused", [
    (True, ONE_ALLOWED, 1, ["test_probe.py::test_new_edition"]),
    (True, "", 1, ["test_probe.py::test_needs_the_licence_server", "test_probe.py::test_new_edition"]),
    (True, BOTH_ALLOWED, 0, []),
    (False, "", 0, []),
], ids=["ci-one-skip-off-the-list", "ci-empty-list", "ci-all-skips-on-the-list", "outside-ci"])
def test_in_ci_a_skip_off_the_allow_list_fails_the_run(tmp_path, ci, allowlist, status, refused):
    done = _probe_run(tmp_path, ci=ci, allowlist=allowlist)

    assert done.returncode == status, done.stdout + done.stderr
    assert "1 passed, 2 skipped" in done.stdout
    assert "SKIPPED [1] test_probe.py" in done.stdout  # -rs reports every skip with its reason
    refusals = [line.split(": ", 1)[0] for line in done.stdout.splitlines()
                if line.startswith("SKIP REFUSED")]
    assert refusals == [f"SKIP REFUSED {node_id}" for node_id in refused]
