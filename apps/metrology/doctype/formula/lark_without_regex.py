"""Load lark without the third-party `regex` module.

lark imports `regex` whenever it is installed (the platform installs it for field patterns), only to
support Unicode property classes in grammars; the formula grammar has none. Hiding it while lark
loads spares every command-line compute that import (#7, bench/cli); `regex` itself still imports
normally wherever it is used.
"""

from __future__ import annotations

import sys


def load_lark() -> None:
    if "lark" in sys.modules or "regex" in sys.modules:
        return
    sys.modules["regex"] = None  # type: ignore[assignment]  # `import regex` now raises ImportError
    try:
        import lark  # noqa: F401
    finally:
        del sys.modules["regex"]


load_lark()
