"""The README's first command serves the platform; it is run here exactly as the README says."""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import time
import urllib.request
from pathlib import Path

from metrology.testing.cli_sites import ISOLATED_VARIABLES

REPO_ROOT = Path(__file__).resolve().parents[1]


def readme_commands() -> list[str]:
    text = (REPO_ROOT / "README.md").read_text(encoding="utf-8")
    return re.findall(r"```(?:sh|bash|shell)\n(.+?)\n```", text)[:2]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _fetch(url: str, deadline: float) -> str:
    while True:
        try:
            with urllib.request.urlopen(url, timeout=5) as response:
                return response.read().decode()
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.5)


def test_readme_names_make_run_and_make_test():
    assert readme_commands() == ["make run", "make test"]


def test_command_one_serves_the_login_page_in_chinese(tmp_path):
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if k not in ISOLATED_VARIABLES}
    env.update(METROLOGY_SITES_DIR=str(tmp_path / "sites"), PORT=str(port))
    server = subprocess.Popen(
        readme_commands()[0], shell=True, cwd=REPO_ROOT, env=env, stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT, text=True, start_new_session=True,
    )
    try:
        page = _fetch(f"http://127.0.0.1:{port}/login/", deadline=time.monotonic() + 180)
        assert "计量检测数据与证书平台" in page
        assert "密码" in page and "登录" in page
        health = _fetch(f"http://127.0.0.1:{port}/healthz", deadline=time.monotonic() + 10)
        assert health == '{"status": "up"}'  # details are for administrators only (#8)
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        output, _ = server.communicate(timeout=30)
    assert "zhangsan" in output and "张三" in output, output
