"""scripts/system-packages.sh run with stub dpkg-query, apt-get, id and sudo first on PATH (#7).

The PATH holds only the stubs and bash, env, grep and true, so the real package tools are never reached.
Each stub appends its command line to a log, which the tests read.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

SCRIPT = Path(__file__).resolve().parents[2] / "scripts" / "system-packages.sh"
RUN_PACKAGES = ["python3-venv", "gettext", "pkg-config", "default-libmysqlclient-dev",
                "libreoffice-writer-nogui", "libreoffice-calc-nogui", "python3-uno", "fonts-noto-cjk",
                "poppler-utils", "nodejs", "npm"]
TEST_PACKAGES = ["chromium", "mariadb-server", "redis-server"]

STUBS = {
    "dpkg-query": """
echo "dpkg-query $*" >> "$STUB_LOG"
package="${!#}"
case " $STUB_INSTALLED " in *" $package "*) printf 'install ok installed' ;; *) exit 1 ;; esac
""",
    "apt-get": """
echo "apt-get $* (DEBIAN_FRONTEND=${DEBIAN_FRONTEND:-unset})" >> "$STUB_LOG"
""",
    "id": """
echo "id $*" >> "$STUB_LOG"
echo "$STUB_UID"
""",
    "sudo": """
echo "sudo $*" >> "$STUB_LOG"
[ "$STUB_SUDO" = passwordless ] || { echo "sudo: a password is required" >&2; exit 1; }
[ "$1" = -n ] || { echo "sudo: would prompt" >&2; exit 1; }
shift
unset DEBIAN_FRONTEND  # sudo resets the environment
exec "$@"
""",
}


def _system_packages(tmp_path: Path, profile: str, *, uid: int, installed: list[str], sudo: str | None = None,
                     commands: tuple[str, ...] = ()) -> tuple[subprocess.CompletedProcess, list[str]]:
    """Run the real script; sudo is "passwordless", "password" or None (not installed); `commands` are
    further programs on PATH that no package of dpkg's installed (as NodeSource's node and npm)."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    for tool in ("bash", "env", "grep", "true"):
        (bin_dir / tool).symlink_to(shutil.which(tool))
    for name, body in STUBS.items():
        if name == "sudo" and sudo is None:
            continue
        stub = bin_dir / name
        stub.write_text("#!/usr/bin/env bash\n" + body)
        stub.chmod(0o755)
    for name in commands:
        stub = bin_dir / name
        stub.write_text(f'#!/usr/bin/env bash\necho "{name} $*" >> "$STUB_LOG"\n')
        stub.chmod(0o755)
    log = tmp_path / "calls.log"
    log.touch()
    env = {"PATH": str(bin_dir), "STUB_LOG": str(log), "STUB_UID": str(uid),
           "STUB_INSTALLED": " ".join(installed), "STUB_SUDO": sudo or ""}
    done = subprocess.run([str(SCRIPT), profile], env=env, capture_output=True, text=True, timeout=30)
    return done, log.read_text().splitlines()


def _calls(log: list[str], tool: str) -> list[str]:
    return [line for line in log if line.startswith(tool + " ")]


def test_as_root_missing_packages_are_installed_with_apt_get_without_sudo(tmp_path):
    installed = [p for p in RUN_PACKAGES + TEST_PACKAGES if p not in ("fonts-noto-cjk", "chromium")]

    done, log = _system_packages(tmp_path, "test", uid=0, installed=installed, sudo="passwordless")

    assert done.returncode == 0, done.stderr
    assert _calls(log, "apt-get") == [
        "apt-get update -qq (DEBIAN_FRONTEND=noninteractive)",
        "apt-get install -y -qq --no-install-recommends fonts-noto-cjk chromium"
        " (DEBIAN_FRONTEND=noninteractive)",
    ]
    assert _calls(log, "sudo") == []
    assert "unbound variable" not in done.stderr


def test_not_root_with_passwordless_sudo_installs_through_sudo_n(tmp_path):
    installed = [p for p in RUN_PACKAGES if p != "poppler-utils"]

    done, log = _system_packages(tmp_path, "run", uid=1000, installed=installed, sudo="passwordless")

    assert done.returncode == 0, done.stderr
    assert _calls(log, "sudo") == [
        "sudo -n true",
        "sudo -n env DEBIAN_FRONTEND=noninteractive apt-get update -qq",
        "sudo -n env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends"
        " poppler-utils",
    ]
    assert _calls(log, "apt-get") == [
        "apt-get update -qq (DEBIAN_FRONTEND=noninteractive)",
        "apt-get install -y -qq --no-install-recommends poppler-utils (DEBIAN_FRONTEND=noninteractive)",
    ]


@pytest.mark.parametrize("sudo", ["password", None], ids=["sudo-asks-a-password", "no-sudo"])
@pytest.mark.parametrize("profile, status", [("test", 1), ("run", 0)])
def test_not_root_without_sudo_lists_what_is_missing_and_how_to_install_it(tmp_path, sudo, profile, status):
    installed = [p for p in RUN_PACKAGES if p not in ("libreoffice-writer-nogui", "python3-uno")]

    done, log = _system_packages(tmp_path, profile, uid=1000, installed=installed, sudo=sudo)

    assert done.returncode == status
    test_only = TEST_PACKAGES if profile == "test" else []
    missing = " ".join(["libreoffice-writer-nogui", "python3-uno", *test_only])
    assert f"missing system packages: {missing}" in done.stderr
    assert f"apt-get install --no-install-recommends {missing}" in done.stderr
    assert _calls(log, "apt-get") == []
    if profile == "run":
        assert "without LibreOffice no PDFs can be made" in done.stderr


@pytest.mark.parametrize("profile, installed",
                         [("test", RUN_PACKAGES + TEST_PACKAGES), ("run", RUN_PACKAGES)],
                         ids=["test", "run-without-the-test-packages"])
def test_nothing_missing_installs_nothing(tmp_path, profile, installed):
    done, log = _system_packages(tmp_path, profile, uid=0, installed=installed, sudo="passwordless")

    assert done.returncode == 0, done.stderr
    assert _calls(log, "apt-get") == [] and _calls(log, "sudo") == []
    assert len(_calls(log, "dpkg-query")) == len(installed)
    assert done.stdout == "" and done.stderr == ""


def test_a_fresh_machine_gets_node_and_npm_from_debian_for_the_front_end_libraries(tmp_path):
    installed = [p for p in RUN_PACKAGES if p not in ("nodejs", "npm")]

    done, log = _system_packages(tmp_path, "run", uid=0, installed=installed)

    assert done.returncode == 0, done.stderr
    assert _calls(log, "apt-get")[-1] == (
        "apt-get install -y -qq --no-install-recommends nodejs npm (DEBIAN_FRONTEND=noninteractive)")


def test_node_and_npm_already_on_the_path_are_not_installed_again(tmp_path):
    """NodeSource's nodejs carries npm and conflicts with Debian's npm: asking apt for npm would fail."""
    installed = [p for p in RUN_PACKAGES if p not in ("nodejs", "npm")]

    done, log = _system_packages(tmp_path, "run", uid=0, installed=installed, commands=("node", "npm"))

    assert done.returncode == 0, done.stderr
    assert _calls(log, "apt-get") == []
    assert not any(call.endswith((" nodejs", " npm")) for call in _calls(log, "dpkg-query"))
    assert _calls(log, "node") == [] and _calls(log, "npm") == []  # found on PATH, never run
