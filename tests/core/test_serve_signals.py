"""#7: `metrology serve` stops its web server and job worker with it, and never runs half.

Each test starts the real command on a free port against a fresh site, waits until /healthz
answers, records every process of its tree, then stops it the way systemd, Docker or a terminal
would and checks that nothing of that tree is left and that the port can be bound again.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path

import pytest

START_TIMEOUT = 60
STOP_WITHIN_SECONDS = 12  # the supervisor's grace period is 10 s; a clean stop takes far less


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _port_is_free(port: int) -> bool:
    """True when a new server could listen on it (with SO_REUSEADDR, as servers do, so the
    TIME_WAIT of our own health check does not count; a socket still listening does)."""
    with socket.socket() as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind(("127.0.0.1", port))
            probe.listen()
        except OSError:
            return False
        return True


def _stat(pid: int) -> tuple[int, int, int, str] | None:
    """(parent pid, session id, start time, state) of a live process, None once it is gone."""
    try:
        raw = Path(f"/proc/{pid}/stat").read_text()
    except (FileNotFoundError, ProcessLookupError):
        return None
    fields = raw[raw.rindex(")") + 2:].split()
    state, ppid, session, start = fields[0], int(fields[1]), int(fields[3]), int(fields[19])
    return (ppid, session, start, state) if state != "Z" else None


def _all_pids() -> list[int]:
    return [int(name) for name in os.listdir("/proc") if name.isdigit()]


@dataclass(frozen=True)
class Tree:
    processes: dict[int, int]  # pid → start time, so a reused pid is not mistaken for ours
    sessions: frozenset[int]

    def survivors(self) -> list[int]:
        alive = []
        for pid in _all_pids():
            stat = _stat(pid)
            if stat is None:
                continue
            ours = self.processes.get(pid) == stat[2] or stat[1] in self.sessions
            if ours:
                alive.append(pid)
        return alive


def _tree_of(root: int) -> Tree:
    stats = {pid: stat for pid in _all_pids() if (stat := _stat(pid)) is not None}
    members = {root}
    grew = True
    while grew:
        grew = False
        for pid, (ppid, _session, _start, _state) in stats.items():
            if ppid in members and pid not in members:
                members.add(pid)
                grew = True
    processes = {pid: stats[pid][2] for pid in members if pid in stats}
    sessions = frozenset(stats[pid][1] for pid in members - {root} if pid in stats)
    return Tree(processes, sessions - {stats[root][1]} if root in stats else sessions)


class Served:
    def __init__(self, cli_sites, *args: str):
        self.port = _free_port()
        self.log = cli_sites.root / f"serve-{self.port}.log"
        self.process = subprocess.Popen(
            [sys.executable, "-m", "metrology.cli", "serve", "--port", str(self.port), *args],
            env=cli_sites.env(), stdin=subprocess.DEVNULL, stdout=self.log.open("wb"),
            stderr=subprocess.STDOUT,
        )

    def output(self) -> str:
        return self.log.read_text(errors="replace")

    def wait_until_answering(self) -> None:
        deadline = time.monotonic() + START_TIMEOUT
        while time.monotonic() < deadline:
            assert self.process.poll() is None, f"serve exited early:\n{self.output()}"
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{self.port}/healthz", timeout=2) as response:
                    if response.status in (200, 503):
                        return
            except urllib.error.HTTPError as error:
                if error.code == 503:  # answering; a check (e.g. no converter) may be down
                    return
            except OSError:
                pass
            time.sleep(0.2)
        raise AssertionError(f"serve did not answer on port {self.port}:\n{self.output()}")

    def tree(self, *, expected: int) -> Tree:
        """The process tree once it holds at least `expected` processes besides serve itself."""
        deadline = time.monotonic() + 20
        while True:
            tree = _tree_of(self.process.pid)
            if len(tree.processes) - 1 >= expected or time.monotonic() > deadline:
                return tree
            time.sleep(0.2)

    def exit_code_within(self, seconds: float) -> int:
        try:
            return self.process.wait(timeout=seconds)
        except subprocess.TimeoutExpired:
            message = f"serve still running {seconds} s after the signal:\n{self.output()}"
            raise AssertionError(message) from None

    def kill_leftovers(self, tree: Tree) -> None:
        if self.process.poll() is None:
            self.process.kill()
        for pid in tree.survivors():
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass


@pytest.fixture
def site(cli_sites):
    cli_sites.new_site("institute")
    return cli_sites


def _assert_stops_cleanly(served: Served, tree: Tree, signum: int) -> None:
    try:
        served.process.send_signal(signum)
        assert served.exit_code_within(STOP_WITHIN_SECONDS) == 0, served.output()
        time.sleep(0.3)  # let the kernel reap and release the socket of the last child
        assert tree.survivors() == [], f"left running: {tree.survivors()}\n{served.output()}"
        assert _port_is_free(served.port)
        assert signal.Signals(signum).name in served.output()
    finally:
        served.kill_leftovers(tree)


def test_sigterm_stops_the_development_server_and_its_worker(site):
    """#7: runserver and the worker go with `metrology serve`, and the port is free again."""
    served = Served(site)
    served.wait_until_answering()
    tree = served.tree(expected=2)
    assert len(tree.processes) >= 3, tree  # serve, runserver, the worker
    _assert_stops_cleanly(served, tree, signal.SIGTERM)


def test_sigterm_stops_gunicorn_its_workers_and_the_job_worker(site):
    """#7: gunicorn's master and its workers (grandchildren of serve) all stop."""
    served = Served(site, "--prod", "--workers", "2")
    served.wait_until_answering()
    tree = served.tree(expected=4)
    assert len(tree.processes) >= 5, tree  # serve, gunicorn master, 2 gunicorn workers, the job worker
    _assert_stops_cleanly(served, tree, signal.SIGTERM)


@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGHUP], ids=["SIGINT", "SIGHUP"])
def test_sigint_and_sighup_stop_the_server_cleanly_too(site, signum):
    """#7: Ctrl-C and a closed terminal stop everything as SIGTERM does."""
    served = Served(site)
    served.wait_until_answering()
    tree = served.tree(expected=2)
    _assert_stops_cleanly(served, tree, signum)


def test_a_web_server_that_dies_takes_the_whole_server_down_with_a_message(site):
    """#7: never half-running: a killed web server stops the worker and serve exits non-zero."""
    served = Served(site)
    served.wait_until_answering()
    tree = served.tree(expected=2)
    try:
        web = next(pid for pid in tree.processes
                   if "runserver" in Path(f"/proc/{pid}/cmdline").read_bytes().decode(errors="replace"))
        os.kill(web, signal.SIGKILL)
        assert served.exit_code_within(STOP_WITHIN_SECONDS) == 1
        time.sleep(0.3)
        assert tree.survivors() == [], served.output()
        assert _port_is_free(served.port)
        assert "Web 服务意外退出（被信号 SIGKILL 终止），正在停止整个服务" in served.output()
        assert "the web server exited unexpectedly (killed by SIGKILL)" in served.output()
    finally:
        served.kill_leftovers(tree)


def test_a_worker_that_dies_is_restarted_a_few_times_then_everything_stops():
    """#7: the worker is restarted (with a message each time); past its limit the server goes down."""
    from metrology.core.serving import Child, Supervisor

    web = Child("web server", "Web 服务", [sys.executable, "-c", "import time; time.sleep(60)"])
    worker = Child("job worker", "后台任务进程", [sys.executable, "-c", "raise SystemExit(3)"], restarts=2)
    said: list[str] = []
    started = time.monotonic()
    assert Supervisor([web, worker], report=said.append).run() == 1
    assert time.monotonic() - started < STOP_WITHIN_SECONDS
    assert [m for m in said if "restart" in m] == [
        "后台任务进程意外退出（退出码 3），第 1/2 次重启 / the job worker exited unexpectedly (exit code 3); "
        "restart 1 of 2",
        "后台任务进程意外退出（退出码 3），第 2/2 次重启 / the job worker exited unexpectedly (exit code 3); "
        "restart 2 of 2",
    ]
    assert "stopping the whole server" in said[-1]
    assert web.process.returncode is not None and _stat(web.process.pid) is None
