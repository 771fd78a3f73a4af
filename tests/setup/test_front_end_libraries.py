"""Front-end libraries come from npm, pinned by package-lock.json and installed by `make setup` (#9).

The Makefile's rule runs in a copy of the repository's Makefile, package.json and lock, with a stub
`npm` (and a stub scripts/system-packages.sh) first on PATH: each stub call is logged, nothing is
downloaded.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest

from metrology.testing.axe import AXE_SOURCE, AxeMissing, axe_source

REPO = Path(__file__).resolve().parents[2]
INSTALLED = "node_modules/.installed"

NPM_STUB = """#!/bin/sh
echo "npm $*" >> "$STUB_LOG"
rm -rf node_modules && mkdir -p node_modules/axe-core
"""


def _project(tmp_path: Path, *, with_npm: bool = True) -> tuple[Path, dict[str, str]]:
    project = tmp_path / "project"
    (project / "scripts").mkdir(parents=True)
    for name in ("Makefile", "package.json", "package-lock.json"):
        shutil.copy(REPO / name, project / name)
    packages = project / "scripts" / "system-packages.sh"
    packages.write_text('#!/bin/sh\necho "system-packages $*" >> "$STUB_LOG"\n')
    packages.chmod(0o755)
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    for tool in ("make", "sh", "touch", "rm", "mkdir"):
        (bin_dir / tool).symlink_to(shutil.which(tool))
    if with_npm:
        (bin_dir / "npm").write_text(NPM_STUB)
        (bin_dir / "npm").chmod(0o755)
    (tmp_path / "calls.log").touch()
    return project, {"PATH": str(bin_dir), "STUB_LOG": str(tmp_path / "calls.log")}


def _make(project: Path, env: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run(["make", "--no-print-directory", INSTALLED], cwd=project, env=env,
                          capture_output=True, text=True, timeout=60)


def _npm_calls(tmp_path: Path) -> list[str]:
    return [line for line in (tmp_path / "calls.log").read_text().splitlines() if line.startswith("npm ")]


def test_axe_core_is_pinned_to_one_version_in_package_json_and_the_lock():
    wanted = json.loads((REPO / "package.json").read_text())["devDependencies"]["axe-core"]
    lock = json.loads((REPO / "package-lock.json").read_text())

    assert wanted[0].isdigit(), "an exact version, not a range"
    assert lock["packages"]["node_modules/axe-core"]["version"] == wanted
    assert lock["packages"]["node_modules/axe-core"]["integrity"].startswith("sha512-")


def test_setup_installs_from_the_lock_quietly_and_again_only_when_the_lock_changes(tmp_path):
    project, env = _project(tmp_path)

    first = _make(project, env)
    second = _make(project, env)
    lock = project / "package-lock.json"
    later = lock.stat().st_mtime + 10
    os.utime(lock, (later, later))
    third = _make(project, env)

    assert first.returncode == second.returncode == third.returncode == 0, first.stderr + third.stderr
    assert _npm_calls(tmp_path) == ["npm ci --no-audit --no-fund --no-update-notifier --loglevel=error"] * 2
    assert (project / INSTALLED).exists() and (project / "node_modules" / "axe-core").is_dir()
    assert first.stdout == "" and third.stdout == ""


def test_setup_runs_npm_install_as_part_of_make_setup():
    dry_run = subprocess.run(["make", "-n", "-p", "setup"], cwd=REPO, capture_output=True, text=True,
                             timeout=60, env={**os.environ, "MAKEFLAGS": ""})

    setup_rule = next(line for line in dry_run.stdout.splitlines() if line.startswith("setup:"))
    assert INSTALLED in setup_rule.split()


def test_setup_without_npm_stops_and_says_how_to_install_it(tmp_path):
    project, env = _project(tmp_path, with_npm=False)

    done = _make(project, env)

    assert done.returncode != 0
    assert "npm is missing: apt-get install --no-install-recommends nodejs npm" in done.stderr
    assert not (project / INSTALLED).exists()


def test_the_accessibility_check_runs_the_installed_axe_core_and_fails_without_it(tmp_path):
    assert AXE_SOURCE == REPO / "node_modules" / "axe-core" / "axe.min.js"

    with pytest.raises(AxeMissing, match=r"axe-core is not installed .* run `make setup`.*`npm ci`"):
        axe_source(tmp_path / "node_modules" / "axe-core" / "axe.min.js")
