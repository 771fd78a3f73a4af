"""Runs unoserver's server under .venv-uno's Python (the one that can `import uno`).

Started by converter.py as `<.venv-uno>/bin/python converter_unoserver.py <unoserver options>` in its
own session. It is unoserver's own `main()` plus a watchdog: when the parent (the web or worker
process) disappears, even by SIGKILL, the whole process group (this process and LibreOffice) is
terminated, so no soffice is left orphaned. Documents are loaded hidden: LibreOffice 7.4 aborts
(signal 6) when Calc opens a spreadsheet visibly in headless mode, and unoserver 3.7 does not ask
for Hidden. unoserver's fixed start-up pauses (5 s + 2 s) are shortened: it still retries until
LibreOffice accepts connections. Never imported by the app itself.
"""

from __future__ import annotations

import os
import shutil
import signal
import sys
import threading
import time
from types import SimpleNamespace
from typing import Any

PARENT_PID_ENV = "METROLOGY_UNO_PARENT_PID"
WORK_DIR_ENV = "METROLOGY_UNO_WORK_DIR"
NEVER_EXECUTE = 0  # com.sun.star.document.MacroExecMode.NEVER_EXECUTE
NO_UPDATE = 0  # com.sun.star.document.UpdateDocMode.NO_UPDATE (no linked content is fetched)


class _HiddenLoadingDesktop:
    """LibreOffice's Desktop, but documents are loaded hidden, without macros or link updates."""

    def __init__(self, desktop: Any) -> None:
        self._desktop = desktop

    def __getattr__(self, name: str) -> Any:
        return getattr(self._desktop, name)

    def loadComponentFromURL(self, url: str, target: str, flags: int, properties: tuple) -> Any:  # noqa: N802
        from com.sun.star.beans import PropertyValue

        given = {prop.Name for prop in properties}
        extra = [PropertyValue(Name=name, Value=value) for name, value in
                 (("Hidden", True), ("MacroExecutionMode", NEVER_EXECUTE), ("UpdateDocMode", NO_UPDATE))
                 if name not in given]
        return self._desktop.loadComponentFromURL(url, target, flags, (*properties, *extra))


def _load_documents_hidden() -> None:
    from unoserver import converter

    class HiddenLoadingConverter(converter.UnoConverter):
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)
            self.desktop = _HiddenLoadingDesktop(self.desktop)

    converter.UnoConverter = HiddenLoadingConverter


def _watch_parent(parent_pid: int, work_dir: str | None) -> None:
    """The parent died without shutdown(): remove its LibreOffice files, then kill our whole group."""
    while os.getppid() == parent_pid:
        time.sleep(1)
    if work_dir:
        shutil.rmtree(work_dir, ignore_errors=True)
    os.killpg(os.getpgid(0), signal.SIGKILL)


def _shorten_startup_pauses(longest: float = 1.0) -> None:
    from unoserver import server

    if getattr(server, "time", None) is time:
        server.time = SimpleNamespace(sleep=lambda seconds: time.sleep(min(seconds, longest)))


def main() -> int:
    parent_pid = int(os.environ.get(PARENT_PID_ENV, os.getppid()))
    work_dir = os.environ.get(WORK_DIR_ENV)
    threading.Thread(target=_watch_parent, args=(parent_pid, work_dir), daemon=True).start()
    _load_documents_hidden()
    _shorten_startup_pauses()
    from unoserver.server import main as unoserver_main

    return unoserver_main() or 0


if __name__ == "__main__":
    sys.exit(main())
