"""pytest plugin: in CI (CI=true) and under `make test` (METROLOGY_NO_SKIPS=1) a skip fails the run.

A missing dependency must fail, never skip: a green run that skipped the PDF tests would hide a
platform that makes no PDFs (#7). Only skips on the reviewed allow-list (`skip_allowlist` in the
pytest configuration, default tests/skip-allowlist.txt) are accepted. Each line of that file is a
test's node id (a parametrized test matches all its cases) or `reason: TEXT`, which accepts a skip
whose reason contains TEXT; `#` starts a comment.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import pytest

STRICT_ENV = "METROLOGY_NO_SKIPS"
DEFAULT_ALLOWLIST = "tests/skip-allowlist.txt"


@dataclass(frozen=True)
class Allowlist:
    node_ids: frozenset[str]
    reasons: tuple[str, ...]

    def allows(self, node_id: str, reason: str) -> bool:
        base = node_id.split("[", 1)[0]
        return (node_id in self.node_ids or base in self.node_ids
                or any(text in reason for text in self.reasons))


def allowlist_read(path: Path) -> Allowlist:
    node_ids, reasons = set(), []
    lines = path.read_text(encoding="utf-8").splitlines() if path.is_file() else []
    for line in lines:
        entry = line.split("#", 1)[0].strip()
        if entry.startswith("reason:"):
            reasons.append(entry.removeprefix("reason:").strip())
        elif entry:
            node_ids.add(entry)
    return Allowlist(frozenset(node_ids), tuple(reason for reason in reasons if reason))


def skips_forbidden() -> bool:
    return (os.environ.get("CI", "").lower() in {"1", "true", "yes"}
            or os.environ.get(STRICT_ENV, "").lower() in {"1", "true", "yes"})


def _skip_reason(report: pytest.TestReport | pytest.CollectReport) -> str:
    longrepr = report.longrepr
    if isinstance(longrepr, tuple) and len(longrepr) == 3:
        return str(longrepr[2]).removeprefix("Skipped: ")
    return str(longrepr)


class SkipGuard:
    def __init__(self, allowlist: Allowlist, source: Path) -> None:
        self.allowlist = allowlist
        self.source = source
        self.refused: list[tuple[str, str]] = []

    def _check(self, report: pytest.TestReport | pytest.CollectReport) -> None:
        if not report.skipped or hasattr(report, "wasxfail"):
            return
        reason = _skip_reason(report)
        if not self.allowlist.allows(report.nodeid, reason):
            self.refused.append((report.nodeid or ".", reason))

    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        self._check(report)

    def pytest_collectreport(self, report: pytest.CollectReport) -> None:
        self._check(report)

    @pytest.hookimpl(trylast=True)
    def pytest_sessionfinish(self, session: pytest.Session) -> None:
        if self.refused and session.exitstatus in (pytest.ExitCode.OK, pytest.ExitCode.NO_TESTS_COLLECTED):
            session.exitstatus = pytest.ExitCode.TESTS_FAILED

    def pytest_terminal_summary(self, terminalreporter) -> None:
        if not self.refused:
            return
        terminalreporter.section("skips not on the allow-list", sep="=", red=True, bold=True)
        for node_id, reason in self.refused:
            terminalreporter.line(f"SKIP REFUSED {node_id}: {reason}", red=True)
        terminalreporter.line(
            f"In CI and under `make test` a skip fails the run: install what is missing, or add the "
            f"test's node id (or `reason: TEXT`) to {self.source} with a comment saying why.")


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addini("skip_allowlist", "file listing the skips accepted in CI (node ids or `reason: TEXT`)",
                  default=DEFAULT_ALLOWLIST)


def pytest_configure(config: pytest.Config) -> None:
    if not skips_forbidden():
        return
    source = config.rootpath / config.getini("skip_allowlist")
    config.pluginmanager.register(SkipGuard(allowlist_read(source), source), "metrology-skip-guard")
