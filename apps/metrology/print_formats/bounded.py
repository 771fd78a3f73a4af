"""Run a render in a forked child under CPU-time, memory and wall-clock limits (#8).

A layout is the author's program: `{{ 9**(9**9) }}` once froze every worker for good. The child
is forked, so it already holds the opened layout and the values; it sends back the bytes or the
reason it failed, and a child that runs out of time or memory is killed without touching the caller.
Renders run in job workers and the command line, never in a web request.
"""

from __future__ import annotations

import multiprocessing
import os
import resource
import signal
import traceback
from dataclasses import dataclass
from typing import Any, Callable

CPU_SECONDS = 10
MEMORY_BYTES = 768 * 1024 * 1024  # on top of what the process already maps
WALL_SECONDS = 30


@dataclass(frozen=True)
class RenderLimits:
    cpu_seconds: int = CPU_SECONDS
    memory_bytes: int = MEMORY_BYTES
    wall_seconds: float = WALL_SECONDS


class RenderStopped(Exception):
    """The child hit a limit: `reason` is "time" or "memory"."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


class RenderFailed(Exception):
    """The render raised in the child; `kind` is the exception's class name, `detail` its text."""

    def __init__(self, kind: str, detail: str, expression: str | None = None):
        super().__init__(f"{kind}: {detail}")
        self.kind, self.detail, self.expression = kind, detail, expression


def current_limits() -> RenderLimits:
    return RenderLimits(cpu_seconds=CPU_SECONDS, memory_bytes=MEMORY_BYTES, wall_seconds=WALL_SECONDS)


def run_bounded(render: Callable[[], bytes], limits: RenderLimits | None = None) -> bytes:
    """`render()` in a child process under `limits`; its bytes, or RenderStopped / RenderFailed."""
    limits = limits or current_limits()
    context = multiprocessing.get_context("fork")
    reader, writer = context.Pipe(duplex=False)
    child = context.Process(target=_child, args=(render, writer, limits), daemon=True)
    child.start()
    writer.close()
    try:
        message = reader.recv() if reader.poll(limits.wall_seconds) else None
    except EOFError:  # the child died before it answered: killed by a limit
        message = None
    finally:
        reader.close()
        _stop(child)
    if message is None:
        raise RenderStopped("memory" if child.exitcode in (-signal.SIGSEGV, -signal.SIGABRT) else "time")
    status, *payload = message
    if status == "ok":
        return payload[0]
    if status == "memory":
        raise RenderStopped("memory")
    raise RenderFailed(*payload)


def _stop(child) -> None:
    child.join(0.5)
    if child.is_alive():
        child.kill()
        child.join()


def _child(render: Callable[[], bytes], writer, limits: RenderLimits) -> None:
    _limit_self(limits)
    try:
        message: tuple[Any, ...] = ("ok", render())
    except MemoryError:
        message = ("memory",)
    except Exception as error:  # noqa: BLE001 — every failure goes back to the parent as data
        message = ("failed", type(error).__name__, str(error)[:1000], getattr(error, "expression", None))
        if not hasattr(error, "message") and type(error).__module__.split(".")[0] not in ("jinja2", "docxtpl"):
            traceback.print_exc(limit=5)
    try:
        writer.send(message)
    except MemoryError:
        writer.send(("memory",))
    finally:
        writer.close()


def _limit_self(limits: RenderLimits) -> None:
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    resource.setrlimit(resource.RLIMIT_CPU, (limits.cpu_seconds, limits.cpu_seconds + 1))
    mapped = _mapped_bytes()
    if mapped:
        resource.setrlimit(resource.RLIMIT_AS, (mapped + limits.memory_bytes, mapped + limits.memory_bytes))
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    signal.signal(signal.SIGINT, signal.SIG_IGN)


def _mapped_bytes() -> int:
    """The address space the forked process already maps (VmSize), 0 when it cannot be read."""
    try:
        with open(f"/proc/{os.getpid()}/status", encoding="ascii", errors="replace") as status:
            for line in status:
                if line.startswith("VmSize:"):
                    return int(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        pass
    return 0
