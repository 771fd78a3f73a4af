"""Where lark keeps the built formula parser between processes (issue 7: a command-line compute
must not spend most of its time rebuilding the LALR tables).

The cache is a pickle, so it lives only in a folder of the current user that nobody else can write:
$XDG_CACHE_HOME/metrology or ~/.cache/metrology. lark checks the grammar's SHA-256 before using it
and rebuilds (and rewrites) it when the grammar or lark changed; without such a folder, no cache.
"""

from __future__ import annotations

import os
import stat
import sys
from pathlib import Path

import lark


def parser_cache_path() -> str | bool:
    """The cache file for `Lark(cache=…)`, or False (no cache) when no private folder is at hand."""
    try:
        folder = _private_folder()
    except (OSError, RuntimeError):  # no home folder, or one we cannot write
        return False
    if folder is None:
        return False
    python = "".join(map(str, sys.version_info[:2]))
    return str(folder / f"formula-parser-lark{lark.__version__}-py{python}.pickle")


def _private_folder() -> Path | None:
    base = os.environ.get("XDG_CACHE_HOME") or (Path.home() / ".cache")
    folder = Path(base) / "metrology"
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    info = folder.stat()
    if info.st_uid != os.getuid() or info.st_mode & (stat.S_IWGRP | stat.S_IWOTH):
        return None
    return folder
