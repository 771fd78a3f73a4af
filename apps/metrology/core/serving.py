"""`metrology serve` as a small process supervisor: the web server and the job worker run as
children, and the two live and die together.

Each child is started in a session (and so a process group) of its own, so that stopping it also
reaches what it started itself: gunicorn's workers, runserver's autoreloader child, an RQ work
horse. SIGTERM, SIGINT and SIGHUP stop everything: SIGTERM to every group, a grace period, then
SIGKILL for what is left. A web server that dies takes the whole server down (exit status 1); a
worker that dies is restarted a few times, then it too takes everything down. Never half-running.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

STOP_SIGNALS = (signal.SIGTERM, signal.SIGINT, signal.SIGHUP)
STOP_TIMEOUT_SECONDS = 10.0
POLL_SECONDS = 0.1
WORKER_RESTARTS = 3


@dataclass
class Child:
    """A program the server runs; `restarts` is how often it may be started again after dying."""

    name: str  # in English, for messages
    name_zh: str
    argv: Sequence[str]
    restarts: int = 0
    process: subprocess.Popen | None = field(default=None, repr=False)
    restarted: int = 0


def _exit_status(code: int) -> tuple[str, str]:
    """How a child ended, in Chinese and in English."""
    if code < 0:
        name = signal.Signals(-code).name
        return f"被信号 {name} 终止", f"killed by {name}"
    return f"退出码 {code}", f"exit code {code}"


def say(message: str) -> None:
    print(f"metrology: {message}", file=sys.stderr, flush=True)


class Supervisor:
    """Starts the children, watches them, and stops them all on a signal or when one fails."""

    def __init__(self, children: Sequence[Child], *, env: dict[str, str] | None = None,
                 stop_timeout: float = STOP_TIMEOUT_SECONDS, report: Callable[[str], None] = say):
        self.children = list(children)
        self.env = env
        self.stop_timeout = stop_timeout
        self.report = report
        self.received: int | None = None

    # -- signals -------------------------------------------------------------------------------

    def _on_signal(self, signum: int, frame) -> None:
        if self.received is None:
            self.received = signum

    def _install_handlers(self) -> dict[int, object]:
        previous = {}
        for signum in STOP_SIGNALS:
            previous[signum] = signal.signal(signum, self._on_signal)
        return previous

    @staticmethod
    def _restore_handlers(previous: dict[int, object]) -> None:
        for signum, handler in previous.items():
            signal.signal(signum, handler)

    # -- children ------------------------------------------------------------------------------

    def _start(self, child: Child) -> None:
        child.process = subprocess.Popen(list(child.argv), env=self.env, start_new_session=True)

    def _signal_group(self, child: Child, signum: int) -> None:
        if child.process is None:
            return
        try:
            os.killpg(child.process.pid, signum)  # the child leads its own group
        except (ProcessLookupError, PermissionError):
            pass

    def _stop_all(self) -> None:
        running = [c for c in self.children if c.process is not None]
        for child in running:
            self._signal_group(child, signal.SIGTERM)
        deadline = time.monotonic() + self.stop_timeout
        for child in running:
            try:
                child.process.wait(timeout=max(0.0, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                self.report(f"{child.name_zh}未在 {self.stop_timeout:g} 秒内退出，强制结束 / "
                            f"the {child.name} did not stop within {self.stop_timeout:g} s; killing it")
        for child in running:  # the leader is gone; anything left in its group goes too
            self._signal_group(child, signal.SIGKILL)
            child.process.wait()

    def _first_dead(self) -> Child | None:
        started = (c for c in self.children if c.process is not None)
        return next((c for c in started if c.process.poll() is not None), None)

    def _handle_death(self, child: Child) -> int | None:
        """Restart a child that may be restarted; otherwise the exit status for the whole server."""
        zh, en = _exit_status(child.process.returncode)
        self._signal_group(child, signal.SIGKILL)  # what it left behind in its group
        if child.restarted < child.restarts:
            child.restarted += 1
            self.report(f"{child.name_zh}意外退出（{zh}），第 {child.restarted}/{child.restarts} 次重启 / "
                        f"the {child.name} exited unexpectedly ({en}); restart {child.restarted} of "
                        f"{child.restarts}")
            self._start(child)
            return None
        self.report(f"{child.name_zh}意外退出（{zh}），正在停止整个服务 / the {child.name} exited "
                    f"unexpectedly ({en}); stopping the whole server")
        return 1

    # -- the loop ------------------------------------------------------------------------------

    def run(self) -> int:
        previous = self._install_handlers()  # before any child exists, so no signal is missed
        try:
            status = None
            for child in self.children:
                if self.received is None:
                    self._start(child)
            while status is None and self.received is None:
                dead = self._first_dead()
                if dead is not None:
                    status = self._handle_death(dead)
                else:
                    time.sleep(POLL_SECONDS)
            if self.received is not None:
                name = signal.Signals(self.received).name
                self.report(f"收到 {name}，正在停止 Web 服务与后台任务 / got {name}; stopping the web server "
                            f"and the job worker")
                status = 0
            self._stop_all()
            return status
        finally:
            self._restore_handlers(previous)


def web_command(*, prod: bool, host: str, port: int, workers: int, reload: bool) -> list[str]:
    if prod:
        return [sys.executable, "-m", "gunicorn", "metrology.wsgi:application", "--bind", f"{host}:{port}",
                "--workers", str(workers), "--access-logfile", "-",
                "--graceful-timeout", str(int(STOP_TIMEOUT_SECONDS) - 2)]
    return [sys.executable, "-m", "django", "runserver", f"{host}:{port}",
            *([] if reload else ["--noreload"])]


def serve(
    *, site: str, prod: bool, host: str, port: int, workers: int, reload: bool, with_worker: bool,
) -> int:
    """Run the site's web server (and job worker) until a stop signal or a fatal child death."""
    env = {**os.environ, "METROLOGY_SITE": site, "DJANGO_SETTINGS_MODULE": "metrology.settings"}
    children = [Child("web server", "Web 服务",
                      web_command(prod=prod, host=host, port=port, workers=workers, reload=reload))]
    if with_worker:
        children.append(Child("job worker", "后台任务进程", [sys.executable, "-m", "metrology.cli", "worker"],
                              restarts=WORKER_RESTARTS))
    print(f"metrology: site {site} → http://{host}:{port}/", flush=True)
    return Supervisor(children, env=env).run()
