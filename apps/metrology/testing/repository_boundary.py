"""pytest plugin: the suite reads nothing beside the repository (no `../shared`), #7.

A clone of the project alone must run its own tests, so test data lives in tests/data. An audit
hook refuses, while the tests run, to open or list any path in the repository's parent folder that
is outside the repository: such a read fails at once with ReadOutsideRepository, and the run fails
even if some code swallowed the error. Hidden entries of the parent (a home folder's `.cache`,
`.config`) and the temporary folder stay readable; at the filesystem root there is nothing to guard.
"""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

import pytest

WATCHED_EVENTS = {"open", "os.listdir", "os.scandir"}


class ReadOutsideRepository(PermissionError):
    pass


class Boundary:
    def __init__(self, repository: Path) -> None:
        self.repository = str(repository.resolve())
        self.parent = os.path.dirname(self.repository)
        self.temporary = os.path.realpath(tempfile.gettempdir())
        self.refused: list[str] = []
        self.active = True

    def refuses(self, path: str) -> bool:
        if self.parent == os.path.dirname(self.parent):  # the repository sits at the filesystem root
            return False
        path = os.path.abspath(path)
        if _inside(path, self.repository) or _inside(path, self.temporary) or not _inside(path, self.parent):
            return False
        return not os.path.relpath(path, self.parent).startswith(".")

    def audit(self, event: str, args: tuple) -> None:
        if event not in WATCHED_EVENTS or not self.active or not args:
            return
        path = args[0]
        if isinstance(path, bytes):
            path = os.fsdecode(path)
        if isinstance(path, str) and path and self.refuses(path):
            path = os.path.abspath(path)
            self.refused.append(path)
            raise ReadOutsideRepository(
                f"tests read only inside the repository {self.repository}, not {path}: "
                f"copy the file into tests/data (tests/data/README.md)")

    def pytest_sessionfinish(self, session: pytest.Session) -> None:
        self.active = False  # audit hooks cannot be removed: switch this one off
        if self.refused and session.exitstatus == pytest.ExitCode.OK:
            session.exitstatus = pytest.ExitCode.TESTS_FAILED

    def pytest_terminal_summary(self, terminalreporter) -> None:
        if self.refused:
            terminalreporter.section("reads outside the repository", sep="=", red=True, bold=True)
            for path in dict.fromkeys(self.refused):
                terminalreporter.line(f"REFUSED {path}", red=True)


def _inside(path: str, folder: str) -> bool:
    return path == folder or path.startswith(folder.rstrip(os.sep) + os.sep)


@pytest.hookimpl(tryfirst=True)
def pytest_load_initial_conftests(early_config: pytest.Config) -> None:
    # Before any conftest is imported, so that module-level reads are caught too.
    boundary = Boundary(early_config.rootpath)
    early_config.pluginmanager.register(boundary, "metrology-repository-boundary")
    sys.addaudithook(boundary.audit)
