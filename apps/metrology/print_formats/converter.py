"""DOCX/XLSX/ODT → PDF with LibreOffice.

Each process keeps one warm unoserver + soffice (started on first use, restarted when it dies,
recycled after RECYCLE_AFTER documents, stopped with the process). Without a usable .venv-uno
(see scripts/setup-uno.sh) every document is converted by a cold `soffice --convert-to pdf`.
LibreOffice always runs with FONTCONFIG_FILE=fonts/fonts.conf so Chinese Word/WPS font names
(宋体, 黑体, …) resolve to Noto CJK SC: to the SC faces that `make setup` writes into SC_FONTS_DIR
(scripts/sc-fonts.py), which PDFs name NotoSerifCJKsc-…, else to the system's (same glyphs, named
NotoSerifCJKjp-…). Without them documents still print, with a warning and a degraded health check.

Convert only documents the platform rendered itself (see TECH-NOTES §3, security).
"""

from __future__ import annotations

import atexit
import http.client
import logging
import os
import re
import shutil
import signal
import socket
import subprocess
import tempfile
import threading
import time
import xmlrpc.client
from dataclasses import dataclass
from pathlib import Path

__all__ = ["ConverterError", "convert_to_pdf", "converter_status", "missing_sc_fonts", "shutdown",
           "warm_server_pid"]

logger = logging.getLogger(__name__)

PACKAGE_DIR = Path(__file__).resolve().parent
FONTS_CONF = PACKAGE_DIR / "fonts" / "fonts.conf"
LAUNCHER = PACKAGE_DIR / "converter_unoserver.py"
REPO_ROOT = Path(__file__).resolve().parents[3]
SC_FONTS_DIR = REPO_ROOT / ".venv" / "share" / "metrology-fonts"  # fonts.conf's <dir>, sc-fonts.py's target
SC_FONT_FILES = ("NotoSerifCJKsc-Regular.otf", "NotoSerifCJKsc-Bold.otf",
                 "NotoSansCJKsc-Regular.otf", "NotoSansCJKsc-Bold.otf")

UNO_PYTHON_ENV = "METROLOGY_UNO_PYTHON"
SOFFICE_ENV = "METROLOGY_SOFFICE"
PARENT_PID_ENV = "METROLOGY_UNO_PARENT_PID"  # these two are read by converter_unoserver.py
WORK_DIR_ENV = "METROLOGY_UNO_WORK_DIR"

RECYCLE_AFTER = 200
SERVER_CONVERSION_TIMEOUT = 300  # unoserver's own backstop; the per-document timeout is enforced here
START_TIMEOUT = 45.0
START_RETRY_AFTER = 300.0  # after a failed warm start, convert cold for this long before trying again
STOP_GRACE = 1.0  # oosplash sometimes hangs on SIGTERM; the profile is thrown away anyway
UNOSERVER_API = "3"
# An uploaded document is untrusted input to LibreOffice too (#8): its address space is bounded, and a
# cold conversion's CPU time as well (the warm server lives long; its documents have their timeout).
LIBREOFFICE_MEMORY_BYTES = 2 * 1024**3

SC_FONTS_MESSAGE = ("Simplified Chinese fonts missing in {folder} ({files}): PDFs name Chinese fonts "
                    "NotoSerifCJKjp-… (run `make setup`, or scripts/sc-fonts.py)")
MISSING_MESSAGE = (
    "LibreOffice is not installed: documents cannot be converted to PDF "
    "(apt-get install libreoffice-writer-nogui libreoffice-calc-nogui)"
)
PDFA_CLI_OPTIONS = '{"SelectPdfVersion":{"type":"long","value":"2"}}'
CONTAINER_SUFFIXES = frozenset({".docx", ".docm", ".dotx", ".xlsx", ".xlsm", ".pptx", ".odt", ".ods", ".odp"})
CONTAINER_MAGIC = (b"PK\x03\x04", b"\xd0\xcf\x11\xe0")  # zip (OOXML/ODF), or OLE: a legacy .doc/.xls renamed
CALC_SUFFIXES = frozenset({".xlsx", ".xlsm", ".xls", ".ods", ".csv"})
IMPRESS_SUFFIXES = frozenset({".pptx", ".ppt", ".odp"})


class ConverterError(Exception):
    """The document could not be converted to PDF; the message says why, in English."""


class _ServerGone(Exception):
    """The warm server stopped answering (crashed, killed, recycled): restart and retry."""


@dataclass
class _WarmServer:
    process: subprocess.Popen[bytes]
    port: int  # unoserver's XML-RPC
    uno_port: int  # LibreOffice's own UNO socket
    conversions: int = 0


_lock = threading.RLock()
_warm: _WarmServer | None = None
_warm_failure: tuple[float, str] | None = None  # (monotonic time, reason) of the last failed start
_work_dir: Path | None = None
_warned_fonts = False


def _forget_parent_state() -> None:
    """After fork(): the parent's LibreOffice and files stay the parent's; start afresh when needed."""
    global _lock, _warm, _warm_failure, _work_dir
    _lock, _warm, _warm_failure, _work_dir = threading.RLock(), None, None, None


os.register_at_fork(after_in_child=_forget_parent_state)


# ---------------------------------------------------------------- public API


def convert_to_pdf(data: bytes, *, suffix: str, timeout: float = 60, pdfa: bool = False,
                   one_off: bool = False) -> bytes:
    """Return `data` (a document whose type `suffix` names, e.g. ".docx") converted to PDF.

    `timeout` bounds the conversion itself; starting the warm LibreOffice is not counted.
    `pdfa` produces PDF/A-2b. `one_off` (one document in a short-lived process, e.g. the command
    line) converts with a cold soffice, ready sooner than a warm server. Raises ConverterError.
    """
    suffix = _checked_suffix(suffix)
    _check_content(data, suffix)
    soffice = _find_soffice()
    if soffice is None:
        raise ConverterError(MISSING_MESSAGE)
    if not _lock.acquire(timeout=timeout + START_TIMEOUT):
        raise ConverterError("PDF converter busy: the previous documents are still being converted")
    try:
        with tempfile.TemporaryDirectory(dir=_work_root()) as job:
            source = Path(job) / f"document{suffix}"
            source.write_bytes(data)
            if one_off:
                return _convert_cold(soffice, source, timeout, pdfa)
            return _convert(soffice, source, timeout, pdfa)
    finally:
        _lock.release()


def converter_status() -> dict[str, object]:
    """{"ok", "mode": "warm"|"cold"|"missing", "detail"} for the health page; starts nothing."""
    if _find_soffice() is None:
        return {"ok": False, "mode": "missing", "detail": MISSING_MESSAGE}
    return _with_fonts(_running_status())


def _running_status() -> dict[str, object]:
    server = _warm
    if server is not None and server.process.poll() is None:
        detail = (f"unoserver pid {server.process.pid} on 127.0.0.1:{server.port}, "
                  f"{server.conversions} documents converted")
        return {"ok": True, "mode": "warm", "detail": detail}
    python = _uno_python()
    if python is None:
        detail = ("no .venv-uno (run scripts/setup-uno.sh): each document starts its own soffice (≈1 s)")
        return {"ok": True, "mode": "cold", "detail": detail}
    if _warm_failure is not None and _in_retry_pause():
        return {"ok": True, "mode": "cold",
                "detail": f"warm LibreOffice failed to start ({_warm_failure[1]}); converting with soffice"}
    return {"ok": True, "mode": "warm", "detail": f"warm LibreOffice starts on first use ({python})"}


def missing_sc_fonts() -> list[str]:
    """The files of SC_FONT_FILES that are not in SC_FONTS_DIR."""
    return [name for name in SC_FONT_FILES if not (SC_FONTS_DIR / name).is_file()]


def _sc_fonts_message() -> str | None:
    missing = missing_sc_fonts()
    return SC_FONTS_MESSAGE.format(folder=SC_FONTS_DIR, files=", ".join(missing)) if missing else None


def _with_fonts(status: dict[str, object]) -> dict[str, object]:
    """A converter without the SC fonts prints, but not as designed: the health check is degraded."""
    message = _sc_fonts_message()
    return status if message is None else {**status, "ok": False, "detail": f"{status['detail']}; {message}"}


def warm_server_pid() -> int | None:
    """PID of this process's unoserver (its process group also holds soffice), if it is running."""
    server = _warm
    return server.process.pid if server is not None and server.process.poll() is None else None


def shutdown() -> None:
    """Stop this process's warm LibreOffice and remove its temporary files."""
    global _work_dir
    with _lock:
        _stop_warm()
        if _work_dir is not None:
            shutil.rmtree(_work_dir, ignore_errors=True)
        _work_dir = None


atexit.register(shutdown)


# ---------------------------------------------------------------- conversion


def _convert(soffice: str, source: Path, timeout: float, pdfa: bool) -> bytes:
    reason = ""
    for _attempt in range(2):
        server = _warm_server(soffice)
        if server is None:
            return _convert_cold(soffice, source, timeout, pdfa)
        try:
            return _convert_warm(server, source, timeout, pdfa)
        except _ServerGone as gone:
            reason = str(gone)
            logger.warning("warm LibreOffice stopped (%s); restarting it", reason)
            _stop_warm()
    raise ConverterError(f"LibreOffice stopped twice while converting this document to PDF ({reason})")


def _convert_warm(server: _WarmServer, source: Path, timeout: float, pdfa: bool) -> bytes:
    options = ["SelectPdfVersion=2"] if pdfa else []
    proxy = _proxy(server.port, timeout)
    try:
        result = proxy.convert(str(source), None, None, "pdf", None, options, True, None, None)
    except TimeoutError:
        _stop_warm()
        raise ConverterError(
            f"PDF conversion of the {source.suffix} document timed out after {timeout:g} s") from None
    except xmlrpc.client.Fault as fault:
        reason = _fault_summary(fault, source)
        if "TimeoutError" in fault.faultString:  # unoserver's --conversion-timeout
            _stop_warm()
            raise ConverterError(f"PDF conversion of the {source.suffix} document timed out after "
                                 f"{SERVER_CONVERSION_TIMEOUT} s") from None
        if not _answers(server):
            raise _ServerGone(reason) from None
        raise ConverterError(
            f"LibreOffice could not convert the {source.suffix} document to PDF: {reason}") from None
    except (OSError, http.client.HTTPException, xmlrpc.client.ProtocolError) as error:
        raise _ServerGone(f"{type(error).__name__}: {error}") from None
    server.conversions += 1
    return _checked_pdf(result.data if isinstance(result, xmlrpc.client.Binary) else b"", source.suffix)


def _convert_cold(soffice: str, source: Path, timeout: float, pdfa: bool) -> bytes:
    outdir = source.parent / "pdf"
    outdir.mkdir()
    profile = _work_root() / "cold-profile"
    target = f"pdf:{_pdf_filter(source.suffix)}:{PDFA_CLI_OPTIONS}" if pdfa else "pdf"
    command = _bounded([soffice, f"-env:UserInstallation={profile.as_uri()}", "--headless", "--invisible",
                        "--nologo", "--norestore", "--nodefault", "--nolockcheck",
                        "--convert-to", target, "--outdir", str(outdir), str(source)],
                       cpu_seconds=int(timeout) + 5)
    process = subprocess.Popen(command, env=_libreoffice_env(), stdin=subprocess.DEVNULL,
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT, start_new_session=True)
    try:
        output, _ = process.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        _kill_group(process, grace=0)
        raise ConverterError(
            f"PDF conversion of the {source.suffix} document timed out after {timeout:g} s") from None
    pdf = outdir / f"{source.stem}.pdf"
    if not pdf.is_file():
        tail = output.decode(errors="replace").strip()[-300:]
        raise ConverterError(f"LibreOffice could not convert the {source.suffix} document to PDF "
                             f"(soffice exit status {process.returncode}: {tail or 'no output'})")
    return _checked_pdf(pdf.read_bytes(), source.suffix)


def _bounded(command: list[str], *, cpu_seconds: int | None = None) -> list[str]:
    """`command` under util-linux's prlimit (LibreOffice inherits the limits from its launcher)."""
    limits = [f"--as={LIBREOFFICE_MEMORY_BYTES}"] + ([f"--cpu={cpu_seconds}"] if cpu_seconds else [])
    return [shutil.which("prlimit") or "prlimit", *limits, "--", *command]


def _checked_pdf(pdf: bytes, suffix: str) -> bytes:
    if not pdf.startswith(b"%PDF-"):
        raise ConverterError(f"LibreOffice returned no PDF for the {suffix} document")
    return pdf


# ---------------------------------------------------------------- warm server lifecycle


def _warm_server(soffice: str) -> _WarmServer | None:
    """This process's running warm server, (re)started if needed; None means: convert cold."""
    global _warm, _warm_failure
    server = _warm
    if server is not None and (server.process.poll() is not None or server.conversions >= RECYCLE_AFTER):
        _stop_warm()
        server = None
    if server is not None:
        return server
    python = _uno_python()
    if python is None or (_warm_failure is not None and _in_retry_pause()):
        return None
    try:
        _warm = _start_warm(python, soffice)
    except ConverterError as error:
        _warm_failure = (time.monotonic(), str(error))
        logger.warning("%s; converting with a cold soffice instead", error)
        return None
    _warm_failure = None
    return _warm


def _start_warm(python: Path, soffice: str) -> _WarmServer:
    root = _work_root()
    profile = root / "warm-profile"
    shutil.rmtree(profile, ignore_errors=True)
    port, uno_port = _free_ports(2)
    command = _bounded([str(python), str(LAUNCHER), "--interface", "127.0.0.1", "--port", str(port),
                        "--uno-interface", "127.0.0.1", "--uno-port", str(uno_port),
                        "--user-installation", str(profile),  # a plain absolute path: unoserver 3.7 makes the URI
                        "--conversion-timeout", str(SERVER_CONVERSION_TIMEOUT),
                        "--stop-after", str(RECYCLE_AFTER), "--executable", soffice])
    env = _libreoffice_env() | {PARENT_PID_ENV: str(os.getpid()), WORK_DIR_ENV: str(root)}
    log_path = root / "unoserver.log"
    with log_path.open("ab") as log:
        process = subprocess.Popen(command, env=env, cwd=root, stdin=subprocess.DEVNULL, stdout=log,
                                   stderr=subprocess.STDOUT, start_new_session=True)
    server = _WarmServer(process=process, port=port, uno_port=uno_port)
    try:
        _wait_until_ready(server, log_path)
    except ConverterError:
        _kill_group(process)
        raise
    logger.info("warm LibreOffice started: unoserver pid %s on port %s", process.pid, port)
    return server


def _wait_until_ready(server: _WarmServer, log_path: Path) -> None:
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            raise ConverterError(f"unoserver exited during start with status {server.process.returncode}"
                                 f" ({_log_tail(log_path)})")
        try:
            info = _proxy(server.port, 2).info()
        except (OSError, http.client.HTTPException, xmlrpc.client.Error):
            time.sleep(0.1)
            continue
        if info.get("api") != UNOSERVER_API:
            raise ConverterError(f"unoserver {info.get('unoserver')} speaks API {info.get('api')}, "
                                 f"expected {UNOSERVER_API} (run scripts/setup-uno.sh)")
        return
    raise ConverterError(f"unoserver did not answer within {START_TIMEOUT:g} s ({_log_tail(log_path)})")


def _answers(server: _WarmServer) -> bool:
    """unoserver and LibreOffice both still listen (unoserver's info() is cached: it proves nothing)."""
    if server.process.poll() is not None:
        return False
    try:
        socket.create_connection(("127.0.0.1", server.uno_port), timeout=2).close()
        _proxy(server.port, 5).info()
    except (OSError, http.client.HTTPException, xmlrpc.client.Error):
        return False
    return True


def _stop_warm() -> None:
    global _warm
    server, _warm = _warm, None
    if server is not None:
        _kill_group(server.process)


def _kill_group(process: subprocess.Popen[bytes], grace: float = STOP_GRACE) -> None:
    """Stop the process and everything in its session (unoserver, oosplash, soffice.bin)."""
    _signal_group(process.pid, signal.SIGTERM)
    try:
        process.wait(grace)
    except subprocess.TimeoutExpired:
        pass
    _signal_group(process.pid, signal.SIGKILL)
    process.wait()


def _signal_group(group: int, signum: signal.Signals) -> None:
    try:
        os.killpg(group, signum)
    except (ProcessLookupError, PermissionError):
        pass


def _in_retry_pause() -> bool:
    return _warm_failure is not None and time.monotonic() - _warm_failure[0] < START_RETRY_AFTER


# ---------------------------------------------------------------- helpers


def _proxy(port: int, timeout: float) -> xmlrpc.client.ServerProxy:
    return xmlrpc.client.ServerProxy(f"http://127.0.0.1:{port}", transport=_TimeoutTransport(timeout),
                                     allow_none=True)


class _TimeoutTransport(xmlrpc.client.Transport):
    def __init__(self, timeout: float) -> None:
        super().__init__()
        self._timeout = timeout

    def make_connection(self, host: str) -> http.client.HTTPConnection:  # type: ignore[override]
        connection = super().make_connection(host)
        connection.timeout = self._timeout
        return connection


def _find_soffice() -> str | None:
    configured = os.environ.get(SOFFICE_ENV)
    if configured:
        return configured if os.access(configured, os.X_OK) else None
    return shutil.which("soffice") or shutil.which("libreoffice")


def _uno_python() -> Path | None:
    """.venv-uno's python: $METROLOGY_UNO_PYTHON, else in the checkout, else in the working directory."""
    configured = os.environ.get(UNO_PYTHON_ENV)
    candidates = [Path(configured)] if configured else [
        REPO_ROOT / ".venv-uno/bin/python", Path.cwd() / ".venv-uno/bin/python"]
    return next((path for path in candidates if path.is_file() and os.access(path, os.X_OK)), None)


def _libreoffice_env() -> dict[str, str]:
    global _warned_fonts
    message = _sc_fonts_message()
    if message and not _warned_fonts:
        logger.warning("%s; printing with the system's Noto CJK SC faces", message)
    _warned_fonts = bool(message)
    env = {key: value for key, value in os.environ.items()
           if key not in {"PYTHONPATH", "PYTHONHOME", "VIRTUAL_ENV"}}
    env["FONTCONFIG_FILE"] = str(FONTS_CONF)
    env["TMPDIR"] = str(_work_root())  # whatever a killed LibreOffice leaves goes with shutdown()
    return env


def _work_root() -> Path:
    """This process's private directory for LibreOffice profiles and job files."""
    global _work_dir
    if _work_dir is None or not _work_dir.is_dir():
        _work_dir = Path(tempfile.mkdtemp(prefix=f"metrology-pdf-{os.getpid()}-"))
    return _work_dir


def _free_ports(count: int) -> list[int]:
    sockets = [socket.socket() for _ in range(count)]
    try:
        for sock in sockets:
            sock.bind(("127.0.0.1", 0))
        return [sock.getsockname()[1] for sock in sockets]
    finally:
        for sock in sockets:
            sock.close()


def _checked_suffix(suffix: str) -> str:
    suffix = suffix.lower() if suffix.startswith(".") else f".{suffix.lower()}"
    if not suffix[1:].isalnum():
        raise ConverterError(f"Unsupported document suffix for PDF conversion: {suffix!r}")
    return suffix


def _check_content(data: bytes, suffix: str) -> None:
    """Reject what LibreOffice would otherwise silently print as plain text."""
    if not data:
        raise ConverterError(f"The {suffix} document to convert to PDF is empty")
    if suffix in CONTAINER_SUFFIXES and not data.startswith(CONTAINER_MAGIC):
        raise ConverterError(f"The {suffix} document to convert to PDF is damaged or not a {suffix} file")


def _pdf_filter(suffix: str) -> str:
    if suffix in CALC_SUFFIXES:
        return "calc_pdf_Export"
    if suffix in IMPRESS_SUFFIXES:
        return "impress_pdf_Export"
    return "writer_pdf_Export"


def _fault_summary(fault: xmlrpc.client.Fault, source: Path) -> str:
    """unoserver's "<class 'RuntimeError'>:Could not load document /tmp/… using …" without the noise."""
    lines = [line.strip() for line in str(fault.faultString).splitlines() if line.strip()]
    text = lines[-1] if lines else f"error {fault.faultCode}"
    text = re.sub(r"^<class '[\w.]+'>:\s*", "", text).replace(f" {source}", "")
    return text[:300]


def _log_tail(log_path: Path, lines: int = 5) -> str:
    try:
        text = log_path.read_text(errors="replace")
    except OSError:
        return "no log"
    return " | ".join(text.strip().splitlines()[-lines:]) or "empty log"
